import { VERSION } from '../version.ts';
import {
  DOCTOR_USAGE,
  HANDLE_EVENT_USAGE,
  parseCommand,
  RECONCILE_USAGE,
  STATUS_USAGE,
  USAGE,
} from './args.ts';
import { EXIT } from './exit.ts';

/** Runs one CLI command and returns its exit code; nothing here throws to the terminal. */
export async function main(
  argv: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const command = parseCommand(argv);
  if (!command.ok) {
    err.write(`error: ${command.error}\n`);
    return EXIT.usage;
  }
  const cmd = command.value;
  if (cmd.name === 'version') {
    out.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (cmd.name === 'help') {
    const usage = {
      reconcile: RECONCILE_USAGE,
      status: STATUS_USAGE,
      'handle-event': HANDLE_EVENT_USAGE,
      doctor: DOCTOR_USAGE,
    };
    out.write(`${cmd.topic ? usage[cmd.topic] : USAGE}\n`);
    return EXIT.ok;
  }
  if (cmd.name === 'completion') {
    // No AWS call and no SDK, as for --help.
    const { completionCommand } = await import('./completion.ts');
    return completionCommand(cmd, out);
  }
  if (cmd.name === 'doctor') {
    // Like run.ts, loaded only now: --help stays free of the AWS SDK (S3 included).
    const { doctorCommand } = await import('./doctor.ts');
    return doctorCommand(cmd, out, err);
  }
  // Loaded only now: --help and --version stay free of the AWS SDK, so they start fast.
  const { runCommand } = await import('./run.ts');
  return runCommand(cmd, out, err);
}

const isEntryPoint =
  import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli/main.ts');
if (isEntryPoint) {
  const code = await main(process.argv.slice(2));
  // The SDK's keep-alive sockets would hold the process open; flush output, then leave.
  process.stdout.write('', () => process.exit(code));
}
