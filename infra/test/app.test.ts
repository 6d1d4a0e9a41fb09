import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { EXAMPLE_STACK_NAME, readAppConfig } from '@vpce-target-sync/infra';
import { type App, Aspects, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks as AwsSolutionsChecksV2 } from 'cdk-nag-v2';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
// app.ts is the CDK app entry (cdk.json runs it), not part of the package's API.
import { createApp } from '../src/app.ts';
import { CDK_JSON_CONTEXT, testContext } from './support/synth.ts';

/** The app as `cdk synth` builds it, without bundling (the bundle has its own test). */
const appWithContext = (context: Record<string, unknown>) => createApp({ context: testContext(context) });

/**
 * What cdk-nag 2.x (an aspect reading each resource's `cdk_nag` metadata) reports on an app: its
 * AwsSolutions errors and warnings, and its validation failures, one line each.
 */
function nagV2Findings(addToApp: (app: App) => void = () => {}): string[] {
  const app = createApp({
    // cdk-nag 2.x reports findings as annotations: read them from the assembly rather than have
    // the validation report (cdk.json's annotationsInValidationReport) fail the synthesis on them.
    context: testContext({ example: 'true', '@aws-cdk/core:annotationsInValidationReport': false }),
    // Without CloudFormation validation: this is about cdk-nag 2.x alone.
    builtinCloudFormationValidation: false,
  });
  addToApp(app);
  Aspects.of(app).add(new AwsSolutionsChecksV2({ reports: false }));
  return app
    .synth()
    .stacks.flatMap((stack) => stack.messages)
    .filter((m) => m.level === 'error' || m.level === 'warning')
    .map((m) => `${m.id} ${String(m.entry.data).split('\n')[0]}`)
    .filter((line) => /AwsSolutions-|CdkNag/.test(line));
}

/** Every acknowledgement recorded in the construct tree: path, rule id and reason. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('readAppConfig', () => {
  const read = (context: Record<string, unknown>) => readAppConfig((key) => context[key]);

  it('defaults to the reconciler stack alone with default props', () => {
    expect(read({})).toEqual({ stackName: 'VpceTargetSync', reconciler: {} });
  });

  it('reads CLI strings and cdk.json values alike', () => {
    const config = read({
      alarmEmail: 'ops@example.com',
      dryRun: 'true',
      perSiteMetrics: false,
      scheduleMinutes: '10',
      logLevel: 'debug',
      example: 'true',
      exampleHostName: 'docs.internal.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
    });
    expect(config.reconciler).toMatchObject({
      alarmEmail: 'ops@example.com',
      dryRun: true,
      perSiteMetrics: false,
    });
    expect(config.reconciler.schedule?.toMinutes()).toBe(10);
    expect(config.example).toEqual({
      hostName: 'docs.internal.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
    });
  });

  it('names every malformed value in one error', () => {
    expect(() => read({ dryRun: 'yes', scheduleMinutes: '0.5', example: 1 })).toThrow(
      'vpce-target-sync app: context dryRun is "yes"; expected true or false; context scheduleMinutes is "0.5"; expected whole minutes from 1 to 60; context example is 1; expected true or false',
    );
  });
});

describe('the CDK app', () => {
  it('carries in cdk.json exactly the feature flags cdk init recommends for the pinned aws-cdk-lib', () => {
    // aws-cdk-lib ships the list `cdk init` writes into a new app's cdk.json (the CLI carries a copy).
    const recommended = createRequire(import.meta.url)('aws-cdk-lib/recommended-feature-flags.json');
    expect(CDK_JSON_CONTEXT).toEqual(recommended);
    expect(Object.keys(CDK_JSON_CONTEXT)).toEqual(Object.keys(CDK_JSON_CONTEXT).sort());
  });

  it('synthesises the reconciler, and the example site only when asked', () => {
    const plain = appWithContext({});
    expect(plain.node.children.filter((c) => c instanceof Stack).map((s) => s.node.id)).toEqual([
      'VpceTargetSync',
    ]);
    const withExample = appWithContext({ example: 'true' });
    expect(withExample.node.children.filter((c) => c instanceof Stack).map((s) => s.node.id)).toEqual([
      'VpceTargetSync',
      EXAMPLE_STACK_NAME,
    ]);
  });

  it('passes cdk-nag AwsSolutions with every acknowledgement explained, and has no custom resource', () => {
    const app = appWithContext({ example: 'true' });
    const assembly = app.synth();
    for (const stack of assembly.stacks) {
      const types = Object.values(stack.template.Resources as Record<string, { Type: string }>).map(
        (r) => r.Type,
      );
      expect(
        types.filter((t) => t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource'),
      ).toEqual([]);
    }
    // Neither CloudFormation validation nor cdk-nag reported anything, not even a warning; the
    // report's construct annotations (cdk.json's @aws-cdk/core:annotationsInValidationReport) are
    // only the example's own placeholder-certificate warning.
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; conclusion: string; violations: { ruleName: string }[] }[];
    };
    expect(
      report.pluginReports.map((r) => [r.pluginName, r.conclusion, r.violations.map((v) => v.ruleName)]),
    ).toEqual([
      ['Construct Annotations', 'success', ['Annotation::vpce-target-sync:placeholder-certificate']],
    ]);
    const acks = acknowledgements(app).filter((a) => a.id.includes('AwsSolutions-'));
    // A new acknowledgement is a decision: it must be added here, with its reason in the construct.
    expect(acks.map((a) => `${a.path} ${a.id.replace(/^\w+::/, '')}`).sort()).toEqual([
      'VpceTargetSync/Reconciler/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
      'VpceTargetSync/Reconciler/Role/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:elasticloadbalancing:<AWS::Region>:<AWS::AccountId>:targetgroup/*/*]',
      `${EXAMPLE_STACK_NAME}/Alb AwsSolutions-ELB2`,
      `${EXAMPLE_STACK_NAME}/Site/Bucket AwsSolutions-S1`,
      `${EXAMPLE_STACK_NAME}/Vpc AwsSolutions-VPC7`,
    ]);
    for (const ack of acks) expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(60);
  });

  it('passes cdk-nag 2.x AwsSolutions too: every acknowledgement is also its cdk_nag suppression', () => {
    expect(nagV2Findings()).toEqual([]);
  });

  it('cdk-nag 2.x does not read cdk-nag 3 acknowledgements alone (the check above can fail)', () => {
    const findings = nagV2Findings((app) => {
      const bucket = new Bucket(app.node.findChild('VpceTargetSync') as Stack, 'Unchecked');
      for (const id of ['AwsSolutions-S1', 'AwsSolutions-S10']) {
        Validations.of(bucket).acknowledge({ id, reason: 'acknowledged for cdk-nag 3 only, in this test' });
      }
    });
    expect(findings.map((f) => f.replace(/:.*/, ''))).toEqual([
      '/VpceTargetSync/Unchecked/Resource AwsSolutions-S1',
      '/VpceTargetSync/Unchecked/Resource AwsSolutions-S10',
    ]);
  });

  it('fails the synthesis on an unacknowledged cdk-nag finding', () => {
    // CloudFormation validation off here: this test is about cdk-nag alone.
    const app = createApp({ context: testContext({}), builtinCloudFormationValidation: false });
    new Bucket(app.node.findChild('VpceTargetSync') as Stack, 'Unchecked');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1'[\s\S]*AwsSolutions-S10'/);
  });
});
