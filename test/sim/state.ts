/**
 * The simulated account, one instance per region. Services own the semantics; this file only
 * says what is stored, so tests can also read it directly (`sim.state().elbv2.targetGroups`).
 * Fields that change with time hold the simulated instant of the change, and services derive
 * the current state from the clock when asked.
 */

export type Tags = Map<string, string>;

export interface Vpc {
  readonly id: string;
  readonly seq: number;
  readonly cidrBlock: string;
  readonly cidrAssociationId: string;
  /**
   * IPv4 blocks added by AssociateVpcCidrBlock, in association order. The VPC's addresses are
   * `[cidrBlock, ...secondaryCidrBlocks]`.
   */
  readonly secondaryCidrBlocks: string[];
  /** The association id of each secondary block, index for index. */
  readonly secondaryCidrAssociationIds: string[];
  readonly ipv6CidrBlock: string | undefined;
  readonly ipv6AssociationId: string | undefined;
  readonly defaultSecurityGroupId: string;
  readonly tags: Tags;
}

export interface Subnet {
  readonly id: string;
  readonly seq: number;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly cidrBlock: string | undefined;
  readonly ipv6CidrBlock: string | undefined;
  readonly ipv6AssociationId: string | undefined;
  readonly tags: Tags;
}

export interface SecurityGroup {
  readonly id: string;
  readonly seq: number;
  readonly vpcId: string;
  readonly name: string;
  readonly description: string;
  /** Inbound and outbound rules, in the order they were authorized. */
  readonly rules: SecurityGroupRule[];
}

/** One rule of a security group: a protocol and port range to or from a CIDR or another group. */
export interface SecurityGroupRule {
  readonly id: string;
  readonly seq: number;
  readonly groupId: string;
  readonly isEgress: boolean;
  /** `tcp`, `udp`, `icmp`, or `-1` for all traffic. */
  readonly ipProtocol: string;
  /** -1 for all ports (as EC2 reports `-1` rules). */
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrIpv4: string | undefined;
  readonly cidrIpv6: string | undefined;
  readonly referencedGroupId: string | undefined;
  readonly description: string | undefined;
}

export type VpcEndpointType = 'Interface' | 'Gateway';
export type EndpointIpAddressType = 'ipv4' | 'dualstack' | 'ipv6';
/**
 * States the service provider or AWS puts an endpoint in (`Simulator.setEndpointState`); they win
 * over the clock-derived `pending`/`available`. `rejected`, `failed` and `expired` are final.
 */
export type HeldEndpointState = 'pendingAcceptance' | 'rejected' | 'failed' | 'expired' | 'partial';

export interface VpcEndpoint {
  readonly id: string;
  readonly seq: number;
  readonly type: VpcEndpointType;
  readonly vpcId: string;
  readonly serviceName: string;
  readonly ipAddressType: EndpointIpAddressType;
  readonly createdAt: number;
  readonly routeTableIds: readonly string[];
  readonly tags: Tags;
  subnetIds: string[];
  securityGroupIds: string[];
  policyDocument: string;
  privateDnsEnabled: boolean;
  /** `pending` before this instant (set on create, on every modification and on acceptance). */
  availableAt: number;
  /** A state set by the service provider or AWS, shown instead of `pending`/`available`. */
  heldState: HeldEndpointState | undefined;
  /** Set by DeleteVpcEndpoints: `deleting` until this instant, then `deleted`. */
  deletedAt: number | undefined;
  /** Set with `deletedAt`: listed as `deleted` until this instant, unknown after. */
  goneAt: number | undefined;
}

/**
 * An endpoint's network interface in one subnet; it exists once `visibleAt` has passed (never,
 * while `visibleAt` is Infinity: an endpoint pending acceptance), until its endpoint is deleted.
 */
export interface NetworkInterface {
  readonly id: string;
  readonly seq: number;
  readonly endpointId: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly macAddress: string;
  readonly privateIpAddress: string | undefined;
  readonly ipv6Address: string | undefined;
  securityGroupIds: readonly string[];
  visibleAt: number;
}

export interface Ec2State {
  readonly vpcs: Map<string, Vpc>;
  readonly subnets: Map<string, Subnet>;
  readonly securityGroups: Map<string, SecurityGroup>;
  readonly endpoints: Map<string, VpcEndpoint>;
  readonly networkInterfaces: Map<string, NetworkInterface>;
  /**
   * Indexes the EC2 services keep next to the maps above, so a lookup does not scan every
   * interface (seeding 10,000 endpoints would be quadratic): derived data, written only through
   * the API (services/ec2-endpoints.ts adds and removes interfaces with them).
   */
  readonly index: Ec2Index;
}

export interface Ec2Index {
  /** Endpoint id -> the ids of its network interfaces, in creation order. */
  readonly interfacesByEndpoint: Map<string, Set<string>>;
  /** Subnet id -> the IPv4 and IPv6 addresses its network interfaces hold. */
  readonly addressesBySubnet: Map<string, Set<string>>;
  /** Ids of endpoints DeleteVpcEndpoints was called for and that are still listed. */
  readonly deletions: Set<string>;
  /**
   * `subnetId|4` or `subnetId|6` -> an address below which every usable address of the subnet
   * is taken, where the search for the lowest free one starts.
   */
  readonly freeFrom: Map<string, bigint>;
}

export interface RegisteredTarget {
  readonly id: string;
  /** Lambda targets have no port. */
  readonly port: number | undefined;
  readonly availabilityZone: string | undefined;
  registeredAt: number;
  /** Set by DeregisterTargets: `draining` until this instant, gone after. */
  drainingUntil: number | undefined;
}

export interface HealthCheck {
  readonly enabled: boolean;
  readonly protocol: string | undefined;
  readonly port: string | undefined;
  readonly path: string | undefined;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThresholdCount: number;
  readonly unhealthyThresholdCount: number;
  readonly matcherHttpCode: string | undefined;
}

export type TargetType = 'instance' | 'ip' | 'lambda' | 'alb';

export interface TargetGroup {
  readonly arn: string;
  readonly seq: number;
  readonly name: string;
  readonly targetType: TargetType;
  readonly protocol: string | undefined;
  readonly protocolVersion: string | undefined;
  readonly port: number | undefined;
  readonly vpcId: string | undefined;
  readonly ipAddressType: 'ipv4' | 'ipv6';
  readonly healthCheck: HealthCheck;
  readonly tags: Tags;
  /** Keyed by `id:port`, as a target is a registration of an id on a port. */
  readonly targets: Map<string, RegisteredTarget>;
}

export interface LoadBalancer {
  readonly arn: string;
  readonly seq: number;
  readonly name: string;
  readonly type: 'application' | 'network';
  readonly scheme: 'internet-facing' | 'internal';
  readonly ipAddressType: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly dnsName: string;
  readonly createdAt: number;
  readonly tags: Tags;
}

export interface ListenerAction {
  readonly type: string;
  readonly order: number | undefined;
  /** The target groups a `forward` action sends to; empty for other action types. */
  readonly targetGroupArns: readonly string[];
  /**
   * The action's own settings by wire name (`RedirectConfig`, `FixedResponseConfig`,
   * `AuthenticateOidcConfig`, `AuthenticateCognitoConfig`): their scalar members, as given.
   */
  readonly configs: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** A listener rule condition: `host-header`, `path-pattern`, `http-request-method`, `source-ip`. */
export interface RuleCondition {
  readonly field: string;
  readonly values: readonly string[];
}

/** A rule transform: `host-header-rewrite` or `url-rewrite`, each a list of regex rewrites. */
export interface RuleTransform {
  readonly type: string;
  readonly rewrites: readonly { readonly regex: string; readonly replace: string }[];
}

/** A listener rule other than the default one (which is the listener's default actions). */
export interface ListenerRule {
  readonly arn: string;
  readonly seq: number;
  readonly listenerArn: string;
  readonly priority: number;
  readonly conditions: readonly RuleCondition[];
  readonly actions: readonly ListenerAction[];
  readonly transforms: readonly RuleTransform[];
  readonly createdAt: number;
}

export interface Listener {
  readonly arn: string;
  readonly seq: number;
  readonly loadBalancerArn: string;
  readonly protocol: string;
  readonly port: number;
  readonly defaultActions: readonly ListenerAction[];
  readonly certificateArns: readonly string[];
  /** The ARN DescribeRules gives the listener's default rule. */
  readonly defaultRuleArn: string;
  readonly createdAt: number;
}

/** A state `Simulator.setTargetHealth` imposes on a target, as a failing health check would. */
export interface TargetHealthOverride {
  readonly state: 'healthy' | 'unhealthy' | 'unavailable';
  readonly reason: string | undefined;
  readonly description: string | undefined;
}

/** One change of a resource's tags, as the tagging index will see it once the lag has passed. */
export interface TagSnapshot {
  /** Simulated instant of the change; `-Infinity` for the state before history was kept. */
  readonly at: number;
  /** The resource's tags after the change; undefined once the resource is deleted. */
  readonly tags: ReadonlyMap<string, string> | undefined;
}

/** The tag history of one taggable ELBv2 resource, which the tagging index reads with its lag. */
export interface TagHistory {
  readonly arn: string;
  readonly seq: number;
  /** `service:resourceType`, as GetResources ResourceTypeFilters name it. */
  readonly type: string;
  /** Oldest first. */
  readonly changes: TagSnapshot[];
}

export interface Elbv2State {
  readonly targetGroups: Map<string, TargetGroup>;
  readonly loadBalancers: Map<string, LoadBalancer>;
  readonly listeners: Map<string, Listener>;
  readonly rules: Map<string, ListenerRule>;
  /** Keyed by resource ARN; deleted resources keep theirs (the index still lists them a while). */
  readonly tagHistory: Map<string, TagHistory>;
  /** Keyed by `targetGroupArn|id:port`; set by `Simulator.setTargetHealth`. */
  readonly healthOverrides: Map<string, TargetHealthOverride>;
}

export interface Dimension {
  readonly Name: string;
  readonly Value: string;
}

/** One PutMetricData entry, reduced to the statistics CloudWatch keeps. */
export interface MetricDatum {
  readonly namespace: string;
  readonly metricName: string;
  /** Sorted by name: CloudWatch identifies a metric by its full dimension set. */
  readonly dimensions: readonly Dimension[];
  /** The datum's `Timestamp`, or when it was received. */
  readonly timestamp: number;
  /** When the simulator received it (simulated ms): an alarm evaluated before then does not see it. */
  readonly receivedAt: number;
  readonly unit: string | undefined;
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
  readonly principal: string;
}

export interface CloudWatchState {
  readonly datums: MetricDatum[];
}

export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

export interface SqsMessage {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes: string | undefined;
  readonly senderId: string;
  readonly sentAt: number;
  /** Sent time plus DelaySeconds: not receivable before. */
  readonly availableAt: number;
  invisibleUntil: number;
  receiveCount: number;
  firstReceivedAt: number | undefined;
  receiptHandle: string | undefined;
  deleted: boolean;
}

export interface Queue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly createdAt: number;
  /** Every message ever sent, deleted ones flagged, so tests can read what was sent. */
  readonly messages: SqsMessage[];
}

export interface SqsState {
  readonly queues: Map<string, Queue>;
}

/** An S3 general purpose bucket. */
export interface Bucket {
  readonly name: string;
  readonly seq: number;
  readonly region: string;
  readonly createdAt: number;
  /** The bucket policy's JSON text, as PutBucketPolicy stored it. */
  policy: string | undefined;
}

export interface S3State {
  /** Keyed by bucket name. */
  readonly buckets: Map<string, Bucket>;
}

export interface RegionState {
  readonly region: string;
  readonly ec2: Ec2State;
  readonly elbv2: Elbv2State;
  readonly cloudwatch: CloudWatchState;
  readonly sqs: SqsState;
  /**
   * Buckets live in the region they were created in (S3's namespace is global: test/sim/README.md,
   * "Known differences from AWS").
   */
  readonly s3: S3State;
  /** Creation order, which is also the order lists and page cursors follow. */
  nextSeq(): number;
}

export function createRegionState(region: string): RegionState {
  let seq = 0;
  return {
    region,
    ec2: {
      vpcs: new Map(),
      subnets: new Map(),
      securityGroups: new Map(),
      endpoints: new Map(),
      networkInterfaces: new Map(),
      index: {
        interfacesByEndpoint: new Map(),
        addressesBySubnet: new Map(),
        deletions: new Set(),
        freeFrom: new Map(),
      },
    },
    elbv2: {
      targetGroups: new Map(),
      loadBalancers: new Map(),
      listeners: new Map(),
      rules: new Map(),
      tagHistory: new Map(),
      healthOverrides: new Map(),
    },
    cloudwatch: { datums: [] },
    sqs: { queues: new Map() },
    s3: { buckets: new Map() },
    nextSeq: () => ++seq,
  };
}
