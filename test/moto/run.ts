/**
 * `pnpm test:moto`: the integration suites against moto (an AWS emulator no one here wrote), through
 * our launcher test/moto/server.py that patches the gaps AWS documents (test/README.md).
 *
 * Starts moto on a free loopback port, runs test/integration (plus the launcher's own tests) with
 * AWS_ENDPOINT_URL pointing at it, one file at a time (the harness resets moto before each test),
 * leaves out the tests whose name says `[simulator]`, runs the demo once, stops moto by its PID
 * (also on failure or a signal), and prints `moto: N passed, N failed` and the excluded tests.
 * Fails (exit 1) when a test fails, the demo fails, or fewer than MIN_PERCENT of the integration
 * tests ran on moto.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LAUNCHER = 'test/moto/server.py';
const MOTO_VERSION = '5.2.1';
const SIMULATOR_TAG = '[simulator]';
/** Integration tests that must run on moto, in percent of all of them; below it the run fails. */
const MIN_PERCENT = 80;

const say = (line: string) => process.stdout.write(`${line}\n`);
const fail = (line: string): never => {
  process.stderr.write(`${line}\n`);
  process.exit(1);
};

function checkMoto(): void {
  const python = spawnSync('python3', ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' });
  if (python.error || python.status !== 0)
    fail(`moto is not installed: pip install 'moto[server]==${MOTO_VERSION}'`);
  const version = python.stdout.trim();
  if (version !== MOTO_VERSION)
    fail(
      `moto ${version} found; the launcher patches ${MOTO_VERSION}: pip install 'moto[server]==${MOTO_VERSION}'`,
    );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

async function waitUntilAnswering(url: string, moto: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (moto.exitCode !== null) fail(`moto exited with code ${moto.exitCode} before answering`);
    try {
      if ((await fetch(`${url}/moto-api/reset`, { method: 'POST' })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`moto did not answer on ${url} within ${timeoutMs / 1000} s`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: 'inherit' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

interface Report {
  numTotalTests: number;
  testResults: {
    name: string;
    assertionResults: { ancestorTitles: string[]; title: string; fullName: string; status: string }[];
  }[];
}

const started = Date.now();
checkMoto();
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const dir = mkdtempSync(join(tmpdir(), 'vts-moto-'));
const reportFile = join(dir, 'results.json');
const moto = spawn('python3', [LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
  cwd: ROOT,
  // moto's request recorder (the harness's call log, h.calls()) writes here, not in the checkout.
  env: { ...process.env, MOTO_RECORDER_FILEPATH: join(dir, 'moto-recording.jsonl') },
  stdio: ['ignore', 'ignore', 'pipe'],
});
let motoLog = '';
moto.stderr?.on('data', (d: Buffer) => {
  motoLog = (motoLog + d.toString()).slice(-20_000);
});
const stopMoto = () => {
  if (moto.pid !== undefined && moto.exitCode === null) process.kill(moto.pid, 'SIGTERM');
};
process.on('exit', stopMoto);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    stopMoto();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

let code = 1;
try {
  await waitUntilAnswering(url, moto);
  say(`moto ${MOTO_VERSION} (patched by ${LAUNCHER}) listening on ${url}, pid ${moto.pid}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL: url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    /** The harness resets moto through this before each test (never set against a real account). */
    VTS_EXTERNAL_RESET_URL: `${url}/moto-api/reset`,
    /** The harness's call log (h.calls()) reads moto's request recorder through this. */
    VTS_EXTERNAL_RECORDER_URL: `${url}/moto-api/recorder`,
    VTS_TEST_REPORT: reportFile,
  };
  delete env.AWS_PROFILE;
  for (const key of Object.keys(env)) if (key.startsWith('AWS_ENDPOINT_URL_')) delete env[key];

  const vitest = await run(
    process.execPath,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--project',
      'integration',
      'test/integration',
      'test/moto',
      // One file at a time: every file shares the one moto, and the harness resets it.
      '--no-file-parallelism',
      // Everything but the tests whose full name carries [simulator].
      '--testNamePattern',
      `^(?!.*${SIMULATOR_TAG.replace(/[[\]]/g, '\\$&')}).*$`,
    ],
    env,
  );

  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  const tests = report.testResults.flatMap((f) =>
    f.assertionResults.map((t) => ({
      ...t,
      file: f.name.slice(ROOT.length),
      name: [...t.ancestorTitles, t.title].join(' > '),
    })),
  );
  const passed = tests.filter((t) => t.status === 'passed');
  const failed = tests.filter((t) => t.status === 'failed');
  const excluded = tests.filter((t) => t.status !== 'passed' && t.status !== 'failed');
  const unexpected = excluded.filter((t) => !t.fullName.includes(SIMULATOR_TAG));
  const integration = tests.filter((t) => t.file.startsWith('test/integration/'));
  const onMoto = integration.filter((t) => t.status === 'passed' || t.status === 'failed');
  const share = integration.length ? onMoto.length / integration.length : 0;
  const percent = `${(share * 100).toFixed(1)} %`;
  /** The fewest tests that make MIN_PERCENT (integer arithmetic: no rounding surprises). */
  const needed = Math.ceil((MIN_PERCENT * integration.length) / 100);

  say('');
  say(
    `excluded from the moto run (need the project simulator, name says ${SIMULATOR_TAG}): ${excluded.length}`,
  );
  for (const t of excluded) say(`  - ${t.file} > ${t.name}`);
  say(
    `integration tests run on moto: ${onMoto.length} of ${integration.length} (${percent}; target at least ${MIN_PERCENT} %, ${needed} tests)`,
  );

  say('');
  say('== demo (pnpm demo) against moto');
  await fetch(`${url}/moto-api/reset`, { method: 'POST' });
  const demo = await run(process.execPath, ['--import', 'tsx', 'test/demo/demo.ts'], env);

  say('');
  say(`moto: ${passed.length} passed, ${failed.length} failed`);
  for (const t of failed) say(`  failed: ${t.file} > ${t.name}`);
  if (unexpected.length)
    say(`skipped without the ${SIMULATOR_TAG} tag: ${unexpected.map((t) => t.fullName).join('; ')}`);
  const belowTarget = integration.length === 0 || onMoto.length < needed;
  if (belowTarget)
    say(
      `FAILED: only ${onMoto.length} of ${integration.length} integration tests (${percent}) run on moto; the target is at least ${MIN_PERCENT} % (${needed} of ${integration.length}). Make more of them portable: the call log (h.calls()) runs on both emulators; keep ${SIMULATOR_TAG} for the simulator's controls (test/README.md).`,
    );
  say(`demo: exit code ${demo}`);
  say(`pnpm test:moto took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  code =
    vitest !== 0 ||
    failed.length > 0 ||
    passed.length === 0 ||
    unexpected.length > 0 ||
    belowTarget ||
    demo !== 0
      ? 1
      : 0;
} catch (error) {
  process.stderr.write(`test:moto failed: ${error instanceof Error ? error.message : String(error)}\n`);
  if (motoLog) process.stderr.write(`last moto output:\n${motoLog}\n`);
} finally {
  stopMoto();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
