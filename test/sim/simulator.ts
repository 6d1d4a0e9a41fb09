import { type AlarmDefinition, type AlarmEvaluation, alarmHistory, type EvaluateOptions } from './alarms.ts';
import { CallLog, type CallRecord, type MutationListener } from './call-log.ts';
import { SimClock } from './clock.ts';
import { FaultRegistry } from './faults.ts';
import { IdGenerator } from './ids.ts';
import { DEFAULT_REGION, nonNegativeMs, type SimulatorOptions, type Timing, timingOf } from './options.ts';
import { SimServer } from './server.ts';
import { type SettableEndpointState, setEndpointState } from './services/ec2-endpoints.ts';
import {
  healthOverrideKey,
  type TargetHealthSetting,
  targetHealthOverride,
} from './services/elbv2-targets.ts';
import { createRegionState, type MetricDatum, type RegionState, type SqsMessage } from './state.ts';
import { RateLimiter } from './throttle.ts';

/** Static test credentials; the simulator reads the access key id but checks no signature. */
export const TEST_ACCESS_KEY_ID = 'AKIDSIMULATOR';
export const TEST_SECRET_ACCESS_KEY = 'simulator-secret';

/** What an AWS SDK v3 client needs to talk to the simulator. */
export interface SimClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** A running simulator: one account (123456789012), any region, on a loopback port. */
export class Simulator {
  readonly clock = new SimClock();
  readonly faults = new FaultRegistry();
  readonly region: string;
  private readonly log = new CallLog();
  private readonly states = new Map<string, RegionState>();
  private readonly server: SimServer;
  private readonly timing: Timing;
  /** The options as started, with `latencyMs` changed by {@link setLatency}; the server reads them on every call. */
  private readonly options: { -readonly [K in keyof SimulatorOptions]: SimulatorOptions[K] };

  private constructor(startOptions: SimulatorOptions) {
    const options = { ...startOptions };
    this.options = options;
    this.region = options.region ?? DEFAULT_REGION;
    const seed = options.idSeed ?? 1;
    this.timing = timingOf(options);
    this.server = new SimServer({
      options,
      region: this.region,
      timing: this.timing,
      clock: this.clock,
      ids: new IdGenerator(seed),
      // A separate sequence, so adding a call doesn't change the ids of resources.
      requestIds: new IdGenerator(seed + 1),
      log: this.log,
      faults: this.faults,
      limiter: new RateLimiter(options.rateLimits ?? {}, this.clock),
      stateFor: (region) => this.state(region),
      simulator: this,
    });
  }

  static async start(options: SimulatorOptions = {}): Promise<Simulator> {
    const simulator = new Simulator(options);
    await simulator.server.listen(options.port ?? 0);
    return simulator;
  }

  /** `http://127.0.0.1:<port>`, the value for `AWS_ENDPOINT_URL` or a client's `endpoint`. */
  get url(): string {
    return this.server.url;
  }

  /** Environment variables that point a child process's AWS SDK at the simulator. */
  get env(): Readonly<Record<string, string>> {
    return {
      AWS_ENDPOINT_URL: this.url,
      AWS_REGION: this.region,
      AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: TEST_SECRET_ACCESS_KEY,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  }

  /** Client config for the simulator; pass an access key id to call as another principal. */
  clientConfig(overrides: { readonly accessKeyId?: string; readonly region?: string } = {}): SimClientConfig {
    return {
      endpoint: this.url,
      region: overrides.region ?? this.region,
      credentials: {
        accessKeyId: overrides.accessKeyId ?? TEST_ACCESS_KEY_ID,
        secretAccessKey: TEST_SECRET_ACCESS_KEY,
      },
    };
  }

  /** Every request so far, in the order they were answered. */
  get calls(): readonly CallRecord[] {
    return this.log.calls;
  }

  resetCalls(): void {
    this.log.reset();
  }

  callCount(operation: string): number {
    return this.log.count(operation);
  }

  /** Called after every mutating call, successful or failed; returns an unsubscribe function. */
  onMutation(listener: MutationListener): () => void {
    return this.log.onMutation(listener);
  }

  /** The simulated account in a region, for tests to inspect or arrange directly. */
  state(region: string = this.region): RegionState {
    let state = this.states.get(region);
    if (!state) {
      state = createRegionState(region);
      this.states.set(region, state);
    }
    return state;
  }

  /**
   * Test-only: puts a VPC endpoint in a state the service provider or AWS drives, which no API
   * of the consumer's account can: `pendingAcceptance` (its interfaces are hidden until it is
   * accepted), `available` (accepts a `pendingAcceptance` endpoint, which is then `pending` for
   * `endpointPendingMs`; ends `partial`), `rejected`, `failed`, `expired` (final: the endpoint
   * loses its interfaces and can only be deleted) or `partial`. Throws for an unknown endpoint
   * and for one that is final, `deleting` or `deleted`.
   */
  setEndpointState(endpointId: string, state: SettableEndpointState, region: string = this.region): void {
    setEndpointState(this.state(region).ec2, endpointId, state, this.clock.now(), this.timing);
  }

  /**
   * Test-only: how far (simulated ms) `tag:GetResources` lags behind the resources' tags from
   * now on, as the `taggingLagMs` option sets it at start. The history it reads is kept from the
   * start, so turning the lag on after seeding hides changes made within the last `ms`.
   */
  setTaggingLag(ms: number): void {
    this.timing.taggingLagMs = nonNegativeMs('setTaggingLag', ms);
  }

  /**
   * Test-only: the real latency added to every answer from now on, as the `latencyMs` option sets it
   * at start (a number, or per service). A run that models latency itself (the virtual deployment
   * counts it in simulated time) turns it off after seeding.
   */
  setLatency(latencyMs: NonNullable<SimulatorOptions['latencyMs']>): void {
    if (typeof latencyMs === 'number') nonNegativeMs('setLatency', latencyMs);
    this.options.latencyMs = latencyMs;
  }

  /**
   * Test-only: the health a target's checks report (`unhealthy` with `Target.ResponseCodeMismatch`,
   * `Target.Timeout`, `Target.FailedHealthChecks` (the default) or `Elb.InternalError`;
   * `unavailable` with `Elb.InternalError` (the default) or `Target.HealthCheckDisabled`;
   * `healthy`), or undefined to clear it. `port` defaults to the group's. Draining and unused
   * (no load balancer, or the target's zone not enabled) still win, as in AWS. The setting is
   * dropped when the target finishes draining. Throws for an unknown group or a state/reason
   * pair the TargetHealth API reference does not list.
   */
  setTargetHealth(
    targetGroupArn: string,
    target: { readonly id: string; readonly port?: number },
    health: TargetHealthSetting | undefined,
    region: string = this.region,
  ): void {
    const { elbv2 } = this.state(region);
    const group = elbv2.targetGroups.get(targetGroupArn);
    if (!group) throw new Error(`setTargetHealth: no target group ${targetGroupArn} in ${region}`);
    const key = healthOverrideKey(group.arn, target.id, target.port ?? group.port);
    if (health === undefined) elbv2.healthOverrides.delete(key);
    else elbv2.healthOverrides.set(key, targetHealthOverride(health));
  }

  /** Every CloudWatch datum put so far, optionally narrowed to a namespace and metric name. */
  metricData(
    filter: { readonly namespace?: string; readonly metricName?: string; readonly region?: string } = {},
  ): MetricDatum[] {
    return this.state(filter.region).cloudwatch.datums.filter(
      (datum) =>
        (filter.namespace === undefined || datum.namespace === filter.namespace) &&
        (filter.metricName === undefined || datum.metricName === filter.metricName),
    );
  }

  /**
   * CloudWatch alarms (read with `alarmsFromTemplate` from a synthesised template) evaluated over the
   * data stored in `region`, every evaluation from `fromMs` (the alarms' creation) to `toMs` (default
   * now) in simulated time: each alarm's state changes (see alarms.ts and the README's "CloudWatch
   * alarms"). `alarmTimes` in alarms.ts answers "when did it first go to ALARM, then OK" for one alarm.
   */
  alarmHistory(
    alarms: readonly AlarmDefinition[],
    options: { readonly fromMs: number; readonly toMs?: number; readonly region?: string } & EvaluateOptions,
  ): AlarmEvaluation[] {
    const { fromMs, toMs = this.clock.now(), region, ...evaluateOptions } = options;
    return alarmHistory(this.state(region).cloudwatch.datums, alarms, fromMs, toMs, evaluateOptions);
  }

  /** Every message ever sent to a queue (by name), deleted ones included, oldest first. */
  sentMessages(queueName: string, region: string = this.region): readonly SqsMessage[] {
    return this.state(region).sqs.queues.get(queueName)?.messages ?? [];
  }

  async stop(): Promise<void> {
    await this.server.close();
  }
}
