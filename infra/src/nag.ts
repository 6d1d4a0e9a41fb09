import { CfnResource, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The CloudFormation resource metadata key cdk-nag 2.x reads its suppressions from (its
 * `NagSuppressions.addResourceSuppressions` writes it): `{ rules_to_suppress: [{ id, reason,
 * applies_to? }] }` on the CfnResource itself; 2.x does not look at parent constructs.
 */
export const CDK_NAG_V2_METADATA_KEY = 'cdk_nag';

/** One cdk-nag 2.x suppression, as its metadata holds it. */
export interface NagV2Suppression {
  readonly id: string;
  readonly reason: string;
  /** Finding ids (e.g. `Resource::*` of AwsSolutions-IAM5); without it the whole rule is suppressed. */
  readonly applies_to?: string[];
  /** cdk-nag 2.x base64-encodes reasons with characters beyond Latin-1 and says so here. */
  readonly is_reason_encoded?: boolean;
}

/** cdk-nag 3's granular id, `Rule[finding]`; cdk-nag 2.x rejects ids that hold a finding. */
const GRANULAR_ID = /^([^[\]]+)\[(.+)\]$/;

/** The suppression cdk-nag 2.x expects for a cdk-nag 3 rule id (`AwsSolutions-IAM5[Resource::*]`). */
export function nagV2Suppression(id: string, reason: string): NagV2Suppression {
  const granular = GRANULAR_ID.exec(id);
  const encode = [...reason].some((c) => (c.codePointAt(0) ?? 0) > 255);
  return {
    id: granular?.[1] ?? id,
    reason: encode ? Buffer.from(reason).toString('base64') : reason,
    ...(granular?.[2] ? { applies_to: [granular[2]] } : {}),
    ...(encode ? { is_reason_encoded: true } : {}),
  };
}

/**
 * Acknowledges a cdk-nag finding for both major versions, so neither reports it on our constructs:
 * cdk-nag 3 (a CDK validation plugin) reads `Validations.of(construct).acknowledge()`, which covers
 * the construct and everything under it; cdk-nag 2.x (an aspect) reads the `cdk_nag` metadata of
 * the CloudFormation resource, which is `construct` itself or its default child.
 */
export function acknowledgeNagRule(construct: IConstruct, rule: { id: string; reason: string }): void {
  Validations.of(construct).acknowledge(rule);
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(
      `acknowledgeNagRule: ${construct.node.path} has no CloudFormation resource to carry cdk-nag 2.x's ${CDK_NAG_V2_METADATA_KEY} metadata for ${rule.id}; acknowledge on the resource's construct`,
    );
  }
  const existing =
    (resource.getMetadata(CDK_NAG_V2_METADATA_KEY) as { rules_to_suppress?: NagV2Suppression[] } | undefined)
      ?.rules_to_suppress ?? [];
  resource.addMetadata(CDK_NAG_V2_METADATA_KEY, {
    rules_to_suppress: [...existing, nagV2Suppression(rule.id, rule.reason)],
  });
}
