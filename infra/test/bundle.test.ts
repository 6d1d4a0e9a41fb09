import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ReconcilerStack } from '@vpce-target-sync/infra';
import { ENDPOINT_ID_TAG, ENV } from '@vpce-target-sync/shared';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The simulator and the scenario builders live in the test tree; no package exports them.
import { type Simulator, startSimulator } from '../../test/sim/index.ts';
import { Account } from '../../test/support/account.ts';
import { sqsBatch, trail } from '../../test/support/cloudtrail.ts';
// bundle.ts is the construct's internal esbuild step, not part of the package's API.
import { BUNDLE_FILE, esbuildTarget } from '../src/bundle.ts';
import { onlyResource, templateOf, testApp } from './support/synth.ts';

/**
 * The bundle must stay small enough to load fast (a bundle of the three SDK clients, middy and pino
 * alone is 0.98 MB).
 */
const MAX_BUNDLE_BYTES = 1.5 * 1024 * 1024;
/** What a cold start reads (the entry and the chunks it imports statically): issue 14's budget. */
const MAX_COLD_START_BYTES = 1_000_000;

const REQUIRE_SHIM = "import { createRequire as __vtsCreateRequire } from 'node:module';";
/** Relative module specifiers of a minified ES module: `from"./x.mjs"`, `import"./x.mjs"`, `import("./x.mjs")`. */
const RELATIVE_IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*["'](\.\.?\/[^"']+)["']/g;
const STATIC_IMPORT = /(?:\bfrom|\bimport)\s*["'](\.\.?\/[^"']+)["']/g;
/** The SQS client's service target prefix: only the SQS client's own code carries it. */
const SQS_CLIENT_MARK = 'AmazonSQS';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}
const specifiers = (file: string, pattern: RegExp) =>
  [...readFileSync(file, 'utf8').matchAll(pattern)].map((m) => resolve(dirname(file), m[1] as string));

/** The files a cold import reads: the entry and, transitively, what it imports statically. */
function coldStartFiles(entry: string): string[] {
  const read = new Set<string>();
  const visit = (file: string) => {
    if (read.has(file)) return;
    read.add(file);
    for (const next of specifiers(file, STATIC_IMPORT)) visit(next);
  };
  visit(entry);
  return [...read];
}

/** Runs a module script with Node in `/` (no node_modules anywhere above) and only these variables. */
function node(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: '/',
      env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('the function bundle (esbuild, local, no Docker)', () => {
  let assetDir: string;
  let bundlePath: string;
  let sim: Simulator | undefined;

  beforeAll(() => {
    const app = testApp({ bundle: true });
    const template = templateOf(new ReconcilerStack(app, 'VpceTargetSync'));
    const code = onlyResource(template, 'AWS::Lambda::Function').properties.Code as { S3Key: string };
    const assetHash = code.S3Key.replace(/\.zip$/, '');
    assetDir = join(app.outdir, `asset.${assetHash}`);
    bundlePath = join(assetDir, BUNDLE_FILE);
  });
  afterAll(() => sim?.stop());

  it('is ES modules (the entry and its chunks), each with a require shim for pino, within the size budget', () => {
    const all = files(assetDir);
    expect(all.length).toBeGreaterThan(1);
    for (const file of all) {
      expect(relative(assetDir, file)).toMatch(/\.mjs$/);
      expect(readFileSync(file, 'utf8').startsWith(REQUIRE_SHIM), relative(assetDir, file)).toBe(true);
    }
    const bytes = (list: string[]) => list.reduce((n, f) => n + statSync(f).size, 0);
    expect(bytes(all)).toBeLessThan(MAX_BUNDLE_BYTES);
    expect(bytes(coldStartFiles(bundlePath))).toBeLessThan(MAX_COLD_START_BYTES);
  });

  it('carries every chunk its code can load, statically or on demand', () => {
    const all = new Set(files(assetDir));
    for (const file of all)
      for (const target of specifiers(file, RELATIVE_IMPORT))
        expect(all.has(target), `${relative(assetDir, file)} imports ${relative(assetDir, target)}`).toBe(
          true,
        );
  });

  it('reads no SQS client at a cold start: the client is a chunk of the asset, loaded by the first re-queue', () => {
    const cold = coldStartFiles(bundlePath);
    const withSqs = files(assetDir).filter((f) => readFileSync(f, 'utf8').includes(SQS_CLIENT_MARK));
    expect(withSqs.length).toBeGreaterThan(0);
    for (const file of withSqs) expect(cold).not.toContain(file);
  });

  it('loads on its own (no node_modules) and exports the dispatching handler; so does every chunk', async () => {
    const env = {
      AWS_REGION: 'eu-west-1',
      [ENV.queueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/queue',
      [ENV.roleArn]: 'arn:aws:iam::123456789012:role/reconciler',
    };
    const entry = await node(
      `const m = await import(${JSON.stringify(bundlePath)}); process.stdout.write(typeof m.handler);`,
      env,
    );
    expect(entry.stderr).toBe('');
    expect(entry.stdout).toBe('function');
    const chunks = files(assetDir).filter((f) => f !== bundlePath);
    const all = await node(
      `for (const f of ${JSON.stringify(chunks)}) await import(f); process.stdout.write('ok');`,
      env,
    );
    expect(all.stderr).toBe('');
    expect(all.stdout).toBe('ok');
  });

  it('re-queues through the SQS chunk: an event for a site whose endpoint is pending is sent back to the queue', async () => {
    sim = await startSimulator({ endpointPendingMs: 60_000 });
    const queueName = 'vpce-target-sync-bundle';
    const created = await fetch(sim.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.CreateQueue' },
      body: JSON.stringify({ QueueName: queueName }),
    });
    const { QueueUrl: queueUrl } = (await created.json()) as { QueueUrl: string };
    const account = new Account(sim.clientConfig());
    const vpc = await account.vpc(9);
    const endpointId = await account.endpoint(vpc, 1);
    const arn = await account.site('bundle-pending', vpc, { endpointId });
    const event = sqsBatch([trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId })]);

    const script = `const { handler } = await import(${JSON.stringify(bundlePath)});
const context = { awsRequestId: 'req-bundle', getRemainingTimeInMillis: () => 120000 };
const result = await handler(${JSON.stringify(event)}, context);
process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n');`;
    const run = await node(script, {
      ...sim.env,
      [ENV.queueUrl]: queueUrl,
      [ENV.logLevel]: 'silent',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('RESULT {"batchItemFailures":[]}');
    const sent = sim.sentMessages(queueName).map((m) => JSON.parse(m.body) as { targetGroupArns?: string[] });
    expect(sent.flatMap((m) => m.targetGroupArns ?? [])).toEqual([arn]);
  });

  it("targets the runtime's Node.js version", () => {
    expect(esbuildTarget(Runtime.NODEJS_24_X)).toBe('node24');
    expect(esbuildTarget(Runtime.NODEJS_22_X)).toBe('node22');
    expect(() => esbuildTarget(Runtime.PYTHON_3_13)).toThrow(/not a Node.js runtime/);
  });
});
