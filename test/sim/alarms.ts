/**
 * CloudWatch metric alarms, evaluated over the simulator's stored metric data in simulated time.
 *
 * The definitions come from a synthesised CloudFormation template (`AWS::CloudWatch::Alarm`), and
 * the evaluation follows the CloudWatch User Guide (test/sim/README.md, "CloudWatch alarms", cites
 * each page):
 *
 * - "Alarm evaluation": an alarm with a period of a minute or more is evaluated every minute, on
 *   the window of time that Period and Evaluation Periods define (period 5 minutes: at the end of
 *   minute 5 on minutes 1-5, at the end of minute 6 on minutes 2-6); 10/20/30-second periods every
 *   10 seconds; an alarm whose Period x Evaluation Periods exceeds a day, every hour. A new alarm is
 *   INSUFFICIENT_DATA.
 * - "Alarm evaluation window": the default SlidingWindow advances with each evaluation; a
 *   WallClockWindow aligns the periods to clock boundaries of the period's length.
 * - "Configuring how CloudWatch alarms treat missing data": each evaluation retrieves an evaluation
 *   range longer than Evaluation Periods (the guide's tables: 5 datapoints for 3 periods of 5
 *   minutes; the simulator uses Evaluation Periods + 2 for every alarm, as no formula is published).
 *   With at least N real datapoints in the range, the N most recent real ones are evaluated and the
 *   missing-data treatment is not used; with fewer, every real one is kept and the shortfall is
 *   filled with the treatment. ALARM when at least Datapoints to Alarm (M) of the N are breaching,
 *   else OK. `missing` and `ignore` judge the received datapoints alone, as every row of the guide's
 *   two tables does: none -> INSUFFICIENT_DATA / keep the state; M breaching -> ALARM; one not
 *   breaching -> OK; all breaching but fewer than M -> for `missing` ALARM when the oldest is at
 *   least M periods old ("Avoiding premature transitions to alarm state"), else INSUFFICIENT_DATA;
 *   for `ignore` keep the state.
 *
 * Everything here is pure: {@link evaluate} reads the datapoints it is given. {@link alarmHistory}
 * and {@link alarmTimes} feed it the simulator's stored data.
 */

import type { Dimension, MetricDatum } from './state.ts';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type AlarmStatistic = 'SampleCount' | 'Sum' | 'Average' | 'Minimum' | 'Maximum';
export type AlarmComparison =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';
export type TreatMissingData = 'missing' | 'notBreaching' | 'breaching' | 'ignore';

/** One metric alarm, as read from a template's `AWS::CloudWatch::Alarm` Properties. */
export interface AlarmDefinition {
  /** The resource's logical id in the template. */
  readonly logicalId: string;
  /** `AlarmName` when the template sets it to a literal, else the logical id (CloudFormation names it at deploy). */
  readonly name: string;
  readonly namespace: string;
  readonly metricName: string;
  /** Sorted by name: a metric is identified by its full dimension set. */
  readonly dimensions: readonly Dimension[];
  readonly statistic: AlarmStatistic;
  /** Only data put with this unit counts, when set. */
  readonly unit: string | undefined;
  readonly periodSeconds: number;
  /** N. */
  readonly evaluationPeriods: number;
  /** M (defaults to N). */
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparisonOperator: AlarmComparison;
  /** Defaults to `missing`. */
  readonly treatMissingData: TreatMissingData;
  /** `sliding` unless the template sets a WallClockWindow. */
  readonly evaluationWindow: 'sliding' | 'wallClock';
}

/** What the evaluator reads of a datum: the statistics CloudWatch keeps, the time it is for, and when it arrived. */
export interface AlarmDatapoint {
  readonly timestamp: number;
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
  /** When CloudWatch received it (simulated ms); an evaluation before then does not see it. Absent: always seen. */
  readonly receivedAt?: number;
}

export interface AlarmTransition {
  /** The evaluation that changed the state (simulated ms, on the evaluation grid). */
  readonly atMs: number;
  readonly state: AlarmState;
  readonly previous: AlarmState;
  /** The simulator's wording (CloudWatch's StateReason format is not reproduced). */
  readonly reason: string;
}

export interface AlarmEvaluation {
  readonly alarm: AlarmDefinition;
  /** Every state change between `fromMs` and `toMs`, oldest first. */
  readonly transitions: readonly AlarmTransition[];
  /** The state after the last evaluation. */
  readonly state: AlarmState;
  readonly fromMs: number;
  readonly toMs: number;
}

export interface EvaluateOptions {
  /** The state before the first evaluation; a new alarm is INSUFFICIENT_DATA. */
  readonly initialState?: AlarmState;
  /** Periods the evaluation range spans; default Evaluation Periods + 2 (the guide's example: 5 for 3). */
  readonly rangePeriods?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY_SECONDS = 86_400;
/** The gap the guide's example leaves between Evaluation Periods (3) and the evaluation range (5). */
export const EXTRA_RANGE_PERIODS = 2;

const STATISTICS: readonly AlarmStatistic[] = ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'];
const COMPARISONS: Record<AlarmComparison, { test: (v: number, t: number) => boolean; words: string }> = {
  GreaterThanOrEqualToThreshold: { test: (v, t) => v >= t, words: 'greater than or equal to' },
  GreaterThanThreshold: { test: (v, t) => v > t, words: 'greater than' },
  LessThanThreshold: { test: (v, t) => v < t, words: 'less than' },
  LessThanOrEqualToThreshold: { test: (v, t) => v <= t, words: 'less than or equal to' },
};
const TREATMENTS: readonly TreatMissingData[] = ['missing', 'notBreaching', 'breaching', 'ignore'];

// ---------------------------------------------------------------------------------------------
// Reading a template

export interface TemplateReadOptions {
  /**
   * Turns an intrinsic (e.g. `{ "Fn::GetAtt": ["DeadLetterQueue…", "QueueName"] }`) into the string
   * it stands for. Default: `Ref` -> the logical id, `Fn::GetAtt` -> `LogicalId.Attribute`, anything
   * else -> its JSON.
   */
  readonly resolve?: (value: unknown) => string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The default {@link TemplateReadOptions.resolve}. */
export function placeholderFor(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isObject(value)) {
    if (typeof value.Ref === 'string') return value.Ref;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return getAtt.map(String).join('.');
  }
  return JSON.stringify(value);
}

/**
 * The metric alarms of a CloudFormation template: its JSON, or anything with `toJSON()` returning
 * it (an `aws-cdk-lib/assertions` Template). Throws, naming the alarm, for what the evaluator does
 * not model: metric math, percentiles and other extended statistics, anomaly detection, PromQL.
 */
export function alarmsFromTemplate(template: object, options: TemplateReadOptions = {}): AlarmDefinition[] {
  const json: unknown =
    'toJSON' in template && typeof template.toJSON === 'function' ? template.toJSON() : template;
  const resources = isObject(json) && isObject(json.Resources) ? json.Resources : {};
  const resolve = options.resolve ?? placeholderFor;
  return Object.entries(resources)
    .filter(([, resource]) => isObject(resource) && resource.Type === 'AWS::CloudWatch::Alarm')
    .map(([logicalId, resource]) =>
      readAlarm(
        logicalId,
        isObject(resource) && isObject(resource.Properties) ? resource.Properties : {},
        resolve,
      ),
    );
}

function readAlarm(logicalId: string, p: Json, resolve: (value: unknown) => string): AlarmDefinition {
  const fail = (message: string): never => {
    throw new Error(`alarm ${logicalId}: ${message}`);
  };
  const number = (name: string, value: unknown): number => {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n))
      return fail(`${name} is not a number: ${JSON.stringify(value)}`);
    return n;
  };
  const text = (name: string, value: unknown): string =>
    value === undefined ? fail(`${name} is missing`) : resolve(value);

  for (const unsupported of ['ThresholdMetricId', 'EvaluationCriteria', 'EvaluationInterval']) {
    if (p[unsupported] !== undefined) fail(`${unsupported} is not modelled by the simulator`);
  }
  const metric = metricOf(p, fail);
  const statistic = STATISTICS.find((s) => s === metric.stat);
  if (!statistic) {
    fail(`statistic ${JSON.stringify(metric.stat)} is not modelled (only ${STATISTICS.join(', ')})`);
  }
  const comparisonOperator = Object.keys(COMPARISONS).find((c) => c === p.ComparisonOperator) as
    | AlarmComparison
    | undefined;
  if (!comparisonOperator) fail(`ComparisonOperator ${JSON.stringify(p.ComparisonOperator)} is not modelled`);
  const treatMissingData =
    p.TreatMissingData === undefined ? 'missing' : TREATMENTS.find((t) => t === p.TreatMissingData);
  if (!treatMissingData) fail(`TreatMissingData ${JSON.stringify(p.TreatMissingData)} is not valid`);
  const periodSeconds = number('Period', metric.period);
  if (
    !(
      periodSeconds === 10 ||
      periodSeconds === 20 ||
      periodSeconds === 30 ||
      (periodSeconds > 0 && periodSeconds % 60 === 0)
    )
  ) {
    fail(`Period ${periodSeconds} is not 10, 20, 30 or a multiple of 60`);
  }
  const evaluationPeriods = number('EvaluationPeriods', p.EvaluationPeriods);
  const datapointsToAlarm =
    p.DatapointsToAlarm === undefined ? evaluationPeriods : number('DatapointsToAlarm', p.DatapointsToAlarm);
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1)
    fail('EvaluationPeriods must be at least 1');
  if (
    !Number.isInteger(datapointsToAlarm) ||
    datapointsToAlarm < 1 ||
    datapointsToAlarm > evaluationPeriods
  ) {
    fail('DatapointsToAlarm must be between 1 and EvaluationPeriods');
  }
  const dimensions = (Array.isArray(metric.dimensions) ? metric.dimensions : [])
    .map((d: unknown) => {
      if (!isObject(d)) return fail('a dimension is not an object');
      return { Name: text('Dimensions.Name', d.Name), Value: text('Dimensions.Value', d.Value) };
    })
    .sort((a, b) => a.Name.localeCompare(b.Name));
  return {
    logicalId,
    name: typeof p.AlarmName === 'string' ? p.AlarmName : logicalId,
    namespace: text('Namespace', metric.namespace),
    metricName: text('MetricName', metric.metricName),
    dimensions,
    statistic: statistic as AlarmStatistic,
    unit: metric.unit === undefined ? undefined : text('Unit', metric.unit),
    periodSeconds,
    evaluationPeriods,
    datapointsToAlarm,
    threshold: number('Threshold', p.Threshold),
    comparisonOperator: comparisonOperator as AlarmComparison,
    treatMissingData: treatMissingData as TreatMissingData,
    evaluationWindow: evaluationWindowOf(p.EvaluationWindow, fail),
  };
}

interface MetricFields {
  readonly namespace: unknown;
  readonly metricName: unknown;
  readonly dimensions: unknown;
  readonly stat: unknown;
  readonly period: unknown;
  readonly unit: unknown;
}

/** The metric of a single-metric alarm, or of a `Metrics` array holding one MetricStat and no math. */
function metricOf(p: Json, fail: (message: string) => never): MetricFields {
  if (p.ExtendedStatistic !== undefined) {
    fail(
      `ExtendedStatistic ${JSON.stringify(p.ExtendedStatistic)} is not modelled (the simulator keeps no distributions)`,
    );
  }
  if (p.Metrics === undefined) {
    return {
      namespace: p.Namespace,
      metricName: p.MetricName,
      dimensions: p.Dimensions,
      stat: p.Statistic,
      period: p.Period,
      unit: p.Unit,
    };
  }
  const queries = Array.isArray(p.Metrics) ? p.Metrics.filter(isObject) : [];
  if (queries.some((q) => q.Expression !== undefined) || queries.length !== 1) {
    fail('metric math (Metrics with an Expression or several queries) is not modelled by the simulator');
  }
  const stat = isObject(queries[0]?.MetricStat)
    ? queries[0].MetricStat
    : fail('Metrics[0].MetricStat is missing');
  const metric = isObject(stat.Metric) ? stat.Metric : fail('Metrics[0].MetricStat.Metric is missing');
  return {
    namespace: metric.Namespace,
    metricName: metric.MetricName,
    dimensions: metric.Dimensions,
    stat: stat.Stat,
    period: stat.Period,
    unit: stat.Unit,
  };
}

function evaluationWindowOf(value: unknown, fail: (message: string) => never): 'sliding' | 'wallClock' {
  if (value === undefined || (isObject(value) && value.SlidingWindow !== undefined)) return 'sliding';
  if (isObject(value) && isObject(value.WallClockWindow)) {
    const zone = value.WallClockWindow.Timezone;
    if (zone !== undefined && zone !== 'UTC')
      fail(`WallClockWindow Timezone ${String(zone)} is not modelled (UTC only)`);
    return 'wallClock';
  }
  return fail(`EvaluationWindow ${JSON.stringify(value)} is not valid`);
}

/**
 * The alarm called `name`: its AlarmName or logical id, else the one whose logical id contains it
 * (`'NotRunning'` finds `ReconcilerNotRunningAlarm1A2B3C4D`). Throws if none or several match.
 */
export function findAlarm(alarms: readonly AlarmDefinition[], name: string): AlarmDefinition {
  const exact = alarms.filter((a) => a.name === name || a.logicalId === name);
  const found = exact.length ? exact : alarms.filter((a) => a.logicalId.includes(name));
  if (found.length !== 1 || !found[0]) {
    const names = alarms.map((a) => a.name).join(', ');
    throw new Error(`${found.length} alarms match ${JSON.stringify(name)} (alarms: ${names || 'none'})`);
  }
  return found[0];
}

// ---------------------------------------------------------------------------------------------
// Evaluating

const sameDimensions = (a: readonly Dimension[], b: readonly Dimension[]): boolean =>
  a.length === b.length && a.every((d, i) => d.Name === b[i]?.Name && d.Value === b[i]?.Value);

/** Whether a stored datum is of the alarm's metric: namespace, name, the full dimension set, and the unit if set. */
export function isAlarmMetric(
  alarm: AlarmDefinition,
  datum: Pick<MetricDatum, 'namespace' | 'metricName' | 'dimensions' | 'unit'>,
): boolean {
  return (
    datum.namespace === alarm.namespace &&
    datum.metricName === alarm.metricName &&
    sameDimensions(datum.dimensions, alarm.dimensions) &&
    (alarm.unit === undefined || datum.unit === alarm.unit)
  );
}

/** How often CloudWatch evaluates the alarm ("Alarm evaluation"). */
export function evaluationIntervalMs(alarm: AlarmDefinition): number {
  if (alarm.periodSeconds < 60) return 10_000;
  if (alarm.periodSeconds * alarm.evaluationPeriods > DAY_SECONDS) return HOUR;
  return MINUTE;
}

/** A period's value: present (with whether it breaches) or missing. */
type Slot = { readonly value: number; readonly breaching: boolean } | undefined;

function statOf(
  stat: AlarmStatistic,
  a: { sampleCount: number; sum: number; minimum: number; maximum: number },
): number {
  switch (stat) {
    case 'SampleCount':
      return a.sampleCount;
    case 'Sum':
      return a.sum;
    case 'Average':
      return a.sum / a.sampleCount;
    case 'Minimum':
      return a.minimum;
    case 'Maximum':
      return a.maximum;
  }
}

/**
 * The alarm's state changes over `datapoints` (which must all be of its metric: see
 * {@link isAlarmMetric}), evaluated at every point of its evaluation grid (whole minutes of UTC for
 * periods of a minute or more) from `fromMs` to `toMs` inclusive. An evaluation at `t` sees only
 * data received by `t`.
 */
export function evaluate(
  alarm: AlarmDefinition,
  datapoints: readonly AlarmDatapoint[],
  fromMs: number,
  toMs: number,
  options: EvaluateOptions = {},
): AlarmEvaluation {
  const sorted = [...datapoints].sort((a, b) => a.timestamp - b.timestamp);
  const interval = evaluationIntervalMs(alarm);
  const range = options.rangePeriods ?? alarm.evaluationPeriods + EXTRA_RANGE_PERIODS;
  if (!Number.isInteger(range) || range < alarm.evaluationPeriods) {
    throw new RangeError(`rangePeriods must be an integer of at least EvaluationPeriods, got ${range}`);
  }
  let state: AlarmState = options.initialState ?? 'INSUFFICIENT_DATA';
  const transitions: AlarmTransition[] = [];
  for (let at = Math.ceil(fromMs / interval) * interval; at <= toMs; at += interval) {
    const slots = slotsAt(alarm, sorted, at, range);
    const { state: next, reason } = judge(alarm, slots, state);
    if (next !== state) {
      transitions.push({ atMs: at, state: next, previous: state, reason });
      state = next;
    }
  }
  return { alarm, transitions, state, fromMs, toMs };
}

/**
 * The evaluation range at `at`, oldest period first: each period's statistic over the data
 * received by `at`. A sliding window's periods end at `at`; a wall clock window's at the last
 * period boundary (epoch-aligned, UTC).
 */
function slotsAt(
  alarm: AlarmDefinition,
  sorted: readonly AlarmDatapoint[],
  at: number,
  range: number,
): Slot[] {
  const period = alarm.periodSeconds * 1000;
  const end = alarm.evaluationWindow === 'wallClock' ? Math.floor(at / period) * period : at;
  const start = end - range * period;
  const aggregates: { sampleCount: number; sum: number; minimum: number; maximum: number }[] = [];
  for (let i = lowerBound(sorted, start); i < sorted.length; i++) {
    const d = sorted[i] as AlarmDatapoint;
    if (d.timestamp >= end) break;
    if (d.receivedAt !== undefined && d.receivedAt > at) continue;
    const slot = Math.floor((d.timestamp - start) / period);
    const a = aggregates[slot];
    aggregates[slot] = a
      ? {
          sampleCount: a.sampleCount + d.sampleCount,
          sum: a.sum + d.sum,
          minimum: Math.min(a.minimum, d.minimum),
          maximum: Math.max(a.maximum, d.maximum),
        }
      : { sampleCount: d.sampleCount, sum: d.sum, minimum: d.minimum, maximum: d.maximum };
  }
  const compare = COMPARISONS[alarm.comparisonOperator].test;
  return Array.from({ length: range }, (_, i) => {
    const a = aggregates[i];
    if (!a || a.sampleCount <= 0) return undefined;
    const value = statOf(alarm.statistic, a);
    return { value, breaching: compare(value, alarm.threshold) };
  });
}

function lowerBound(sorted: readonly AlarmDatapoint[], timestamp: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as AlarmDatapoint).timestamp < timestamp) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One evaluation: the guide's rules for the range (oldest slot first) and the current state. */
export function judge(
  alarm: AlarmDefinition,
  slots: readonly Slot[],
  current: AlarmState,
): { state: AlarmState; reason: string } {
  const n = alarm.evaluationPeriods;
  const m = alarm.datapointsToAlarm;
  const words = COMPARISONS[alarm.comparisonOperator].words;
  const real = slots.filter((s): s is NonNullable<Slot> => s !== undefined);
  const threshold = `the threshold (${alarm.threshold})`;

  // Enough real datapoints: the N most recent are evaluated; the treatment is not needed.
  if (real.length >= n) {
    const breaching = real.slice(-n).filter((s) => s.breaching).length;
    const state = breaching >= m ? 'ALARM' : 'OK';
    return {
      state,
      reason: `${breaching} of the ${n} most recent datapoints were ${words} ${threshold}; ${m} needed for ALARM`,
    };
  }

  const missing = n - real.length;
  const realBreaching = real.filter((s) => s.breaching).length;
  const t = alarm.treatMissingData;
  if (t === 'breaching' || t === 'notBreaching') {
    // Every real datapoint is kept and the shortfall filled with the treatment.
    const breaching = realBreaching + (t === 'breaching' ? missing : 0);
    return {
      state: breaching >= m ? 'ALARM' : 'OK',
      reason: `${breaching} of ${n} datapoints were ${words} ${threshold} (${real.length} received, ${missing} missing treated as ${t}); ${m} needed for ALARM`,
    };
  }

  // missing / ignore: judged on the received datapoints alone, as the guide's tables show.
  if (real.length === 0) {
    return t === 'missing'
      ? {
          state: 'INSUFFICIENT_DATA',
          reason: `no datapoints in the ${slots.length} periods of the evaluation range`,
        }
      : { state: current, reason: 'no datapoints: ignore keeps the current state' };
  }
  if (realBreaching >= m) {
    return { state: 'ALARM', reason: `${realBreaching} received datapoints were ${words} ${threshold}` };
  }
  if (realBreaching < real.length) {
    return {
      state: 'OK',
      reason: `${realBreaching} of the ${real.length} received datapoints were ${words} ${threshold}; ${m} needed for ALARM`,
    };
  }
  // Every received datapoint breaches, but fewer than M were received.
  const oldestAge = slots.length - slots.findIndex((s) => s !== undefined);
  if (t === 'missing' && oldestAge >= m) {
    return {
      state: 'ALARM',
      reason: `the oldest received datapoint breaches, is ${oldestAge} periods old (at least ${m}) and none received after it is within ${threshold}`,
    };
  }
  return t === 'missing'
    ? {
        state: 'INSUFFICIENT_DATA',
        reason: `only ${real.length} datapoints, all ${words} ${threshold}, the oldest ${oldestAge} periods old`,
      }
    : { state: current, reason: 'too few datapoints to decide: ignore keeps the current state' };
}

/** The state an evaluation left the alarm in at `atMs` (its initial state before the first transition). */
export function stateAt(
  evaluation: Pick<AlarmEvaluation, 'transitions'>,
  atMs: number,
  initialState: AlarmState = 'INSUFFICIENT_DATA',
): AlarmState {
  let state = initialState;
  for (const t of evaluation.transitions) {
    if (t.atMs > atMs) break;
    state = t.state;
  }
  return state;
}

/** The first transition into `state` at or after `afterMs`. */
export function firstTransition(
  evaluation: Pick<AlarmEvaluation, 'transitions'>,
  state: AlarmState,
  afterMs: number,
): AlarmTransition | undefined {
  return evaluation.transitions.find((t) => t.state === state && t.atMs >= afterMs);
}

// ---------------------------------------------------------------------------------------------
// Over the simulator's data

/** What the evaluator needs of a simulator: its stored data and clock (a `Simulator` is one). */
export interface AlarmDataSource {
  metricData(filter?: {
    readonly namespace?: string;
    readonly metricName?: string;
    readonly region?: string;
  }): readonly MetricDatum[];
  readonly clock: { now(): number };
}

/** Each alarm evaluated over the stored data of its metric (see {@link evaluate}). */
export function alarmHistory(
  datums: readonly MetricDatum[],
  alarms: readonly AlarmDefinition[],
  fromMs: number,
  toMs: number,
  options: EvaluateOptions = {},
): AlarmEvaluation[] {
  const byMetric = new Map<string, MetricDatum[]>();
  for (const d of datums) {
    const key = `${d.namespace}\u0000${d.metricName}`;
    const list = byMetric.get(key);
    if (list) list.push(d);
    else byMetric.set(key, [d]);
  }
  return alarms.map((alarm) => {
    const candidates = byMetric.get(`${alarm.namespace}\u0000${alarm.metricName}`) ?? [];
    return evaluate(
      alarm,
      candidates.filter((d) => isAlarmMetric(alarm, d)),
      fromMs,
      toMs,
      options,
    );
  });
}

export interface AlarmTimesOptions extends EvaluateOptions {
  /** Look for the first transition to ALARM at or after this time (simulated ms). */
  readonly alarmAfterMs: number;
  /** Look for the first transition to OK at or after this time; default `alarmAfterMs`. */
  readonly okAfterMs?: number;
  /**
   * When the alarm starts being evaluated (its creation). Default: the earliest of the two times
   * above and of the alarm's stored data, so the state at those times has its history behind it.
   */
  readonly fromMs?: number;
  /** The last evaluation; default the simulator's now. */
  readonly untilMs?: number;
  readonly region?: string;
}

export interface AlarmTimes extends AlarmEvaluation {
  /** The first evaluation at or after `alarmAfterMs` that moved the alarm to ALARM. */
  readonly alarmAtMs: number | undefined;
  /** The first evaluation at or after `okAfterMs` that moved the alarm to OK. */
  readonly okAtMs: number | undefined;
  /** The state at `alarmAfterMs` (already ALARM then means no new transition is expected). */
  readonly stateAtAlarmAfter: AlarmState;
  readonly stateAtOkAfter: AlarmState;
}

/**
 * For the alarm called `name` (see {@link findAlarm}) in a template (or already read definitions):
 * when it first entered ALARM at or after `alarmAfterMs` and first returned to OK at or after
 * `okAfterMs`, evaluated over the simulator's stored data in simulated time.
 */
export function alarmTimes(
  sim: AlarmDataSource,
  alarms: object | readonly AlarmDefinition[],
  name: string,
  options: AlarmTimesOptions,
): AlarmTimes {
  const definitions = Array.isArray(alarms)
    ? (alarms as readonly AlarmDefinition[])
    : alarmsFromTemplate(alarms);
  const alarm = findAlarm(definitions, name);
  const okAfterMs = options.okAfterMs ?? options.alarmAfterMs;
  const datums = sim
    .metricData({ namespace: alarm.namespace, metricName: alarm.metricName, ...regionOf(options) })
    .filter((d) => isAlarmMetric(alarm, d));
  const fromMs =
    options.fromMs ?? Math.min(options.alarmAfterMs, okAfterMs, ...datums.map((d) => d.timestamp));
  const evaluation = evaluate(alarm, datums, fromMs, options.untilMs ?? sim.clock.now(), options);
  const initial = options.initialState ?? 'INSUFFICIENT_DATA';
  return {
    ...evaluation,
    alarmAtMs: firstTransition(evaluation, 'ALARM', options.alarmAfterMs)?.atMs,
    okAtMs: firstTransition(evaluation, 'OK', okAfterMs)?.atMs,
    stateAtAlarmAfter: stateAt(evaluation, options.alarmAfterMs, initial),
    stateAtOkAfter: stateAt(evaluation, okAfterMs, initial),
  };
}

const regionOf = (options: { readonly region?: string }): { region?: string } =>
  options.region === undefined ? {} : { region: options.region };
