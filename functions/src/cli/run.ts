import { ENV } from '@vpce-target-sync/shared';
import { createClients } from '../aws/clients.ts';
import { reconcile } from '../reconcile/reconcile.ts';
import { awsDeps } from '../runtime.ts';
import type { Command } from './args.ts';
import { describeFailure, EXIT, exitCodeOf } from './exit.ts';
import { accountOf, toJson, toStatusJson, toStatusTable, toTable } from './format.ts';
import { handleEventCommand } from './handle-event.ts';
import { cliLogger } from './logger.ts';
import { PROGRESS_INTERVAL_MS, progressReporter } from './progress.ts';
import { setUpCommand } from './setup.ts';

/**
 * Runs a command that talks to AWS. It lives apart from main.ts so that `--help` and `--version`
 * load no AWS SDK client.
 */
export async function runCommand(
  cmd: Extract<Command, { name: 'reconcile' | 'status' | 'handle-event' }>,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const setup = setUpCommand(cmd, err);
  if (typeof setup === 'number') return setup;
  const { config, clientConfig } = setup;
  const dryRun = effectiveDryRun(cmd.dryRun, config.dryRun, err);
  const publishMetrics = cmd.publishMetrics && !dryRun;
  const progressSeconds = readProgressSeconds(err);
  if (progressSeconds === undefined) return EXIT.usage;
  const log = cliLogger(config.logLevel, cmd.logFormat ?? (process.stderr.isTTY ? 'text' : 'json'), {
    levelWasSet: Boolean(process.env[ENV.logLevel]),
  });
  const deps = awsDeps(log, createClients(clientConfig, config.rateLimits));
  try {
    if (cmd.name === 'handle-event') {
      return await handleEventCommand({ ...cmd, dryRun, publishMetrics }, config, deps, out, err);
    }
    return await reconcileCommand(cmd, { dryRun, publishMetrics, progressSeconds }, config, deps, out, err);
  } catch (error) {
    const failure = describeFailure(error);
    err.write(`error: ${failure.message}\n`);
    // --json promises one document on stdout, even when the run could not start.
    if (cmd.json)
      out.write(`${JSON.stringify({ error: { message: failure.message }, sites: [] }, null, 2)}\n`);
    return failure.exitCode;
  }
}

/** VPCE_TARGET_SYNC_DRY_RUN=true holds for the CLI as for the Lambda: say so, never write. */
function effectiveDryRun(flag: boolean, fromEnvironment: boolean, err: NodeJS.WritableStream): boolean {
  if (fromEnvironment && !flag)
    err.write(`dry run: ${ENV.dryRun}=true in the environment; nothing is changed\n`);
  return flag || fromEnvironment;
}

/** Seconds between progress lines off a terminal; undefined (after saying why) for a bad value. */
function readProgressSeconds(err: NodeJS.WritableStream): number | undefined {
  const text = process.env[ENV.progressSeconds];
  const seconds = text ? Number(text) : PROGRESS_INTERVAL_MS / 1000;
  if (seconds > 0) return seconds;
  err.write(
    `error: environment variable ${ENV.progressSeconds} is ${JSON.stringify(text)}; expected a number of seconds above 0\n`,
  );
  return undefined;
}

/** `reconcile` and `status` (a dry run that prints health instead of a plan: read-only, no metrics). */
async function reconcileCommand(
  cmd: Extract<Command, { name: 'reconcile' | 'status' }>,
  run: { readonly dryRun: boolean; readonly publishMetrics: boolean; readonly progressSeconds: number },
  config: Parameters<typeof handleEventCommand>[1],
  deps: ReturnType<typeof awsDeps>,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const readOnly = cmd.name === 'status';
  const progress = progressReporter(err as NodeJS.WriteStream, Date.now, run.progressSeconds * 1000);
  const report = await reconcile(deps, {
    dryRun: run.dryRun || readOnly,
    scope: { targetGroups: cmd.targetGroups, endpointIds: cmd.endpointIds },
    publishMetrics: run.publishMetrics && !readOnly,
    perSiteMetrics: config.perSiteMetrics,
    progress,
  }).finally(() => progress.finish());
  deps.log.info({ summary: report.summary }, 'run completed');
  const scope = { region: await deps.targetGroups.region(), account: accountOf(report) };
  if (readOnly) out.write(cmd.json ? toStatusJson(report, scope) : toStatusTable(report, scope, cmd.wide));
  else
    out.write(
      cmd.json
        ? toJson(report, { region: scope.region, account: scope.account ?? null })
        : toTable(report, scope),
    );
  return exitCodeOf(report, cmd.detailedExitcode);
}
