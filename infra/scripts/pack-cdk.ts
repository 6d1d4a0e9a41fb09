/**
 * Builds the published construct library, `@vpce-target-sync/cdk`: the constructs as one ES module
 * (shared's contract inlined; aws-cdk-lib and constructs are the user's, as peers), their `.d.ts`,
 * and the Lambda handler prebuilt next to them (lib/handler/index.mjs), so a user's synth runs no
 * esbuild, no tsx and no Docker. Packed with `npm pack` into dist/.
 *
 *   node --import tsx infra/scripts/pack-cdk.ts   (or: pnpm pack:release)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { DIST, packStage } from '../../functions/scripts/npm-package.ts';
import { BUNDLE_FILE, bundleHandler, HANDLER_ENTRY, PREBUILT_TARGET } from '../src/bundle.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INFRA = join(ROOT, 'infra');
const STAGE = join(DIST, 'stage', 'cdk');
const LIB = join(STAGE, 'lib');
const TYPES = join(LIB, 'types');

/**
 * The oldest aws-cdk-lib the constructs work with, and the one the release test synthesises with
 * outside the workspace: `Validations.of().acknowledge()` arrived in 2.252.0, and until 2.270.0 it
 * rejected rule ids holding more than one `::` (cdk-nag's `AwsSolutions-IAM5[Resource::arn:<AWS::…>]`)
 * with InvalidValidationId, as measured with 2.252.0, 2.260.0 and 2.268.0. constructs 10 is aws-cdk-lib 2's.
 */
export const OLDEST_AWS_CDK_LIB = '2.270.0';
const PEERS = { 'aws-cdk-lib': `^${OLDEST_AWS_CDK_LIB}`, constructs: '^10.0.0' };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/**
 * tsc writes the declarations with the sources' specifiers: `./x.ts` becomes `./x.js`, and the
 * workspace's `@vpce-target-sync/shared` becomes the path of its declarations inside the package.
 */
function rewriteDeclarations(): void {
  const shared = join(TYPES, 'shared', 'src', 'index.js');
  for (const file of files(TYPES).filter((f) => f.endsWith('.d.ts'))) {
    const text = readFileSync(file, 'utf8')
      .replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\.ts\2/g, '$1$2$3.js$2')
      .replace(/(['"])@vpce-target-sync\/shared\1/g, (_m, q: string) => {
        const path = relative(dirname(file), shared);
        return `${q}${path.startsWith('.') ? path : `./${path}`}${q}`;
      });
    writeFileSync(file, text);
  }
}

/**
 * The construct library's esbuild settings: one ES module from infra/src/index.ts with our own
 * sources inlined (shared's contract, the functions' rate-limit parser); aws-cdk-lib and
 * constructs are the user's, and esbuild is loaded only to bundle the handler from source.
 */
export function libraryBuildOptions(outfile: string): BuildOptions {
  return {
    entryPoints: [join(INFRA, 'src', 'index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'esbuild'],
    logLevel: 'warning',
  };
}

export async function packCdk(): Promise<string> {
  const { version } = JSON.parse(readFileSync(join(INFRA, 'package.json'), 'utf8')) as { version: string };
  rmSync(STAGE, { recursive: true, force: true });
  mkdirSync(LIB, { recursive: true });
  await build(libraryBuildOptions(join(LIB, 'index.js')));
  bundleHandler(HANDLER_ENTRY, join(LIB, 'handler'), PREBUILT_TARGET);
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(INFRA, 'tsconfig.release.json')], {
    stdio: 'inherit',
  });
  rewriteDeclarations();
  return packStage(
    STAGE,
    {
      name: '@vpce-target-sync/cdk',
      version,
      description:
        'AWS CDK constructs of vpce-target-sync: a reconciler that keeps ALB ip target groups equal to the ENI IPs of the VPC endpoint they name, with drift metrics and alarms, and a whole ALB -> interface endpoint -> S3 site.',
      type: 'module',
      main: './lib/index.js',
      types: './lib/types/infra/src/index.d.ts',
      exports: { '.': { types: './lib/types/infra/src/index.d.ts', import: './lib/index.js' } },
      files: ['lib', 'README.md', 'LICENSE'],
      peerDependencies: PEERS,
      keywords: ['aws-cdk', 'cdk', 'construct', 'awscdk', 'alb', 'vpc-endpoint', 'privatelink', 's3'],
    },
    join(INFRA, 'README.md'),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await packCdk());
  console.log(`handler: ${join(relative(ROOT, LIB), 'handler', BUNDLE_FILE)}`);
}
