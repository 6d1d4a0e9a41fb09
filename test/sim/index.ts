/**
 * The local AWS simulator: a loopback HTTP server that unmodified AWS SDK v3 clients reach
 * through `AWS_ENDPOINT_URL` or a client's `endpoint`, speaking each API's real wire protocol.
 */

import type { SimulatorOptions } from './options.ts';
import { Simulator } from './simulator.ts';

/** Starts a simulator on 127.0.0.1 (a random free port unless `options.port` is set). */
export function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return Simulator.start(options);
}

export * from './alarms.ts';
export type { AwsError } from './aws-error.ts';
export type { CallRecord, MutationEvent, MutationListener } from './call-log.ts';
export type { SimClock } from './clock.ts';
export type { Fault, FaultKind, FaultRegistry, FaultRule } from './faults.ts';
export { ACCOUNT_ID, type ServiceName, type SimulatorOptions } from './options.ts';
export type { Params } from './protocols/protocol.ts';
export type { SimClientConfig, Simulator } from './simulator.ts';
export { TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY } from './simulator.ts';
export type * from './state.ts';
export type { RateLimit } from './throttle.ts';
