import { Stack, Validations } from 'aws-cdk-lib';
import { Bucket, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
// nag.ts is the package's internal helper for its constructs, not part of its API.
import { acknowledgeNagRule, nagV2Suppression } from '../src/nag.ts';
import { resourcesOf, templateOf, testApp } from './support/synth.ts';

const REASON = 'A reason long enough for both cdk-nag versions.';

describe('acknowledgeNagRule', () => {
  it('writes the cdk-nag 3 acknowledgement on the construct and the cdk_nag metadata on its resource', () => {
    const stack = new Stack(testApp(), 'S');
    const bucket = new Bucket(stack, 'B');
    acknowledgeNagRule(bucket, { id: 'AwsSolutions-S1', reason: REASON });

    const acks = bucket.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    // aws-cdk-lib qualifies the id (`Annotation::`, or the plugin's name once one is registered).
    expect(acks.flatMap((m) => Object.entries(m.data as object))).toEqual([
      [expect.stringMatching(/^\w+::AwsSolutions-S1$/), REASON],
    ]);
    const [resource] = Object.values(resourcesOf(templateOf(stack))) as { Metadata?: unknown }[];
    // cdk_nag: the resource metadata key cdk-nag 2.x reads its suppressions from.
    expect(resource?.Metadata).toEqual({
      cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-S1', reason: REASON }] },
    });
  });

  it('keeps every suppression of a resource, and turns a granular id into applies_to', () => {
    const stack = new Stack(testApp(), 'S');
    const bucket = new Bucket(stack, 'B');
    acknowledgeNagRule(bucket, { id: 'AwsSolutions-IAM5[Resource::*]', reason: REASON });
    const resource = bucket.node.defaultChild as CfnBucket;
    acknowledgeNagRule(resource, { id: 'AwsSolutions-S1', reason: REASON });
    expect(resource.getMetadata('cdk_nag')).toEqual({
      rules_to_suppress: [
        { id: 'AwsSolutions-IAM5', reason: REASON, applies_to: ['Resource::*'] },
        { id: 'AwsSolutions-S1', reason: REASON },
      ],
    });
  });

  it('encodes a reason beyond Latin-1 as cdk-nag 2.x does (base64, is_reason_encoded)', () => {
    const reason = 'Alarm state changes only — no data.';
    expect(nagV2Suppression('AwsSolutions-SNS3', reason)).toEqual({
      id: 'AwsSolutions-SNS3',
      reason: Buffer.from(reason).toString('base64'),
      is_reason_encoded: true,
    });
  });

  it('refuses a construct without a CloudFormation resource, naming it and the rule', () => {
    const stack = new Stack(testApp(), 'S');
    const imported = Bucket.fromBucketName(stack, 'Imported', 'some-bucket');
    expect(() => acknowledgeNagRule(imported, { id: 'AwsSolutions-S1', reason: REASON })).toThrow(
      /S\/Imported has no CloudFormation resource to carry cdk-nag 2.x's cdk_nag metadata for AwsSolutions-S1/,
    );
  });
});
