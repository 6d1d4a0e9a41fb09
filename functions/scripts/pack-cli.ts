/**
 * Builds the published CLI package, `vpce-target-sync`: one ES module bundle of the CLI (code-split,
 * so `--help` and `--version` load no AWS SDK client) with every dependency inside, a bin, README
 * and LICENSE, packed with `npm pack` into dist/. No dependencies to install, no tsx at run time.
 *
 *   node --import tsx functions/scripts/pack-cli.ts   (or: pnpm pack:release)
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { DIST, packStage } from './npm-package.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FUNCTIONS = join(ROOT, 'functions');
const STAGE = join(DIST, 'stage', 'cli');

/** pino and some SDK dependencies call `require`; an ES module has none, so each chunk defines one. */
const REQUIRE_BANNER =
  "import { createRequire as __vtsCreateRequire } from 'node:module'; const require = __vtsCreateRequire(import.meta.url);";

const BIN = `#!/usr/bin/env node
import { main } from '../lib/main.js';

const code = await main(process.argv.slice(2));
// The SDK's keep-alive sockets would hold the process open; flush output, then leave.
process.stdout.write('', () => process.exit(code));
`;

export async function packCli(): Promise<string> {
  const { version } = JSON.parse(readFileSync(join(FUNCTIONS, 'package.json'), 'utf8')) as {
    version: string;
  };
  rmSync(STAGE, { recursive: true, force: true });
  mkdirSync(join(STAGE, 'bin'), { recursive: true });
  await build({
    entryPoints: { main: join(FUNCTIONS, 'src', 'cli', 'main.ts') },
    outdir: join(STAGE, 'lib'),
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    minify: true,
    legalComments: 'none',
    banner: { js: REQUIRE_BANNER },
    define: { __VTS_VERSION__: JSON.stringify(version) },
    logLevel: 'warning',
  });
  writeFileSync(join(STAGE, 'bin', 'vpce-target-sync.js'), BIN, { mode: 0o755 });
  return packStage(
    STAGE,
    {
      name: 'vpce-target-sync',
      version,
      description:
        'Operator CLI of vpce-target-sync: keeps ALB ip target groups equal to the ENI IPs of the VPC endpoint they name.',
      type: 'module',
      bin: { 'vpce-target-sync': 'bin/vpce-target-sync.js' },
      files: ['bin', 'lib', 'README.md', 'LICENSE'],
      keywords: ['aws', 'alb', 'elbv2', 'target-group', 'vpc-endpoint', 'privatelink', 's3', 'cli'],
    },
    join(FUNCTIONS, 'README.md'),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await packCli());
