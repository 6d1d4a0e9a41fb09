import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, runCli, startHarness } from '../support/harness.ts';

/** Issue 12's conventions (items 10-13), through the real CLI process against the harness's endpoint. */
let h: Harness;
let dir: string;

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(join(tmpdir(), 'vts-conventions-'));
});
afterAll(() => h.stop());

/** A module hook that makes any import of the AWS SDK fail: what runs with it loads no SDK. */
function sdkBlocker(): string {
  const hooks = `export async function resolve(specifier, context, next) {
  if (/^@(aws-sdk|smithy)\\//.test(specifier)) throw new Error('AWS SDK loaded: ' + specifier);
  return next(specifier, context);
}`;
  const file = join(dir, 'block-sdk.mjs');
  writeFileSync(
    file,
    `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});\n`,
  );
  return file;
}

const hasZsh = spawnSync('sh', ['-c', 'command -v zsh'], { encoding: 'utf8' }).status === 0;

describe('vpce-target-sync completion bash|zsh', () => {
  let bashScript: string;
  beforeAll(async () => {
    const result = await runCli(h, ['completion', 'bash']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    bashScript = join(dir, 'vpce-target-sync.bash');
    writeFileSync(bashScript, result.stdout);
  });

  /** Sources the script in a fresh bash and completes `words` (the last one is being typed). */
  const complete = (...words: string[]): string[] => {
    const script = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vpce_target_sync; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const out = execFileSync('bash', ['-c', script, 'bash', bashScript, 'vpce-target-sync', ...words], {
      cwd: dir,
      encoding: 'utf8',
    });
    return out.split('\n').filter(Boolean);
  };

  it('prints a bash script that bash accepts and that registers itself for vpce-target-sync', () => {
    const syntax = spawnSync('bash', ['-n', bashScript], { encoding: 'utf8' });
    expect(syntax.status, syntax.stderr).toBe(0);
    const registered = execFileSync(
      'bash',
      ['-c', 'source "$1"; complete -p vpce-target-sync', 'bash', bashScript],
      {
        encoding: 'utf8',
      },
    );
    expect(registered.trim()).toBe('complete -F _vpce_target_sync vpce-target-sync');
  });

  it('completes commands, options per command, and fixed values; --target-group and --endpoint take a typed value', () => {
    expect(complete('')).toEqual(
      expect.arrayContaining(['reconcile', 'handle-event', 'completion', '--help', '--version']),
    );
    expect(complete('rec')).toEqual(['reconcile']);
    expect(complete('com')).toEqual(['completion']);
    expect(complete('reconcile', '--')).toEqual(
      expect.arrayContaining([
        '--dry-run',
        '--target-group',
        '--endpoint',
        '--json',
        '--detailed-exitcode',
        '--publish-metrics',
        '--region',
        '--profile',
        '--help',
      ]),
    );
    expect(complete('reconcile', '--d')).toEqual(['--dry-run', '--detailed-exitcode']);
    // The value of --target-group / --endpoint is typed: no option is offered in its place.
    expect(complete('reconcile', '--target-group', '')).toEqual([]);
    expect(complete('reconcile', '--endpoint', '--')).toEqual([]);
    expect(complete('reconcile', '--target-group', 'docs-site', '--e')).toEqual(['--endpoint']);
    // handle-event has no --target-group (the event names the sites) and completes a file.
    expect(complete('handle-event', '--')).not.toContain('--target-group');
    writeFileSync(join(dir, 'event-add-tags.json'), '{}');
    expect(complete('handle-event', 'event-')).toEqual(['event-add-tags.json']);
    expect(complete('completion', '')).toEqual(['bash', 'zsh']);
    expect(complete('completion', 'z')).toEqual(['zsh']);
  });

  it('documents every completed option in its command’s --help, and completes every option the parser lists', async () => {
    // Each command's options as bash completes them; each one given to the real CLI with --help must parse.
    for (const command of complete('').filter((w) => !w.startsWith('-'))) {
      const options = complete(command, '-');
      expect(options.length, command).toBeGreaterThan(0);
      const help = await runCli(h, [command, '--help']);
      expect(help.code, `${command} --help: ${help.stderr}`).toBe(0);
      for (const option of options) {
        if (option === '--help') continue;
        expect(help.stdout, `${command} --help documents ${option}`).toContain(option);
      }
    }
    const unknown = await runCli(h, ['reconcile', '--nosuch']);
    const listed = /expected one of (.*) \(see --help\)/.exec(unknown.stderr)?.[1] ?? '';
    for (const option of listed.split(', ').map((o) => o.split(' ')[0] ?? ''))
      expect(complete('reconcile', '-')).toContain(option);
  });

  it('prints a zsh script (checked with zsh -n when zsh is installed)', async () => {
    const result = await runCli(h, ['completion', 'zsh']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const script = result.stdout;
    expect(script.split('\n')[0]).toBe('#compdef vpce-target-sync');
    expect(script).toContain('compdef _vpce_target_sync vpce-target-sync');
    for (const command of ['reconcile', 'handle-event', 'completion'])
      expect(script).toMatch(new RegExp(`^    '${command}:`, 'm'));
    expect(script).toContain("'*--target-group:ARN|NAME: '");
    expect(script).toContain("'*--endpoint:VPCE_ID: '");
    expect(script).toContain("'1:shell:(bash zsh)'");
    expect(script).toContain(':_files');
    const file = join(dir, '_vpce-target-sync');
    writeFileSync(file, script);
    if (hasZsh) {
      const syntax = spawnSync('zsh', ['-n', file], { encoding: 'utf8' });
      expect(syntax.status, syntax.stderr).toBe(0);
    } else {
      // No zsh on this machine: the shape is what can be checked (a function, then the
      // autoload-or-compdef tail every zsh completion script ends with).
      expect(script).toMatch(/^_vpce_target_sync\(\) \{$/m);
      expect(script.trimEnd().endsWith('fi')).toBe(true);
    }
  });

  it('loads no AWS SDK and makes no AWS call, like --help', async () => {
    const blocker = sdkBlocker();
    const env = { NODE_OPTIONS: `--import ${blocker}` };
    const completion = await runCli(h, ['completion', 'bash'], { env });
    expect(completion.stderr).toBe('');
    expect(completion.code).toBe(0);
    expect(completion.stdout).toContain('complete -F _vpce_target_sync vpce-target-sync');
    // The blocker bites: a command that talks to AWS fails under it.
    const reconcile = await runCli(h, ['reconcile', '--dry-run'], { env });
    expect(reconcile.code).not.toBe(0);
    expect(reconcile.stderr).toContain('AWS SDK loaded: @aws-sdk/');
  });

  it('a shell it does not know, or none, is a usage error (exit 2) naming the shells', async () => {
    const fish = await runCli(h, ['completion', 'fish']);
    expect(fish).toMatchObject({ code: 2, stdout: '' });
    expect(fish.stderr).toBe('error: completion: unknown shell "fish"; expected bash or zsh\n');
    const none = await runCli(h, ['completion']);
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toBe('error: completion: missing shell; expected bash or zsh\n');
    const help = await runCli(h, ['completion', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('source <(vpce-target-sync completion bash)');
    const main = await runCli(h, ['--help']);
    expect(main.stdout).toContain('vpce-target-sync completion bash|zsh');
  });
});
