import type { ServiceName } from './options.ts';
import type { Params } from './protocols/protocol.ts';
import type { Simulator } from './simulator.ts';

export type Fault =
  /** Answer with this AWS error, in the service's own error envelope. */
  | { readonly kind: 'error'; readonly code: string; readonly status?: number; readonly message?: string }
  /** Answer with the service's real throttling error. */
  | { readonly kind: 'throttle' }
  /** Destroy the connection without answering. */
  | { readonly kind: 'reset' }
  /** Answer normally, `ms` real milliseconds late. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Run a hook before the call is handled, e.g. to change state between two calls of a client. */
  | { readonly kind: 'before'; readonly run: (sim: Simulator) => void | Promise<void> }
  /**
   * Fail a page after the first of a paginated call (one carrying NextToken, Marker or
   * PaginationToken). Defaults to the service's internal error (HTTP 500).
   */
  | {
      readonly kind: 'drop-page';
      readonly code?: string;
      readonly status?: number;
      readonly message?: string;
    };

export type FaultKind = Fault['kind'];

export interface FaultRule {
  readonly operation: string;
  /** Restricts the rule to one service when operation names could clash. */
  readonly service?: ServiceName;
  readonly match?: (params: Params) => boolean;
  /** How many calls the rule applies to. @default 1 (Infinity allowed) */
  readonly times?: number;
  readonly fault: Fault;
}

// These decide the response; hooks and delays only come before it.
const DECIDING: ReadonlySet<FaultKind> = new Set(['error', 'throttle', 'reset', 'drop-page']);

/** Faults injected per test, consumed by the calls they match, in the order they were added. */
export class FaultRegistry {
  private rules: { readonly rule: FaultRule; remaining: number }[] = [];

  add(rule: FaultRule): void {
    const times = rule.times ?? 1;
    if (!(times > 0)) throw new RangeError(`fault times must be positive, got ${times}`);
    this.rules.push({ rule, remaining: times });
  }

  clear(): void {
    this.rules = [];
  }

  /**
   * The faults that apply to a call, each consuming one of its uses: every matching hook and
   * delay, up to and including the first fault that decides the response.
   */
  take(service: ServiceName, operation: string, params: Params, laterPage: boolean): Fault[] {
    const taken: Fault[] = [];
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.operation !== operation || (rule.service !== undefined && rule.service !== service)) continue;
      if (rule.fault.kind === 'drop-page' && !laterPage) continue;
      if (rule.match && !rule.match(params)) continue;
      entry.remaining -= 1;
      taken.push(rule.fault);
      if (DECIDING.has(rule.fault.kind)) break;
    }
    this.rules = this.rules.filter((entry) => entry.remaining > 0);
    return taken;
  }
}
