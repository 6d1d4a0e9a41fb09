/**
 * One measured reconcile, in a process of its own so its peak RSS is the reconcile's alone (the
 * simulator and the seeding stay in the parent). The AWS SDK reaches the simulator through
 * AWS_ENDPOINT_URL, as in a deployment, and the configuration comes from the environment the way
 * the Lambda reads it.
 *
 *   node run-reconcile.mjs full|scheduled OUT.json   (bench.ts bundles it first, as infra bundles the function)
 *
 * `full` is the operator's full pass (`reconcile` without sharding, like the CLI); `scheduled`
 * invokes the deployed handler with a schedule event, which shards a large fleet over ticks.
 * Peak RSS is the kernel's high-water mark for this process (getrusage maxrss): Node, the bundled
 * code and everything the run holds, as in the function.
 */
import { writeFileSync } from 'node:fs';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { scheduledEvent } from '../support/cloudtrail.ts';

const [mode, out] = process.argv.slice(2);
if ((mode !== 'full' && mode !== 'scheduled') || !out) {
  console.error('usage: run-reconcile.ts full|scheduled OUT.json');
  process.exit(2);
}
const timeoutMs = Number(process.env.BENCH_LAMBDA_TIMEOUT_MS ?? 120_000);

interface Summary {
  readonly statuses?: Record<string, number>;
  readonly shard?: { index: number; count: number };
  readonly [key: string]: unknown;
}

let summary: Summary;
let errors: { errorCode?: string | undefined; message: string }[] = [];
let wallMs: number;
if (mode === 'full') {
  const { awsDeps, createClients, createLogger, readConfig, reconcile } = await import(
    '@vpce-target-sync/functions'
  );
  const config = readConfig(process.env);
  if (!config.ok) throw new Error(config.error);
  const deps = awsDeps(createLogger(config.value.logLevel), createClients({}, config.value.rateLimits));
  const started = performance.now();
  const report = await reconcile(deps, { dryRun: false, publishMetrics: true, perSiteMetrics: true });
  wallMs = performance.now() - started;
  summary = report.summary as unknown as Summary;
  errors = report.sites
    .filter((s) => s.status === 'error')
    .map((s) => ({ errorCode: s.errorCode, message: s.message }));
} else {
  const { handler } = await import('@vpce-target-sync/functions/handlers');
  const started = performance.now();
  const context = {
    awsRequestId: 'bench',
    functionName: 'vpce-target-sync-bench',
    getRemainingTimeInMillis: () => timeoutMs - (performance.now() - started),
  } as unknown as Context;
  const event = scheduledEvent() as unknown as ScheduledEvent;
  summary = (await handler(event, context)) as unknown as Summary;
  wallMs = performance.now() - started;
}

writeFileSync(
  out,
  JSON.stringify({
    mode,
    summary,
    errors,
    wallMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
