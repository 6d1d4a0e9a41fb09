import type { FaultKind } from './faults.ts';
import type { ServiceName } from './options.ts';
import type { Params } from './protocols/protocol.ts';

/** One request as the simulator saw and answered it. */
export interface CallRecord {
  /** Arrival order, from 1. */
  readonly seq: number;
  /** Simulated time of arrival, ms since the epoch. */
  readonly at: number;
  readonly service: ServiceName | 'unknown';
  readonly region: string;
  readonly operation: string;
  /** Decoded request params under the API's wire names. */
  readonly params: Params;
  /** HTTP status answered; 0 when the connection was reset instead. */
  readonly status: number;
  readonly errorCode?: string | undefined;
  readonly principal: string;
  readonly requestId: string;
  /** Injected faults that applied to this call, in the order they ran. */
  readonly faults: readonly FaultKind[];
  /** True when a rate limit or a `throttle` fault turned the call away. */
  readonly throttled: boolean;
}

/**
 * What a mutating call did, successful or not: the raw material for CloudTrail-shaped events
 * (`eventName`, `requestParameters`, `responseElements`, `errorCode`, `userIdentity`).
 */
export interface MutationEvent {
  /** The call's `seq` in the call log. */
  readonly seq: number;
  readonly service: ServiceName;
  readonly region: string;
  readonly operation: string;
  readonly params: Params;
  readonly principal: string;
  readonly requestId: string;
  readonly at: number;
  /** The result as returned, e.g. `{ vpcEndpoint: { vpcEndpointId, … } }`; absent on failure. */
  readonly response?: object | undefined;
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

export type MutationListener = (event: MutationEvent) => void;

// CloudTrail's management write events for the APIs simulated here all start with one of these.
const MUTATING = /^(Create|Modify|Delete|Add|Remove|Register|Deregister|Put|Send|Set|Purge)/;

export function isMutating(operation: string): boolean {
  return MUTATING.test(operation);
}

export class CallLog {
  private readonly records: CallRecord[] = [];
  private readonly listeners = new Set<MutationListener>();
  private arrivals = 0;

  get calls(): readonly CallRecord[] {
    return this.records;
  }

  nextSeq(): number {
    this.arrivals += 1;
    return this.arrivals;
  }

  add(record: CallRecord): void {
    this.records.push(record);
  }

  reset(): void {
    this.records.length = 0;
  }

  count(operation: string): number {
    return this.records.filter((record) => record.operation === operation).length;
  }

  onMutation(listener: MutationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: MutationEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A broken listener is a bug in the test that registered it; it must not turn into an
        // AWS error for the client, which would hide the bug behind retries.
        console.error('simulator onMutation listener failed', error);
      }
    }
  }
}
