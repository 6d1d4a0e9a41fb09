import { Annotations, Stack, type StackProps } from 'aws-cdk-lib';
import { IpAddresses, type IVpc, Peer, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ListenerAction,
  ListenerCertificate,
  SslPolicy,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import { EndpointSite } from './endpoint-site.ts';
import { acknowledgeNagRule } from './nag.ts';

/** Synthesises without an account; `cdk deploy` needs a real certificate for the host name. */
export const PLACEHOLDER_CERTIFICATE_ARN =
  'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

/** A literal CIDR (not the VPC's CidrBlock attribute), so the ALB's ingress rule can be checked at synth. */
const VPC_CIDR = '10.0.0.0/16';

export interface ExampleSiteStackProps extends StackProps {
  /** The site's host name; it also names the bucket, so it must be globally unique in S3. */
  readonly hostName: string;
  /**
   * The ACM certificate of the HTTPS listener, for `hostName`.
   * @default - a placeholder: the stack synthesises but cannot be deployed
   */
  readonly certificateArn?: string;
}

/**
 * A self-contained example of an endpoint site: its own VPC (two AZs, isolated subnets, no NAT),
 * an internal ALB reachable from inside the VPC only, and an EndpointSite on its HTTPS listener.
 * Nothing is looked up, so it synthesises offline.
 */
export class ExampleSiteStack extends Stack {
  public readonly site: EndpointSite;

  constructor(scope: Construct, id: string, props: ExampleSiteStackProps) {
    super(scope, id, {
      description: 'vpce-target-sync example: an internal S3 site behind an ALB',
      ...props,
    });

    // Asserted: aws-cdk-lib's Vpc declares `vpnGatewayId` as possibly undefined where IVpc does
    // not, which exactOptionalPropertyTypes rejects although the class implements the interface.
    const vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(VPC_CIDR),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'private', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // Nothing here uses the default security group. Restricting it (cdk init's recommended
      // @aws-cdk/aws-ec2:restrictDefaultSecurityGroup) takes a custom resource and its Lambda
      // function, which the example, like EndpointSite itself, is built to do without.
      restrictDefaultSecurityGroup: false,
    }) as IVpc;
    const alb = new ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: false,
      // Requests with header fields that are not valid HTTP are dropped rather than passed to S3.
      dropInvalidHeaderFields: true,
    });
    if (!props.certificateArn) {
      Annotations.of(this).addWarningV2(
        'vpce-target-sync:placeholder-certificate',
        'The example uses a placeholder certificate: pass -c certificateArn=<ACM ARN for the host name> to deploy it.',
      );
    }
    const listener = alb.addListener('Https', {
      protocol: ApplicationProtocol.HTTPS,
      port: 443,
      certificates: [ListenerCertificate.fromArn(props.certificateArn ?? PLACEHOLDER_CERTIFICATE_ARN)],
      sslPolicy: SslPolicy.RECOMMENDED_TLS,
      open: false,
      defaultAction: ListenerAction.fixedResponse(404, {
        contentType: 'text/plain',
        messageBody: 'Not found',
      }),
    });
    listener.connections.allowDefaultPortFrom(Peer.ipv4(VPC_CIDR), 'HTTPS from inside the VPC');

    this.site = new EndpointSite(this, 'Site', { vpc, listener, hostName: props.hostName, priority: 10 });

    acknowledgeNagRule(vpc, {
      id: 'AwsSolutions-VPC7',
      reason:
        'Example VPC with no internet path, torn down after trying the example; flow logs would only add cost.',
    });
    acknowledgeNagRule(alb, {
      id: 'AwsSolutions-ELB2',
      reason:
        'Example load balancer; access logs need a log bucket with a region-specific ELB policy, out of scope for the example.',
    });
    acknowledgeNagRule(this.site.bucket, {
      id: 'AwsSolutions-S1',
      reason:
        'Example site bucket; pass serverAccessLogsBucket to EndpointSite to log access in a real deployment.',
    });
  }
}
