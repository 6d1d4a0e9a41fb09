/**
 * The standing cost of a deployment: what a healthy fleet costs a month at list prices, from what a
 * virtual deployment measured (test/support/deployment.ts): its invocations, their simulated
 * durations, the function's memory, the custom metrics it published and its PutMetricData calls.
 * The free tier is not counted. docs/performance.md ("Standing cost: 100 in-sync sites") shows the
 * same arithmetic.
 */

/** us-east-1 list prices (arm64 Lambda), as docs/performance.md states them. */
export const PRICES = {
  /** A custom metric, per month (the first 10,000 tier). */
  metricMonth: 0.3,
  /** PutMetricData, per 1,000 requests. */
  putMetricDataPer1000: 0.01,
  /** Lambda duration on arm64, per GB-second. */
  lambdaGbSecond: 0.0000133334,
  /** Lambda requests, per million. */
  lambdaPerMillionRequests: 0.2,
} as const;

/** A month as the cost tables count it: 30 days (8,640 five-minute ticks). */
export const MONTH_MS = 30 * 24 * 3_600_000;

export interface CostInputs {
  /** Invocations a month (scheduled and event path). */
  readonly invocationsPerMonth: number;
  /** Mean billed duration of an invocation, seconds. */
  readonly meanDurationSeconds: number;
  readonly memoryMb: number;
  /** Distinct custom metrics (name and dimensions) published in a month. */
  readonly metrics: number;
  readonly putMetricDataPerMonth: number;
}

export interface CostItem {
  readonly item: string;
  readonly arithmetic: string;
  readonly usdPerMonth: number;
}

export interface StandingCost {
  readonly inputs: CostInputs;
  readonly items: readonly CostItem[];
  readonly usdPerMonth: number;
}

const round = (n: number, digits: number) => Number(n.toFixed(digits));

export function standingCost(inputs: CostInputs): StandingCost {
  const gbSeconds = inputs.invocationsPerMonth * inputs.meanDurationSeconds * (inputs.memoryMb / 1024);
  const items: CostItem[] = [
    {
      item: 'custom metrics',
      arithmetic: `${inputs.metrics} x $${PRICES.metricMonth}`,
      usdPerMonth: inputs.metrics * PRICES.metricMonth,
    },
    {
      item: 'PutMetricData',
      arithmetic: `${Math.round(inputs.putMetricDataPerMonth)} x $${PRICES.putMetricDataPer1000} / 1,000`,
      usdPerMonth: (inputs.putMetricDataPerMonth * PRICES.putMetricDataPer1000) / 1000,
    },
    {
      item: 'Lambda duration',
      arithmetic: `${Math.round(inputs.invocationsPerMonth)} x ${inputs.meanDurationSeconds.toFixed(1)} s x ${inputs.memoryMb / 1024} GB = ${Math.round(gbSeconds)} GB-s x $${PRICES.lambdaGbSecond}`,
      usdPerMonth: gbSeconds * PRICES.lambdaGbSecond,
    },
    {
      item: 'Lambda requests',
      arithmetic: `${Math.round(inputs.invocationsPerMonth)} x $${PRICES.lambdaPerMillionRequests} / 1M`,
      usdPerMonth: (inputs.invocationsPerMonth * PRICES.lambdaPerMillionRequests) / 1e6,
    },
  ];
  return {
    inputs,
    items: items.map((i) => ({ ...i, usdPerMonth: round(i.usdPerMonth, 4) })),
    usdPerMonth: round(
      items.reduce((sum, i) => sum + i.usdPerMonth, 0),
      2,
    ),
  };
}
