/**
 * The handler bundle's size and cold import time, against a bare bundle of the three SDK clients
 * (EC2, ELBv2, CloudWatch) built with the same esbuild settings in the same run. Both are built
 * with infra's own `bundleOptions` (minified ESM for Node, `module` before `main`, the createRequire
 * banner, code splitting), so the handler bundle is the deployed one. Each is imported in fresh
 * Node processes, from a directory with no node_modules, alternating the two (and which goes
 * first) so drift on the machine hits both alike; the figure is the median.
 *
 * Sizes: `bytes` is what a cold import reads (the entry and the chunks it imports statically);
 * `assetBytes` is every file of the bundle, the chunks loaded only on demand included.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';
import { BUNDLE_FILE, bundleOptions, HANDLER_ENTRY } from '../../infra/src/bundle.ts';

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
  /** What a cold import of the handler reads: its entry and the chunks the entry imports statically. */
  readonly bytes: number;
  /** Every file of the handler bundle (the deployed asset), lazily loaded chunks included. */
  readonly assetBytes: number;
  readonly files: number;
  readonly coldImportMs: number;
  readonly bareColdImportMs: number;
  readonly coldImportRatio: number;
  readonly bareBytes: number;
  readonly bareAssetBytes: number;
  readonly runs: number;
}

/** A bundle's entry file and its sizes, from esbuild's metafile. */
interface Built {
  readonly entry: string;
  readonly bytes: number;
  readonly assetBytes: number;
  readonly files: number;
}

function build(options: BuildOptions, outdir: string, entryFile: string): Built {
  const { metafile } = buildSync(options) as { metafile: Metafile };
  const outputs = new Map(Object.entries(metafile.outputs).map(([path, output]) => [resolve(path), output]));
  const entry = join(outdir, entryFile);
  // The files a cold import reads: the entry and, transitively, what it imports statically.
  const read = new Set<string>();
  const visit = (file: string) => {
    if (read.has(file)) return;
    read.add(file);
    for (const i of outputs.get(file)?.imports ?? [])
      if (i.kind === 'import-statement' && !i.external) visit(resolve(i.path));
  };
  visit(entry);
  const sum = (files: Iterable<string>) => [...files].reduce((n, f) => n + (outputs.get(f)?.bytes ?? 0), 0);
  return { entry, bytes: sum(read), assetBytes: sum(outputs.keys()), files: outputs.size };
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
  buildSync(bundleOptions(fileURLToPath(new URL('run-reconcile.ts', import.meta.url)), outdir, TARGET));
  return join(outdir, 'run-reconcile.mjs');
}

export function measureBundle(runs: number = COLD_IMPORT_RUNS): BundleFigure {
  const outdir = mkdtempSync(join(tmpdir(), 'vts-bench-bundle-'));
  try {
    const handlerDir = join(outdir, 'handler');
    const bareDir = join(outdir, 'bare');
    const handler = build(bundleOptions(HANDLER_ENTRY, handlerDir, TARGET), handlerDir, BUNDLE_FILE);
    const { entryPoints: _entry, ...bareOptions } = bundleOptions(HANDLER_ENTRY, bareDir, TARGET);
    const bare = build(
      {
        ...bareOptions,
        stdin: {
          contents: BARE_SOURCE,
          resolveDir: fileURLToPath(new URL('.', import.meta.url)),
          loader: 'ts',
          sourcefile: 'bare.ts',
        },
      },
      bareDir,
      // esbuild names the entry built from stdin `stdin`.
      'stdin.mjs',
    );
    const handlerFile = handler.entry;
    const bareFile = bare.entry;
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
      bytes: handler.bytes,
      assetBytes: handler.assetBytes,
      files: handler.files,
      bareBytes: bare.bytes,
      bareAssetBytes: bare.assetBytes,
      coldImportMs,
      bareColdImportMs,
      coldImportRatio: coldImportMs / bareColdImportMs,
      runs,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
