/**
 * `vpce-target-sync doctor`: for each opted-in site (or those selected), the checks of
 * doctor/checks.ts over the facts doctor/gather.ts reads. Read-only: Describe*, HeadBucket and
 * GetBucketPolicy calls only, no writes and no metrics. Loaded lazily by main.ts, like run.ts.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { ENDPOINT_ID_TAG } from '@vpce-target-sync/shared';
import { createClients, MAX_ATTEMPTS, REQUEST_TIMEOUT_MS } from '../aws/clients.ts';
import { describeAwsError } from '../aws/errors.ts';
import { elbv2TargetGroups } from '../aws/target-groups.ts';
import { type CheckResult, type CheckStatus, runChecks } from '../doctor/checks.ts';
import { gatherSite } from '../doctor/gather.ts';
import { discover } from '../reconcile/discover.ts';
import type { Command } from './args.ts';
import { describeFailure, EXIT } from './exit.ts';
import { setUpCommand } from './setup.ts';

export interface DoctorSite {
  readonly targetGroupArn: string;
  readonly targetGroupName: string;
  readonly endpointId: string | null;
  /** Set when the site could not be checked at all (not found, a failed call). */
  readonly error: string | null;
  readonly checks: readonly CheckResult[];
}

/**
 * The S3 client. The SDK builds virtual-host URLs (`bucket.host`), which for a bucket named like a
 * host (`docs.example.com`) and an endpoint override such as `http://127.0.0.1:4566` is no URL at
 * all; with an override it therefore speaks path style. Against AWS it keeps the SDK's choice.
 */
export function s3Client(config: object, env: NodeJS.ProcessEnv = process.env): S3Client {
  const overridden = Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  return new S3Client({
    retryMode: 'adaptive',
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    ...config,
    ...(overridden ? { forcePathStyle: true } : {}),
  });
}

function summaryOf(sites: readonly DoctorSite[]): Record<CheckStatus, number> & { siteErrors: number } {
  const summary = { pass: 0, warn: 0, fail: 0, skip: 0, siteErrors: 0 };
  for (const site of sites) {
    if (site.error) summary.siteErrors += 1;
    for (const check of site.checks) summary[check.status] += 1;
  }
  return summary;
}

function toText(region: string, sites: readonly DoctorSite[]): string {
  const lines: string[] = [];
  const width = 16;
  for (const site of sites) {
    lines.push(`${site.targetGroupName || '-'} (${site.endpointId ?? 'no endpoint'})`);
    if (site.error) lines.push(`  error  ${site.error}`);
    for (const check of site.checks) {
      lines.push(`  ${check.status.padEnd(5)}  ${check.id.padEnd(width)} ${check.finding}`);
      if (check.fix) lines.push(`  ${' '.repeat(5)}  ${' '.repeat(width)} fix: ${check.fix}`);
    }
    lines.push('');
  }
  const s = summaryOf(sites);
  if (sites.length === 0)
    lines.push(`no opted-in target group in ${region} (tag one with ${ENDPOINT_ID_TAG})`);
  lines.push(
    `${region}: ${sites.length} site${sites.length === 1 ? '' : 's'}; ${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.skip} skip${s.siteErrors ? `; ${s.siteErrors} not checked` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

/** One site's row: its checks, or why it could not be checked (not opted in, or not readable). */
async function doctorSite(
  clients: Parameters<typeof gatherSite>[0],
  region: string,
  candidate: Awaited<ReturnType<typeof discover>>[number],
): Promise<DoctorSite> {
  if (candidate.kind === 'rejected')
    return {
      targetGroupArn: candidate.arn,
      targetGroupName: candidate.name,
      endpointId: candidate.endpointId ?? null,
      error: candidate.message,
      checks: [],
    };
  const { targetGroup, tags } = candidate;
  const endpointId = tags[ENDPOINT_ID_TAG] ?? '';
  const row = { targetGroupArn: targetGroup.arn, targetGroupName: targetGroup.name, endpointId };
  try {
    const facts = await gatherSite(clients, region, targetGroup.arn, endpointId);
    return { ...row, error: null, checks: runChecks(facts) };
  } catch (error) {
    return { ...row, error: `could not read the site: ${describeAwsError(error)}`, checks: [] };
  }
}

export async function doctorCommand(
  cmd: Extract<Command, { name: 'doctor' }>,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const setup = setUpCommand(cmd, err);
  if (typeof setup === 'number') return setup;
  const { config, clientConfig } = setup;
  const clients = createClients(clientConfig, config.rateLimits);
  const doctorClients = { ec2: clients.ec2, elbv2: clients.elbv2, s3: s3Client(clientConfig) };
  const targetGroups = elbv2TargetGroups(clients.elbv2, clients.tagging);
  try {
    const region = await targetGroups.region();
    const candidates = await discover(targetGroups, {
      targetGroups: cmd.targetGroups,
      endpointIds: cmd.endpointIds,
    });
    const sites: DoctorSite[] = [];
    for (const candidate of candidates) sites.push(await doctorSite(doctorClients, region, candidate));
    const summary = summaryOf(sites);
    out.write(cmd.json ? `${JSON.stringify({ region, sites, summary }, null, 2)}\n` : toText(region, sites));
    return summary.fail > 0 || summary.siteErrors > 0 ? EXIT.siteErrors : EXIT.ok;
  } catch (error) {
    const failure = describeFailure(error);
    err.write(`error: ${failure.message}\n`);
    if (cmd.json)
      out.write(`${JSON.stringify({ error: { message: failure.message }, sites: [] }, null, 2)}\n`);
    return failure.exitCode;
  }
}
