import { ENDPOINT_ID_TAG, isPolicy, POLICIES, POLICY_TAG, type Policy } from '@vpce-target-sync/shared';
import { Annotations, Aws, RemovalPolicy, Tags, Token } from 'aws-cdk-lib';
import {
  type IInterfaceVpcEndpoint,
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  type IVpc,
  Port,
  SecurityGroup,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import {
  ApplicationListenerRule,
  ApplicationProtocol,
  ApplicationTargetGroup,
  type AuthenticateOidcOptions,
  type CfnListenerRule,
  type IApplicationListener,
  ListenerAction,
  ListenerCondition,
  Protocol,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import {
  AuthenticateCognitoAction,
  type AuthenticateCognitoActionProps,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2-actions';
import { AnyPrincipal, Effect, PolicyStatement, StarPrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { endpointZones, loadBalancerZones, type Zones, zonesOfSubnets, zonesOutside } from './zones.ts';

/**
 * S3 answers the ALB's health check (an unsigned GET) with 307 (redirect to the regional endpoint)
 * or 405 (method not allowed), never 200: both prove the endpoint and S3 are reachable.
 */
export const HEALTHY_HTTP_CODES = '307,405';

/** ALB redirect target for paths ending in `/`: `#{path}` is the request path without its leading `/`. */
export const INDEX_REDIRECT_PATH = '/#{path}index.html';

/** ALB listener rule priorities run from 1 to 50000; a site takes two consecutive ones. */
const MAX_PRIORITY = 49_999;

/** S3 bucket naming rules (the general-purpose bucket subset a host name can meet). */
const BUCKET_NAME = /^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface EndpointSiteProps {
  /** The VPC of the load balancer and the endpoint. */
  readonly vpc: IVpc;
  /** The load balancer's HTTPS listener the site's rules are added to. */
  readonly listener: IApplicationListener;
  /** The site's host name, e.g. `docs.internal.example.com` (the Host header the rules match). */
  readonly hostName: string;
  /**
   * Priority of the site's first listener rule (the index redirect); the forward rule takes the
   * next one. Unique per listener, 1 to 49999.
   */
  readonly priority: number;
  /**
   * An existing S3 interface endpoint to serve through (its security groups get an ingress rule
   * from the load balancer on 443). When it and the load balancer are defined in this app, synth
   * fails if none of its subnets is in a zone the load balancer is enabled in, and warns for those
   * that are not (their targets stay unused).
   * @default - a new S3 interface endpoint in `endpointSubnets`, private DNS off, with its own
   * security group and an endpoint policy that allows only reads of the site's bucket
   */
  readonly endpoint?: IInterfaceVpcEndpoint;
  /**
   * Where a new endpoint places its network interfaces (one per subnet/AZ). Ignored with `endpoint`.
   * The ALB sends no traffic to targets in zones it is not enabled in, so when the listener's load
   * balancer is defined in this app, a selection by type or group name is narrowed to the load
   * balancer's zones, and explicit `subnets` or `availabilityZones` outside them fail the synth.
   * @default - the VPC's default subnet selection (private subnets) in the load balancer's zones
   */
  readonly endpointSubnets?: SubnetSelection;
  /**
   * The bucket that holds the site. When its name differs from `hostName`, the forward rule
   * rewrites the Host header to the bucket's virtual-hosted name (an ALB `host-header-rewrite`
   * transform), so the bucket may be named freely. An imported bucket's policy cannot be changed
   * from here: add {@link EndpointSite.readPolicyStatement} to it yourself.
   * @default - a new bucket named `hostName`
   */
  readonly bucket?: IBucket;
  /**
   * Where S3 writes the new bucket's server access logs (one record per request the site served,
   * with the requester, key, status and bytes: the site's access log, since the ALB's own access
   * logs are configured on the load balancer, outside this construct). One logs bucket can take
   * many sites: each writes under its own `serverAccessLogsPrefix`. Only for the bucket this
   * construct creates; an existing `bucket` logs as it is configured where it is defined.
   * @default - no access logs
   */
  readonly serverAccessLogsBucket?: IBucket;
  /**
   * The key prefix of the site's server access logs in `serverAccessLogsBucket`.
   * @default - the host name and a slash, e.g. `docs.internal.example.com/`
   */
  readonly serverAccessLogsPrefix?: string;
  /**
   * What happens to the new bucket when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly bucketRemovalPolicy?: RemovalPolicy;
  /**
   * Authenticate users with an OIDC identity provider before forwarding.
   * @default - no authentication (unless `cognito`)
   */
  readonly oidc?: Omit<AuthenticateOidcOptions, 'next'>;
  /**
   * Authenticate users with a Cognito user pool before forwarding.
   * @default - no authentication (unless `oidc`)
   */
  readonly cognito?: Omit<AuthenticateCognitoActionProps, 'next'>;
  /**
   * The reconciler policy tag (`vpce-target-sync:policy`) on the target group.
   * @default - no tag: the reconciler's default, `sync`
   */
  readonly policy?: Policy;
}

/**
 * A whole internal static site: ALB (HTTPS, optional OIDC/Cognito) -> S3 interface endpoint -> S3,
 * without a custom resource. The `ip` target group is created empty and carries the opt-in tag
 * naming the endpoint, so the deployed vpce-target-sync reconciler fills it with the endpoint's ENI
 * IPs within seconds (event path) or at the next scheduled pass, and keeps it filled when the
 * endpoint's subnets change. No ENI is looked up at deploy time.
 */
export class EndpointSite extends Construct {
  /** The S3 interface endpoint the site is served through. */
  public readonly endpoint: IInterfaceVpcEndpoint;
  /** The bucket the site is served from. */
  public readonly bucket: IBucket;
  /** The `ip` target group the reconciler keeps equal to the endpoint's ENI IPs. */
  public readonly targetGroup: ApplicationTargetGroup;
  /** Host header -> (authenticate ->) forward. */
  public readonly forwardRule: ApplicationListenerRule;
  /** Paths ending in `/` -> the same path + `index.html`. */
  public readonly indexRedirectRule: ApplicationListenerRule;
  /** Anonymous reads of the bucket's objects, only through the site's endpoint (`aws:SourceVpce`). */
  public readonly readPolicyStatement: PolicyStatement;
  /**
   * The new endpoint's policy: reads of the site's objects and nothing else, so the endpoint cannot
   * reach other buckets or write. The site needs no `s3:ListBucket`: the listener redirects paths
   * ending in `/` to their `index.html`, so S3 only ever serves objects. An existing endpoint's
   * policy is left alone (other clients may share it).
   */
  public readonly endpointPolicyStatement: PolicyStatement;

  constructor(scope: Construct, id: string, props: EndpointSiteProps) {
    super(scope, id);
    validate(props);
    const { vpc, listener, hostName } = props;

    const lbZones = loadBalancerZones(listener, vpc);
    if (props.endpoint && lbZones) this.checkEndpointZones(props.endpoint, vpc, lbZones);
    this.endpoint =
      props.endpoint ?? this.createEndpoint(vpc, endpointSubnets(vpc, props.endpointSubnets, lbZones));
    this.endpoint.connections.allowFrom(listener, Port.tcp(443), `ALB to the S3 endpoint for ${hostName}`);

    // `as IBucket`: Bucket declares `isWebsite` as possibly undefined where IBucket does not, which
    // exactOptionalPropertyTypes rejects although the class implements the interface.
    this.bucket =
      props.bucket ??
      (new Bucket(this, 'Bucket', {
        bucketName: hostName,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        encryption: BucketEncryption.S3_MANAGED,
        removalPolicy: props.bucketRemovalPolicy ?? RemovalPolicy.RETAIN,
        ...(props.serverAccessLogsBucket
          ? {
              serverAccessLogsBucket: props.serverAccessLogsBucket,
              serverAccessLogsPrefix: props.serverAccessLogsPrefix ?? `${hostName}/`,
            }
          : {}),
      }) as IBucket);
    // Anonymous (the ALB does not sign requests) but fixed to one endpoint: S3 Block Public Access
    // does not count an aws:SourceVpce-conditioned grant as public, so BLOCK_ALL stays on.
    this.readPolicyStatement = new PolicyStatement({
      sid: 'ReadOnlyThroughTheSiteEndpoint',
      effect: Effect.ALLOW,
      principals: [new AnyPrincipal()],
      actions: ['s3:GetObject'],
      resources: [this.bucket.arnForObjects('*')],
      conditions: { StringEquals: { 'aws:SourceVpce': this.endpoint.vpcEndpointId } },
    });
    this.bucket.addToResourcePolicy(this.readPolicyStatement);
    this.endpointPolicyStatement = new PolicyStatement({
      sid: 'ReadOnlyTheSiteBucket',
      effect: Effect.ALLOW,
      // The literal "*" of AWS's endpoint policy examples (AnyPrincipal would write {"AWS": "*"}).
      principals: [new StarPrincipal()],
      actions: ['s3:GetObject'],
      resources: [this.bucket.arnForObjects('*')],
    });
    if (!props.endpoint) (this.endpoint as InterfaceVpcEndpoint).addToPolicy(this.endpointPolicyStatement);

    this.targetGroup = new ApplicationTargetGroup(this, 'TargetGroup', {
      vpc,
      targetType: TargetType.IP,
      protocol: ApplicationProtocol.HTTPS,
      port: 443,
      healthCheck: { protocol: Protocol.HTTPS, path: '/', healthyHttpCodes: HEALTHY_HTTP_CODES },
    });
    Tags.of(this.targetGroup).add(ENDPOINT_ID_TAG, this.endpoint.vpcEndpointId);
    if (props.policy) Tags.of(this.targetGroup).add(POLICY_TAG, props.policy);

    const host = ListenerCondition.hostHeaders([hostName]);
    this.indexRedirectRule = new ApplicationListenerRule(this, 'IndexRedirectRule', {
      listener,
      priority: props.priority,
      conditions: [host, ListenerCondition.pathPatterns(['*/'])],
      action: ListenerAction.redirect({ path: INDEX_REDIRECT_PATH, permanent: false }),
    });
    this.forwardRule = new ApplicationListenerRule(this, 'ForwardRule', {
      listener,
      priority: props.priority + 1,
      conditions: [host],
      action: authenticated(props, ListenerAction.forward([this.targetGroup])),
    });
    if (props.bucket && needsHostRewrite(hostName, props.bucket.bucketName)) {
      (this.forwardRule.node.defaultChild as CfnListenerRule).transforms = [
        {
          type: 'host-header-rewrite',
          hostHeaderRewriteConfig: {
            rewrites: [
              { regex: '^.*$', replace: `${this.bucket.bucketName}.s3.${Aws.REGION}.${Aws.URL_SUFFIX}` },
            ],
          },
        },
      ];
    }
  }

  /** An existing endpoint must reach the load balancer's zones; interfaces elsewhere stay unused. */
  private checkEndpointZones(endpoint: IInterfaceVpcEndpoint, vpc: IVpc, lbZones: Zones): void {
    const zones = endpointZones(endpoint, vpc);
    if (!zones) return;
    const outside = zonesOutside(zones, lbZones);
    if (outside.length === zones.zones.length && outside.length > 0) {
      throw new Error(
        `EndpointSite: endpoint has subnets in ${outside.join(', ')} only, and the load balancer is enabled in ${lbZones.zones.join(', ')}: the ALB sends no traffic to targets in zones it does not enable, so the site would get none. Add subnets in ${lbZones.zones.join(', ')} to the endpoint, or enable the load balancer in ${outside.join(', ')}`,
      );
    }
    if (outside.length > 0) {
      Annotations.of(this).addWarningV2(
        'vpce-target-sync:endpoint-zones',
        `The endpoint has network interfaces in ${outside.join(', ')}, where the load balancer is not enabled (it is in ${lbZones.zones.join(', ')}): their targets stay unused (Target.NotInUse).`,
      );
    }
  }

  private createEndpoint(vpc: IVpc, subnets: SubnetSelection | undefined): InterfaceVpcEndpoint {
    const securityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: 'S3 interface endpoint of an EndpointSite: HTTPS from the load balancer only',
      allowAllOutbound: false,
    });
    return new InterfaceVpcEndpoint(this, 'S3Endpoint', {
      vpc,
      service: InterfaceVpcEndpointAwsService.S3,
      // The ALB targets the endpoint's IPs directly; private DNS would redirect the whole VPC's S3 traffic.
      privateDnsEnabled: false,
      open: false,
      securityGroups: [securityGroup],
      ...(subnets ? { subnets } : {}),
    });
  }
}

/**
 * The new endpoint's subnets: the selection in the load balancer's zones. A selection that names
 * its subnets or zones is the user's exact choice, so it is checked rather than narrowed.
 */
function endpointSubnets(
  vpc: IVpc,
  selection: SubnetSelection | undefined,
  lbZones: Zones | undefined,
): SubnetSelection | undefined {
  if (!lbZones) return selection;
  const lb = lbZones.zones.join(', ');
  // Vpc.selectSubnets appends to the selection's subnetFilters array: each call gets its own copy.
  const select = (extra: SubnetSelection) =>
    vpc.selectSubnets({
      ...selection,
      ...(selection?.subnetFilters ? { subnetFilters: [...selection.subnetFilters] } : {}),
      ...extra,
      onePerAz: true,
    }).subnets;
  if (selection?.subnets || selection?.availabilityZones) {
    const chosen = select({});
    const outside = zonesOutside(zonesOfSubnets(chosen), lbZones);
    if (outside.length > 0) {
      throw new Error(
        `EndpointSite: endpointSubnets has subnets in ${outside.join(', ')}, where the load balancer is not enabled (it is in ${lb}): the ALB sends no traffic to targets there, and each endpoint interface is billed. Choose subnets in ${lb}, or enable the load balancer in ${outside.join(', ')}`,
      );
    }
    return selection;
  }
  const narrowed = select({ availabilityZones: [...lbZones.zones] });
  if (narrowed.length > 0) return { subnets: narrowed };
  if (!lbZones.known) return selection;
  const wanted = select({});
  throw new Error(
    `EndpointSite: ${selection ? 'endpointSubnets selects' : "the VPC's default subnet selection has"} subnets in ${[...new Set(wanted.map((s) => s.availabilityZone))].join(', ') || 'no zone'}, none of them in a zone the load balancer is enabled in (${lb}); pass endpointSubnets with subnets in ${lb}`,
  );
}

/** A bucket passed in needs the Host header rewritten unless it is known to be named as the host. */
function needsHostRewrite(hostName: string, bucketName: string): boolean {
  return Token.isUnresolved(bucketName) || bucketName !== hostName.toLowerCase();
}

function authenticated(props: EndpointSiteProps, next: ListenerAction): ListenerAction {
  if (props.oidc) return ListenerAction.authenticateOidc({ ...props.oidc, next });
  if (props.cognito) return new AuthenticateCognitoAction({ ...props.cognito, next });
  return next;
}

function validate(props: EndpointSiteProps): void {
  const { hostName, priority } = props;
  if (
    !Token.isUnresolved(hostName) &&
    !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(
      hostName,
    )
  ) {
    throw new Error(
      `EndpointSite: hostName is ${JSON.stringify(hostName)}; expected a lowercase DNS name such as docs.internal.example.com`,
    );
  }
  if (!props.bucket && !Token.isUnresolved(hostName) && !BUCKET_NAME.test(hostName)) {
    throw new Error(
      `EndpointSite: hostName ${JSON.stringify(hostName)} cannot name an S3 bucket (3-63 characters, no IP address); pass an existing bucket, and the Host header is rewritten to it`,
    );
  }
  if (Token.isUnresolved(priority)) {
    throw new Error(
      'EndpointSite: priority is a token; expected a number known at synth (the site uses it and the next one, and CloudFormation cannot add 1 to a token)',
    );
  }
  if (!Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY) {
    throw new Error(
      `EndpointSite: priority is ${priority}; expected a whole number from 1 to ${MAX_PRIORITY} (the site uses it and the next one)`,
    );
  }
  if (props.bucket && (props.serverAccessLogsBucket || props.serverAccessLogsPrefix !== undefined)) {
    throw new Error(
      'EndpointSite: serverAccessLogsBucket and serverAccessLogsPrefix apply to the bucket EndpointSite creates; with bucket, configure its server access logs where that bucket is defined',
    );
  }
  if (props.serverAccessLogsPrefix !== undefined && !props.serverAccessLogsBucket) {
    throw new Error(
      `EndpointSite: serverAccessLogsPrefix is ${JSON.stringify(props.serverAccessLogsPrefix)} but serverAccessLogsBucket is not set; expected both, or neither`,
    );
  }
  if (props.oidc && props.cognito) {
    throw new Error('EndpointSite: pass oidc or cognito, not both');
  }
  if (props.policy !== undefined && !Token.isUnresolved(props.policy) && !isPolicy(props.policy)) {
    throw new Error(
      `EndpointSite: policy is ${JSON.stringify(props.policy)}; expected one of ${POLICIES.join(', ')}`,
    );
  }
}
