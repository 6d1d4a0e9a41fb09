/**
 * The part every published package shares: the manifest fields of the project, the README and
 * LICENSE beside it, and `npm pack` into dist/. Used by pack-cli.ts and infra/scripts/pack-cdk.ts.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DIST = join(ROOT, 'dist');

/** Fields every package of the project carries. */
const PROJECT_FIELDS = {
  engines: { node: '>=20' },
  license: 'Apache-2.0',
  repository: { type: 'git', url: 'git+https://github.com/vpce-target-sync/vpce-target-sync.git' },
};

/** Writes `stage`'s package.json (the project's fields added), README and LICENSE, packs it, returns the tarball. */
export function packStage(stage: string, manifest: Record<string, unknown>, readme: string): string {
  writeFileSync(
    join(stage, 'package.json'),
    `${JSON.stringify({ ...manifest, ...PROJECT_FIELDS }, null, 2)}\n`,
  );
  copyFileSync(readme, join(stage, 'README.md'));
  copyFileSync(join(ROOT, 'LICENSE'), join(stage, 'LICENSE'));
  mkdirSync(DIST, { recursive: true });
  const out = execFileSync('npm', ['pack', '--pack-destination', DIST, '--silent'], {
    cwd: stage,
    encoding: 'utf8',
  });
  return join(DIST, out.trim().split('\n').at(-1) as string);
}
