/**
 * The handler bundle's size and cold import time, against a bare bundle of the three SDK clients
 * (EC2, ELBv2, CloudWatch) built with the same esbuild settings in the same run. Both are built
 * with infra's own `bundleOptions` (minified ESM for Node, `module` before `main`, the createRequire
 * banner), so the handler bundle is the deployed one. Each is imported in fresh Node processes,
 * from a directory with no node_modules, alternating the two (and which goes first) so drift on
 * the machine hits both alike; the figure is the median.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { bundleOptions, HANDLER_ENTRY } from '../../infra/src/bundle.ts';

/** infra's default runtime is nodejs24.x (infra/src/reconciler.ts). */
const TARGET = 'node24';
export const COLD_IMPORT_RUNS = 21;

const BARE_SOURCE = `
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
export const clients = [new EC2Client({}), new ElasticLoadBalancingV2Client({}), new CloudWatchClient({})];
`;

export interface BundleFigure {
  readonly handler: string;
  readonly bytes: number;
  readonly coldImportMs: number;
  readonly bareColdImportMs: number;
  readonly coldImportRatio: number;
  readonly bareBytes: number;
  readonly runs: number;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function coldImport(file: string, cwd: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      VPCE_TARGET_SYNC_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/vpce-target-sync',
    },
  });
  if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

/**
 * The measured reconcile's process runs a bundle built the way the function is (the runner plus
 * the functions it imports), so its RSS is that of the deployed code, not of tsx and SDK sources.
 */
export function buildRunner(outdir: string): string {
  const outfile = join(outdir, 'run-reconcile.mjs');
  buildSync(bundleOptions(fileURLToPath(new URL('run-reconcile.ts', import.meta.url)), outfile, TARGET));
  return outfile;
}

export function measureBundle(runs: number = COLD_IMPORT_RUNS): BundleFigure {
  const outdir = mkdtempSync(join(tmpdir(), 'vts-bench-bundle-'));
  try {
    const handlerFile = join(outdir, 'index.mjs');
    const bareFile = join(outdir, 'bare.mjs');
    buildSync(bundleOptions(HANDLER_ENTRY, handlerFile, TARGET));
    const { entryPoints: _entry, ...bareOptions } = bundleOptions(HANDLER_ENTRY, bareFile, TARGET);
    buildSync({
      ...bareOptions,
      stdin: {
        contents: BARE_SOURCE,
        resolveDir: fileURLToPath(new URL('.', import.meta.url)),
        loader: 'ts',
        sourcefile: 'bare.ts',
      },
    });
    const handlerMs: number[] = [];
    const bareMs: number[] = [];
    // Alternating which goes first, so neither always follows the other.
    for (let i = 0; i < runs; i++) {
      if (i % 2) bareMs.push(coldImport(bareFile, outdir));
      handlerMs.push(coldImport(handlerFile, outdir));
      if (!(i % 2)) bareMs.push(coldImport(bareFile, outdir));
    }
    const coldImportMs = median(handlerMs);
    const bareColdImportMs = median(bareMs);
    return {
      handler: 'functions/src/handlers/index.ts',
      bytes: statSync(handlerFile).size,
      bareBytes: statSync(bareFile).size,
      coldImportMs,
      bareColdImportMs,
      coldImportRatio: coldImportMs / bareColdImportMs,
      runs,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
