/**
 * Start-up of the published CLI, in paired runs on this machine: `--help` against `node -e 0`, and
 * `reconcile --dry-run` from spawn to its first AWS request (a loopback server stands in for AWS and
 * records when the first request arrives). Medians of N alternating runs. A CLI that starts slowly
 * is one people stop running: the targets are 2x and 4x `node -e 0`.
 *
 *   node --import tsx functions/scripts/measure-cli.ts [N]     (packs the CLI first)
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DIST } from './npm-package.ts';
import { packCli } from './pack-cli.ts';

const RUNS = Number(process.argv[2] ?? 21);
const BIN = join(DIST, 'stage', 'cli', 'bin', 'vpce-target-sync.js');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function timed(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve(Number(process.hrtime.bigint() - start) / 1e6));
  });
}

/** Milliseconds from spawning `reconcile --dry-run` to the first request reaching the fake AWS. */
async function toFirstRequest(): Promise<number> {
  let start = 0n;
  let resolveFirst: (ms: number) => void = () => {};
  const first = new Promise<number>((r) => (resolveFirst = r));
  const server = createServer((req, res) => {
    resolveFirst(Number(process.hrtime.bigint() - start) / 1e6);
    req.resume();
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  start = process.hrtime.bigint();
  const child = spawn(process.execPath, [BIN, 'reconcile', '--dry-run', '--json'], {
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH ?? '',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDMEASURE',
      AWS_SECRET_ACCESS_KEY: 'measure',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  const ms = await first;
  child.kill();
  await new Promise((r) => child.on('close', r));
  await new Promise((r) => server.close(r));
  return ms;
}

await packCli();
const bare: number[] = [];
const help: number[] = [];
const dryRun: number[] = [];
for (let i = 0; i < RUNS; i++) {
  // Alternate which goes first, so drift in the machine's load falls on both.
  if (i % 2) bare.push(await timed(['-e', '0']));
  help.push(await timed([BIN, '--help']));
  if (!(i % 2)) bare.push(await timed(['-e', '0']));
  dryRun.push(await toFirstRequest());
}
const b = median(bare);
const rows = [
  ['node -e 0', b],
  ['vpce-target-sync --help', median(help)],
  ['reconcile --dry-run, to its first AWS request', median(dryRun)],
] as const;
console.log(`CLI start-up, medians of ${RUNS} paired runs (Node ${process.versions.node}):`);
for (const [what, ms] of rows)
  console.log(`  ${what.padEnd(48)} ${ms.toFixed(0).padStart(5)} ms  ${(ms / b).toFixed(2)}x`);
