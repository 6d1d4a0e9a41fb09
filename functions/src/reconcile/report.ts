import type {
  Policy,
  RegisteredTarget,
  RunTotals,
  Shard,
  SiteFigures,
  Target,
} from '@vpce-target-sync/shared';

/** A site's outcome, as the CLI's `--json` and the logs show it (docs/DESIGN.md, "Site statuses"). */
export type SiteStatus = 'in-sync' | 'converged' | 'drift' | 'waiting' | 'error';

export const SITE_STATUSES: readonly SiteStatus[] = ['in-sync', 'converged', 'drift', 'waiting', 'error'];

export interface SiteReport {
  readonly targetGroupArn: string;
  readonly targetGroupName: string;
  readonly endpointId: string | null;
  readonly policy: Policy | null;
  readonly desired: readonly Target[];
  readonly registered: readonly RegisteredTarget[];
  readonly toRegister: readonly Target[];
  readonly toDeregister: readonly Target[];
  readonly status: SiteStatus;
  readonly message: string;
  /** The endpoint's state as EC2 reported it (`not found` when EC2 did not list it); absent when not read. */
  readonly endpointState?: string;
  /** Missing + stale targets seen before acting. */
  readonly driftTargets: number;
  /** Drift left when the site's reconcile ended. */
  readonly unresolvedDriftTargets: number;
  /** Targets actually registered and deregistered by this run (0 on a dry run). */
  readonly registeredCount: number;
  readonly deregisteredCount: number;
  /** The AWS error code when an AWS call failed. */
  readonly errorCode?: string;
  /** The failure is transient (throttling, 5xx, network): worth retrying soon. */
  readonly retryable?: boolean;
}

export interface RunSummary extends RunTotals {
  readonly dryRun: boolean;
  /** The share of the fleet a scheduled tick took; absent when the run was not spread over ticks. */
  readonly shard?: Shard;
  readonly statuses: Readonly<Record<SiteStatus, number>>;
}

/** A site a run did not start because its deadline came; the next run takes it. */
export interface DeferredSite {
  readonly targetGroupArn: string;
  readonly targetGroupName: string;
}

export interface RunReport {
  readonly sites: readonly SiteReport[];
  readonly summary: RunSummary;
  /** Sites left for later (a scheduled tick near its deadline); absent or empty otherwise. */
  readonly deferred?: readonly DeferredSite[];
}

export function summarize(sites: readonly SiteReport[], dryRun: boolean): RunSummary {
  const sum = (f: (s: SiteReport) => number): number => sites.reduce((n, s) => n + f(s), 0);
  const statuses = Object.fromEntries(SITE_STATUSES.map((s) => [s, 0])) as Record<SiteStatus, number>;
  for (const site of sites) statuses[site.status] += 1;
  return {
    dryRun,
    statuses,
    sitesReconciled: sites.length,
    sitesInDrift: sites.filter((s) => s.driftTargets > 0).length,
    driftTargets: sum((s) => s.driftTargets),
    unresolvedDriftTargets: sum((s) => s.unresolvedDriftTargets),
    targetsRegistered: sum((s) => s.registeredCount),
    targetsDeregistered: sum((s) => s.deregisteredCount),
    siteErrors: statuses.error,
  };
}

export const siteFigures = (site: SiteReport): SiteFigures => ({
  targetGroupName: site.targetGroupName,
  driftTargets: site.driftTargets,
  unresolvedDriftTargets: site.unresolvedDriftTargets,
  siteErrors: site.status === 'error' ? 1 : 0,
});

/**
 * Sites a warm function watches: those a run left in drift or in error. Every scheduled tick checks
 * them again until a run finds them clean, so a full pass spread over ticks still gives each alarm
 * period their datapoints (docs/DESIGN.md, "Alarms at every fleet size"). The run-wide alarms need
 * one; a few more name the culprits on the dashboard; each costs a tick one DescribeTargetHealth.
 */
export const WATCH_MAX_SITES = 20;

/** Whether a site needs another look soon: it is in error, or has drift left. */
const needsRecheck = (s: SiteReport): boolean =>
  s.targetGroupArn !== '' && (s.status === 'error' || s.unresolvedDriftTargets > 0);

/**
 * The sites a run leaves for a re-check: those in error or with drift left, errors and the largest
 * drift first, at most `max` of them.
 */
function sitesToRecheck(sites: readonly SiteReport[], max: number): string[] {
  const weight = (s: SiteReport): number =>
    s.status === 'error' ? Number.MAX_SAFE_INTEGER : s.unresolvedDriftTargets;
  return sites
    .filter(needsRecheck)
    .sort((a, b) => weight(b) - weight(a) || a.targetGroupArn.localeCompare(b.targetGroupArn))
    .slice(0, max)
    .map((s) => s.targetGroupArn);
}

/**
 * Updates the watched sites from a run's reports: a site found clean leaves, a site left in drift or
 * in error joins while fewer than WATCH_MAX_SITES are watched (errors and the largest drift first).
 */
export function updateWatch(watch: Set<string>, sites: readonly SiteReport[]): void {
  for (const site of sites) if (!needsRecheck(site)) watch.delete(site.targetGroupArn);
  for (const arn of sitesToRecheck(sites, WATCH_MAX_SITES)) if (watch.size < WATCH_MAX_SITES) watch.add(arn);
}
