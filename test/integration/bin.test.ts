import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../functions/bin/vpce-target-sync.js', import.meta.url));
const run = promisify(execFile);

describe('the vpce-target-sync bin of the functions package', () => {
  it('runs the TypeScript CLI with no build step, from any directory', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'reconcile', '--help'], { cwd: '/' });
    for (const flag of [
      '--dry-run',
      '--target-group ARN|NAME',
      '--endpoint VPCE_ID',
      '--json',
      'Exit codes:',
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it('exits 2 with a one-line message on a usage error', async () => {
    const failure = await run(process.execPath, [BIN, 'reconcile', '--target-group'], { cwd: '/' }).catch(
      (e) => e,
    );
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(
      /^error: reconcile: option --target-group needs a value \(see --help\)\n$/,
    );
  });
});
