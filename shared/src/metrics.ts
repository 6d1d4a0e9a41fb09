/** CloudWatch namespace of every metric the product publishes (namespaces starting `AWS/` are reserved). */
export const METRIC_NAMESPACE = 'VpceTargetSync';

/** Metric names of the contract. Alarms and dashboards read them from here. */
export const METRIC = {
  RunsCompleted: 'RunsCompleted',
  SitesReconciled: 'SitesReconciled',
  SitesInDrift: 'SitesInDrift',
  DriftTargets: 'DriftTargets',
  UnresolvedDriftTargets: 'UnresolvedDriftTargets',
  TargetsRegistered: 'TargetsRegistered',
  TargetsDeregistered: 'TargetsDeregistered',
  SiteErrors: 'SiteErrors',
  EventsIgnored: 'EventsIgnored',
  SitesDeferred: 'SitesDeferred',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The one dimension of per-site metrics: the target group's name. */
export const SITE_DIMENSION = 'TargetGroup';

/** Per-site metrics, published only while non-zero so a healthy fleet adds no custom metrics. */
export const PER_SITE_METRICS = [
  METRIC.DriftTargets,
  METRIC.UnresolvedDriftTargets,
  METRIC.SiteErrors,
] as const;

/** PutMetricData accepts at most 1000 metric data items per call (and 1 MB). */
export const MAX_METRIC_DATA_PER_PUT = 1000;

export interface MetricDatum {
  readonly name: MetricName;
  readonly value: number;
  readonly dimensions?: readonly { readonly name: string; readonly value: string }[];
}

/** The figures of one run, summed over its sites. */
export interface RunTotals {
  readonly sitesReconciled: number;
  readonly sitesInDrift: number;
  readonly driftTargets: number;
  readonly unresolvedDriftTargets: number;
  readonly targetsRegistered: number;
  readonly targetsDeregistered: number;
  readonly siteErrors: number;
  /** Only the event path reports it. */
  readonly eventsIgnored?: number;
  /** Sites a scheduled tick left for later because its deadline came (published only when non-zero). */
  readonly sitesDeferred?: number;
}

export interface SiteFigures {
  readonly targetGroupName: string;
  readonly driftTargets: number;
  readonly unresolvedDriftTargets: number;
  readonly siteErrors: number;
}

/**
 * The metric data of one run: the heartbeat always, the other run-wide figures (no dimensions) only
 * when non-zero, then non-zero per-site figures. A custom metric costs about $0.30 a month once
 * published, so a healthy fleet pays for two (RunsCompleted, SitesReconciled), not eight; the alarms
 * read missing data as not breaching and the dashboard fills the gaps with 0.
 */
export function runMetricData(
  totals: RunTotals,
  sites: readonly SiteFigures[],
  options: {
    readonly perSite: boolean;
    /**
     * Watched sites a run found clean again (by target group name): their drift and error figures,
     * and the run-wide unresolved drift and errors, are published even when zero, so the alarms
     * see an all-clear datapoint and go back to OK within one period instead of bridging the
     * missing ones (docs/DESIGN.md, "Alarms at every fleet size").
     */
    readonly cleared?: readonly string[];
  } = { perSite: true },
): MetricDatum[] {
  const cleared = new Set(options.cleared ?? []);
  const alarmed = new Set<MetricName>(cleared.size ? [METRIC.UnresolvedDriftTargets, METRIC.SiteErrors] : []);
  const figures: [MetricName, number | undefined][] = [
    [METRIC.SitesReconciled, totals.sitesReconciled],
    [METRIC.SitesInDrift, totals.sitesInDrift],
    [METRIC.DriftTargets, totals.driftTargets],
    [METRIC.UnresolvedDriftTargets, totals.unresolvedDriftTargets],
    [METRIC.TargetsRegistered, totals.targetsRegistered],
    [METRIC.TargetsDeregistered, totals.targetsDeregistered],
    [METRIC.SiteErrors, totals.siteErrors],
    [METRIC.EventsIgnored, totals.eventsIgnored],
    [METRIC.SitesDeferred, totals.sitesDeferred],
  ];
  const data: MetricDatum[] = [
    { name: METRIC.RunsCompleted, value: 1 },
    ...figures.flatMap(([name, value]): MetricDatum[] =>
      value || alarmed.has(name) ? [{ name, value: value ?? 0 }] : [],
    ),
  ];
  if (!options.perSite) return data;
  for (const site of sites) {
    const dimensions = [{ name: SITE_DIMENSION, value: site.targetGroupName }];
    const figures: Record<(typeof PER_SITE_METRICS)[number], number> = {
      DriftTargets: site.driftTargets,
      UnresolvedDriftTargets: site.unresolvedDriftTargets,
      SiteErrors: site.siteErrors,
    };
    for (const name of PER_SITE_METRICS) {
      if (figures[name] > 0 || cleared.has(site.targetGroupName))
        data.push({ name, value: figures[name], dimensions });
    }
  }
  return data;
}
