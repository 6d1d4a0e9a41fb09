import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ReconcilerStack } from '@vpce-target-sync/infra';
import { ENV } from '@vpce-target-sync/shared';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
// bundle.ts is the construct's internal esbuild step, not part of the package's API.
import { BUNDLE_FILE, esbuildTarget } from '../src/bundle.ts';
import { onlyResource, templateOf, testApp } from './support/synth.ts';

/**
 * The bundle must stay small enough to load fast (a bundle of the three SDK clients, middy and pino
 * alone is 0.98 MB).
 */
const MAX_BUNDLE_BYTES = 1.5 * 1024 * 1024;

describe('the function bundle (esbuild, local, no Docker)', () => {
  let bundlePath: string;

  beforeAll(() => {
    const app = testApp({ bundle: true });
    const template = templateOf(new ReconcilerStack(app, 'VpceTargetSync'));
    const code = onlyResource(template, 'AWS::Lambda::Function').properties.Code as { S3Key: string };
    const assetHash = code.S3Key.replace(/\.zip$/, '');
    bundlePath = join(app.outdir, `asset.${assetHash}`, BUNDLE_FILE);
  });

  it('is one ES module file with a require shim for pino, within the size budget', () => {
    const source = readFileSync(bundlePath, 'utf8');
    expect(source.startsWith("import { createRequire as __vtsCreateRequire } from 'node:module';")).toBe(
      true,
    );
    expect(statSync(bundlePath).size).toBeLessThan(MAX_BUNDLE_BYTES);
  });

  it('loads on its own (no node_modules) and exports the dispatching handler', () => {
    const script = `const m = await import(${JSON.stringify(bundlePath)}); process.stdout.write(typeof m.handler);`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: '/',
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'eu-west-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        [ENV.queueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/queue',
        [ENV.roleArn]: 'arn:aws:iam::123456789012:role/reconciler',
      },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('function');
  });

  it("targets the runtime's Node.js version", () => {
    expect(esbuildTarget(Runtime.NODEJS_24_X)).toBe('node24');
    expect(esbuildTarget(Runtime.NODEJS_22_X)).toBe('node22');
    expect(() => esbuildTarget(Runtime.PYTHON_3_13)).toThrow(/not a Node.js runtime/);
  });
});
