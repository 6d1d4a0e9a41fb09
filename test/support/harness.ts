import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { type Simulator, startSimulator } from '../sim/index.ts';
import { Account, type ClientSettings } from './account.ts';
import { type Call, type CallLog, recorderCallLog, simulatorCallLog } from './call-log.ts';

export type { Call } from './call-log.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = 'functions/src/cli/main.ts';

/**
 * Set AWS_ENDPOINT_URL (with AWS_REGION and credentials) to run the suites against another emulator
 * or an account; otherwise each test gets a fresh in-process simulator.
 */
export const EXTERNAL_ENDPOINT = process.env.AWS_ENDPOINT_URL;
/**
 * An emulator's reset API (moto's `POST /moto-api/reset`), set by `pnpm test:moto` only: each
 * harness then starts from an empty account, as each gets a fresh simulator. Never set it for an
 * account.
 */
const EXTERNAL_RESET_URL = process.env.VTS_EXTERNAL_RESET_URL;
/**
 * An emulator's request recorder (moto's `/moto-api/recorder`), set by `pnpm test:moto` only: the
 * call log (`h.calls()`) reads it there. Never set it for an account.
 */
const EXTERNAL_RECORDER_URL = process.env.VTS_EXTERNAL_RECORDER_URL;

export interface Harness {
  /** Present when the tests run on the project's simulator (simulator-only controls live here). */
  readonly sim: Simulator | undefined;
  readonly env: Record<string, string>;
  readonly settings: ClientSettings;
  readonly account: Account;
  /**
   * Starts a fresh call log: every AWS call the emulator receives from now on, the test's own
   * included. Call it right before the product runs, and read `calls()` right after it (or keep
   * to the operations the test itself never makes).
   */
  resetCalls(): Promise<void>;
  /**
   * The AWS calls received since `resetCalls()`, in arrival order, as `{service, operation,
   * params}` (SigV4 service name, API operation, request parameters under their wire names): the
   * simulator's call log, or on moto its request recorder decoded the same way. Throws when
   * `resetCalls()` was not called first, or when the endpoint keeps no log (an account).
   */
  calls(): Promise<readonly Call[]>;
  stop(): Promise<void>;
}

export async function startHarness(options: Parameters<typeof startSimulator>[0] = {}): Promise<Harness> {
  if (EXTERNAL_ENDPOINT) {
    if (EXTERNAL_RESET_URL) {
      const reset = await fetch(EXTERNAL_RESET_URL, { method: 'POST' });
      if (!reset.ok) throw new Error(`resetting ${EXTERNAL_RESET_URL} answered HTTP ${reset.status}`);
    }
    const env = Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const log = await recorderCallLog(EXTERNAL_RECORDER_URL);
    return {
      sim: undefined,
      env,
      settings: {},
      account: new Account({}),
      ...calls(log),
      stop: () => log.stop(),
    };
  }
  const sim = await startSimulator(options);
  const settings = sim.clientConfig();
  return {
    sim,
    env: sim.env,
    settings,
    account: new Account(settings),
    ...calls(simulatorCallLog(sim)),
    stop: () => sim.stop(),
  };
}

/** `resetCalls` and `calls` over a log, refusing to read one that was never reset. */
function calls(log: CallLog): Pick<Harness, 'resetCalls' | 'calls'> {
  let started = false;
  return {
    async resetCalls() {
      await log.reset();
      started = true;
    },
    async calls() {
      if (!started)
        throw new Error('h.calls() before h.resetCalls(): reset the log right before the product runs');
      return log.read();
    },
  };
}

/**
 * The simulator behind a harness, for a test that needs its controls (clock, faults, endpoint
 * states, tagging lag, draining, quotas, latency). Such tests carry `[simulator]` in their name.
 * The call log is not one of them: `h.calls()` reads it on either emulator.
 */
export function requireSimulator(h: Harness): Simulator {
  if (!h.sim) throw new Error('this test needs the project simulator (its name says [simulator])');
  return h.sim;
}

/**
 * Waits until a new or changed endpoint is `available`: on the simulator by moving its clock past
 * `pendingMs` (the pending time the test configured), elsewhere by polling DescribeVpcEndpoints.
 */
export async function untilAvailable(h: Harness, endpointId: string, pendingMs: number): Promise<void> {
  if (h.sim) {
    h.sim.clock.advance(pendingMs);
    return;
  }
  const deadline = Date.now() + 300_000;
  for (;;) {
    const found = await h.account.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }));
    const state = found.VpcEndpoints?.[0]?.State;
    if (state?.toLowerCase() === 'available') return;
    if (Date.now() > deadline) throw new Error(`endpoint ${endpointId} is still ${state} after 300 s`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

/**
 * Waits until a deleted endpoint is done deleting (`deleted`, or no longer listed): on the simulator
 * by moving its clock past `pendingMs` (the `deleting` time the test configured), elsewhere by
 * polling DescribeVpcEndpoints.
 */
export async function untilDeleted(h: Harness, endpointId: string, pendingMs: number): Promise<void> {
  if (h.sim) {
    h.sim.clock.advance(pendingMs);
    return;
  }
  const deadline = Date.now() + 300_000;
  for (;;) {
    let state: string | undefined;
    try {
      const found = await h.account.ec2.send(
        new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }),
      );
      state = found.VpcEndpoints?.[0]?.State;
    } catch (error) {
      if ((error as { name?: string }).name === 'InvalidVpcEndpointId.NotFound') return;
      throw error;
    }
    if (state === undefined || state.toLowerCase() === 'deleted') return;
    if (Date.now() > deadline) throw new Error(`endpoint ${endpointId} is still ${state} after 300 s`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI in a child process, as an operator would, against the harness's endpoint. */
export function runCli(
  h: Harness,
  args: readonly string[],
  options: { stdin?: string; env?: Record<string, string>; unset?: readonly string[] } = {},
): Promise<CliResult> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...h.env,
    ...options.env,
  };
  for (const name of options.unset ?? []) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** The `--json` document, typed loosely for assertions. */
export interface JsonReport {
  sites: {
    targetGroupArn: string;
    targetGroupName: string;
    endpointId: string | null;
    policy: string | null;
    desired: { id: string; port: number }[];
    registered: { id: string; port: number; state: string }[];
    toRegister: { id: string; port: number }[];
    toDeregister: { id: string; port: number }[];
    status: string;
    message: string;
  }[];
  summary: Record<string, unknown>;
}

export function site(report: JsonReport, arn: string): JsonReport['sites'][number] {
  const found = report.sites.find((s) => s.targetGroupArn === arn);
  if (!found)
    throw new Error(
      `no site ${arn} in the report: ${JSON.stringify(report.sites.map((s) => s.targetGroupArn))}`,
    );
  return found;
}
