import { type SiteReport, updateWatch, WATCH_MAX_SITES } from '@vpce-target-sync/functions';
import { describe, expect, it } from 'vitest';

const arn = (n: number) =>
  `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/site-${n}/${n.toString(16).padStart(16, '0')}`;

const report = (n: number, status: SiteReport['status'], unresolved = 0): SiteReport =>
  ({
    targetGroupArn: arn(n),
    targetGroupName: `site-${n}`,
    status,
    unresolvedDriftTargets: unresolved,
  }) as SiteReport;

describe('the watched sites (docs/DESIGN.md, "Alarms at every fleet size")', () => {
  it('adds sites left in drift or in error, and drops a watched site once a run finds it clean', () => {
    const watch = new Set<string>();
    updateWatch(watch, [
      report(1, 'drift', 2),
      report(2, 'error'),
      report(3, 'in-sync'),
      report(4, 'converged'),
    ]);
    expect([...watch].sort()).toEqual([arn(1), arn(2)].sort());

    // Site 1 is fixed; site 2 still fails; site 5 was not in this run and stays as it was.
    watch.add(arn(5));
    updateWatch(watch, [report(1, 'converged'), report(2, 'error')]);
    expect([...watch].sort()).toEqual([arn(2), arn(5)].sort());
  });

  it('a waiting site with drift left is watched; one without is not', () => {
    const watch = new Set<string>();
    updateWatch(watch, [report(1, 'waiting', 1), report(2, 'waiting', 0)]);
    expect([...watch]).toEqual([arn(1)]);
  });

  it(`holds at most ${WATCH_MAX_SITES}, errors and the largest drift first, and keeps what it holds`, () => {
    const watch = new Set<string>();
    const many = Array.from({ length: 40 }, (_, i) => report(i, 'drift', i + 1));
    updateWatch(watch, [...many, report(100, 'error')]);
    expect(watch.size).toBe(WATCH_MAX_SITES);
    expect(watch.has(arn(100))).toBe(true);
    // The 19 largest drifts after the error: sites 39 down to 21.
    for (let i = 21; i < 40; i++) expect(watch.has(arn(i))).toBe(true);
    expect(watch.has(arn(20))).toBe(false);

    // Full: a new error waits for a place; a place freed by a clean site goes to it.
    updateWatch(watch, [report(101, 'error')]);
    expect(watch.has(arn(101))).toBe(false);
    updateWatch(watch, [report(39, 'in-sync'), report(101, 'error')]);
    expect(watch.has(arn(101))).toBe(true);
    expect(watch.size).toBe(WATCH_MAX_SITES);
  });
});
