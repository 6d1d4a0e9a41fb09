/**
 * What the doctor knows of one site, gathered read-only from ELBv2, EC2 and S3 (gather.ts) and
 * judged by pure checks (checks.ts). Absent members mean the resource was not found.
 */

export interface ActionFact {
  readonly type: string;
  readonly order: number | undefined;
  /** The target groups a forward action sends to. */
  readonly targetGroupArns: readonly string[];
  /** A redirect action's path, if it sets one (`/#{path}index.html`). */
  readonly redirectPath: string | undefined;
}

export interface RuleFact {
  readonly listenerArn: string;
  /** `default` for the listener's default rule. */
  readonly priority: string;
  readonly isDefault: boolean;
  readonly conditions: readonly { readonly field: string; readonly values: readonly string[] }[];
  readonly actions: readonly ActionFact[];
  readonly transforms: readonly {
    readonly type: string;
    readonly rewrites: readonly { readonly regex: string; readonly replace: string }[];
  }[];
}

export interface ListenerFact {
  readonly arn: string;
  readonly loadBalancerArn: string;
  readonly protocol: string;
  readonly port: number;
}

export interface LoadBalancerFact {
  readonly arn: string;
  readonly name: string;
  readonly type: string;
  readonly vpcId: string;
  readonly zones: readonly { readonly zone: string; readonly subnetId: string }[];
  readonly securityGroupIds: readonly string[];
}

export interface SecurityGroupRuleFact {
  /** `tcp`, `udp`, `icmp` or `-1` (all traffic). */
  readonly protocol: string;
  /** -1 (or absent ports) for all ports. */
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrIpv4: string | undefined;
  readonly cidrIpv6: string | undefined;
  readonly groupId: string | undefined;
}

export interface SecurityGroupFact {
  readonly id: string;
  readonly ingress: readonly SecurityGroupRuleFact[];
  readonly egress: readonly SecurityGroupRuleFact[];
}

export interface EndpointFact {
  readonly id: string;
  readonly type: string;
  readonly state: string;
  readonly vpcId: string;
  readonly serviceName: string;
  readonly ipAddressType: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly policyDocument: string | undefined;
  readonly privateDnsEnabled: boolean;
}

export interface SubnetFact {
  readonly id: string;
  readonly zone: string;
  readonly vpcId: string;
  readonly cidrIpv4: string | undefined;
}

/** HeadBucket and GetBucketPolicy of one bucket name. */
export interface BucketFact {
  /** `forbidden`: HeadBucket answered 403 (it exists, or may, but the operator cannot read it). */
  readonly exists: boolean | 'forbidden';
  /** The policy text; null without one; `unreadable` when GetBucketPolicy was refused. */
  readonly policy: string | null | 'unreadable';
  readonly region: string | undefined;
}

export interface TargetGroupFact {
  readonly arn: string;
  readonly name: string;
  readonly targetType: string;
  readonly protocol: string | undefined;
  readonly port: number | undefined;
  readonly ipAddressType: string;
  readonly vpcId: string | undefined;
  readonly healthCheckProtocol: string | undefined;
  readonly healthCheckPath: string | undefined;
  readonly matcher: string | undefined;
  readonly loadBalancerArns: readonly string[];
}

export interface SiteFacts {
  readonly region: string;
  readonly targetGroup: TargetGroupFact;
  /** The value of the endpoint-id tag. */
  readonly endpointId: string;
  readonly endpoint: EndpointFact | undefined;
  readonly subnets: Readonly<Record<string, SubnetFact>>;
  readonly loadBalancers: readonly LoadBalancerFact[];
  readonly listeners: readonly ListenerFact[];
  /** Every rule of those listeners, default rules included. */
  readonly rules: readonly RuleFact[];
  readonly securityGroups: Readonly<Record<string, SecurityGroupFact>>;
  readonly buckets: Readonly<Record<string, BucketFact>>;
}
