import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { ENV, METRIC_NAMESPACE, POLICY_TAG } from '@vpce-target-sync/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Vpc } from '../support/account.ts';
import {
  type Harness,
  type JsonReport,
  requireSimulator,
  runCli,
  site,
  startHarness,
} from '../support/harness.ts';

/** The operator's CLI, as a real process against the harness's AWS endpoint. */
let h: Harness;
let vpc: Vpc;
let endpointId: string;

beforeEach(async () => {
  h = await startHarness();
  vpc = await h.account.vpc(1);
  endpointId = await h.account.endpoint(vpc, 2);
});
afterEach(() => h.stop());

const published = async (): Promise<string[]> => {
  const metrics = await new CloudWatchClient(h.settings).send(
    new ListMetricsCommand({ Namespace: METRIC_NAMESPACE }),
  );
  return [...new Set((metrics.Metrics ?? []).map((m) => m.MetricName ?? ''))].sort();
};

describe('safe by default', () => {
  it(`${ENV.dryRun}=true makes reconcile a dry run, and says the environment asked for it`, async () => {
    const arn = await h.account.site('env-dry', vpc, { endpointId });
    const { code, stdout, stderr } = await runCli(h, ['reconcile'], { env: { [ENV.dryRun]: 'true' } });
    expect(code).toBe(0);
    expect(stderr).toContain(`dry run: ${ENV.dryRun}=true in the environment; nothing is changed`);
    expect(stdout).toContain('dry run: nothing changed');
    expect(await h.account.targets(arn)).toEqual([]);
  });

  it(`${ENV.dryRun}=true holds for handle-event too`, async () => {
    const arn = await h.account.site('env-dry-event', vpc, { endpointId });
    const event = {
      source: 'aws.elasticloadbalancing',
      'detail-type': 'AWS API Call via CloudTrail',
      detail: {
        eventSource: 'elasticloadbalancing.amazonaws.com',
        eventName: 'AddTags',
        requestParameters: {
          resourceArns: [arn],
          tags: [{ key: 'vpce-target-sync:endpoint-id', value: endpointId }],
        },
        userIdentity: { arn: 'arn:aws:iam::123456789012:role/person' },
      },
    };
    const { code, stderr } = await runCli(h, ['handle-event', '-'], {
      stdin: JSON.stringify(event),
      env: { [ENV.dryRun]: 'true' },
    });
    expect(code).toBe(0);
    expect(stderr).toContain(`${ENV.dryRun}=true in the environment`);
    expect(await h.account.targets(arn)).toEqual([]);
  });

  it('publishes no metrics unless --publish-metrics is given (the heartbeat is the Lambda’s)', async () => {
    await h.account.site('metrics', vpc, { endpointId });
    expect((await runCli(h, ['reconcile'])).code).toBe(0);
    expect(await published()).toEqual([]);

    expect((await runCli(h, ['reconcile', '--publish-metrics'])).code).toBe(0);
    expect(await published()).toEqual(expect.arrayContaining(['RunsCompleted', 'SitesReconciled']));
  });

  it('--publish-metrics on a dry run still publishes nothing', async () => {
    await h.account.site('metrics-dry', vpc, { endpointId });
    expect((await runCli(h, ['reconcile', '--dry-run', '--publish-metrics'])).code).toBe(0);
    expect(await published()).toEqual([]);
  });
});

describe('--detailed-exitcode', () => {
  it('0 in sync, 3 with changes pending in a dry run or drift left by policy, 1 with a site in error', async () => {
    const arn = await h.account.site('detailed', vpc, { endpointId });
    expect((await runCli(h, ['reconcile', '--dry-run'])).code).toBe(0);
    expect((await runCli(h, ['reconcile', '--dry-run', '--detailed-exitcode'])).code).toBe(3);
    expect((await runCli(h, ['reconcile', '--detailed-exitcode'])).code).toBe(0);
    expect((await runCli(h, ['reconcile', '--detailed-exitcode'])).code).toBe(0);

    await h.account.tag(arn, { [POLICY_TAG]: 'observe' });
    await h.account.register(arn, ['10.1.3.99']);
    expect((await runCli(h, ['reconcile'])).code).toBe(0);
    expect((await runCli(h, ['reconcile', '--detailed-exitcode'])).code).toBe(3);

    await h.account.tag(arn, { [POLICY_TAG]: 'mirror' });
    expect((await runCli(h, ['reconcile', '--detailed-exitcode'])).code).toBe(1);
  });
});

describe('--region and --profile', () => {
  it('--region picks the region; a target group ARN of the other region is an error naming both', async () => {
    const arn = await h.account.site('regional', vpc, { endpointId });
    const elsewhere = await runCli(h, ['reconcile', '--json', '--region', 'eu-west-1']);
    expect(elsewhere.code).toBe(0);
    expect((JSON.parse(elsewhere.stdout) as JsonReport).sites).toEqual([]);

    const named = await runCli(h, ['reconcile', '--json', '--region', 'eu-west-1', '--target-group', arn]);
    expect(named.code).toBe(1);
    expect(site(JSON.parse(named.stdout) as JsonReport, arn).message).toContain(
      'is in region us-east-1, but this run is in region eu-west-1',
    );
  });

  it('an unknown profile says so (not "Region is missing"); a known one is used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vts-profile-'));
    writeFileSync(join(dir, 'config'), '[profile ops]\nregion = us-east-1\n');
    writeFileSync(
      join(dir, 'credentials'),
      `[ops]\naws_access_key_id = ${h.env.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${h.env.AWS_SECRET_ACCESS_KEY}\n`,
    );
    const files = {
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    };
    const arn = await h.account.site('profiled', vpc, { endpointId });

    const unknown = await runCli(h, ['reconcile', '--profile', 'nosuch'], { env: files });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`error: AWS profile "nosuch" is not in ${files.AWS_CONFIG_FILE}`);
    const viaEnv = await runCli(h, ['reconcile'], { env: { ...files, AWS_PROFILE: 'nosuch' } });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toContain('AWS profile "nosuch" is not in');

    const known = await runCli(h, ['reconcile', '--json', '--profile', 'ops'], {
      env: files,
      unset: ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
    });
    expect(known.stderr).toBe('');
    expect(known.code).toBe(0);
    expect(site(JSON.parse(known.stdout) as JsonReport, arn).status).toBe('converged');
  });

  it('a missing option value gets our own message', async () => {
    const { code, stderr } = await runCli(h, ['reconcile', '--region']);
    expect(code).toBe(2);
    expect(stderr).toBe('error: reconcile: option --region needs a value (see --help)\n');
  });
});

describe('status: the state at a glance, read-only', () => {
  it('lists each opted-in group with its endpoint state, policy, sync and health counts; -o wide names the targets', async () => {
    const synced = await h.account.site('st-synced', vpc, { endpointId });
    const drifted = await h.account.site('st-drifted', vpc, { endpointId, policy: 'observe' });
    await runCli(h, ['reconcile', '--target-group', 'st-synced']);
    await h.account.register(drifted, ['10.1.3.99']);
    const before = [await h.account.targets(synced), await h.account.targets(drifted)];

    const json = await runCli(h, ['status', '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      region: string;
      account: string;
      sites: {
        targetGroupArn: string;
        endpointState: string;
        inSync: boolean;
        health: Record<string, number>;
      }[];
    };
    expect(doc).toMatchObject({ region: 'us-east-1', account: '123456789012' });
    const of = (arn: string) => doc.sites.find((s) => s.targetGroupArn === arn);
    expect(of(synced)).toMatchObject({ endpointState: 'available', inSync: true });
    expect(Object.values(of(synced)?.health ?? {}).reduce((a, b) => a + b, 0)).toBe(2);
    expect(of(drifted)).toMatchObject({ endpointState: 'available', inSync: false, policy: 'observe' });

    const table = await runCli(h, ['status']);
    expect(table.stdout).toMatch(
      /^TARGET GROUP\s+ENDPOINT\s+ENDPOINT STATE\s+POLICY\s+IN SYNC\s+HEALTHY\s+UNHEALTHY\s+INITIAL\s+DRAINING\s+UNUSED\s+UNAVAILABLE\s+MESSAGE$/m,
    );
    expect(table.stdout).toMatch(/^st-synced\s+vpce-\S+\s+available\s+sync\s+yes\s/m);
    expect(table.stdout).toMatch(/^st-drifted\s+vpce-\S+\s+available\s+observe\s+no\s/m);
    expect(table.stdout).toContain('2 site(s) in us-east-1 (account 123456789012): 1 in sync');
    const wide = await runCli(h, ['status', '-o', 'wide']);
    expect(wide.stdout).toMatch(/TARGETS/);
    expect(wide.stdout).toContain('10.1.3.99:443(');

    expect([await h.account.targets(synced), await h.account.targets(drifted)]).toEqual(before);
    expect(await published()).toEqual([]);
    expect((await runCli(h, ['status', '--detailed-exitcode'])).code).toBe(3);
  });

  it('rejects what a read-only command cannot do', async () => {
    const { code, stderr } = await runCli(h, ['status', '--dry-run']);
    expect(code).toBe(2);
    expect(stderr).toContain('status: it is read-only');
  });
});

describe('plans that read like Terraform', () => {
  it('one CHANGES column with a sign on every target, and a summary naming region and account', async () => {
    const arn = await h.account.site('tf', vpc, { endpointId });
    const [first, second] = (await h.account.endpointIps(endpointId)) as [string, string];
    await h.account.register(arn, [first, '10.1.3.99']);
    const { stdout } = await runCli(h, ['reconcile', '--dry-run']);
    expect(stdout).toMatch(
      /^TARGET GROUP\s+ENDPOINT\s+POLICY\s+STATUS\s+DESIRED\s+CURRENT\s+CHANGES\s+MESSAGE$/m,
    );
    expect(stdout).toMatch(new RegExp(`\\+${second.replaceAll('.', '\\.')}:443 -10\\.1\\.3\\.99:443`));
    expect(stdout).toContain('1 site(s) in us-east-1 (account 123456789012): 1 drift');
  });

  it('observe and upsert-only sites name the targets they leave missing or stale', async () => {
    const arn = await h.account.site('tf-observe', vpc, { endpointId, policy: 'observe' });
    const [first, second] = (await h.account.endpointIps(endpointId)) as [string, string];
    await h.account.register(arn, [first, '10.1.3.99']);
    const { stdout } = await runCli(h, ['reconcile']);
    expect(stdout).toContain(`missing +${second}:443; stale -10.1.3.99:443; left by policy observe`);
  });
});

describe('logs a person can read', () => {
  it('shows a site error once at the default level (in the output, not again as a log line); LOG_LEVEL brings the line back', async () => {
    const arn = await h.account.site('log-once', vpc, { endpointId: 'vpce-0123456789abcdef0' });
    const quiet = await runCli(h, ['reconcile']);
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).toContain('is deleted or does not exist');
    expect(quiet.stderr).toBe('');
    const loud = await runCli(h, ['reconcile', '--json'], { env: { LOG_LEVEL: 'info' } });
    const lines = loud.stderr
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.targetGroupArn === arn && l.level === 'error')).toBe(true);
    expect(lines.some((l) => l.msg === 'run completed')).toBe(true);
  });

  it('--log-format text prints readable lines (pino-pretty), json prints JSON lines', async () => {
    await h.account.site('log-format', vpc, { endpointId });
    const text = await runCli(h, ['reconcile', '--log-format', 'text'], { env: { LOG_LEVEL: 'info' } });
    expect(text.stderr).toMatch(/INFO.*run completed/);
    expect(() => JSON.parse(text.stderr.split('\n')[0] ?? '')).toThrow(SyntaxError);
    const json = await runCli(h, ['reconcile', '--log-format', 'json'], { env: { LOG_LEVEL: 'info' } });
    expect(JSON.parse(json.stderr.split('\n').filter(Boolean).at(-1) ?? '')).toMatchObject({
      msg: 'run completed',
    });
    const bad = await runCli(h, ['reconcile', '--log-format', 'yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('option --log-format is "yaml"; expected json or text');
  });
});

describe('errors that name what failed', () => {
  /** Runs the CLI against a loopback server that answers every request with `answer`. */
  async function against(answer: (res: import('node:http').ServerResponse) => void, args: string[]) {
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      req.resume();
      answer(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    try {
      return await runCli(h, args, { env: { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` } });
    } finally {
      await new Promise((r) => server.close(r));
    }
  }

  it('an HTML page from a proxy: one line naming the service, the call and the URL; exit 1; --json still a document', async () => {
    const html = (res: import('node:http').ServerResponse) =>
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>');
    const table = await against(html, ['reconcile']);
    expect(table.code).toBe(1);
    expect(table.stderr).toMatch(
      /^error: Resource Groups Tagging API GetResources at http:\/\/127\.0\.0\.1:\d+\/ answered HTTP 502 \(text\/html\) with a body that is not an AWS answer/,
    );
    expect(table.stderr.trim().split('\n')).toHaveLength(1);
    expect(table.stderr).not.toContain('$response');

    const json = await against(html, ['reconcile', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: { message: expect.stringContaining('HTTP 502') },
      sites: [],
    });
  });

  it('a refused connection names the service and URL, exit 1', async () => {
    const { code, stderr } = await runCli(h, ['reconcile'], {
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' },
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^error: cannot reach Resource Groups Tagging API GetResources at http:\/\/127\.0\.0\.1:1\/: .*ECONNREFUSED/,
    );
  });
});

describe('progress on long runs', () => {
  it(`a ${ENV.progressSeconds} that is not a number of seconds above 0 is a usage error`, async () => {
    const bad = await runCli(h, ['reconcile'], { env: { [ENV.progressSeconds]: 'soon' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${ENV.progressSeconds} is "soon"; expected a number of seconds above 0`);
  });
});

describe('progress on long runs [simulator]', () => {
  it('without a terminal, prints progress lines on stderr (never on stdout, never in --json)', async () => {
    await h.stop();
    h = await startHarness({ latencyMs: 150 });
    const v = await h.account.vpc(2);
    const ep = await h.account.endpoint(v, 1);
    for (let i = 0; i < 24; i++) await h.account.site(`progress-${i}`, v, { endpointId: ep });
    const run = await runCli(h, ['reconcile', '--dry-run', '--json'], {
      env: { [ENV.progressSeconds]: '0.3' },
    });
    expect(run.code).toBe(0);
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('progress: '));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^progress: \d+\/24 sites, 0 target\(s\) written, about \d+(m\d\d)?s left$/);
    expect((JSON.parse(run.stdout) as JsonReport).sites).toHaveLength(24);
    expect(run.stdout).not.toContain('progress:');
    requireSimulator(h);
  });
});
