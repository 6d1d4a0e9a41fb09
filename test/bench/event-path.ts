/**
 * The event path's cost: the AWS calls that one endpoint event causes, through `handleMessages`
 * (the events Lambda's core) with the real adapters, counted from the simulator's call log.
 */
import {
  awsDeps,
  createClients,
  createLogger,
  handleMessages,
  type Requeuer,
} from '@vpce-target-sync/functions';
import type { Simulator } from '../sim/index.ts';
import { trail } from '../support/cloudtrail.ts';
import type { BenchSite, Seeder } from './fleet.ts';
import { CLIENT_RATES } from './settings.ts';

export interface EventPathResult {
  readonly calls: Readonly<Record<string, number>>;
  readonly total: number;
  readonly status: string | undefined;
}

/** No endpoint in the benchmark stays pending, so nothing is re-queued; a re-queue would be a finding. */
const noRequeue: Requeuer = {
  send: async () => {
    throw new Error('the benchmark expects no re-queue');
  },
};

export function countCalls(sim: Simulator): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const call of sim.calls) calls[call.operation] = (calls[call.operation] ?? 0) + 1;
  return calls;
}

/**
 * A user takes `site`'s endpoint out of a subnet; CloudTrail's ModifyVpcEndpoint event arrives
 * through the queue; the event path deregisters the IP that went away.
 */
export async function measureEventPath(
  sim: Simulator,
  seeder: Seeder,
  site: BenchSite,
): Promise<EventPathResult> {
  const subnetId = await seeder.removeSubnet(site);
  const deps = awsDeps(createLogger('silent'), createClients(sim.clientConfig(), CLIENT_RATES));
  const body = JSON.stringify(trail.modifyVpcEndpoint(site.endpointId, { remove: [subnetId] }));
  sim.resetCalls();
  const result = await handleMessages(
    deps,
    noRequeue,
    { dryRun: false, publishMetrics: true, perSiteMetrics: true },
    [{ messageId: 'bench-1', body }],
  );
  const calls = countCalls(sim);
  return {
    calls,
    total: Object.values(calls).reduce((a, b) => a + b, 0),
    status: result.report?.sites.find((s) => s.targetGroupArn === site.arn)?.status,
  };
}
