import { formatTarget, type Target } from '@vpce-target-sync/shared';
import type { RunReport, SiteReport } from '../reconcile/report.ts';

/** Targets as `ip:port`, each with its own sign when given. */
const ips = (targets: readonly Target[], sign = ''): string =>
  targets.length ? targets.map((t) => `${sign}${formatTarget(t)}`).join(' ') : '-';

/** The `--json` document of DESIGN.md: contract fields per site, then the summary. */
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

const siteRow = (s: SiteReport): string[] => [
  s.targetGroupName || s.targetGroupArn,
  s.endpointId ?? '-',
  s.policy ?? '-',
  s.status,
  ips(s.desired),
  ips(s.registered.filter((t) => t.state !== 'draining')),
  s.toRegister.length ? ips(s.toRegister, '+') : '',
  s.toDeregister.length ? ips(s.toDeregister, '-') : '',
  s.message,
];

/** A readable table: one row per site, then a summary line. */
export function toTable(report: RunReport): string {
  if (report.sites.length === 0) return 'No opted-in target groups in scope.\n';
  const header = [
    'TARGET GROUP',
    'ENDPOINT',
    'POLICY',
    'STATUS',
    'DESIRED',
    'REGISTERED',
    'REGISTER',
    'DEREGISTER',
    'MESSAGE',
  ];
  const { summary } = report;
  const counts = Object.entries(summary.statuses)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  const verb = summary.dryRun ? 'would register' : 'registered';
  const verb2 = summary.dryRun ? 'would deregister' : 'deregistered';
  const changes = summary.dryRun
    ? `${verb} ${report.sites.reduce((n, s) => n + s.toRegister.length, 0)}, ${verb2} ${report.sites.reduce((n, s) => n + s.toDeregister.length, 0)}`
    : `${verb} ${summary.targetsRegistered}, ${verb2} ${summary.targetsDeregistered}`;
  return `${table([header, ...report.sites.map(siteRow)])}\n\n${summary.sitesReconciled} site(s): ${counts}; ${changes} target(s)${summary.dryRun ? ' (dry run: nothing changed)' : ''}\n`;
}
