import { describe, expect, it } from 'vitest';
import { chunk } from '../src/collections.ts';
import { METRIC, runMetricData, SITE_DIMENSION } from '../src/metrics.ts';

const totals = {
  sitesReconciled: 3,
  sitesInDrift: 1,
  driftTargets: 2,
  unresolvedDriftTargets: 1,
  targetsRegistered: 1,
  targetsDeregistered: 0,
  siteErrors: 1,
};

describe('run metric data', () => {
  it('publishes the heartbeat of 1 always and the other run-wide figures, without dimensions, only when non-zero', () => {
    const data = runMetricData(totals, []);
    expect(Object.fromEntries(data.map((d) => [d.name, d.value]))).toEqual({
      RunsCompleted: 1,
      SitesReconciled: 3,
      SitesInDrift: 1,
      DriftTargets: 2,
      UnresolvedDriftTargets: 1,
      TargetsRegistered: 1,
      SiteErrors: 1,
    });
    expect(data.every((d) => d.dimensions === undefined)).toBe(true);
  });

  it('a healthy run publishes two metrics: the heartbeat and the sites it looked at', () => {
    const healthy = {
      ...totals,
      sitesInDrift: 0,
      driftTargets: 0,
      unresolvedDriftTargets: 0,
      targetsRegistered: 0,
      siteErrors: 0,
      eventsIgnored: 0,
    };
    expect(runMetricData(healthy, []).map((d) => d.name)).toEqual([
      METRIC.RunsCompleted,
      METRIC.SitesReconciled,
    ]);
    expect(runMetricData({ ...healthy, sitesReconciled: 0 }, []).map((d) => d.name)).toEqual([
      METRIC.RunsCompleted,
    ]);
  });

  it('adds per-site figures only while non-zero', () => {
    const data = runMetricData(totals, [
      { targetGroupName: 'healthy', driftTargets: 0, unresolvedDriftTargets: 0, siteErrors: 0 },
      { targetGroupName: 'observed', driftTargets: 2, unresolvedDriftTargets: 2, siteErrors: 0 },
      { targetGroupName: 'broken', driftTargets: 0, unresolvedDriftTargets: 0, siteErrors: 1 },
    ]);
    const perSite = data.filter((d) => d.dimensions);
    expect(perSite).toEqual([
      { name: METRIC.DriftTargets, value: 2, dimensions: [{ name: SITE_DIMENSION, value: 'observed' }] },
      {
        name: METRIC.UnresolvedDriftTargets,
        value: 2,
        dimensions: [{ name: SITE_DIMENSION, value: 'observed' }],
      },
      { name: METRIC.SiteErrors, value: 1, dimensions: [{ name: SITE_DIMENSION, value: 'broken' }] },
    ]);
  });

  it('leaves per-site figures out when turned off, and adds EventsIgnored for the event path', () => {
    const data = runMetricData(
      { ...totals, eventsIgnored: 4 },
      [{ targetGroupName: 'observed', driftTargets: 2, unresolvedDriftTargets: 2, siteErrors: 0 }],
      { perSite: false },
    );
    expect(data.some((d) => d.dimensions)).toBe(false);
    expect(data.find((d) => d.name === METRIC.EventsIgnored)?.value).toBe(4);
  });
});

describe('the all-clear of a re-check', () => {
  const clean = { targetGroupName: 'fixed', driftTargets: 0, unresolvedDriftTargets: 0, siteErrors: 0 };
  const zeros = {
    sitesReconciled: 1,
    sitesInDrift: 0,
    driftTargets: 0,
    unresolvedDriftTargets: 0,
    targetsRegistered: 0,
    targetsDeregistered: 0,
    siteErrors: 0,
  };

  it('publishes zeros for a site found clean again, and for the run-wide alarm metrics', () => {
    const data = runMetricData(zeros, [clean], { perSite: true, cleared: ['fixed'] });
    const site = [{ name: SITE_DIMENSION, value: 'fixed' }];
    expect(data).toEqual([
      { name: METRIC.RunsCompleted, value: 1 },
      { name: METRIC.SitesReconciled, value: 1 },
      { name: METRIC.UnresolvedDriftTargets, value: 0 },
      { name: METRIC.SiteErrors, value: 0 },
      { name: METRIC.DriftTargets, value: 0, dimensions: site },
      { name: METRIC.UnresolvedDriftTargets, value: 0, dimensions: site },
      { name: METRIC.SiteErrors, value: 0, dimensions: site },
    ]);
  });

  it('publishes no zero without a cleared site (a healthy fleet pays for no alarm metric)', () => {
    const data = runMetricData(zeros, [clean], { perSite: true });
    expect(data.map((d) => d.name)).toEqual([METRIC.RunsCompleted, METRIC.SitesReconciled]);
  });
});

describe('chunk', () => {
  it('splits at the limit', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 20)).toEqual([]);
  });
  it('rejects a non-positive size', () => expect(() => chunk([1], 0)).toThrow(/positive integer/));
});
