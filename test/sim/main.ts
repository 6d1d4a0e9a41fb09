/**
 * Standalone simulator: `pnpm sim [--port N] [--seed demo]` (or PORT=N). Prints the URL and the
 * `export` lines a shell needs to point the AWS SDK or CLI at it, and stops on SIGINT or SIGTERM.
 * `--seed demo` builds the demo's account in it first (test/demo/account.ts), to try the CLI on.
 */
import { buildDemoAccount, describeDemoAccount } from '../demo/account.ts';
import { startSimulator } from './index.ts';

const USAGE =
  'usage: pnpm sim [--port N] [--seed demo]   (or PORT=N; default a random free port; --seed demo: the demo account)';
const SEEDS = ['demo'] as const;

/** The value of `--name V` or `--name=V`, or `fallback` when the option is absent. */
function optionValue(args: readonly string[], name: string, fallback?: string): string | undefined {
  const index = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  const arg = args[index];
  return arg?.startsWith(`${name}=`) ? arg.slice(name.length + 1) : index >= 0 ? args[index + 1] : fallback;
}

function seedFrom(args: readonly string[]): (typeof SEEDS)[number] | undefined {
  if (!args.some((arg) => arg === '--seed' || arg.startsWith('--seed='))) return undefined;
  const seed = optionValue(args, '--seed');
  if (!(SEEDS as readonly (string | undefined)[]).includes(seed)) {
    console.error(`unknown seed '${seed ?? ''}'; expected ${SEEDS.join(', ')}\n${USAGE}`);
    process.exit(2);
  }
  return seed as (typeof SEEDS)[number];
}

function portFrom(args: readonly string[], env: string | undefined): number {
  const text = optionValue(args, '--port', env);
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

const args = process.argv.slice(2);
const seed = seedFrom(args);
const sim = await startSimulator({ port: portFrom(args, process.env.PORT) });
console.log(`AWS simulator listening on ${sim.url} (region ${sim.region}, account 123456789012)`);
if (seed === 'demo') {
  // The seeding's own SDK clients: no Node.js version notice in the middle of the output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const demo = await buildDemoAccount(sim.clientConfig()).catch(async (error: unknown) => {
    console.error(
      `seeding the demo account failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    await sim.stop();
    process.exit(1);
  });
  process.stdout.write(`Seeded with the demo's account. ${describeDemoAccount(demo)}`);
  console.log(
    'Paste the export lines below into another shell, then try: pnpm cli reconcile --dry-run (or pnpm cli --help)',
  );
}
// AWS_DEFAULT_REGION too: the AWS CLI v1 reads only that one.
const exports = Object.entries(sim.env).flatMap(([name, value]) =>
  name === 'AWS_REGION'
    ? [[name, value] as const, ['AWS_DEFAULT_REGION', value] as const]
    : [[name, value] as const],
);
for (const [name, value] of exports) console.log(`export ${name}=${shellValue(value)}`);

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
