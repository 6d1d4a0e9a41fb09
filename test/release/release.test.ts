import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The release is built by infra's packing scripts, which are build tools, not package exports.
import { OLDEST_AWS_CDK_LIB } from '../../infra/scripts/pack-cdk.ts';
import { packRelease } from '../../infra/scripts/pack-release.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';
import { Account } from '../support/account.ts';

/**
 * The release, used the way users will: the tarballs `pnpm pack:release` writes,
 * installed with npm in a folder outside the workspace, with an aws-cdk-lib from the supported range
 * that is not the workspace's own. Needs the npm registry (as `pnpm install` does).
 */
const run = promisify(execFile);
const CDK_ENV = {
  CDK_DISABLE_VERSION_CHECK: '1',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
};
/** Only what a user's machine has: Node.js and npm on PATH (no pnpm, tsx or esbuild of ours). */
const env = (extra: Record<string, string> = {}) => ({
  PATH: `${join(process.execPath, '..')}:/usr/bin:/bin`,
  HOME: process.env.HOME ?? tmpdir(),
  ...CDK_ENV,
  ...extra,
});

let dir: string;
let tarballs: { cdk: string; cli: string };

const APP_MJS = `import { App, Stack } from 'aws-cdk-lib';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import { ApplicationLoadBalancer, ListenerAction, ListenerCertificate } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { EndpointSite, Reconciler } from '@vpce-target-sync/cdk';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'UserStack', { env: { account: '111122223333', region: 'eu-west-1' } });
new Reconciler(stack, 'Sync', { alarmEmail: 'ops@example.com' });
const vpc = new Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
const alb = new ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: false });
const listener = alb.addListener('Https', {
  port: 443,
  certificates: [ListenerCertificate.fromArn('arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000000')],
  defaultAction: ListenerAction.fixedResponse(404),
});
new EndpointSite(stack, 'Docs', { vpc, listener, hostName: 'docs.example.com', priority: 10 });
app.synth();
`;

/** The same app in TypeScript, type-checked with the compiler settings `cdk init app --language typescript` writes. */
const APP_TS = APP_MJS.replace(
  "const app = new App({ outdir: 'cdk.out' });",
  "const app: App = new App({ outdir: 'cdk.out' });",
);
const CDK_INIT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['es2022'],
    declaration: true,
    strict: true,
    noImplicitAny: true,
    strictNullChecks: true,
    noImplicitThis: true,
    alwaysStrict: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    noImplicitReturns: true,
    noFallthroughCasesInSwitch: false,
    inlineSourceMap: true,
    inlineSources: true,
    experimentalDecorators: true,
    strictPropertyInitialization: false,
    skipLibCheck: true,
    typeRoots: ['./node_modules/@types'],
    noEmit: true,
    isolatedModules: true,
    // cdk init also lists "jest": this app has no tests, so @types/jest is not installed.
    types: ['node'],
  },
  exclude: ['node_modules', 'cdk.out'],
};

const listing = async (tarball: string): Promise<string[]> =>
  (await run('tar', ['tzf', tarball])).stdout.split('\n').filter(Boolean);

beforeAll(async () => {
  tarballs = await packRelease();
  dir = mkdtempSync(join(tmpdir(), 'vts-release-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'user-app', private: true, type: 'module' }),
  );
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      tarballs.cdk,
      `aws-cdk-lib@${OLDEST_AWS_CDK_LIB}`,
      'constructs@10',
      'typescript@7.0.2',
      '@types/node@20',
    ],
    { cwd: dir, env: env(), maxBuffer: 16 * 1024 * 1024 },
  );
}, 600_000);
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('the published packages, installed with npm outside the workspace', () => {
  it('hold compiled JavaScript and declarations only: no TypeScript sources, no tests', async () => {
    for (const tarball of [tarballs.cdk, tarballs.cli]) {
      const files = await listing(tarball);
      expect(files).toContain('package/LICENSE');
      expect(files).toContain('package/README.md');
      expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
      expect(files.filter((f) => /test|cdk\.json|\.map$/.test(f))).toEqual([]);
    }
    const cdk = JSON.parse(
      readFileSync(join(dir, 'node_modules/@vpce-target-sync/cdk/package.json'), 'utf8'),
    );
    expect(cdk).toMatchObject({
      peerDependencies: { 'aws-cdk-lib': `^${OLDEST_AWS_CDK_LIB}`, constructs: '^10.0.0' },
      license: 'Apache-2.0',
      exports: { '.': { types: expect.stringMatching(/\.d\.ts$/), import: './lib/index.js' } },
    });
    expect(cdk.private).toBeUndefined();
    expect(cdk.dependencies).toBeUndefined();
    expect(cdk.keywords).toEqual(expect.arrayContaining(['aws-cdk', 'cdk', 'construct']));
  });

  it(`a plain Node ESM app with aws-cdk-lib ${OLDEST_AWS_CDK_LIB} synthesises both constructs with the prebuilt handler, no esbuild or Docker`, async () => {
    writeFileSync(join(dir, 'app.mjs'), APP_MJS);
    await run(process.execPath, ['app.mjs'], { cwd: dir, env: env() });
    expect(existsSync(join(dir, 'node_modules', 'esbuild'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'node_modules/aws-cdk-lib/package.json'), 'utf8')).version).toBe(
      OLDEST_AWS_CDK_LIB,
    );

    const template = JSON.parse(readFileSync(join(dir, 'cdk.out', 'UserStack.template.json'), 'utf8'));
    const resources = Object.values(template.Resources) as {
      Type: string;
      Properties: Record<string, any>;
    }[];
    const ofType = (type: string) => resources.filter((r) => r.Type === type);
    const fn = ofType('AWS::Lambda::Function').find((r) => r.Properties.Handler === 'index.handler');
    expect(fn?.Properties.Runtime).toMatch(/^nodejs2[24]\.x$/);
    const assetHash = String(fn?.Properties.Code?.S3Key).replace(/\.zip$/, '');
    const asset = readdirSync(join(dir, 'cdk.out')).find((f) => f === `asset.${assetHash}`);
    expect(asset).toBeDefined();
    // The prebuilt handler whole: its entry and every chunk (the SQS client, the SDK's other
    // credential providers), byte for byte.
    const prebuilt = join(dir, 'node_modules/@vpce-target-sync/cdk/lib/handler');
    const assetDir = join(dir, 'cdk.out', asset as string);
    const handlerFiles = readdirSync(prebuilt, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(prebuilt, join(e.parentPath, e.name)))
      .sort();
    expect(handlerFiles).toContain('index.mjs');
    expect(handlerFiles.some((f) => f.startsWith('chunks/'))).toBe(true);
    for (const file of handlerFiles)
      expect(readFileSync(join(assetDir, file)), file).toEqual(readFileSync(join(prebuilt, file)));
    const rules = ofType('AWS::Events::Rule');
    expect(rules.some((r) => r.Properties.ScheduleExpression)).toBe(true);
    expect(
      rules.some((r) => r.Properties.EventPattern?.['detail-type']?.includes('AWS API Call via CloudTrail')),
    ).toBe(true);
    expect(ofType('AWS::CloudWatch::Alarm').length).toBeGreaterThanOrEqual(4);
    expect(ofType('AWS::ElasticLoadBalancingV2::TargetGroup')).toHaveLength(1);
  }, 120_000);

  it('a TypeScript app type-checks with the compiler settings of cdk init', async () => {
    mkdirSync(join(dir, 'bin'), { recursive: true });
    writeFileSync(join(dir, 'bin', 'app.ts'), APP_TS);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(CDK_INIT_TSCONFIG, null, 2));
    const tsc = join(dir, 'node_modules', '.bin', 'tsc');
    const result = await run(tsc, ['-p', dir], { cwd: dir, env: env() }).catch((e: { stdout: string }) => e);
    expect(result.stdout).toBe('');
  }, 120_000);
});

describe('the published CLI, installed with npm install -g', () => {
  let sim: Simulator;
  let bin: string;
  beforeAll(async () => {
    const prefix = join(dir, 'global');
    await run('npm', ['install', '-g', '--no-audit', '--no-fund', '--prefix', prefix, tarballs.cli], {
      env: env(),
    });
    bin = join(prefix, 'bin', 'vpce-target-sync');
    sim = await startSimulator();
  }, 300_000);
  afterAll(() => sim?.stop());

  it('prints its version and help', async () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../../functions/package.json', import.meta.url), 'utf8'),
    );
    expect((await run(bin, ['--version'], { env: env() })).stdout).toBe(`${version}\n`);
    expect((await run(bin, ['--help'], { env: env() })).stdout).toContain('vpce-target-sync reconcile');
  });

  it('runs reconcile --dry-run --json against the simulator', async () => {
    const account = new Account(sim.clientConfig());
    const vpc = await account.vpc(1);
    const endpointId = await account.endpoint(vpc, 2);
    const arn = await account.site('released', vpc, { endpointId });
    const { stdout } = await run(bin, ['reconcile', '--dry-run', '--json'], { env: env(sim.env) });
    const report = JSON.parse(stdout) as {
      sites: { targetGroupArn: string; status: string; toRegister: unknown[] }[];
    };
    expect(report.sites).toEqual([
      expect.objectContaining({ targetGroupArn: arn, status: 'drift', toRegister: expect.any(Array) }),
    ]);
    expect(report.sites[0]?.toRegister).toHaveLength(2);
    expect(await account.targets(arn)).toEqual([]);
  });
});
