import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
// The library build is a release script of this package, not part of its API.
import { libraryBuildOptions } from '../scripts/pack-cdk.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the published construct library (pnpm pack:release bundles it)', () => {
  it("inlines only this repository's sources: the rate-limit parser comes without the AWS SDK", async () => {
    const result = await build({
      ...libraryBuildOptions(join(tmpdir(), 'vts-library-test', 'index.js')),
      absWorkingDir: ROOT,
      write: false,
      metafile: true,
    });
    // Metafile paths are relative to absWorkingDir.
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('shared/src/rate-limits.ts');
    expect(inputs).toContain('shared/src/index.ts');
    // Nothing from node_modules is inlined (aws-cdk-lib and constructs are the user's, as peers).
    expect(inputs.filter((p) => p.includes('node_modules'))).toEqual([]);
    // The construct validates its props with shared's rules; nothing of the functions is inlined.
    expect(inputs.filter((p) => p.startsWith('functions/'))).toEqual([]);
  });
});
