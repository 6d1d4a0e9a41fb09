/**
 * A virtual deployment: the product's real Lambda handler run as Lambda, EventBridge and SQS would
 * run it, against the project simulator, in simulated time.
 *
 * - The schedule rule invokes the scheduled path every `scheduleMs` (from the synthesised template),
 *   on the interval's boundaries.
 * - The SQS event source delivers the events queue's visible messages in batches of up to
 *   `batchSize`, after the batching window (or at once when a full batch is visible), only when the
 *   function is free: reserved concurrency 1 means one invocation at a time, and a scheduled
 *   invocation that comes due while the function is busy runs as soon as it is free. Messages an
 *   invocation reports in `batchItemFailures` (all of them when it throws or times out) become
 *   visible again after the queue's visibility timeout; past `maxReceiveCount` receives they go to
 *   the dead-letter queue.
 * - Each invocation's simulated duration is what the client-side rate limits and the simulator's
 *   AWS-like buckets allow for the calls it makes, computed live from the simulator's call log
 *   (CallTiming): each call waits in simulated time for a token of its family's client-side bucket
 *   (the product's configured rates) and of the AWS-like buckets it draws from (the bench's figures),
 *   from when it was sent, and completes a latency later. So `context.getRemainingTimeInMillis()`
 *   (the function timeout minus that) reaches the product's deadline margin at the same point of a
 *   run on any machine (given the same order of calls). Nothing waits in real time: the product's client-side token buckets are
 *   turned off (their waits are what is modelled). `timing: 'bound'` uses the bench's rate bound
 *   over the calls made so far instead (test/bench/bound.ts), which lets every family overlap.
 * - Simulated time is one clock: the simulator's `clock` and the process's `Date` (the product's tick
 *   number and metric timestamps) both read it. Between invocations it jumps to the next event;
 *   during one it is the invocation's start plus its duration so far.
 *
 * One deployment per process at a time (it replaces the global `Date`).
 */
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type ApiFamily, parseRateLimits, type RateLimit, TokenBucket } from '@vpce-target-sync/functions';
import { ENV } from '@vpce-target-sync/shared';
import type { Context, ScheduledEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { type Bound, rateBound } from '../bench/bound.ts';
import { DEFAULT_LATENCY_MS, OPERATION_FAMILY, SIM_BUCKETS } from '../bench/settings.ts';
import {
  ACCOUNT_ID,
  type CallRecord,
  type RateLimit as SimBucket,
  type SimClientConfig,
  type Simulator,
} from '../sim/index.ts';
import { type DeployedSettings, deployedSettings } from './reconciler-template.ts';

/** The deployed function's entry point (functions/src/handlers/index.ts `handler`). */
export type LambdaHandler = (event: ScheduledEvent | SQSEvent, context: Context) => Promise<unknown>;

/** A cold start: the function's code loaded with this environment. */
export type HandlerLoader = (
  environment: Readonly<Record<string, string>>,
  clientConfig: SimClientConfig,
) => Promise<LambdaHandler>;

const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/vpce-target-sync-virtual`;

export interface DeploymentOptions {
  readonly sim: Simulator;
  /** The synthesised Reconciler template (see reconciler-template.ts). */
  readonly template: Record<string, unknown>;
  /** Loads the handler (a cold start). Default: {@link loadHandler}. */
  readonly loadHandler?: HandlerLoader;
  /** Environment over the template's (e.g. `LOG_LEVEL`). Default: `LOG_LEVEL=silent`. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Modelled latency of each call, ms. Default the bench's 20. */
  readonly latencyMs?: number;
  /** The AWS-side buckets modelled. Default the bench's (AWS's documented figures). */
  readonly simBuckets?: Readonly<Record<string, SimBucket>>;
  /**
   * How an invocation's simulated duration follows from its calls. `buckets` (default): each call
   * waits in simulated time for a token of its family's client-side bucket and of the AWS-like
   * buckets it draws from, from when it was sent, and completes a latency later (see CallTiming).
   * `bound`: the bench's rate bound over the calls made so far (test/bench/bound.ts), which lets
   * every family overlap the others and so undercounts a run whose writes follow its reads.
   */
  readonly timing?: 'buckets' | 'bound';
  /** Queue names in the simulator. */
  readonly queueName?: string;
  readonly deadLetterQueueName?: string;
}

/** A full pass: every site of a fleet looked at once, from a given time. */
export interface FullPass {
  readonly fromMs: number;
  /** The end of the invocation that looked at the last site. */
  readonly endMs: number;
  readonly periodMs: number;
  /** The function's calls in the invocations that started in the pass. */
  readonly calls: Readonly<Record<string, number>>;
  readonly invocations: number;
}

/** What the function used in a window: the inputs of its cost. */
export interface Usage {
  readonly windowMs: number;
  readonly invocations: number;
  readonly durationMs: number;
  readonly putMetricData: number;
  /** Distinct custom metrics (namespace, name, dimensions) that received data. */
  readonly metrics: number;
}

/** One invocation of the function. */
export interface Invocation {
  readonly seq: number;
  readonly kind: 'scheduled' | 'sqs';
  readonly requestId: string;
  /** Simulated ms. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly durationMs: number;
  /** The rate bound of its calls (its duration with `timing: 'bound'`, a lower bound of it otherwise). */
  readonly bound: Bound;
  /** Its duration passed the function timeout: Lambda would have stopped it. */
  readonly timedOut: boolean;
  /** The function's AWS calls by operation. */
  readonly calls: Readonly<Record<string, number>>;
  /** Calls the simulator's buckets turned away (the bound should leave none). */
  readonly throttled: number;
  /**
   * Real time the invocation spent with no AWS call answered, past a grace period, counted into its
   * simulated duration (see StallMeter): only something waiting in real time causes it, such as the
   * SDK's adaptive retry after a throttle. 0 when the model holds.
   */
  readonly stalledMs: number;
  readonly messages: number;
  readonly failedMessages: number;
  readonly result: unknown;
  readonly error: string | undefined;
}

/** Simulated time: the next event's between invocations, the running invocation's start plus its duration so far during one. */
class VirtualClock {
  private current: number;
  running: { readonly startedAt: number; readonly used: () => number } | undefined;

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.running ? this.running.startedAt + this.running.used() : this.current;
  }

  set(ms: number): void {
    if (this.running) throw new Error('the clock cannot be set while an invocation runs');
    if (ms < this.current) throw new Error(`simulated time never goes back (${ms} < ${this.current})`);
    this.current = ms;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance needs a non-negative number of ms, got ${ms}`);
    this.set(this.current + ms);
  }
}

/** Replaces the global Date so that `Date.now()` and `new Date()` read `now`; returns the undo. */
function installDate(now: () => number): () => void {
  const RealDate = globalThis.Date;
  class VirtualDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(now());
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return now();
    }
  }
  globalThis.Date = VirtualDate as DateConstructor;
  return () => {
    globalThis.Date = RealDate;
  };
}

/**
 * Turns the product's client-side token buckets off: their waits would be real time, and the bound
 * already counts them in simulated time. Returns the undo.
 */
export function disableClientBuckets(bucket: typeof TokenBucket): () => void {
  const own = Object.getOwnPropertyDescriptor(bucket.prototype, 'take');
  bucket.prototype.take = () => Promise.resolve();
  return () => {
    if (own) Object.defineProperty(bucket.prototype, 'take', own);
  };
}

/** The handlers module's factory: a handler with its own configuration, clients and warm state. */
type CreateHandler = (options: {
  readonly env: NodeJS.ProcessEnv;
  readonly clientConfig: SimClientConfig;
}) => LambdaHandler;

/**
 * The default cold start. With the handlers module's `createHandler`, a handler of its own (its
 * configuration read from `environment`, its clients pointed at the simulator, its own warm state),
 * so a process can hold one deployment after another. Without it, as Lambda's runtime does: the
 * environment goes into `process.env` and the module is imported; a module is evaluated once per
 * process (under vitest, `vi.resetModules()` before a second deployment), so a second load with
 * another environment throws rather than run stale configuration.
 */
let loadedWith: string | undefined;
export async function loadHandler(
  environment: Readonly<Record<string, string>>,
  clientConfig: SimClientConfig,
): Promise<LambdaHandler> {
  const functions = await import('@vpce-target-sync/functions');
  undoBuckets.push(disableClientBuckets(functions.TokenBucket));
  const handlers = (await import('@vpce-target-sync/functions/handlers')) as unknown as {
    handler: LambdaHandler;
    createHandler?: CreateHandler;
  };
  if (typeof handlers.createHandler === 'function') {
    return handlers.createHandler({ env: { ...environment }, clientConfig });
  }
  const fresh = functions.TokenBucket !== TokenBucket || loadedWith === undefined;
  const key = JSON.stringify(environment);
  if (!fresh && loadedWith !== key) {
    throw new Error(
      'the handlers module was already loaded with another environment in this process: reset the module registry (vi.resetModules()) before a second deployment',
    );
  }
  loadedWith = key;
  Object.assign(process.env, environment);
  return handlers.handler;
}
const undoBuckets: (() => void)[] = [];

/**
 * Counts the calls in the simulator's log from a given point, incrementally. While an invocation
 * runs nothing else calls the simulator (the event source polls between invocations and the test's
 * own changes happen between runs), so these are the function's calls.
 */
class CallCounter {
  readonly counts: Record<string, number> = {};
  throttled = 0;
  /** Calls seen so far. */
  seen = 0;
  private next: number;

  constructor(
    private readonly sim: Simulator,
    private readonly onCall: (call: CallRecord) => void,
  ) {
    this.next = sim.calls.length;
  }

  update(): void {
    const calls = this.sim.calls;
    for (; this.next < calls.length; this.next++) {
      const call = calls[this.next];
      if (!call) continue;
      this.seen += 1;
      this.counts[call.operation] = (this.counts[call.operation] ?? 0) + 1;
      if (call.throttled) this.throttled += 1;
      this.onCall(call);
    }
  }
}

/**
 * One rate limit in simulated time, as a virtual scheduler (GCRA): a call sent at `at` starts once
 * the bucket has a token, and takes it. State is kept across invocations: the bucket refills while
 * the function is idle, as a warm function's client-side buckets and AWS's buckets do.
 */
class VirtualBucket {
  private readonly intervalMs: number;
  private readonly burstMs: number;
  private tat = Number.NEGATIVE_INFINITY;

  constructor(ratePerSecond: number, burst: number) {
    this.intervalMs = 1000 / ratePerSecond;
    this.burstMs = (Math.max(1, burst) - 1) * this.intervalMs;
  }

  /** When a call sent at `at` may start; the token is taken. */
  take(at: number): number {
    const start = Math.max(at, this.tat - this.burstMs);
    this.tat = Math.max(this.tat, start) + this.intervalMs;
    return start;
  }

  /** When a call sent at `at` could start, without taking a token. */
  peek(at: number): number {
    return Math.max(at, this.tat - this.burstMs);
  }
}

/** `elasticloadbalancing:Describe*`, `tagging:GetResources`, `RegisterTargets`: as the simulator matches its bucket keys. */
function bucketMatcher(key: string): (service: string, operation: string) => boolean {
  const separator = key.indexOf(':');
  const scope = separator >= 0 ? key.slice(0, separator) : undefined;
  const pattern = separator >= 0 ? key.slice(separator + 1) : key;
  const matches = pattern.endsWith('*')
    ? (operation: string) => operation.startsWith(pattern.slice(0, -1))
    : (operation: string) => operation === pattern;
  return (service, operation) => (scope === undefined || scope === service) && matches(operation);
}

/**
 * Simulated time of an invocation's calls, call by call: a call is sent at the simulated time it
 * reached the simulator (the invocation's time then: the latest completion of the calls answered
 * before it), starts when its family's client-side bucket (the product's configured rates, which
 * the product waits for) and every AWS-like bucket it draws from have a token, and completes
 * `latencyMs` later. Phases that follow one another (listing, then reads, then writes) take their
 * own time, as they would in Lambda; calls in flight together share their wait. The invocation's
 * duration is its last completion.
 */
class CallTiming {
  private readonly client = new Map<ApiFamily, VirtualBucket>();
  private readonly aws: {
    readonly matches: (service: string, operation: string) => boolean;
    readonly bucket: VirtualBucket;
  }[];
  latest = 0;

  constructor(
    rates: Readonly<Record<ApiFamily, RateLimit>>,
    simBuckets: Readonly<Record<string, SimBucket>>,
    private readonly latencyMs: number,
  ) {
    for (const [family, limit] of Object.entries(rates)) {
      this.client.set(family as ApiFamily, new VirtualBucket(limit.ratePerSecond, limit.burst));
    }
    this.aws = Object.entries(simBuckets).map(([key, limit]) => ({
      matches: bucketMatcher(key),
      bucket: new VirtualBucket(limit.refillPerSecond, limit.capacity),
    }));
  }

  begin(at: number): void {
    this.latest = at;
  }

  call(record: Pick<CallRecord, 'service' | 'operation' | 'at'>): void {
    const family = OPERATION_FAMILY[record.operation];
    const client = family ? this.client.get(family) : undefined;
    const aws = this.aws.filter((b) => b.matches(record.service, record.operation));
    // The client's bucket first (the product waits for it), then AWS's, which all must have a token.
    let start = client ? client.take(record.at) : record.at;
    start = Math.max(start, ...aws.map((b) => b.bucket.peek(start)));
    for (const b of aws) b.bucket.take(start);
    this.latest = Math.max(this.latest, start + this.latencyMs);
  }
}

/**
 * Simulated time normally moves only with the calls an invocation makes. Something that waits in
 * real time for simulated time to pass (the SDK's adaptive retry rate limiter after a throttle reads
 * Date.now() in a loop) would then wait forever. So once no call has been answered for
 * `GRACE_MS` of real time, simulated time moves with real time until one is: the wait is counted
 * (a throttled client does wait), the invocation reports it as `stalledMs`, and nothing hangs.
 */
const GRACE_MS = 5000;
class StallMeter {
  private total = 0;
  private lastSeen: number;
  private lastProgress = performance.now();

  constructor(private readonly seen: () => number) {
    this.lastSeen = seen();
  }

  ms(): number {
    const now = performance.now();
    const seen = this.seen();
    if (seen !== this.lastSeen) {
      this.total += this.current(now);
      this.lastSeen = seen;
      this.lastProgress = now;
    }
    return this.total + this.current(now);
  }

  private current(now: number): number {
    return Math.max(0, now - this.lastProgress - GRACE_MS);
  }
}

export class VirtualDeployment {
  readonly settings: DeployedSettings;
  readonly environment: Readonly<Record<string, string>>;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** Every invocation so far, oldest first. */
  readonly invocations: Invocation[] = [];
  /** Simulated start: the alarms' creation. */
  readonly startedAt: number;
  /** Target group ARN -> the simulated times of its DescribeTargetHealth calls (each a look at the site). */
  readonly checks = new Map<string, number[]>();
  private readonly clock: VirtualClock;
  private readonly rates: Readonly<Record<ApiFamily, RateLimit>>;
  private readonly latencyMs: number;
  private readonly simBuckets: Readonly<Record<string, SimBucket>>;
  private readonly timingMode: 'buckets' | 'bound';
  private readonly timing: CallTiming;
  private readonly poller: SQSClient;
  private readonly undo: (() => void)[] = [];
  private handler: LambdaHandler | undefined;
  private nextTickAt: number;
  private schedulePaused = false;
  private broken: string | undefined;
  private seq = 0;
  private readonly queueName: string;

  private constructor(
    private readonly sim: Simulator,
    settings: DeployedSettings,
    environment: Record<string, string>,
    urls: { queueUrl: string; deadLetterQueueUrl: string },
    options: DeploymentOptions,
  ) {
    this.settings = settings;
    this.environment = environment;
    this.queueUrl = urls.queueUrl;
    this.deadLetterQueueUrl = urls.deadLetterQueueUrl;
    this.queueName = options.queueName ?? 'vpce-target-sync-events';
    this.latencyMs = options.latencyMs ?? DEFAULT_LATENCY_MS;
    this.simBuckets = options.simBuckets ?? SIM_BUCKETS;
    const rates = parseRateLimits(environment[ENV.rateLimits], ENV.rateLimits);
    if (!rates.ok) throw new Error(rates.error);
    this.rates = rates.value;
    this.timingMode = options.timing ?? 'buckets';
    this.timing = new CallTiming(this.rates, this.simBuckets, this.latencyMs);
    this.poller = new SQSClient(sim.clientConfig());
    this.startedAt = sim.clock.now();
    this.clock = new VirtualClock(this.startedAt);
    this.nextTickAt = this.boundaryAfter(this.startedAt);
  }

  /**
   * Deploys onto `sim`: creates the events queue and its dead-letter queue as the template sets
   * them, takes over the simulator's clock and the process's Date, and cold-starts the function.
   * Simulated time continues from the simulator's clock.
   */
  static async start(options: DeploymentOptions): Promise<VirtualDeployment> {
    const { sim } = options;
    const settings = deployedSettings(options.template);
    const sqs = new SQSClient(sim.clientConfig());
    const queueName = options.queueName ?? 'vpce-target-sync-events';
    const dlqName = options.deadLetterQueueName ?? 'vpce-target-sync-dead-letters';
    const deadLetterQueueUrl =
      (await sqs.send(new CreateQueueCommand({ QueueName: dlqName }))).QueueUrl ?? '';
    const queueUrl =
      (
        await sqs.send(
          new CreateQueueCommand({
            QueueName: queueName,
            Attributes: { VisibilityTimeout: String(settings.visibilityTimeoutSeconds) },
          }),
        )
      ).QueueUrl ?? '';
    sqs.destroy();
    const resolve = (ref: string): string => {
      if (ref === settings.eventQueueId) return queueUrl;
      if (ref === settings.deadLetterQueueId) return deadLetterQueueUrl;
      if (ref === settings.roleId) return ROLE_ARN;
      throw new Error(
        `the function's environment refers to ${ref}, which the virtual deployment does not model`,
      );
    };
    const environment: Record<string, string> = {
      ...sim.env,
      ...Object.fromEntries(
        Object.entries(settings.environment).map(([k, v]) => [k, typeof v === 'string' ? v : resolve(v.ref)]),
      ),
      [ENV.logLevel]: 'silent',
      ...options.environment,
    };
    const deployment = new VirtualDeployment(
      sim,
      settings,
      environment,
      { queueUrl, deadLetterQueueUrl },
      options,
    );
    deployment.takeOverTime();
    try {
      deployment.handler = await (options.loadHandler ?? loadHandler)(environment, sim.clientConfig());
    } catch (error) {
      deployment.stop();
      throw error;
    }
    return deployment;
  }

  private takeOverTime(): void {
    const clock = this.clock;
    const simClock = this.sim.clock;
    simClock.now = () => clock.now();
    simClock.advance = (ms: number) => clock.advance(ms);
    const restoreDate = installDate(() => clock.now());
    this.undo.push(() => {
      restoreDate();
      // Back to real time plus an offset, continuing from the simulated time reached.
      delete (simClock as { now?: unknown }).now;
      delete (simClock as { advance?: unknown }).advance;
      const behind = clock.now() - simClock.now();
      if (behind > 0) simClock.advance(behind);
    });
  }

  /** Simulated now, ms. */
  now(): number {
    return this.clock.now();
  }

  /** Moves simulated time on without running anything (e.g. a test's own change between runs). */
  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /**
   * Every invocation fails at once with `message` (as a function whose init throws, or whose role
   * lost its permissions, would) until {@link repairFunction}: nothing is called or published, and
   * the batch's messages come back after the visibility timeout.
   */
  breakFunction(message = 'the function is broken'): void {
    this.broken = message;
  }

  repairFunction(): void {
    this.broken = undefined;
  }

  /** Disables the schedule rule: no scheduled invocation until {@link resumeSchedule}. */
  pauseSchedule(): void {
    this.schedulePaused = true;
  }

  /** Enables the schedule rule again: the next tick is on the next interval boundary. */
  resumeSchedule(): void {
    this.schedulePaused = false;
    this.nextTickAt = this.boundaryAfter(this.now());
  }

  private boundaryAfter(ms: number): number {
    const interval = this.settings.scheduleMs;
    return Math.floor(ms / interval) * interval + interval;
  }

  /**
   * Runs everything due up to simulated time `untilMs` (invocations started before it run to their
   * end), then leaves the clock at `untilMs` or at the end of the last invocation, whichever is later.
   * With `stop`, checks it every `stepMs` of simulated time and returns early once it holds.
   */
  async runUntil(
    untilMs: number,
    options: { readonly stop?: () => boolean; readonly stepMs?: number } = {},
  ): Promise<void> {
    const step = options.stepMs ?? 60_000;
    if (!options.stop) return this.runTo(untilMs);
    while (this.now() < untilMs) {
      await this.runTo(Math.min(untilMs, this.now() + step));
      if (options.stop()) return;
    }
  }

  /** {@link runUntil} for a duration from now. */
  runFor(
    ms: number,
    options: { readonly stop?: () => boolean; readonly stepMs?: number } = {},
  ): Promise<void> {
    return this.runUntil(this.now() + ms, options);
  }

  private async runTo(untilMs: number): Promise<void> {
    for (;;) {
      const now = this.now();
      const tickAt = this.schedulePaused ? Number.POSITIVE_INFINITY : this.nextTickAt;
      const batchAt = this.nextBatchAt(now);
      const next = Math.min(tickAt, batchAt);
      if (next > untilMs) {
        if (untilMs > now) this.clock.set(untilMs);
        return;
      }
      if (next > now) this.clock.set(next);
      if (tickAt <= batchAt) {
        const scheduledFor = this.nextTickAt;
        // A tick that came due while the function was busy runs once it is free; ticks it missed
        // entirely (a busy period longer than the interval) are one invocation, as EventBridge's
        // retries of a throttled function are.
        const interval = this.settings.scheduleMs;
        let next = scheduledFor + interval;
        while (next + interval <= this.now()) next += interval;
        this.nextTickAt = next;
        await this.invokeScheduled(scheduledFor);
      } else {
        await this.invokeBatch();
      }
    }
  }

  /** When the event source would next invoke the function with a batch, as seen at `now`. */
  private nextBatchAt(now: number): number {
    const queue = this.sim.state().sqs.queues.get(this.queueName);
    if (!queue) return Number.POSITIVE_INFINITY;
    const visibleFrom = queue.messages
      .filter((m) => !m.deleted)
      .map((m) => Math.max(m.availableAt, m.invisibleUntil))
      .sort((a, b) => a - b);
    const first = visibleFrom[0];
    if (first === undefined) return Number.POSITIVE_INFINITY;
    const gatherFrom = Math.max(now, first);
    const full = visibleFrom[this.settings.batchSize - 1];
    const fullAt = full === undefined ? Number.POSITIVE_INFINITY : Math.max(now, full);
    return Math.min(fullAt, gatherFrom + this.settings.batchingWindowMs);
  }

  private async invokeScheduled(scheduledFor: number): Promise<void> {
    const event = {
      version: '0',
      id: `virtual-tick-${scheduledFor}`,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: ACCOUNT_ID,
      time: new Date(scheduledFor).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.sim.region,
      resources: [`arn:aws:events:${this.sim.region}:${ACCOUNT_ID}:rule/vpce-target-sync-schedule`],
      detail: {},
    } as unknown as ScheduledEvent;
    await this.invoke('scheduled', event, []);
  }

  /** The most messages the events queue held (not yet deleted) when a batch was taken. */
  maxQueued = 0;

  private async invokeBatch(): Promise<void> {
    this.maxQueued = Math.max(this.maxQueued, this.queued());
    const received = await this.poller.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: this.settings.batchSize,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) throw new Error('the event source found no visible message where one was due');
    const queueArn = `arn:aws:sqs:${this.sim.region}:${ACCOUNT_ID}:${this.queueName}`;
    const records: SQSRecord[] = messages.map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? '0',
        SenderId: m.Attributes?.SenderId ?? '',
        ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? '0',
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: this.sim.region,
    }));
    await this.invoke('sqs', { Records: records }, messages);
  }

  private async invoke(kind: Invocation['kind'], event: ScheduledEvent | SQSEvent, messages: Message[]) {
    const handler = this.handler;
    if (!handler) throw new Error('the deployment has stopped');
    const seq = ++this.seq;
    const startedAt = this.now();
    const timing = this.timing;
    timing.begin(startedAt);
    const counter = new CallCounter(this.sim, (call) => {
      timing.call(call);
      if (call.operation !== 'DescribeTargetHealth') return;
      const arn = (call.params as Record<string, unknown>).TargetGroupArn;
      if (typeof arn !== 'string') return;
      const seen = this.checks.get(arn);
      if (seen) seen.push(call.at);
      else this.checks.set(arn, [call.at]);
    });
    const bound = (): Bound => {
      counter.update();
      return rateBound(counter.counts, this.rates, this.simBuckets, this.latencyMs, kind === 'scheduled');
    };
    const modelled = (): number => {
      if (this.timingMode === 'bound') return bound().ms;
      counter.update();
      return timing.latest - startedAt;
    };
    const stall = new StallMeter(() => counter.seen);
    const used = () => modelled() + stall.ms();
    this.clock.running = { startedAt, used };
    const timeoutMs = this.settings.timeoutMs;
    const requestId = `virtual-${seq}`;
    const context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: 'vpce-target-sync-virtual',
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${this.sim.region}:${ACCOUNT_ID}:function:vpce-target-sync-virtual`,
      memoryLimitInMB: String(this.settings.memoryMb),
      awsRequestId: requestId,
      logGroupName: '/aws/lambda/vpce-target-sync-virtual',
      logStreamName: 'virtual',
      getRemainingTimeInMillis: () => Math.max(0, timeoutMs - used()),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    } as Context;
    let result: unknown;
    let error: string | undefined;
    try {
      if (this.broken !== undefined) throw new Error(this.broken);
      result = await handler(event, context);
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    const final = bound();
    const stalledMs = stall.ms();
    const durationMs = modelled() + stalledMs;
    this.clock.running = undefined;
    this.clock.set(startedAt + durationMs);
    const timedOut = durationMs > timeoutMs;
    const failedIds = new Set(
      error || timedOut
        ? messages.map((m) => m.MessageId ?? '')
        : (
            (result as { batchItemFailures?: { itemIdentifier: string }[] } | undefined)?.batchItemFailures ??
            []
          ).map((f) => f.itemIdentifier),
    );
    await this.settleMessages(messages, failedIds);
    const invocation: Invocation = {
      seq,
      kind,
      requestId,
      startedAt,
      endedAt: startedAt + durationMs,
      durationMs,
      bound: final,
      stalledMs,
      timedOut,
      calls: { ...counter.counts },
      throttled: counter.throttled,
      messages: messages.length,
      failedMessages: failedIds.size,
      result,
      error,
    };
    this.invocations.push(invocation);
    // The call log would grow without end over hours of simulated time; what is needed of it is kept above.
    this.sim.resetCalls();
  }

  /** Deletes the batch's successes; a failure past maxReceiveCount goes to the dead-letter queue. */
  private async settleMessages(messages: readonly Message[], failed: ReadonlySet<string>): Promise<void> {
    for (const m of messages) {
      const receives = Number(m.Attributes?.ApproximateReceiveCount ?? '1');
      if (failed.has(m.MessageId ?? '') && receives < this.settings.maxReceiveCount) continue;
      if (failed.has(m.MessageId ?? '')) {
        await this.poller.send(
          new SendMessageCommand({ QueueUrl: this.deadLetterQueueUrl, MessageBody: m.Body ?? '' }),
        );
      }
      await this.poller.send(
        new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: m.ReceiptHandle }),
      );
    }
  }

  /** Messages in the dead-letter queue. */
  deadLetters(): number {
    return this.sim.sentMessages(this.deadLetterQueueUrl.split('/').at(-1) ?? '').filter((m) => !m.deleted)
      .length;
  }

  /** Messages in the events queue not yet deleted (visible or not). */
  queued(): number {
    return this.sim.sentMessages(this.queueName).filter((m) => !m.deleted).length;
  }

  /** The first look (DescribeTargetHealth) at a site at or after `afterMs`, simulated ms. */
  firstCheck(targetGroupArn: string, afterMs: number): number | undefined {
    return this.checks.get(targetGroupArn)?.find((at) => at >= afterMs);
  }

  /**
   * A full pass from `fromMs`: when every one of `arns` had been looked at once, and the calls the
   * function made meanwhile (the invocations that started from `fromMs` up to that point).
   */
  fullPass(arns: readonly string[], fromMs: number): FullPass | undefined {
    let endMs = fromMs;
    for (const arn of arns) {
      const at = this.firstCheck(arn, fromMs);
      if (at === undefined) return undefined;
      endMs = Math.max(endMs, at);
    }
    const during = this.invocations.filter((i) => i.startedAt >= fromMs && i.startedAt <= endMs);
    const calls: Record<string, number> = {};
    for (const i of during) for (const [op, n] of Object.entries(i.calls)) calls[op] = (calls[op] ?? 0) + n;
    const end = Math.max(endMs, during.at(-1)?.endedAt ?? endMs);
    return { fromMs, endMs: end, periodMs: end - fromMs, calls, invocations: during.length };
  }

  /** The invocations that started in [fromMs, toMs) and the metrics that received data then. */
  usage(fromMs: number, toMs: number): Usage {
    const during = this.invocations.filter((i) => i.startedAt >= fromMs && i.startedAt < toMs);
    const metrics = new Set(
      this.sim
        .metricData()
        .filter((m) => m.timestamp >= fromMs && m.timestamp < toMs)
        .map((m) => JSON.stringify([m.namespace, m.metricName, m.dimensions])),
    );
    return {
      windowMs: toMs - fromMs,
      invocations: during.length,
      durationMs: during.reduce((sum, i) => sum + i.durationMs, 0),
      putMetricData: during.reduce((sum, i) => sum + (i.calls.PutMetricData ?? 0), 0),
      metrics: metrics.size,
    };
  }

  /** Gives the simulator's clock and the global Date back (continuing from the simulated time reached). */
  stop(): void {
    this.handler = undefined;
    this.poller.destroy();
    for (const undo of this.undo.splice(0).reverse()) undo();
    for (const undo of undoBuckets.splice(0).reverse()) undo();
  }
}
