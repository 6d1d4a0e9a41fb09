import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readConfig } from '@vpce-target-sync/functions';
import { main } from '@vpce-target-sync/functions/cli';
import { readAppConfig } from '@vpce-target-sync/infra';
import { ENDPOINT_ID_TAG, ENV, SCHEDULE_MINUTES } from '@vpce-target-sync/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vpc } from '../support/account.ts';
import { type Harness, type JsonReport, runCli, startHarness } from '../support/harness.ts';

/**
 * The CLI's conventions (every variable validated before any AWS call, handle-event's not-in-scope
 * lines, shell completion, `pnpm sim --seed demo`), through the real CLI process against the
 * harness's endpoint.
 */
let h: Harness;
let dir: string;
let vpc: Vpc;
let endpointId: string;

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(join(tmpdir(), 'vts-conventions-'));
  vpc = await h.account.vpc(7);
  endpointId = await h.account.endpoint(vpc, 2);
  await h.account.site('conventions-site', vpc, { endpointId });
});
afterAll(() => h.stop());

/** Tools a user may have; where one is missing, the tests that use it check what they can without it. */
const hasAws = spawnSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8' }).status === 0;
const hasZsh = spawnSync('sh', ['-c', 'command -v zsh'], { encoding: 'utf8' }).status === 0;

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

describe('even validation of the environment and of --endpoint', () => {
  it(`${ENV.queueUrl} is checked: a queue ARN or a bare name is a configuration error (exit 2) naming the variable, the value and what is expected`, async () => {
    const arn = 'arn:aws:sqs:us-east-1:123456789012:vpce-target-sync-events';
    const byArn = await runCli(h, ['reconcile', '--dry-run'], { env: { [ENV.queueUrl]: arn } });
    expect(byArn.code).toBe(2);
    expect(byArn.stdout).toBe('');
    expect(byArn.stderr).toBe(
      `error: environment variable ${ENV.queueUrl} is "${arn}" (that is a queue ARN; give its URL); expected an SQS queue URL like https://sqs.us-east-1.amazonaws.com/123456789012/vpce-target-sync-events (or http://127.0.0.1:PORT/123456789012/NAME on a local emulator)\n`,
    );
    for (const bad of [
      'vpce-target-sync-events',
      'https://sqs.us-east-1.amazonaws.com/123456789012/',
      'https://example.com/123456789012/q',
    ]) {
      const result = await runCli(h, ['reconcile', '--dry-run'], { env: { [ENV.queueUrl]: bad } });
      expect(result.code, bad).toBe(2);
      expect(result.stderr, bad).toContain(
        `${ENV.queueUrl} is ${JSON.stringify(bad)}; expected an SQS queue URL like`,
      );
    }
  });

  it(`${ENV.queueUrl} takes SQS's URL forms and the endpoint's own queue URLs (the simulator's, moto's)`, async () => {
    const queueUrl =
      (await new SQSClient(h.settings).send(new CreateQueueCommand({ QueueName: 'conventions-events' })))
        .QueueUrl ?? '';
    // Through the CLI: the endpoint's own queue URL and SQS's usual form.
    for (const good of [
      queueUrl,
      'https://sqs.eu-west-1.amazonaws.com/123456789012/vpce-target-sync-events',
    ]) {
      const result = await runCli(h, ['reconcile', '--dry-run', '--json'], { env: { [ENV.queueUrl]: good } });
      expect(result.code, `${good}: ${result.stderr}`).toBe(0);
    }
    // SQS's other documented endpoints, and emulators on this machine.
    for (const good of [
      'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/events',
      'https://sqs-fips.us-gov-west-1.amazonaws.com/123456789012/events.fifo',
      'https://sqs.us-east-2.api.aws/123456789012/events',
      'https://queue.amazonaws.com/123456789012/events',
      'https://eu-west-1.queue.amazonaws.com/123456789012/events',
      'http://localhost:4566/000000000000/events',
      'http://127.0.0.1:5000/123456789012/events',
    ]) {
      expect(readConfig({ [ENV.queueUrl]: good }), good).toMatchObject({ ok: true });
    }
    // A queue on the host AWS_ENDPOINT_URL names (LocalStack's sqs.<region>.localhost.localstack.cloud).
    const localstack = 'http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/events';
    expect(readConfig({ [ENV.queueUrl]: localstack })).toMatchObject({ ok: false });
    expect(
      readConfig({ [ENV.queueUrl]: localstack, AWS_ENDPOINT_URL: 'http://localhost.localstack.cloud:4566' }),
    ).toMatchObject({ ok: true });
  });

  it('LOG_LEVEL takes any case: INFO is info', async () => {
    const upper = await runCli(h, ['reconcile', '--target-group', 'conventions-site'], {
      env: { [ENV.logLevel]: 'INFO' },
    });
    expect(upper.code, upper.stderr).toBe(0);
    expect(upper.stderr).not.toContain('LOG_LEVEL');
    // At info the write is logged; at the CLI's default (warn) it would not be.
    expect(upper.stderr).toContain('site changed');
    const mixed = await runCli(h, ['reconcile', '--dry-run'], { env: { [ENV.logLevel]: 'Error' } });
    expect(mixed.code, mixed.stderr).toBe(0);
    const bad = await runCli(h, ['reconcile', '--dry-run'], { env: { [ENV.logLevel]: 'LOUD' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'environment variable LOG_LEVEL is "LOUD"; expected one of trace, debug, info, warn, error, fatal, silent (any case)',
    );
  });

  it(`${ENV.scheduleMinutes} takes the construct's range (${SCHEDULE_MINUTES.min}-${SCHEDULE_MINUTES.max}), value for value`, async () => {
    // The variable and the construct's app context give the same verdict, value for value.
    for (const minutes of [0, 1, 5, 59, 60, 61, 120, 1440]) {
      let construct = true;
      try {
        readAppConfig((key) => (key === 'scheduleMinutes' ? minutes : undefined));
      } catch {
        construct = false;
      }
      expect(readConfig({ [ENV.scheduleMinutes]: String(minutes) }).ok, `${minutes} minutes`).toBe(construct);
    }
    // And through the CLI: the top of the range runs, one past it is a configuration error.
    const top = await runCli(h, ['reconcile', '--dry-run', '--json'], {
      env: { [ENV.scheduleMinutes]: '60' },
    });
    expect(top.code, top.stderr).toBe(0);
    const past = await runCli(h, ['reconcile', '--dry-run', '--json'], {
      env: { [ENV.scheduleMinutes]: '61' },
    });
    expect(past.code).toBe(2);
    expect(past.stdout).toBe('');
    expect(past.stderr).toBe(
      `error: environment variable ${ENV.scheduleMinutes} is "61"; expected whole minutes from 1 to 60, as the construct's schedule\n`,
    );
  });

  it('--endpoint naming no opted-in target group is an error row and exit 1, as --target-group nosuch is', async () => {
    const nobody = 'vpce-0123456789abcdef0';
    const nosuch = await runCli(h, ['reconcile', '--dry-run', '--target-group', 'nosuch']);
    expect(nosuch.code).toBe(1);

    const table = await runCli(h, ['reconcile', '--dry-run', '--endpoint', nobody]);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(
      new RegExp(`${nobody}\\s+-\\s+error\\s.*no opted-in target group names endpoint ${nobody}`),
    );
    expect(table.stderr).not.toMatch(/\n\s+at /);

    const json = await runCli(h, [
      'reconcile',
      '--dry-run',
      '--json',
      '--endpoint',
      nobody,
      '--endpoint',
      endpointId,
    ]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as JsonReport;
    const errors = report.sites.filter((s) => s.status === 'error');
    expect(errors).toEqual([
      expect.objectContaining({
        endpointId: nobody,
        status: 'error',
        message: `no opted-in target group names endpoint ${nobody} (no ${ENDPOINT_ID_TAG}=${nobody} tag); check the endpoint id, or tag the site's target group with it`,
      }),
    ]);
    // The endpoint that is named is still reconciled (here: planned).
    expect(report.sites.filter((s) => s.endpointId === endpointId).map((s) => s.targetGroupName)).toContain(
      'conventions-site',
    );

    // Given with --target-group, the endpoint must be named among the selected groups.
    const both = await runCli(h, [
      'reconcile',
      '--dry-run',
      '--json',
      '--target-group',
      'conventions-site',
      '--endpoint',
      nobody,
    ]);
    expect(both.code).toBe(1);
    expect((JSON.parse(both.stdout) as JsonReport).sites).toEqual([
      expect.objectContaining({
        endpointId: nobody,
        status: 'error',
        message: expect.stringContaining(
          `no opted-in target group among the target groups selected names endpoint ${nobody}`,
        ),
      }),
    ]);
  });
});

describe('pnpm sim --seed demo: a simulator with the demo account, to try the CLI on', () => {
  const ROOT = fileURLToPath(new URL('../..', import.meta.url));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it("prints export lines with AWS_DEFAULT_REGION, and the CLI run with them sees the demo's sites", async () => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/sim/main.ts', '--seed', 'demo', '--port', '0'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const deadline = Date.now() + 30_000;
    while (!stdout.includes('export AWS_EC2_METADATA_DISABLED')) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`pnpm sim --seed demo: ${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const exports = Object.fromEntries(
      [...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    expect(exports).toMatchObject({
      AWS_ENDPOINT_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
    });
    expect(stdout).toContain("Seeded with the demo's account.");
    expect(stdout).toContain('pnpm cli reconcile --dry-run');

    // As a new user would: only the printed exports, nothing from this test's harness.
    const seeded = { ...h, env: exports };
    const plan = await runCli(seeded, ['reconcile', '--dry-run', '--json']);
    expect(plan.code, plan.stderr).toBe(1); // broken-site is misconfigured
    const report = JSON.parse(plan.stdout) as JsonReport;
    expect(report.sites.map((s) => `${s.targetGroupName} ${s.status}`).sort()).toEqual([
      'broken-site error',
      'docs-site drift',
      'legacy-site drift',
      'status-site drift',
      'wiki-site drift',
    ]);
    const table = await runCli(seeded, ['reconcile', '--dry-run', '--target-group', 'wiki-site']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/wiki-site\s+vpce-\w+\s+sync\s+drift/);

    // The AWS CLI, where installed (v1 finds the region only in AWS_DEFAULT_REGION), from the same exports.
    if (hasAws) {
      const aws = spawnSync(
        'aws',
        ['elbv2', 'describe-target-groups', '--query', 'TargetGroups[].TargetGroupName', '--output', 'text'],
        {
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            AWS_CONFIG_FILE: join(dir, 'no-config'),
            AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
            ...exports,
          },
        },
      );
      expect(aws.status, aws.stderr).toBe(0);
      expect(aws.stdout.trim().split(/\s+/).sort()).toEqual([
        'broken-site',
        'docs-site',
        'legacy-site',
        'status-site',
        'unmanaged-tg',
        'wiki-site',
      ]);
    }

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('an unknown seed is a usage error (exit 2) naming the seeds', () => {
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'test/sim/main.ts', '--seed', 'nosuch'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown seed 'nosuch'; expected demo");
  });
});

const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });

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

  it('the parser takes every completed option, and every option the parser lists is completed', async () => {
    for (const command of complete('').filter((w) => !w.startsWith('-'))) {
      const options = complete(command, '-');
      expect(options.length, command).toBeGreaterThan(0);
      const help = await runCli(h, [command, '--help']);
      expect(help.code, `${command} --help: ${help.stderr}`).toBe(0);
      for (const option of options) {
        // `--help` wins once the options parse, so exit 0 means the parser took the option (and a value).
        const code = await main([command, option, 'wide', '--help'], sink(), sink());
        expect(code, `${command} ${option}`).toBe(0);
      }
    }
    const unknown = await runCli(h, ['reconcile', '--nosuch']);
    const listed = /expected one of (.*) \(see --help\)/.exec(unknown.stderr)?.[1] ?? '';
    expect(listed).toContain('--target-group');
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
    const top = await runCli(h, ['--help']);
    expect(top.stdout).toContain('vpce-target-sync completion bash|zsh');
  });
});
