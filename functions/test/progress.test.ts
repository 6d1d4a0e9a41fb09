import type { SiteReport } from '@vpce-target-sync/functions';
import { describe, expect, it } from 'vitest';
// The CLI's progress line is internal to the CLI (./cli exports only main).
import { PROGRESS_INTERVAL_MS, progressReporter } from '../src/cli/progress.ts';

const site = (writes: number) => ({ registeredCount: writes, deregisteredCount: 0 }) as SiteReport;

function run(isTTY: boolean) {
  let t = 0;
  const out: string[] = [];
  const p = progressReporter({ write: (s: string) => out.push(s), isTTY }, () => t);
  return { p, out, tick: (ms: number) => (t += ms) };
}

describe('progress of a long CLI run', () => {
  it('without a terminal: a line every interval with sites, writes and time left; none at the end', () => {
    const { p, out, tick } = run(false);
    p.start(100);
    for (let i = 0; i < 99; i++) {
      tick(PROGRESS_INTERVAL_MS / 20);
      p.siteDone(site(i % 10 === 0 ? 2 : 0));
    }
    expect(out).toHaveLength(4);
    expect(out[0]).toBe('progress: 20/100 sites, 4 target(s) written, about 40s left\n');
    p.siteDone(site(0));
    p.finish();
    expect(out).toHaveLength(4);
  });

  it('on a terminal: one line rewritten in place, cleared at the end', () => {
    const { p, out, tick } = run(true);
    p.start(3);
    tick(500);
    p.siteDone(site(1));
    expect(out).toEqual(['\r\x1b[K1/3 sites, 1 target(s) written, about 1s left']);
    tick(500);
    p.siteDone(site(0));
    p.siteDone(site(0));
    p.finish();
    expect(out.at(-1)).toBe('\r\x1b[K');
  });

  it('prints nothing for a run that ends within the first interval', () => {
    const { p, out, tick } = run(false);
    p.start(5);
    for (let i = 0; i < 5; i++) {
      tick(100);
      p.siteDone(site(1));
    }
    p.finish();
    expect(out).toEqual([]);
  });
});
