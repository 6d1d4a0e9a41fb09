import { createClients } from '../aws/clients.ts';
import { readConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { reconcile } from '../reconcile/reconcile.ts';
import type { RunReport } from '../reconcile/report.ts';
import { awsDeps } from '../runtime.ts';
import { type Command, HANDLE_EVENT_USAGE, parseCommand, RECONCILE_USAGE, USAGE } from './args.ts';
import { describeFailure, EXIT } from './exit.ts';
import { toJson, toTable } from './format.ts';
import { handleEventCommand } from './handle-event.ts';

const exitCodeOf = (report: RunReport): number => (report.summary.siteErrors > 0 ? EXIT.siteErrors : EXIT.ok);

/** Runs one CLI command and returns its exit code; nothing here throws to the terminal. */
export async function main(
  argv: readonly string[],
  out = process.stdout,
  err = process.stderr,
): Promise<number> {
  const command = parseCommand(argv);
  if (!command.ok) {
    err.write(`error: ${command.error}\n`);
    return EXIT.usage;
  }
  const cmd: Command = command.value;
  if (cmd.name === 'help') {
    out.write(
      `${cmd.topic === 'reconcile' ? RECONCILE_USAGE : cmd.topic === 'handle-event' ? HANDLE_EVENT_USAGE : USAGE}\n`,
    );
    return EXIT.ok;
  }
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

const isEntryPoint =
  import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli/main.ts');
if (isEntryPoint) {
  const code = await main(process.argv.slice(2));
  // The SDK's keep-alive sockets would hold the process open; flush output, then leave.
  process.stdout.write('', () => process.exit(code));
}
