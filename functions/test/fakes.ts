import type {
  EndpointSource,
  MetricsSink,
  ReconcileDeps,
  Tags,
  TargetGroups,
} from '@vpce-target-sync/functions';
import type {
  EndpointFacts,
  MetricDatum,
  NetworkInterfaceFacts,
  RegisteredTarget,
  Target,
  TargetGroupFacts,
} from '@vpce-target-sync/shared';
import { ENDPOINT_ID_TAG } from '@vpce-target-sync/shared';
import { pino } from 'pino';

/** An in-memory account: just enough state for the loop, with a log of the port calls made. */
export class FakeAccount {
  readonly calls: string[] = [];
  readonly groups = new Map<string, { facts: TargetGroupFacts; tags: Tags; targets: RegisteredTarget[] }>();
  readonly endpointMap = new Map<string, EndpointFacts>();
  readonly enis = new Map<string, NetworkInterfaceFacts>();
  readonly published: MetricDatum[][] = [];
  /** Operation names (optionally `Operation:targetGroupName`) that throw. */
  readonly failing = new Map<string, Error>();

  addEndpoint(id: string, ips: string[], state = 'available', vpcId = 'vpc-1'): void {
    const eniIds = ips.map((ip, i) => `eni-${id}-${i}`);
    this.endpointMap.set(id, {
      id,
      state,
      type: 'Interface',
      vpcId,
      ipAddressType: 'ipv4',
      networkInterfaceIds: eniIds,
    });
    ips.forEach((ip, i) =>
      this.enis.set(eniIds[i] as string, { id: eniIds[i] as string, ipv4: ip, ipv6: [] }),
    );
  }

  addGroup(name: string, endpointId: string | null, targets: string[] = [], extraTags: Tags = {}): string {
    const arn = `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`;
    const tags = { ...(endpointId ? { [ENDPOINT_ID_TAG]: endpointId } : {}), ...extraTags };
    const facts = { arn, name, vpcId: 'vpc-1', targetType: 'ip', ipAddressType: 'ipv4' as const, port: 443 };
    this.groups.set(arn, {
      facts,
      tags,
      targets: targets.map((id) => ({ id, port: 443, state: 'healthy' })),
    });
    return arn;
  }

  private check(operation: string, name?: string): void {
    this.calls.push(name ? `${operation}:${name}` : operation);
    const error =
      this.failing.get(operation) ?? (name ? this.failing.get(`${operation}:${name}`) : undefined);
    if (error) throw error;
  }

  private group(arn: string) {
    const g = this.groups.get(arn);
    if (!g) throw Object.assign(new Error(`${arn} not found`), { name: 'TargetGroupNotFoundException' });
    return g;
  }

  targetGroups(): TargetGroups {
    return {
      listAll: async () => (
        this.check('DescribeTargetGroups'), [...this.groups.values()].map((g) => g.facts)
      ),
      find: async (ids) => (
        this.check('DescribeTargetGroups'),
        [...this.groups.values()]
          .filter((g) => ids.includes(g.facts.arn) || ids.includes(g.facts.name))
          .map((g) => g.facts)
      ),
      listOptedIn: async (endpointIds) => {
        this.check('GetResources');
        return new Map(
          [...this.groups.values()]
            .filter(
              (g) =>
                ENDPOINT_ID_TAG in g.tags &&
                (!endpointIds || endpointIds.includes(g.tags[ENDPOINT_ID_TAG] ?? '')),
            )
            .map((g) => [g.facts.arn, g.tags]),
        );
      },
      tags: async (arns) => (
        this.check('DescribeTags'),
        new Map(arns.flatMap((a) => (this.groups.has(a) ? [[a, this.group(a).tags]] : [])))
      ),
      region: async () => 'us-east-1',
      health: async (arn) => {
        const g = this.group(arn);
        this.check('DescribeTargetHealth', g.facts.name);
        return g.targets.map((t) => ({ ...t }));
      },
      // Like the real adapter, an empty list makes no call.
      register: async (arn, targets: readonly Target[]) => {
        if (targets.length === 0) return;
        const g = this.group(arn);
        this.check('RegisterTargets', g.facts.name);
        for (const t of targets) {
          g.targets = g.targets.filter((x) => !(x.id === t.id && x.port === t.port));
          g.targets.push({ ...t, state: 'initial' });
        }
      },
      deregister: async (arn, targets: readonly Target[]) => {
        if (targets.length === 0) return;
        const g = this.group(arn);
        this.check('DeregisterTargets', g.facts.name);
        g.targets = g.targets.filter((x) => !targets.some((t) => t.id === x.id && t.port === x.port));
      },
    };
  }

  endpoints(): EndpointSource {
    return {
      endpoints: async (ids) => (
        this.check('DescribeVpcEndpoints'),
        new Map(
          ids.flatMap((id) =>
            this.endpointMap.has(id) ? [[id, this.endpointMap.get(id) as EndpointFacts]] : [],
          ),
        )
      ),
      networkInterfaces: async (ids) => (
        this.check('DescribeNetworkInterfaces'),
        new Map(
          ids.flatMap((id) => (this.enis.has(id) ? [[id, this.enis.get(id) as NetworkInterfaceFacts]] : [])),
        )
      ),
    };
  }

  metrics(): MetricsSink {
    return {
      publish: async (data) => {
        this.check('PutMetricData');
        this.published.push([...data]);
      },
    };
  }

  deps(): ReconcileDeps {
    return {
      targetGroups: this.targetGroups(),
      endpoints: this.endpoints(),
      metrics: this.metrics(),
      log: pino({ level: 'silent' }),
    };
  }

  ips(arn: string): string[] {
    return this.group(arn)
      .targets.map((t) => t.id)
      .sort();
  }
}
