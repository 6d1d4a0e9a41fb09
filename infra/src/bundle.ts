import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code, type Runtime } from 'aws-cdk-lib/aws-lambda';
import type { BuildOptions } from 'esbuild';

/** The one Lambda entry point: dispatches an SQS batch to the events path and anything else to the scheduled pass. */
export const HANDLER_ENTRY = fileURLToPath(new URL('../../functions/src/handlers/index.ts', import.meta.url));

/**
 * Where the published construct library carries the handler, prebuilt when the package is packed
 * (`pnpm pack:release`): `lib/handler/index.mjs`, next to the library's own `lib/index.js`, as
 * aws-cdk-lib ships its own handlers. From the workspace's sources this folder does not exist, and
 * the handler is bundled from source at synth time instead.
 */
export const PREBUILT_HANDLER_DIR = fileURLToPath(new URL('./handler/', import.meta.url));
/** The prebuilt handler targets the oldest Lambda runtime the constructs accept; it runs on later ones. */
export const PREBUILT_TARGET = 'node22';

/** The bundle's entry file; `.mjs` makes Lambda load it (and its chunks) as ES modules. */
export const BUNDLE_FILE = 'index.mjs';
/** Where the entry's chunks go, inside the asset: the code it shares with its lazily loaded parts, and those parts. */
export const CHUNKS_DIR = 'chunks';
/** The Lambda handler setting for the bundle. */
export const BUNDLE_HANDLER = 'index.handler';

/**
 * pino (and a few SDK dependencies) call `require` at run time; an ES module has none, so each file
 * of the bundle defines one before anything else runs.
 */
const REQUIRE_BANNER =
  "import { createRequire as __vtsCreateRequire } from 'node:module'; const require = __vtsCreateRequire(import.meta.url);";

/** esbuild's target for a Lambda Node.js runtime: `nodejs24.x` -> `node24`. */
export function esbuildTarget(runtime: Runtime): string {
  const match = /^nodejs(\d+)\.x$/.exec(runtime.name);
  if (!match)
    throw new Error(`runtime ${runtime.name} is not a Node.js runtime; expected nodejs22.x or later`);
  return `node${match[1]}`;
}

/**
 * The esbuild settings of the function bundle. ESM with `module` before `main` lets esbuild take
 * the SDK's ES builds, which tree-shake (measured on this project's machines: 1.68 MB -> 0.98 MB with
 * the EC2, ELBv2 and CloudWatch clients); everything is bundled, so the deployed code runs the exact
 * SDK versions the tests ran, not the runtime's copy.
 *
 * Code splitting: what is only imported dynamically becomes a chunk of its own that a cold start
 * does not read (about 180 KB of 1.1 MB): the SQS client, loaded by the first re-queue (36 KB); the
 * SDK's credential providers other than the environment's, which Lambda's credentials make unused
 * (SSO, shared files, web identity, IMDS and their STS/SSO clients, 95 KB); and SDK code Node never
 * runs (event streams, a browser user-agent parser, 50 KB). `outdir` receives `index.mjs` and
 * `chunks/`; the asset is the whole folder.
 */
export function bundleOptions(entry: string, outdir: string, target: string): BuildOptions {
  return {
    entryPoints: [entry],
    outdir,
    entryNames: '[name]',
    chunkNames: `${CHUNKS_DIR}/[name]-[hash]`,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target,
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: false,
    banner: { js: REQUIRE_BANNER },
    logLevel: 'warning',
    metafile: true,
  };
}

/** Bundles the entry into `outdir` (`index.mjs` and its chunks) and returns the bytes of every file written. */
export function bundleHandler(entry: string, outdir: string, target: string): number {
  // Loaded only here: a user's synth with the published package (prebuilt handler) needs no esbuild.
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const result = buildSync(bundleOptions(entry, outdir, target));
  return Object.values(result.metafile?.outputs ?? {}).reduce((sum, output) => sum + output.bytes, 0);
}

/**
 * The function's code. From the published package: the handler prebuilt when it was packed, so the
 * user's synth runs no esbuild and needs no Docker. From the workspace's sources: bundled on this
 * machine with esbuild's JS API, no Docker and no package
 * manager on PATH (NodejsFunction would run `pnpm exec esbuild`, which fails wherever pnpm is not
 * on PATH, e.g. `npx vitest` or `npx cdk synth`). The asset hash is taken from the bundle, so it
 * changes exactly when the deployed code does; CDK skips the bundling for stacks a command does
 * not select. A bundling failure throws with esbuild's message rather than falling back to Docker.
 */
export function handlerCode(runtime: Runtime, entry: string = HANDLER_ENTRY): Code {
  const target = esbuildTarget(runtime);
  if (entry === HANDLER_ENTRY && existsSync(join(PREBUILT_HANDLER_DIR, BUNDLE_FILE))) {
    return Code.fromAsset(PREBUILT_HANDLER_DIR);
  }
  return Code.fromAsset(join(entry, '..'), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('vpce-target-sync-local-bundling-only'),
      command: ['esbuild', entry, `--target=${target}`],
      local: {
        tryBundle(outputDir: string): boolean {
          bundleHandler(entry, outputDir, target);
          return true;
        },
      },
    },
  });
}
