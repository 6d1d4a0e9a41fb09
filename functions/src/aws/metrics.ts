import { type CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { chunk, MAX_METRIC_DATA_PER_PUT, METRIC_NAMESPACE, type MetricDatum } from '@vpce-target-sync/shared';

export interface MetricsSink {
  /** Publishes one run's metric data: one PutMetricData call, more only past the API's limits. */
  publish(data: readonly MetricDatum[], timestamp: Date): Promise<void>;
}

export function cloudWatchMetrics(cloudwatch: CloudWatchClient): MetricsSink {
  return {
    async publish(data, timestamp) {
      for (const batch of chunk(data, MAX_METRIC_DATA_PER_PUT)) {
        await cloudwatch.send(
          new PutMetricDataCommand({
            Namespace: METRIC_NAMESPACE,
            MetricData: batch.map((d) => ({
              MetricName: d.name,
              Value: d.value,
              Unit: 'Count',
              Timestamp: timestamp,
              Dimensions: d.dimensions?.map((x) => ({ Name: x.name, Value: x.value })),
            })),
          }),
        );
      }
    },
  };
}
