import { ENDPOINT_ID_TAG, isPolicy, POLICIES, POLICY_TAG, type Policy } from '@vpce-target-sync/shared';
import { Aws, RemovalPolicy, Tags, Token } from 'aws-cdk-lib';
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
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

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
   * from the load balancer on 443).
   * @default - a new S3 interface endpoint in `endpointSubnets`, private DNS off, with its own security group
   */
  readonly endpoint?: IInterfaceVpcEndpoint;
  /**
   * Where a new endpoint places its network interfaces (one per subnet/AZ). Ignored with `endpoint`.
   * @default - the VPC's default subnet selection (private subnets)
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
   * Bucket for the new bucket's server access logs.
   * @default - no access logs
   */
  readonly serverAccessLogsBucket?: IBucket;
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

  constructor(scope: Construct, id: string, props: EndpointSiteProps) {
    super(scope, id);
    validate(props);
    const { vpc, listener, hostName } = props;

    this.endpoint = props.endpoint ?? this.createEndpoint(vpc, props.endpointSubnets);
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
        ...(props.serverAccessLogsBucket ? { serverAccessLogsBucket: props.serverAccessLogsBucket } : {}),
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
  if (!Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY) {
    throw new Error(
      `EndpointSite: priority is ${priority}; expected a whole number from 1 to ${MAX_PRIORITY} (the site uses it and the next one)`,
    );
  }
  if (props.oidc && props.cognito) {
    throw new Error('EndpointSite: pass oidc or cognito, not both');
  }
  if (props.policy !== undefined && !isPolicy(props.policy)) {
    throw new Error(
      `EndpointSite: policy is ${JSON.stringify(props.policy)}; expected one of ${POLICIES.join(', ')}`,
    );
  }
}
