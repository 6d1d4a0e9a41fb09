import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ReconcilerStack } from '@vpce-target-sync/infra';
import { METRIC, METRIC_NAMESPACE } from '@vpce-target-sync/shared';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// The synth helpers are the infra package's test helpers; no package exports test code.
import { templateOf, testApp } from '../../infra/test/support/synth.ts';
import {
  type AlarmDatapoint,
  type AlarmDefinition,
  type AlarmState,
  type AlarmStatistic,
  alarmsFromTemplate,
  alarmTimes,
  evaluate,
  evaluationIntervalMs,
  findAlarm,
  type TreatMissingData,
} from './alarms.ts';
import { clientsFor } from './fixtures.ts';
import { type Simulator, startSimulator } from './index.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** 10:00:00 UTC: every time below is `at(minutes, seconds)` after it. */
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const at = (minutes: number, seconds = 0): number => T0 + minutes * MINUTE + seconds * SECOND;

/** An alarm shaped like the product's unresolved-drift alarm; each test overrides what it is about. */
const alarm = (overrides: Partial<AlarmDefinition> = {}): AlarmDefinition => ({
  logicalId: 'TestAlarm',
  name: 'TestAlarm',
  namespace: 'VpceTargetSync',
  metricName: 'UnresolvedDriftTargets',
  dimensions: [],
  statistic: 'Maximum',
  unit: undefined,
  periodSeconds: 300,
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  threshold: 0,
  comparisonOperator: 'GreaterThanThreshold',
  treatMissingData: 'notBreaching',
  evaluationWindow: 'sliding',
  ...overrides,
});

const datum = (timestamp: number, value: number, receivedAt?: number): AlarmDatapoint => ({
  timestamp,
  sampleCount: 1,
  sum: value,
  minimum: value,
  maximum: value,
  ...(receivedAt === undefined ? {} : { receivedAt }),
});

/** One datum per run, 30 s into every fifth minute (the scheduled pass), from run `first` to `last`. */
const runs = (first: number, last: number, value = 1): AlarmDatapoint[] =>
  Array.from({ length: last - first + 1 }, (_, i) => datum(at((first + i) * 5, 30), value));

const changes = (a: AlarmDefinition, data: readonly AlarmDatapoint[], from: number, to: number) =>
  evaluate(a, data, from, to).transitions.map((t) => [new Date(t.atMs).toISOString().slice(11, 19), t.state]);

describe('the guide\'s missing-data tables ("Configuring how CloudWatch alarms treat missing data")', () => {
  // Period 5 minutes, Evaluation Periods 3, an evaluation range of 5 datapoints, oldest first:
  // 0 not breaching, X breaching, - missing. Columns: MISSING, IGNORE, BREACHING, NOT BREACHING.
  // `retain` = IGNORE's "Retain current state". Rows marked (earlier) are from an earlier revision
  // of the same page, which listed them too.
  const RETAIN = 'retain';
  type Expected = AlarmState | typeof RETAIN;
  const tables: { m: number; rows: [string, Expected, Expected, Expected, Expected][] }[] = [
    {
      m: 3,
      rows: [
        ['0 - X - X', 'OK', 'OK', 'OK', 'OK'],
        ['0 - - - -', 'OK', 'OK', 'OK', 'OK'],
        ['- - - - -', 'INSUFFICIENT_DATA', RETAIN, 'ALARM', 'OK'],
        ['0 X X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
        ['- - X - -', 'ALARM', RETAIN, 'ALARM', 'OK'],
        ['- - - - X', 'INSUFFICIENT_DATA', RETAIN, 'ALARM', 'OK'], // (earlier)
        ['X - - - -', 'ALARM', RETAIN, 'ALARM', 'OK'], // (earlier)
      ],
    },
    {
      m: 2,
      rows: [
        ['0 - X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
        ['0 0 X 0 X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
        ['0 - X - -', 'OK', 'OK', 'ALARM', 'OK'],
        ['- - - - 0', 'OK', 'OK', 'ALARM', 'OK'],
        ['- - - X -', 'ALARM', RETAIN, 'ALARM', 'OK'],
        ['- - - - X', 'INSUFFICIENT_DATA', RETAIN, 'ALARM', 'OK'], // (earlier)
      ],
    },
  ];
  const treatments: TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];
  const cases = tables.flatMap(({ m, rows }) =>
    rows.flatMap(([pattern, ...expected]) =>
      treatments.map((treatment, i) => ({ m, pattern, treatment, expected: expected[i] as Expected })),
    ),
  );

  it.each(cases)('$m of 3, $pattern, $treatment: $expected', ({ m, pattern, treatment, expected }) => {
    const a = alarm({ datapointsToAlarm: m, treatMissingData: treatment });
    const evaluatedAt = at(30);
    // The five 5-minute periods before the evaluation, oldest first, one datum a minute into each.
    const data = pattern.split(' ').flatMap((slot, i) => {
      const timestamp = evaluatedAt - (5 - i) * 5 * MINUTE + MINUTE;
      return slot === '-' ? [] : [datum(timestamp, slot === 'X' ? 1 : 0)];
    });
    for (const initialState of ['OK', 'ALARM'] as const) {
      const { state } = evaluate(a, data, evaluatedAt, evaluatedAt, { initialState });
      expect(state).toBe(expected === RETAIN ? initialState : expected);
    }
  });
});

describe('evaluation over time (3 of 3, Maximum > 0, notBreaching: the unresolved-drift alarm)', () => {
  const drift = alarm();

  it('starts INSUFFICIENT_DATA and goes OK at its first evaluation when missing data is not breaching', () => {
    expect(evaluate(drift, [], at(0, 20), at(3)).transitions).toEqual([
      expect.objectContaining({ atMs: at(1), previous: 'INSUFFICIENT_DATA', state: 'OK' }),
    ]);
  });

  it('goes to ALARM at the first whole minute whose three 5-minute periods all hold a breaching datapoint', () => {
    // Runs at 10:00:30, 10:05:30, 10:10:30. At 10:10 the periods [10:05,10:10) and [10:00,10:05)
    // hold two; the third arrives at 10:10:30, and the evaluation at 10:11 sees all three.
    expect(changes(drift, runs(0, 2, 4), at(-10), at(12))).toEqual([
      ['09:50:00', 'OK'],
      ['10:11:00', 'ALARM'],
    ]);
  });

  it('stays in ALARM while the evaluation range (5 periods) still holds 3 breaching datapoints, then goes OK', () => {
    // The product publishes nothing once the drift is gone. The range [T-25m, T) keeps all three
    // until 10:26, when 10:00:30 leaves it: 2 real + 1 missing (not breaching) -> OK.
    expect(changes(drift, runs(0, 2, 4), at(-10), at(40))).toEqual([
      ['09:50:00', 'OK'],
      ['10:11:00', 'ALARM'],
      ['10:26:00', 'OK'],
    ]);
  });

  it('bridges one or two missing periods: 3 real breaching datapoints in the range are enough (the guide\'s "0 X X - X")', () => {
    const data = [...runs(0, 1, 4), ...runs(3, 3, 4)]; // 10:00:30, 10:05:30, (none at 10:10:30), 10:15:30
    expect(changes(drift, data, at(0), at(20))).toEqual([
      ['10:00:00', 'OK'],
      ['10:16:00', 'ALARM'],
    ]);
    // Two runs without drift (10:10:30, 10:15:30): the range at 10:21 still holds 3.
    const twoGaps = [...runs(0, 1, 4), ...runs(4, 4, 4)];
    expect(changes(drift, twoGaps, at(0), at(22))).toEqual([
      ['10:00:00', 'OK'],
      ['10:21:00', 'ALARM'],
    ]);
  });

  it('fills with not breaching only when fewer than 3 real datapoints are in range: three missing periods break the streak', () => {
    const data = [...runs(0, 1, 4), ...runs(5, 5, 4)]; // 10:00:30, 10:05:30, then 10:25:30
    expect(changes(drift, data, at(0), at(40))).toEqual([['10:00:00', 'OK']]);
  });

  it('is broken by a datapoint that does not breach', () => {
    const data = [...runs(0, 1, 4), ...runs(2, 2, 0), ...runs(3, 3, 4)];
    expect(changes(drift, data, at(0), at(40))).toEqual([['10:00:00', 'OK']]);
  });

  it('does not see a datum before it arrives (late data), and sees it once it has, if still in range', () => {
    const late = alarm({ evaluationPeriods: 1, datapointsToAlarm: 1 });
    expect(changes(late, [datum(at(3), 4, at(9, 30))], at(0), at(12))).toEqual([
      ['10:00:00', 'OK'],
      ['10:10:00', 'ALARM'],
    ]);
  });
});

describe('evaluation over time (2 of 2, Sum < 1, breaching: the not-running alarm)', () => {
  const notRunning = alarm({
    metricName: 'RunsCompleted',
    statistic: 'Sum',
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    threshold: 1,
    comparisonOperator: 'LessThanThreshold',
    treatMissingData: 'breaching',
  });

  it('goes to ALARM at once with no data at all (every datapoint missing, treated as breaching)', () => {
    expect(changes(notRunning, [], at(0, 10), at(5))).toEqual([['10:01:00', 'ALARM']]);
  });

  it('goes to ALARM only when no run is left in the 4-period range (20 minutes after the last), and OK at the first minute after runs resume', () => {
    // Runs every 5 minutes to 10:30:30, none until 11:00:30. With one real datapoint (not breaching)
    // in range, one missing datapoint is filled as breaching: 1 of 2 -> still OK. At 10:51 the range
    // [10:31, 10:51) is empty: 2 missing -> ALARM. At 11:01 the resumed run is in range -> OK.
    const data = [...runs(0, 6), ...runs(12, 14)];
    expect(changes(notRunning, data, at(0, 40), at(75))).toEqual([
      ['10:01:00', 'OK'],
      ['10:51:00', 'ALARM'],
      ['11:01:00', 'OK'],
    ]);
  });

  it('goes to ALARM after 2 empty periods when the range is only Evaluation Periods long (rangePeriods: 2)', () => {
    const data = runs(0, 6);
    const transitions = evaluate(notRunning, data, at(0, 40), at(60), { rangePeriods: 2 }).transitions;
    expect(transitions.map((t) => [t.atMs, t.state])).toEqual([
      [at(1), 'OK'],
      [at(41), 'ALARM'],
    ]);
  });
});

describe("M out of N (2 of 3, Maximum > 0, notBreaching: like the guide's second table)", () => {
  const twoOfThree = alarm({ datapointsToAlarm: 2 });

  it('goes to ALARM with 2 breaching datapoints among the last 3, not necessarily consecutive', () => {
    const data = [...runs(0, 0, 4), ...runs(1, 1, 0), ...runs(2, 2, 4)]; // X 0 X
    expect(changes(twoOfThree, data, at(0), at(12))).toEqual([
      ['10:00:00', 'OK'],
      ['10:11:00', 'ALARM'],
    ]);
  });

  it('stays OK with 1 breaching datapoint among the last 3', () => {
    const data = [...runs(0, 0, 4), ...runs(1, 2, 0)]; // X 0 0
    expect(changes(twoOfThree, data, at(0), at(12))).toEqual([['10:00:00', 'OK']]);
  });
});

describe('statistics and periods', () => {
  // Two datums in one period: 2 and 3, plus a pre-aggregated one (StatisticValues): 3 samples, sum 10, 1..6.
  const data: AlarmDatapoint[] = [
    datum(at(1), 2),
    datum(at(2), 3),
    { timestamp: at(3), sampleCount: 3, sum: 10, minimum: 1, maximum: 6 },
  ];
  const expected: [AlarmStatistic, number][] = [
    ['Sum', 15],
    ['Maximum', 6],
    ['Minimum', 1],
    ['SampleCount', 5],
    ['Average', 3],
  ];

  it.each(expected)('reduces a period with %s to %d', (statistic, value) => {
    const one = (threshold: number) =>
      evaluate(
        alarm({
          statistic,
          threshold,
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
          evaluationPeriods: 1,
          datapointsToAlarm: 1,
        }),
        data,
        at(5),
        at(5),
      ).state;
    expect(one(value)).toBe('ALARM');
    expect(one(value + 0.5)).toBe('OK');
  });

  it('Sum and Maximum of the same period differ: 2 + 3 breaches Sum > 4, Maximum 3 does not', () => {
    const pair = [datum(at(1), 2), datum(at(2), 3)];
    const over4 = (statistic: AlarmStatistic) =>
      evaluate(
        alarm({ statistic, threshold: 4, evaluationPeriods: 1, datapointsToAlarm: 1 }),
        pair,
        at(5),
        at(5),
      ).state;
    expect([over4('Sum'), over4('Maximum')]).toEqual(['ALARM', 'OK']);
  });

  const single = alarm({ evaluationPeriods: 1, datapointsToAlarm: 1 });

  it('sliding window (the default): periods end at each whole-minute evaluation, so a datum counts from the next minute', () => {
    // A datum at 10:03:10: first seen at 10:04 in [09:59, 10:04); gone from the 3-period range at 10:19.
    expect(changes(single, [datum(at(3, 10), 4)], at(0), at(25))).toEqual([
      ['10:00:00', 'OK'],
      ['10:04:00', 'ALARM'],
      ['10:19:00', 'OK'],
    ]);
  });

  it('wall clock window: periods are aligned to period boundaries, so the same datum counts from 10:05', () => {
    const wallClock = alarm({ evaluationPeriods: 1, datapointsToAlarm: 1, evaluationWindow: 'wallClock' });
    expect(changes(wallClock, [datum(at(3, 10), 4)], at(0), at(25))).toEqual([
      ['10:00:00', 'OK'],
      ['10:05:00', 'ALARM'],
      ['10:20:00', 'OK'],
    ]);
  });

  it('a period boundary splits the data: 10:04:59.999 and 10:05:00 are two wall clock periods, one sliding window', () => {
    const edge = [datum(at(4, 59.999), 1), datum(at(5), 1)];
    const sumAtLeast2 = (evaluationWindow: 'sliding' | 'wallClock') =>
      changes(
        alarm({
          statistic: 'Sum',
          threshold: 2,
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
          evaluationPeriods: 1,
          datapointsToAlarm: 1,
          evaluationWindow,
        }),
        edge,
        at(0),
        at(10),
      );
    expect(sumAtLeast2('wallClock')).toEqual([['10:00:00', 'OK']]);
    expect(sumAtLeast2('sliding')).toEqual([
      ['10:00:00', 'OK'],
      ['10:06:00', 'ALARM'],
      ['10:10:00', 'OK'],
    ]);
  });

  it('evaluates every minute, every 10 seconds for 10/20/30-second periods, and hourly past a day of periods', () => {
    expect(evaluationIntervalMs(alarm())).toBe(MINUTE);
    expect(evaluationIntervalMs(alarm({ periodSeconds: 10 }))).toBe(10 * SECOND);
    expect(evaluationIntervalMs(alarm({ periodSeconds: 3600, evaluationPeriods: 25 }))).toBe(60 * MINUTE);
    const fast = alarm({ periodSeconds: 10, evaluationPeriods: 1, datapointsToAlarm: 1 });
    expect(changes(fast, [datum(at(0, 12), 4)], at(0), at(0, 30))).toEqual([
      ['10:00:00', 'OK'],
      ['10:00:20', 'ALARM'],
    ]);
  });

  it('missing: a new alarm without data stays INSUFFICIENT_DATA', () => {
    expect(evaluate(alarm({ treatMissingData: 'missing' }), [], at(0), at(30)).transitions).toEqual([]);
  });
});

describe('alarmsFromTemplate', () => {
  const properties = {
    Namespace: 'VpceTargetSync',
    MetricName: 'SiteErrors',
    Statistic: 'Maximum',
    Period: 300,
    EvaluationPeriods: 2,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
  };
  const template = (props: Record<string, unknown>, id = 'ErrorsAlarm') => ({
    Resources: {
      Topic: { Type: 'AWS::SNS::Topic' },
      [id]: { Type: 'AWS::CloudWatch::Alarm', Properties: props },
    },
  });

  it("reads the settings, with CloudWatch's defaults for DatapointsToAlarm (N), TreatMissingData (missing) and the window (sliding)", () => {
    expect(alarmsFromTemplate(template(properties))).toEqual([
      {
        logicalId: 'ErrorsAlarm',
        name: 'ErrorsAlarm',
        namespace: 'VpceTargetSync',
        metricName: 'SiteErrors',
        dimensions: [],
        statistic: 'Maximum',
        unit: undefined,
        periodSeconds: 300,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'missing',
        evaluationWindow: 'sliding',
      },
    ]);
  });

  it('takes a literal AlarmName, sorts dimensions and resolves intrinsics (default: Ref -> id, GetAtt -> id.attr)', () => {
    const [read] = alarmsFromTemplate(
      template({
        ...properties,
        AlarmName: 'errors',
        Dimensions: [
          { Name: 'TargetGroup', Value: 'site-a' },
          { Name: 'Queue', Value: { 'Fn::GetAtt': ['Dlq', 'QueueName'] } },
        ],
        EvaluationWindow: { WallClockWindow: {} },
      }),
    );
    expect(read).toMatchObject({
      name: 'errors',
      dimensions: [
        { Name: 'Queue', Value: 'Dlq.QueueName' },
        { Name: 'TargetGroup', Value: 'site-a' },
      ],
      evaluationWindow: 'wallClock',
    });
    const [resolved] = alarmsFromTemplate(
      template({ ...properties, Dimensions: [{ Name: 'Queue', Value: { Ref: 'Dlq' } }] }),
      { resolve: (value) => (typeof value === 'string' ? value : 'dead-letters') },
    );
    expect(resolved?.dimensions).toEqual([{ Name: 'Queue', Value: 'dead-letters' }]);
  });

  it('reads a Metrics array holding one MetricStat, and accepts anything with toJSON (an assertions Template)', () => {
    const { Namespace, MetricName, Statistic, Period, ...rest } = properties;
    const metrics = {
      ...rest,
      Metrics: [
        {
          Id: 'm1',
          ReturnData: true,
          MetricStat: { Metric: { Namespace, MetricName }, Stat: Statistic, Period },
        },
      ],
    };
    const [read] = alarmsFromTemplate({ toJSON: () => template(metrics) });
    expect(read).toMatchObject({ namespace: 'VpceTargetSync', metricName: 'SiteErrors', periodSeconds: 300 });
  });

  it('refuses, naming the alarm, what it does not model: metric math, percentiles, anomaly detection', () => {
    const math = { ...properties, Metrics: [{ Id: 'e1', Expression: 'm1 * 2' }] };
    expect(() => alarmsFromTemplate(template(math))).toThrow(/ErrorsAlarm: metric math/);
    const { Statistic: _, ...noStatistic } = properties;
    expect(() => alarmsFromTemplate(template({ ...noStatistic, ExtendedStatistic: 'p99' }))).toThrow(
      /ExtendedStatistic "p99" is not modelled/,
    );
    expect(() =>
      alarmsFromTemplate(
        template({ ...properties, ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold' }),
      ),
    ).toThrow(/ComparisonOperator/);
  });

  it('findAlarm: by name or logical id, else a unique part of the logical id', () => {
    const alarms = [
      alarm({ logicalId: 'ReconcilerNotRunningAlarmB9', name: 'ReconcilerNotRunningAlarmB9' }),
      alarm({ logicalId: 'ReconcilerSiteErrorsAlarm95', name: 'errors' }),
    ];
    expect(findAlarm(alarms, 'NotRunning').logicalId).toBe('ReconcilerNotRunningAlarmB9');
    expect(findAlarm(alarms, 'errors').logicalId).toBe('ReconcilerSiteErrorsAlarm95');
    expect(() => findAlarm(alarms, 'Reconciler')).toThrow(/2 alarms match/);
    expect(() => findAlarm(alarms, 'DeadLetters')).toThrow(/0 alarms match/);
  });
});

describe('the synthesised Reconciler stack', () => {
  let template: object;
  beforeAll(() => {
    // As infra/test does (cdk.json's context, no asset bundling).
    template = templateOf(new ReconcilerStack(testApp(), 'VpceTargetSync'));
  });

  it('has the four alarms, read with their metric, statistic, threshold, period, M of N and missing-data treatment', () => {
    const alarms = alarmsFromTemplate(template);
    expect(alarms).toHaveLength(4);
    const read = (name: string) => {
      const a = findAlarm(alarms, name);
      return {
        name: a.name,
        metric: `${a.namespace}/${a.metricName}`,
        dimensions: a.dimensions,
        rule: `${a.statistic} ${a.comparisonOperator} ${a.threshold}`,
        period: a.periodSeconds,
        mOfN: `${a.datapointsToAlarm} of ${a.evaluationPeriods}`,
        missing: a.treatMissingData,
        window: a.evaluationWindow,
      };
    };
    const common = { dimensions: [], period: 300, window: 'sliding' };
    expect(read('UnresolvedDrift')).toEqual({
      ...common,
      name: expect.stringMatching(/^ReconcilerUnresolvedDriftAlarm[0-9A-F]{8}$/),
      metric: `${METRIC_NAMESPACE}/${METRIC.UnresolvedDriftTargets}`,
      rule: 'Maximum GreaterThanThreshold 0',
      mOfN: '3 of 3',
      missing: 'notBreaching',
    });
    expect(read('SiteErrors')).toEqual({
      ...common,
      name: expect.stringMatching(/^ReconcilerSiteErrorsAlarm[0-9A-F]{8}$/),
      metric: `${METRIC_NAMESPACE}/${METRIC.SiteErrors}`,
      rule: 'Maximum GreaterThanThreshold 0',
      mOfN: '2 of 2',
      missing: 'notBreaching',
    });
    expect(read('NotRunning')).toEqual({
      ...common,
      name: expect.stringMatching(/^ReconcilerNotRunningAlarm[0-9A-F]{8}$/),
      metric: `${METRIC_NAMESPACE}/${METRIC.RunsCompleted}`,
      rule: 'Sum LessThanThreshold 1',
      mOfN: '2 of 2',
      missing: 'breaching',
    });
    expect(read('DeadLetters')).toEqual({
      ...common,
      name: expect.stringMatching(/^ReconcilerDeadLettersAlarm[0-9A-F]{8}$/),
      metric: 'AWS/SQS/ApproximateNumberOfMessagesVisible',
      dimensions: [
        {
          Name: 'QueueName',
          Value: expect.stringMatching(/^ReconcilerDeadLetterQueue[0-9A-F]{8}\.QueueName$/),
        },
      ],
      rule: 'Maximum GreaterThanOrEqualToThreshold 1',
      mOfN: '1 of 1',
      missing: 'notBreaching',
    });
  });

  describe('over data put to the simulator through the CloudWatch API', () => {
    let sim: Simulator;
    let cloudwatch: CloudWatchClient;
    /** The simulated minute in which the first run publishes (30 s into it). */
    let start: number;

    beforeEach(async () => {
      sim = await startSimulator();
      cloudwatch = clientsFor(sim).cloudwatch;
      sim.clock.advance(MINUTE - (sim.clock.now() % MINUTE) + 30 * SECOND);
      start = Math.floor(sim.clock.now() / MINUTE) * MINUTE;
    });
    afterEach(() => sim.stop());

    /** What a run publishes, stamped with the simulated now (as the product's clock would be). */
    const publish = (figures: Partial<Record<keyof typeof METRIC, number>> = {}) => {
      const data: MetricDatum[] = Object.entries({ RunsCompleted: 1, ...figures }).map(([name, value]) => ({
        MetricName: name,
        Value: value,
        Unit: 'Count',
        Timestamp: new Date(sim.clock.now()),
      }));
      return cloudwatch.send(new PutMetricDataCommand({ Namespace: METRIC_NAMESPACE, MetricData: data }));
    };

    it('sim.alarmHistory: every alarm of the stack over 10 runs with drift left in runs 3-5 and one site error', async () => {
      for (let run = 1; run <= 10; run++) {
        await publish({
          ...(run >= 3 && run <= 5 ? { UnresolvedDriftTargets: 2 } : {}),
          ...(run === 6 ? { SiteErrors: 1 } : {}),
        });
        sim.clock.advance(5 * MINUTE);
      }
      const minutes = (name: string) =>
        sim
          .alarmHistory(alarmsFromTemplate(template), { fromMs: start })
          .find((h) => h.alarm.logicalId.includes(name))
          ?.transitions.map((t) => [(t.atMs - start) / MINUTE, t.state]);
      // Drift published at +10:30, +15:30, +20:30: ALARM once all three are in, OK once +10:30 leaves the 25-minute range.
      expect(minutes('UnresolvedDrift')).toEqual([
        [0, 'OK'],
        [21, 'ALARM'],
        [36, 'OK'],
      ]);
      // One period of errors is not 2 of 2 (the missing one is not breaching).
      expect(minutes('SiteErrors')).toEqual([[0, 'OK']]);
      // A new alarm with no data yet: all missing, treated as breaching; OK once the first run is in.
      expect(minutes('NotRunning')).toEqual([
        [0, 'ALARM'],
        [1, 'OK'],
      ]);
      // The simulator publishes no AWS/SQS metrics: no data, not breaching.
      expect(minutes('DeadLetters')).toEqual([[0, 'OK']]);
    });

    it('alarmTimes: NotRunning enters ALARM 20.5 minutes after the last run, and is OK the minute after runs resume', async () => {
      for (let run = 1; run <= 7; run++) {
        await publish();
        sim.clock.advance(5 * MINUTE);
      }
      const lastRun = start + 30 * MINUTE + 30 * SECOND;
      sim.clock.advance(25 * MINUTE); // no runs from +30:30 to +60:30
      const resumed = sim.clock.now();
      await publish();
      sim.clock.advance(2 * MINUTE);

      const times = alarmTimes(sim, template, 'NotRunning', { alarmAfterMs: lastRun, okAfterMs: resumed });
      expect(times.stateAtAlarmAfter).toBe('OK');
      expect(times.alarmAtMs).toBe(start + 51 * MINUTE);
      expect(times.okAtMs).toBe(start + 61 * MINUTE);
      expect(times.alarmAtMs && (times.alarmAtMs - lastRun) / SECOND).toBe(20.5 * 60);
    });
  });
});
