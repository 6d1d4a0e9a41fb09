import { createClients } from '../aws/clients.ts';
import { readConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { reconcile } from '../reconcile/reconcile.ts';
import type { RunReport } from '../reconcile/report.ts';
import { awsDeps } from '../runtime.ts';
import type { Command } from './args.ts';
import { describeFailure, EXIT } from './exit.ts';
import { toJson, toTable } from './format.ts';
import { handleEventCommand } from './handle-event.ts';

const exitCodeOf = (report: RunReport): number => (report.summary.siteErrors > 0 ? EXIT.siteErrors : EXIT.ok);

/**
 * Runs a command that talks to AWS. It lives apart from main.ts so that `--help` and `--version`
 * load no AWS SDK client.
 */
export async function runCommand(
  cmd: Extract<Command, { name: 'reconcile' | 'handle-event' }>,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const config = readConfig(process.env, { logLevel: 'warn' });
  if (!config.ok) {
    err.write(`error: ${config.error}\n`);
    return EXIT.usage;
  }
  const log = createLogger(config.value.logLevel, process.stderr);
  const deps = awsDeps(log, createClients({}, config.value.rateLimits));
  try {
    if (cmd.name === 'handle-event') {
      return await handleEventCommand(cmd, config.value, deps, out, err);
    }
    const report = await reconcile(deps, {
      dryRun: cmd.dryRun,
      scope: { targetGroups: cmd.targetGroups, endpointIds: cmd.endpointIds },
      publishMetrics: !cmd.dryRun,
      perSiteMetrics: config.value.perSiteMetrics,
    });
    out.write(cmd.json ? toJson(report) : toTable(report));
    return exitCodeOf(report);
  } catch (error) {
    const failure = describeFailure(error);
    err.write(`error: ${failure.message}\n`);
    return failure.exitCode;
  }
}
