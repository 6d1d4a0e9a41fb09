import {
  type CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type MetricDatum,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientsFor } from './fixtures.ts';
import { type Simulator, startSimulator } from './index.ts';

const NAMESPACE = 'VpceTargetSync';
const MINUTE = 60_000;

let sim: Simulator;
let cloudwatch: CloudWatchClient;

beforeEach(async () => {
  sim = await startSimulator();
  cloudwatch = clientsFor(sim).cloudwatch;
});
afterEach(() => sim.stop());

const put = (MetricData: MetricDatum[], Namespace = NAMESPACE) =>
  cloudwatch.send(new PutMetricDataCommand({ Namespace, MetricData }));

/** The start of the current simulated minute, so data lands in predictable buckets. */
function minuteStart(): number {
  return Math.floor(sim.clock.now() / MINUTE) * MINUTE;
}

async function series(metricName: string, stat: string, dimensions: { Name: string; Value: string }[] = []) {
  const end = minuteStart() + MINUTE;
  const result = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(end - 10 * MINUTE),
      EndTime: new Date(end),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        {
          Id: 'q',
          MetricStat: {
            Metric: { Namespace: NAMESPACE, MetricName: metricName, Dimensions: dimensions },
            Period: 60,
            Stat: stat,
          },
        },
      ],
    }),
  );
  const query = result.MetricDataResults?.[0];
  return { timestamps: query?.Timestamps?.map((t) => t.getTime()), values: query?.Values };
}

describe('PutMetricData', () => {
  it('keeps every datum, with its dimensions, unit, timestamp and caller', async () => {
    const at = new Date(minuteStart() - MINUTE + 1_500);
    await put([
      { MetricName: 'RunsCompleted', Value: 1, Unit: 'Count', Timestamp: at },
      {
        MetricName: 'DriftTargets',
        Value: 2,
        Unit: 'Count',
        Dimensions: [{ Name: 'TargetGroup', Value: 'site-a' }],
      },
    ]);
    expect(sim.metricData({ namespace: NAMESPACE, metricName: 'RunsCompleted' })).toEqual([
      expect.objectContaining({
        timestamp: at.getTime(),
        sum: 1,
        unit: 'Count',
        dimensions: [],
        principal: 'arn:aws:iam::123456789012:role/default',
      }),
    ]);
    expect(sim.metricData({ metricName: 'DriftTargets' })[0]?.dimensions).toEqual([
      { Name: 'TargetGroup', Value: 'site-a' },
    ]);
  });

  it('refuses the reserved AWS/ namespaces with the query error code', async () => {
    await expect(put([{ MetricName: 'x', Value: 1 }], 'AWS/EC2')).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      Code: 'InvalidParameterValue',
      $metadata: { httpStatusCode: 400 },
    });
    expect(sim.metricData()).toEqual([]);
  });

  it('refuses more than 1000 data and stores none of them', async () => {
    const data = Array.from({ length: 1001 }, () => ({ MetricName: 'x', Value: 1 }));
    await expect(put(data)).rejects.toMatchObject({ Code: 'InvalidParameterValue' });
    expect(sim.metricData()).toEqual([]);
  });

  it('accepts 1000 data, which the client sends gzip-compressed', async () => {
    await put(
      Array.from({ length: 1000 }, (_, i) => ({
        MetricName: 'x',
        Value: i,
        Dimensions: [{ Name: 'TargetGroup', Value: `site-${i}` }],
      })),
    );
    expect(sim.metricData()).toHaveLength(1000);
  });

  it('refuses a Value together with StatisticValues, and non-finite values', async () => {
    await expect(
      put([
        { MetricName: 'x', Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } },
      ]),
    ).rejects.toMatchObject({ Code: 'InvalidParameterCombination' });
    await expect(put([{ MetricName: 'x', Value: Number.NaN }])).rejects.toMatchObject({
      Code: 'InvalidParameterValue',
    });
  });

  it('refuses timestamps more than two weeks old', async () => {
    await expect(
      put([{ MetricName: 'x', Value: 1, Timestamp: new Date(sim.clock.now() - 15 * 24 * 3600_000) }]),
    ).rejects.toMatchObject({
      Code: 'InvalidParameterValue',
    });
  });
});

describe('GetMetricData', () => {
  it('buckets data by period and applies each statistic', async () => {
    const bucket = minuteStart() - 2 * MINUTE;
    const at = (offset: number) => new Date(bucket + offset);
    await put([
      { MetricName: 'DriftTargets', Value: 2, Timestamp: at(1_000) },
      { MetricName: 'DriftTargets', Value: 6, Timestamp: at(2_000) },
      { MetricName: 'DriftTargets', Value: 1, Timestamp: at(MINUTE + 1_000) },
    ]);
    expect(await series('DriftTargets', 'Sum')).toEqual({
      timestamps: [bucket, bucket + MINUTE],
      values: [8, 1],
    });
    expect((await series('DriftTargets', 'Average')).values).toEqual([4, 1]);
    expect((await series('DriftTargets', 'Maximum')).values).toEqual([6, 1]);
    expect((await series('DriftTargets', 'Minimum')).values).toEqual([2, 1]);
    expect((await series('DriftTargets', 'SampleCount')).values).toEqual([2, 1]);
  });

  it('matches the full dimension set, as CloudWatch identifies a metric by it', async () => {
    const site = [{ Name: 'TargetGroup', Value: 'site-a' }];
    await put([
      { MetricName: 'SiteErrors', Value: 1, Dimensions: site },
      { MetricName: 'SiteErrors', Value: 10 },
    ]);
    expect((await series('SiteErrors', 'Sum', site)).values).toEqual([1]);
    expect((await series('SiteErrors', 'Sum')).values).toEqual([10]);
  });

  it('returns newest first by default and honours ReturnData', async () => {
    const bucket = minuteStart() - 2 * MINUTE;
    await put([
      { MetricName: 'RunsCompleted', Value: 1, Timestamp: new Date(bucket) },
      { MetricName: 'RunsCompleted', Value: 1, Timestamp: new Date(bucket + MINUTE) },
    ]);
    const stat = { Metric: { Namespace: NAMESPACE, MetricName: 'RunsCompleted' }, Period: 60, Stat: 'Sum' };
    const result = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(bucket - MINUTE),
        EndTime: new Date(bucket + 2 * MINUTE),
        MetricDataQueries: [
          { Id: 'shown', MetricStat: stat },
          { Id: 'hidden', MetricStat: stat, ReturnData: false },
        ],
      }),
    );
    expect(result.MetricDataResults?.map((r) => r.Id)).toEqual(['shown']);
    expect(result.MetricDataResults?.[0]?.Timestamps).toEqual([new Date(bucket + MINUTE), new Date(bucket)]);
  });

  it('refuses unknown statistics and a start after the end', async () => {
    await expect(series('x', 'p99')).rejects.toMatchObject({ Code: 'InvalidParameterValue' });
    const now = new Date(sim.clock.now());
    await expect(
      cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: now,
          EndTime: now,
          MetricDataQueries: [
            {
              Id: 'q',
              MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: 'x' }, Period: 60, Stat: 'Sum' },
            },
          ],
        }),
      ),
    ).rejects.toMatchObject({ Code: 'InvalidParameterValue' });
  });
});

describe('ListMetrics', () => {
  it('lists each metric once and filters by name and dimensions', async () => {
    await put([
      { MetricName: 'DriftTargets', Value: 1 },
      { MetricName: 'DriftTargets', Value: 2 },
      { MetricName: 'DriftTargets', Value: 1, Dimensions: [{ Name: 'TargetGroup', Value: 'site-a' }] },
      { MetricName: 'SiteErrors', Value: 1, Dimensions: [{ Name: 'TargetGroup', Value: 'site-b' }] },
    ]);
    const all = await cloudwatch.send(new ListMetricsCommand({ Namespace: NAMESPACE }));
    expect(all.Metrics).toHaveLength(3);
    const bySite = await cloudwatch.send(new ListMetricsCommand({ Dimensions: [{ Name: 'TargetGroup' }] }));
    expect(bySite.Metrics?.map((m) => m.MetricName)).toEqual(['DriftTargets', 'SiteErrors']);
    const siteA = await cloudwatch.send(
      new ListMetricsCommand({
        MetricName: 'DriftTargets',
        Dimensions: [{ Name: 'TargetGroup', Value: 'site-a' }],
      }),
    );
    expect(siteA.Metrics).toEqual([
      {
        Namespace: NAMESPACE,
        MetricName: 'DriftTargets',
        Dimensions: [{ Name: 'TargetGroup', Value: 'site-a' }],
      },
    ]);
  });
});
