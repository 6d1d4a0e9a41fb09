import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENDPOINT_ID_TAG } from '@vpce-target-sync/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trail } from '../support/cloudtrail.ts';
import { type CliResult, type Harness, runCli, startHarness } from '../support/harness.ts';

/** Credentials no log line may ever show; the simulator checks no signature, so any value works. */
const SECRET_ACCESS_KEY = `vtsSecret${randomBytes(16).toString('hex')}`;
const SESSION_TOKEN = `vtsToken${randomBytes(48).toString('base64url')}`;
const CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIASECRETSTESTKEY01',
  AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
  AWS_SESSION_TOKEN: SESSION_TOKEN,
  LOG_LEVEL: 'trace',
};

/** What a signed request carries and a log must never repeat. */
const FORBIDDEN: readonly [string, RegExp][] = [
  ['a SigV4 signature scheme', /AWS4-HMAC-SHA256/],
  ['the secret access key', new RegExp(SECRET_ACCESS_KEY)],
  ['the session token', new RegExp(SESSION_TOKEN.replace(/[-_]/g, '.'))],
  ['an authorization header', /authorization/i],
  ['a security token header', /x-amz-security-token/i],
  ['a signature', /X-Amz-Signature|Signature=[0-9a-f]{64}/i],
  ['a credential scope', /Credential=/],
];

/** A full run each way the CLI reaches AWS. */
const COMMANDS = ['reconcile', 'reconcile --json', 'handle-event'] as const;

let h: Harness;
const runs: { name: string; result: CliResult }[] = [];

beforeAll(async () => {
  h = await startHarness();
  const vpc = await h.account.vpc(1);
  const endpointId = await h.account.endpoint(vpc, 2);
  const drifted = await h.account.site('drifted', vpc, { endpointId });
  await h.account.register(drifted, ['10.1.3.99']);
  const failing = await h.account.site('failing', vpc, { endpointId });
  await h.account.site('misconfigured', vpc, { endpointId: 'vpce-NOT-AN-ID' });
  // Failures take the error paths too: an AWS error answered, and a connection reset.
  h.sim?.faults.add({
    operation: 'DescribeTargetHealth',
    match: (p) => p.TargetGroupArn === failing,
    times: Number.POSITIVE_INFINITY,
    fault: { kind: 'error', code: 'AccessDenied', status: 403, message: 'not authorized' },
  });
  h.sim?.faults.add({ operation: 'PutMetricData', fault: { kind: 'reset' } });

  const dir = mkdtempSync(join(tmpdir(), 'vts-secrets-'));
  const events = join(dir, 'events.json');
  writeFileSync(
    events,
    JSON.stringify([
      trail.addTags(drifted, { [ENDPOINT_ID_TAG]: endpointId }),
      trail.modifyVpcEndpoint(endpointId, { add: [vpc.subnets[2]?.subnetId as string] }),
      { not: 'an event' },
    ]),
  );
  for (const name of COMMANDS) {
    const args = [
      ...(name === 'handle-event' ? ['handle-event', events] : name.split(' ')),
      '--publish-metrics',
    ];
    runs.push({ name, result: await runCli(h, args, { env: CREDENTIALS }) });
  }
}, 60_000);
afterAll(() => h.stop());

describe('logs never print credentials, signatures or request headers (LOG_LEVEL=trace, session credentials)', () => {
  it('the runs did real work: signed calls, writes, site errors and trace-level logs', () => {
    expect(runs.map((r) => r.result.code)).toEqual([1, 1, 1]);
    const all = runs.map((r) => r.result.stderr).join('\n');
    expect(all).toMatch(/"level":"(trace|debug)"|"level":"info"/);
    expect(all).toContain('AccessDenied');
    expect(h.sim?.calls.some((c) => c.operation === 'RegisterTargets' && c.status === 200)).toBe(true);
  });

  it.each(COMMANDS)('%s: stdout and stderr hold none of them', (name) => {
    const run = runs.find((r) => r.name === name);
    const output = `${run?.result.stdout}\n${run?.result.stderr}`;
    for (const [what, pattern] of FORBIDDEN) expect(output, `${name} printed ${what}`).not.toMatch(pattern);
  });
});
