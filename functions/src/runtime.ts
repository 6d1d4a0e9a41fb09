import type { Logger } from 'pino';
import { type AwsClients, createClients } from './aws/clients.ts';
import { ec2EndpointSource } from './aws/endpoints.ts';
import { cloudWatchMetrics } from './aws/metrics.ts';
import { elbv2TargetGroups } from './aws/target-groups.ts';
import type { ReconcileDeps } from './reconcile/reconcile.ts';

/** Wires the real AWS adapters into what the reconcile loop needs. Built once per process. */
export function awsDeps(log: Logger, clients: AwsClients = createClients()): ReconcileDeps {
  return {
    targetGroups: elbv2TargetGroups(clients.elbv2, clients.tagging),
    endpoints: ec2EndpointSource(clients.ec2),
    metrics: cloudWatchMetrics(clients.cloudwatch),
    log,
  };
}
