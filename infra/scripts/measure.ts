/**
 * The measurements behind the function's default memory and timeout (see DEFAULT_MEMORY_MB and
 * DEFAULT_TIMEOUT in src/reconciler.ts). Run from infra/: `pnpm measure`.
 * 1. Bundles the handler exactly as the construct does and reports its size.
 * 2. Imports the bundle cold in fresh Node processes (no node_modules) and reports the time and RSS.
 * 3. Runs a full pass over N in-memory sites (no AWS), each in a fresh process, and reports CPU
 *    time and how much the heap grew: that growth is what scales with the fleet. (This process's
 *    RSS is not the Lambda's: it carries tsx and the unbundled SDK sources; the bundle's own RSS
 *    is the cold-import figure above.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENDPOINT_ID_TAG } from '@vpce-target-sync/shared';

const COLD_IMPORTS = 8;
const FLEETS = [100, 1000, 5000];

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function measureBundle(): Promise<void> {
  // Imported here: the fleet runs below must not carry aws-cdk-lib and esbuild in their RSS.
  const { BUNDLE_FILE, bundleHandler, HANDLER_ENTRY } = await import('../src/bundle.ts');
  const outdir = mkdtempSync(join(tmpdir(), 'vts-bundle-'));
  try {
    const started = performance.now();
    const bytes = bundleHandler(HANDLER_ENTRY, outdir, 'node24');
    console.log(`bundle: ${bytes} bytes, built in ${Math.round(performance.now() - started)} ms`);
    const bundle = join(outdir, BUNDLE_FILE);
    const script = `const t = performance.now(); await import(${JSON.stringify(bundle)}); const m = process.memoryUsage(); console.log(JSON.stringify({ ms: performance.now() - t, rssMB: m.rss / 2 ** 20, heapMB: m.heapUsed / 2 ** 20 }));`;
    const runs = Array.from({ length: COLD_IMPORTS }, () => {
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: outdir,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'eu-west-1',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          VPCE_TARGET_SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
        },
      });
      if (result.status !== 0) throw new Error(result.stderr);
      return JSON.parse(result.stdout) as { ms: number; rssMB: number; heapMB: number };
    });
    const ms = runs.map((r) => r.ms);
    console.log(
      `cold import (${COLD_IMPORTS} runs): median ${Math.round(median(ms))} ms, min ${Math.round(Math.min(...ms))}, max ${Math.round(Math.max(...ms))}; RSS ${Math.round(median(runs.map((r) => r.rssMB)))} MB, heap ${Math.round(median(runs.map((r) => r.heapMB)))} MB`,
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

async function measureRun(sites: number): Promise<void> {
  const { createLogger, reconcile } = await import('@vpce-target-sync/functions');
  const hex = (i: number, n: number) => i.toString(16).padStart(n, '0');
  const endpointOf = (i: number) => `vpce-${hex(i, 17)}`;
  const targetGroups = Array.from({ length: sites }, (_, i) => ({
    arn: `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg-${i}/${hex(i, 16)}`,
    name: `tg-${i}`,
    vpcId: 'vpc-1',
    targetType: 'ip',
    ipAddressType: 'ipv4' as const,
    port: 443,
  }));
  // Three ENIs per endpoint; every other site is missing one target, so half the sites are written.
  const eniIp = (i: number, k: number) => `10.${(i >> 8) & 255}.${i & 255}.${k + 10}`;
  const deps = {
    log: createLogger('silent'),
    targetGroups: {
      listAll: async () => targetGroups,
      find: async () => targetGroups,
      listOptedIn: async () =>
        new Map(targetGroups.map((tg, i) => [tg.arn, { [ENDPOINT_ID_TAG]: endpointOf(i) }] as const)),
      tags: async () => new Map(),
      health: async (arn: string) => {
        const i = Number(/tg-(\d+)/.exec(arn)?.[1]);
        return [0, 1, 2]
          .slice(0, i % 2 ? 3 : 2)
          .map((k) => ({ id: eniIp(i, k), port: 443, state: 'healthy' }));
      },
      register: async () => {},
      deregister: async () => {},
    },
    endpoints: {
      endpoints: async (ids: readonly string[]) =>
        new Map(
          ids.map((id) => {
            const i = Number.parseInt(id.slice(5), 16);
            const networkInterfaceIds = [0, 1, 2].map((k) => `eni-${hex(i * 3 + k, 17)}`);
            return [
              id,
              { id, state: 'available', type: 'Interface', vpcId: 'vpc-1', networkInterfaceIds },
            ] as const;
          }),
        ),
      networkInterfaces: async (ids: readonly string[]) =>
        new Map(
          ids.map((id) => {
            const n = Number.parseInt(id.slice(4), 16);
            return [id, { id, ipv4: eniIp(Math.floor(n / 3), n % 3), ipv6: [] }] as const;
          }),
        ),
    },
    metrics: { publish: async () => {} },
  };
  const heapBefore = process.memoryUsage().heapUsed;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const report = await reconcile(deps as never, {
    dryRun: false,
    publishMetrics: true,
    perSiteMetrics: true,
  });
  const used = process.cpuUsage(cpu);
  const memory = process.memoryUsage();
  console.log(
    `full pass over ${sites} sites (in-memory AWS): ${Math.round(performance.now() - started)} ms, CPU ${Math.round((used.user + used.system) / 1000)} ms, heap +${Math.round((memory.heapUsed - heapBefore) / 2 ** 20)} MB; statuses ${JSON.stringify(report.summary.statuses)}`,
  );
}

const fleetArg = process.argv.indexOf('--fleet');
if (fleetArg > 0) {
  await measureRun(Number(process.argv[fleetArg + 1]));
} else {
  await measureBundle();
  for (const sites of FLEETS) {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', process.argv[1] ?? '', '--fleet', String(sites)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    if (child.status !== 0) process.exit(child.status ?? 1);
  }
}
