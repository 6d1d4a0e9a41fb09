/**
 * Standalone simulator: `pnpm sim [--port N]` (or PORT=N). Prints the URL and the `export`
 * lines a shell needs to point the AWS SDK or CLI at it, and stops on SIGINT or SIGTERM.
 */
import { startSimulator } from './index.ts';

const USAGE = 'usage: pnpm sim [--port N]   (or PORT=N; default a random free port)';

function portFrom(args: readonly string[], env: string | undefined): number {
  const index = args.findIndex((arg) => arg === '--port' || arg.startsWith('--port='));
  const arg = args[index];
  const text = arg?.startsWith('--port=') ? arg.slice('--port='.length) : index >= 0 ? args[index + 1] : env;
  const port = Number(text ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid port '${text}'\n${USAGE}`);
    process.exit(2);
  }
  return port;
}

// Values here are URLs, regions and fixed test credentials; quote anything else a shell might split.
function shellValue(value: string): string {
  return /^[\w:/.@%+=,-]*$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

const sim = await startSimulator({ port: portFrom(process.argv.slice(2), process.env.PORT) });
console.log(`AWS simulator listening on ${sim.url} (region ${sim.region}, account 123456789012)`);
for (const [name, value] of Object.entries(sim.env)) console.log(`export ${name}=${shellValue(value)}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    sim.stop().then(
      () => {
        console.log(`AWS simulator stopped (${signal})`);
        process.exit(0);
      },
      (error: unknown) => {
        console.error('AWS simulator failed to stop', error);
        process.exit(1);
      },
    );
  });
}
