import type { SimClock } from '../clock.ts';
import type { IdGenerator } from '../ids.ts';
import type { Timing } from '../options.ts';
import type { Params } from '../protocols/protocol.ts';
import type { RegionState } from '../state.ts';

/** What an operation may use: the caller's region state, identity, time and id source. */
export interface ServiceContext {
  readonly state: RegionState;
  readonly region: string;
  readonly accountId: string;
  readonly principal: string;
  readonly clock: SimClock;
  readonly ids: IdGenerator;
  readonly timing: Timing;
  /** The simulator's own URL, which SQS puts in queue URLs. */
  readonly baseUrl: string;
}

/**
 * An AWS operation on the simulator state: wire-named params in, a plain result object out
 * (named as the API's response members), or a thrown AwsError.
 */
export type Operation = (params: Params, ctx: ServiceContext) => object | Promise<object>;

export type Operations = Readonly<Record<string, Operation>>;
