import { formatTarget, type RegisteredTarget, type Target } from '@vpce-target-sync/shared';
import type { RunReport, SiteReport } from '../reconcile/report.ts';

/** Where a run looked: its region, and the account its target groups belong to (when any was seen). */
export interface RunScope {
  readonly region: string;
  readonly account: string | undefined;
}

/** Targets as `ip:port`, each with its own sign when given. */
const targets = (list: readonly Target[], sign = ''): string =>
  list.length ? list.map((t) => `${sign}${formatTarget(t)}`).join(' ') : '-';

const isDrainingState = (t: RegisteredTarget): boolean =>
  t.state === 'draining' || t.state === 'unhealthy.draining';

/** The account of the first target group ARN in the report (`arn:aws:elasticloadbalancing:R:ACCOUNT:…`). */
export const accountOf = (report: RunReport): string | undefined =>
  report.sites.map((s) => s.targetGroupArn.split(':')[4]).find((a) => a && /^\d{12}$/.test(a));

const where = (scope: RunScope | undefined): string =>
  scope ? ` in ${scope.region}${scope.account ? ` (account ${scope.account})` : ''}` : '';

/** The `--json` document of the contract: contract fields per site, then the summary. */
export function toJson(report: RunReport, extra: Record<string, unknown> = {}): string {
  const sites = report.sites.map((s) => ({
    targetGroupArn: s.targetGroupArn,
    targetGroupName: s.targetGroupName,
    endpointId: s.endpointId,
    policy: s.policy,
    desired: s.desired,
    registered: s.registered,
    toRegister: s.toRegister,
    toDeregister: s.toDeregister,
    status: s.status,
    message: s.message,
    driftTargets: s.driftTargets,
    unresolvedDriftTargets: s.unresolvedDriftTargets,
    ...(s.errorCode ? { errorCode: s.errorCode } : {}),
  }));
  return `${JSON.stringify({ sites, summary: report.summary, ...extra }, null, 2)}\n`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** One column of planned changes, like a Terraform plan: `+` registers, `-` deregisters. */
const changes = (s: SiteReport): string =>
  [
    ...s.toRegister.map((t) => `+${formatTarget(t)}`),
    ...s.toDeregister.map((t) => `-${formatTarget(t)}`),
  ].join(' ') || '-';

const siteRow = (s: SiteReport): string[] => [
  s.targetGroupName || s.targetGroupArn || '-',
  s.endpointId ?? '-',
  s.policy ?? '-',
  s.status,
  targets(s.desired),
  targets(s.registered.filter((t) => !isDrainingState(t))),
  changes(s),
  s.message,
];

const statusCounts = (report: RunReport): string =>
  Object.entries(report.summary.statuses)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');

/** A readable plan: one row per site (sorted by name), then a summary line naming region and account. */
export function toTable(report: RunReport, scope?: RunScope): string {
  if (report.sites.length === 0) return `No opted-in target groups in scope${where(scope)}.\n`;
  const header = ['TARGET GROUP', 'ENDPOINT', 'POLICY', 'STATUS', 'DESIRED', 'CURRENT', 'CHANGES', 'MESSAGE'];
  const { summary } = report;
  const changed = summary.dryRun
    ? `would register ${report.sites.reduce((n, s) => n + s.toRegister.length, 0)}, would deregister ${report.sites.reduce((n, s) => n + s.toDeregister.length, 0)}`
    : `registered ${summary.targetsRegistered}, deregistered ${summary.targetsDeregistered}`;
  return `${table([header, ...report.sites.map(siteRow)])}\n\n${summary.sitesReconciled} site(s)${where(scope)}: ${statusCounts(report)}; ${changed} target(s)${summary.dryRun ? ' (dry run: nothing changed)' : ''}\n`;
}

/** Target health states `status` counts, in the order it prints them. */
export const HEALTH_STATES = [
  'healthy',
  'unhealthy',
  'initial',
  'draining',
  'unused',
  'unavailable',
] as const;
type HealthState = (typeof HEALTH_STATES)[number] | 'other';

const healthOf = (t: RegisteredTarget): HealthState =>
  isDrainingState(t)
    ? 'draining'
    : (((HEALTH_STATES as readonly string[]).includes(t.state) ? t.state : 'other') as HealthState);

function healthCounts(s: SiteReport): Record<HealthState, number> {
  const counts = Object.fromEntries([...HEALTH_STATES, 'other'].map((h) => [h, 0])) as Record<
    HealthState,
    number
  >;
  for (const t of s.registered) counts[healthOf(t)] += 1;
  return counts;
}

/** `status --json`: each site's endpoint state, policy, sync and target health, read-only. */
export function toStatusJson(report: RunReport, scope: RunScope): string {
  const sites = report.sites.map((s) => ({
    targetGroupArn: s.targetGroupArn,
    targetGroupName: s.targetGroupName,
    endpointId: s.endpointId,
    endpointState: s.endpointState ?? null,
    policy: s.policy,
    inSync: s.status === 'in-sync',
    status: s.status,
    message: s.message,
    health: healthCounts(s),
    targets: s.registered.map((t) => ({ id: t.id, port: t.port, state: t.state })),
    desired: s.desired,
  }));
  return `${JSON.stringify({ region: scope.region, account: scope.account ?? null, sites }, null, 2)}\n`;
}

/** `status`: one row per site with its health counts; `-o wide` adds every target with its state. */
export function toStatusTable(report: RunReport, scope: RunScope, wide: boolean): string {
  if (report.sites.length === 0) return `No opted-in target groups in scope${where(scope)}.\n`;
  const header = [
    'TARGET GROUP',
    'ENDPOINT',
    'ENDPOINT STATE',
    'POLICY',
    'IN SYNC',
    ...HEALTH_STATES.map((h) => h.toUpperCase()),
    ...(wide ? ['TARGETS'] : []),
    'MESSAGE',
  ];
  const rows = report.sites.map((s) => {
    const counts = healthCounts(s);
    return [
      s.targetGroupName || s.targetGroupArn || '-',
      s.endpointId ?? '-',
      s.endpointState ?? '-',
      s.policy ?? '-',
      s.status === 'in-sync' ? 'yes' : s.status === 'error' ? 'error' : 'no',
      ...HEALTH_STATES.map((h) => String(counts[h])),
      ...(wide ? [s.registered.map((t) => `${formatTarget(t)}(${t.state})`).join(' ') || '-'] : []),
      s.status === 'in-sync' ? '' : s.message.replace(/^dry run: /, 'to do: '),
    ];
  });
  const inSync = report.sites.filter((s) => s.status === 'in-sync').length;
  return `${table([header, ...rows])}\n\n${report.sites.length} site(s)${where(scope)}: ${inSync} in sync; ${statusCounts(report)} (read-only: nothing changed)\n`;
}
