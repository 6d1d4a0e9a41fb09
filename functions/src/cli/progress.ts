import type { RunProgress } from '../reconcile/reconcile.ts';
import type { SiteReport } from '../reconcile/report.ts';

/** Without a terminal, one progress line this often. */
export const PROGRESS_INTERVAL_MS = 10_000;

const duration = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

/**
 * Progress of a long run on stderr (never stdout, so never in `--json` output): on a terminal one
 * line rewritten in place (sites done / total, writes so far, time left); otherwise a line every
 * `intervalMs` (VPCE_TARGET_SYNC_PROGRESS_SECONDS, default 10 s). Nothing for a run that ends within the first interval.
 */
export function progressReporter(
  stream: { write(text: string): unknown; isTTY?: boolean },
  now: () => number = Date.now,
  intervalMs: number = PROGRESS_INTERVAL_MS,
): RunProgress & { finish(): void } {
  let total = 0;
  let done = 0;
  let writes = 0;
  let started = 0;
  let lastPrinted = 0;
  let shown = false;
  const line = (): string => {
    const elapsed = now() - started;
    const left = done > 0 ? (elapsed / done) * (total - done) : undefined;
    return `${done}/${total} sites, ${writes} target(s) written${left === undefined ? '' : `, about ${duration(left)} left`}`;
  };
  return {
    start(sites) {
      total += sites;
      started ||= now();
      lastPrinted = started;
    },
    siteDone(site: SiteReport) {
      done += 1;
      writes += site.registeredCount + site.deregisteredCount;
      const t = now();
      if (t - lastPrinted < (stream.isTTY ? 200 : intervalMs) || done === total) return;
      lastPrinted = t;
      shown = true;
      stream.write(stream.isTTY ? `\r\x1b[K${line()}` : `progress: ${line()}\n`);
    },
    finish() {
      if (shown && stream.isTTY) stream.write('\r\x1b[K');
    },
  };
}
