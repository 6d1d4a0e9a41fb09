import { AwsError } from '../aws-error.ts';
import type { Params } from '../protocols/protocol.ts';
import type { Dimension, MetricDatum } from '../state.ts';
import { paginate } from './paging.ts';
import { ParamReader } from './params.ts';
import type { Operations, ServiceContext } from './service.ts';

/** PutMetricData limits and rules, from the CloudWatch API reference. */
const MAX_METRIC_DATA = 1000;
const MAX_DIMENSIONS = 30;
const RESERVED_NAMESPACE_PREFIX = 'AWS/';
const MAX_AGE_MS = 14 * 24 * 3600 * 1000;
const MAX_AHEAD_MS = 2 * 3600 * 1000;
const UNITS = new Set(
  'Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes Bits Kilobits Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second Megabytes/Second Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second Gigabits/Second Terabits/Second Count/Second None'.split(
    ' ',
  ),
);
const LIST_METRICS_PAGE = 500;
const MAX_QUERIES = 500;
const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;
// Besides multiples of a minute, high-resolution periods.
const SUB_MINUTE_PERIODS = [1, 5, 10, 30];

type Stat = 'SampleCount' | 'Sum' | 'Average' | 'Minimum' | 'Maximum';
const STATS: readonly Stat[] = ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'];

interface Aggregate {
  sampleCount: number;
  sum: number;
  minimum: number;
  maximum: number;
}

function invalid(message: string): AwsError {
  return new AwsError('InvalidParameterValue', message);
}

function cwParams(params: Params): ParamReader {
  return new ParamReader(params, {
    missing: (name) => new AwsError('MissingParameter', `The parameter ${name} is required.`),
    invalid: (name, value) => invalid(`The value ${String(value)} for parameter ${name} is invalid.`),
  });
}

function putMetricData(params: Params, ctx: ServiceContext): object {
  const p = cwParams(params);
  const namespace = p.str('Namespace');
  if (namespace.startsWith(RESERVED_NAMESPACE_PREFIX)) {
    throw invalid(`The value ${namespace} for parameter Namespace is invalid.`);
  }
  const data = p.list('MetricData');
  if (data.length === 0) throw new AwsError('MissingParameter', 'The parameter MetricData is required.');
  if (data.length > MAX_METRIC_DATA) {
    throw invalid(`The collection MetricData must not have a size greater than ${MAX_METRIC_DATA}.`);
  }
  const now = ctx.clock.now();
  // Every datum is read before any is stored: a call with one bad datum stores none.
  const datums = data.map((datum, i) =>
    readDatum(datum, `MetricData.member.${i + 1}`, namespace, now, ctx.principal),
  );
  ctx.state.cloudwatch.datums.push(...datums);
  return {};
}

function readDatum(
  d: ParamReader,
  label: string,
  namespace: string,
  now: number,
  principal: string,
): MetricDatum {
  const dimensions = readDimensions(d, label);
  const unit = d.optStr('Unit');
  if (unit !== undefined && !UNITS.has(unit))
    throw invalid(`The value ${unit} for parameter ${label}.Unit is invalid.`);
  const timestamp = d.optTime('Timestamp') ?? now;
  if (timestamp < now - MAX_AGE_MS || timestamp > now + MAX_AHEAD_MS) {
    throw invalid(
      `The parameter ${label}.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future.`,
    );
  }
  return {
    namespace,
    metricName: d.str('MetricName'),
    dimensions,
    timestamp,
    receivedAt: now,
    unit,
    ...readStatistics(d, label),
    principal,
  };
}

function readDimensions(d: ParamReader, label: string): Dimension[] {
  const dimensions = d.list('Dimensions').map((dim) => ({ Name: dim.str('Name'), Value: dim.str('Value') }));
  if (dimensions.length > MAX_DIMENSIONS) {
    throw invalid(`The collection ${label}.Dimensions must not have a size greater than ${MAX_DIMENSIONS}.`);
  }
  if (new Set(dimensions.map((dim) => dim.Name)).size < dimensions.length) {
    throw invalid(`The collection ${label}.Dimensions must not contain duplicate dimension names.`);
  }
  return dimensions.sort((a, b) => a.Name.localeCompare(b.Name));
}

/** A datum is one Value, a Values/Counts histogram, or pre-aggregated StatisticValues. */
function readStatistics(d: ParamReader, label: string): Aggregate {
  const value = d.optNumber('Value');
  const values = d.numList('Values');
  const statistics = d.optChild('StatisticValues');
  const forms = [value !== undefined, values.length > 0, statistics !== undefined].filter(Boolean).length;
  if (forms > 1) {
    throw new AwsError(
      'InvalidParameterCombination',
      `The parameters ${label}.Value, ${label}.Values and ${label}.StatisticValues are mutually exclusive.`,
    );
  }
  const finite = (n: number, name: string): number => {
    if (!Number.isFinite(n)) throw invalid(`The value ${n} for parameter ${label}.${name} is invalid.`);
    return n;
  };
  if (statistics) {
    return {
      sampleCount: finite(statistics.optNumber('SampleCount') ?? Number.NaN, 'StatisticValues.SampleCount'),
      sum: finite(statistics.optNumber('Sum') ?? Number.NaN, 'StatisticValues.Sum'),
      minimum: finite(statistics.optNumber('Minimum') ?? Number.NaN, 'StatisticValues.Minimum'),
      maximum: finite(statistics.optNumber('Maximum') ?? Number.NaN, 'StatisticValues.Maximum'),
    };
  }
  if (values.length > 0) {
    const counts = d.numList('Counts');
    if (counts.length > 0 && counts.length !== values.length) {
      throw invalid(`The parameters ${label}.Values and ${label}.Counts must be of the same size.`);
    }
    const weights = values.map((v, i) => [finite(v, 'Values'), counts[i] ?? 1] as const);
    return {
      sampleCount: weights.reduce((n, [, count]) => n + count, 0),
      sum: weights.reduce((n, [v, count]) => n + v * count, 0),
      minimum: Math.min(...values),
      maximum: Math.max(...values),
    };
  }
  if (value === undefined)
    throw new AwsError('MissingParameter', `The parameter ${label}.Value is required.`);
  const v = finite(value, 'Value');
  return { sampleCount: 1, sum: v, minimum: v, maximum: v };
}

const sameDimensions = (a: readonly Dimension[], b: readonly Dimension[]): boolean =>
  a.length === b.length && a.every((dim, i) => dim.Name === b[i]?.Name && dim.Value === b[i]?.Value);

function listMetrics(params: Params, ctx: ServiceContext): object {
  const p = cwParams(params);
  const namespace = p.optStr('Namespace');
  const metricName = p.optStr('MetricName');
  const wanted = p.list('Dimensions').map((dim) => ({ name: dim.str('Name'), value: dim.optStr('Value') }));
  const metrics: { seq: number; datum: MetricDatum }[] = [];
  for (const datum of ctx.state.cloudwatch.datums) {
    const known = metrics.some(
      ({ datum: m }) =>
        m.namespace === datum.namespace &&
        m.metricName === datum.metricName &&
        sameDimensions(m.dimensions, datum.dimensions),
    );
    if (!known) metrics.push({ seq: metrics.length + 1, datum });
  }
  const matching = metrics.filter(
    ({ datum }) =>
      (namespace === undefined || datum.namespace === namespace) &&
      (metricName === undefined || datum.metricName === metricName) &&
      wanted.every((w) =>
        datum.dimensions.some(
          (dim) => dim.Name === w.name && (w.value === undefined || dim.Value === w.value),
        ),
      ),
  );
  const page = paginate(matching, p.optStr('NextToken'), LIST_METRICS_PAGE, () => {
    return new AwsError('InvalidNextToken', 'The service returned an invalid NextToken.');
  });
  return {
    Metrics: page.items.map(({ datum }) => ({
      Namespace: datum.namespace,
      MetricName: datum.metricName,
      Dimensions: datum.dimensions,
    })),
    NextToken: page.nextToken,
  };
}

function getMetricData(params: Params, ctx: ServiceContext): object {
  const p = cwParams(params);
  const start = p.time('StartTime');
  const end = p.time('EndTime');
  if (start >= end) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
  const scanBy = p.optStr('ScanBy') ?? 'TimestampDescending';
  if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') {
    throw invalid(`The value ${scanBy} for parameter ScanBy is invalid.`);
  }
  const queries = p.list('MetricDataQueries');
  if (queries.length === 0)
    throw new AwsError('MissingParameter', 'The parameter MetricDataQueries is required.');
  if (queries.length > MAX_QUERIES) {
    throw invalid(`The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`);
  }
  const ids = queries.map((query) => query.str('Id'));
  for (const id of ids)
    if (!QUERY_ID.test(id)) throw invalid(`The value ${id} for parameter MetricDataQueries.Id is invalid.`);
  if (new Set(ids).size < ids.length)
    throw invalid('The values for parameter MetricDataQueries.Id must be unique.');
  const results = queries.map((query) => ({
    returnData: query.optBool('ReturnData') ?? true,
    result: runQuery(query, ctx.state.cloudwatch.datums, start, end, scanBy === 'TimestampAscending'),
  }));
  return { MetricDataResults: results.filter((r) => r.returnData).map((r) => r.result), Messages: [] };
}

/** One MetricStat query: the matching datums bucketed by period and reduced by the stat. */
function runQuery(
  query: ParamReader,
  datums: readonly MetricDatum[],
  start: number,
  end: number,
  ascending: boolean,
): object {
  if (query.has('Expression')) throw invalid('Metric math expressions are not supported by the simulator.');
  const metricStat = query.optChild('MetricStat');
  if (!metricStat)
    throw new AwsError('MissingParameter', 'The parameter MetricDataQueries.MetricStat is required.');
  const metric = metricStat.optChild('Metric');
  if (!metric)
    throw new AwsError('MissingParameter', 'The parameter MetricDataQueries.MetricStat.Metric is required.');
  const namespace = metric.str('Namespace');
  const metricName = metric.str('MetricName');
  const dimensions = readDimensions(metric, 'MetricDataQueries.MetricStat.Metric');
  const period = metricStat.int('Period');
  if (period < 1 || (period % 60 !== 0 && !SUB_MINUTE_PERIODS.includes(period))) {
    throw invalid(`The value ${period} for parameter MetricDataQueries.MetricStat.Period is invalid.`);
  }
  const statName = metricStat.str('Stat');
  const stat = STATS.find((s) => s === statName);
  if (!stat)
    throw invalid(`The value ${statName} for parameter MetricDataQueries.MetricStat.Stat is invalid.`);
  const unit = metricStat.optStr('Unit');

  const buckets = new Map<number, Aggregate>();
  const periodMs = period * 1000;
  for (const datum of datums) {
    if (datum.namespace !== namespace || datum.metricName !== metricName) continue;
    if (!sameDimensions(datum.dimensions, dimensions) || (unit !== undefined && datum.unit !== unit))
      continue;
    if (datum.timestamp < start || datum.timestamp >= end) continue;
    const bucket = Math.floor(datum.timestamp / periodMs) * periodMs;
    buckets.set(bucket, merge(buckets.get(bucket) ?? EMPTY, datum));
  }
  const series = [...buckets].sort(([a], [b]) => (ascending ? a - b : b - a));
  return {
    Id: query.str('Id'),
    Label: query.optStr('Label') ?? metricName,
    Timestamps: series.map(([time]) => new Date(time)),
    Values: series.map(([, aggregate]) => statOf(stat, aggregate)),
    StatusCode: 'Complete',
    Messages: [],
  };
}

const EMPTY: Aggregate = {
  sampleCount: 0,
  sum: 0,
  minimum: Number.POSITIVE_INFINITY,
  maximum: Number.NEGATIVE_INFINITY,
};

function merge(a: Aggregate, b: Aggregate): Aggregate {
  return {
    sampleCount: a.sampleCount + b.sampleCount,
    sum: a.sum + b.sum,
    minimum: Math.min(a.minimum, b.minimum),
    maximum: Math.max(a.maximum, b.maximum),
  };
}

function statOf(stat: Stat, aggregate: Aggregate): number {
  switch (stat) {
    case 'SampleCount':
      return aggregate.sampleCount;
    case 'Sum':
      return aggregate.sum;
    case 'Average':
      return aggregate.sum / aggregate.sampleCount;
    case 'Minimum':
      return aggregate.minimum;
    case 'Maximum':
      return aggregate.maximum;
  }
}

/** Every CloudWatch operation the simulator answers. */
export const cloudwatchOperations: Operations = {
  PutMetricData: putMetricData,
  ListMetrics: listMetrics,
  GetMetricData: getMetricData,
};
