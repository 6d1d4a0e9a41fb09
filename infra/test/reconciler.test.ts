import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRateLimits } from '@vpce-target-sync/functions';
import {
  DEFAULT_MEMORY_MB,
  DEFAULT_TIMEOUT,
  MAX_RECEIVE_COUNT,
  Reconciler,
  ReconcilerStack,
  TARGET_WRITE_ACTIONS,
} from '@vpce-target-sync/infra';
import {
  ENDPOINT_ID_TAG,
  ENV,
  eventRules,
  METRIC,
  METRIC_NAMESPACE,
  PER_SITE_METRICS,
  SITE_DIMENSION,
  toRawEventPattern,
} from '@vpce-target-sync/shared';
import { CfnParameter, Duration, Stack, Token } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { onlyResource, resourcesOf, templateOf, testApp } from './support/synth.ts';

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every statement of every policy attached to the reconciler's role. */
function roleStatements(template: Template): Statement[] {
  const role = onlyResource(template, 'AWS::IAM::Role');
  return Object.values(resourcesOf(template))
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: role.id }]))
    .flatMap((r) => (r.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe('Reconciler with default props', () => {
  let stack: ReconcilerStack;
  let template: Template;
  let roleId: string;
  let queueId: string;
  let dlqId: string;
  let functionId: string;
  let topicId: string;

  beforeAll(() => {
    stack = new ReconcilerStack(testApp(), 'VpceTargetSync');
    template = templateOf(stack);
    roleId = onlyResource(template, 'AWS::IAM::Role').id;
    functionId = onlyResource(template, 'AWS::Lambda::Function').id;
    topicId = onlyResource(template, 'AWS::SNS::Topic').id;
    const queues = Object.entries(resourcesOf(template)).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
    queueId = queues.find(([, r]) => r.Properties?.RedrivePolicy)?.[0] ?? '';
    dlqId = queues.find(([, r]) => !r.Properties?.RedrivePolicy)?.[0] ?? '';
    expect(queues).toHaveLength(2);
  });

  it('deploys one arm64 function on the latest Node.js runtime with the measured memory and timeout', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: DEFAULT_MEMORY_MB,
      Timeout: DEFAULT_TIMEOUT.toSeconds(),
      Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
    });
  });

  it('serialises every reconcile: reserved concurrency 1 for the one function both paths run in', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 1 });
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
  });

  it("passes its own role ARN, its queue URL and the run options under shared's variable names", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          [ENV.roleArn]: { 'Fn::GetAtt': [roleId, 'Arn'] },
          [ENV.queueUrl]: { Ref: queueId },
          [ENV.dryRun]: 'false',
          [ENV.perSiteMetrics]: 'true',
          [ENV.logLevel]: 'info',
          [ENV.scheduleMinutes]: '5',
        },
      },
    });
  });

  it('runs the full pass every 5 minutes; a failed or stale tick is left to the next one', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId, 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
    });
  });

  it("has one event rule per shared pattern, deep-equal to shared's pattern excluding its own role", () => {
    const rules = Object.values(resourcesOf(template)).filter(
      (r) => r.Type === 'AWS::Events::Rule' && r.Properties?.EventPattern,
    );
    const roleArn = { 'Fn::GetAtt': [roleId, 'Arn'] };
    const placeholder = 'ROLE-ARN-PLACEHOLDER';
    const expected = eventRules({ excludeRoleArn: placeholder }).map((spec) =>
      JSON.parse(
        JSON.stringify(toRawEventPattern(spec.eventPattern)).replace(
          `"${placeholder}"`,
          JSON.stringify(roleArn),
        ),
      ),
    );
    expect(rules.map((r) => r.Properties?.EventPattern)).toEqual(expected);
    // The exclusion is really there: the role's calls never reach the queue.
    expect(JSON.stringify(expected)).toContain('anything-but');
  });

  it('delivers the events to the queue, with the dead-letter queue for failed deliveries', () => {
    const rules = Object.values(resourcesOf(template)).filter(
      (r) => r.Type === 'AWS::Events::Rule' && r.Properties?.EventPattern,
    );
    expect(rules).toHaveLength(eventRules().length);
    for (const rule of rules) {
      expect(rule.Properties?.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        }),
      ]);
    }
  });

  it('encrypts both queues, requires TLS, and dead-letters after MAX_RECEIVE_COUNT receives', () => {
    for (const id of [queueId, dlqId]) {
      expect(resourcesOf(template)[id]?.Properties).toMatchObject({ SqsManagedSseEnabled: true });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
    expect(resourcesOf(template)[queueId]?.Properties).toMatchObject({
      VisibilityTimeout: 6 * DEFAULT_TIMEOUT.toSeconds(),
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: MAX_RECEIVE_COUNT,
      },
    });
    // AWS's advice for a Lambda event source: a maxReceiveCount of at least 5, so throttled
    // invocations (normal here, with a reserved concurrency of 1) do not dead-letter a message.
    const redrive = resourcesOf(template)[queueId]?.Properties?.RedrivePolicy as { maxReceiveCount: number };
    expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(resourcesOf(template)[dlqId]?.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('keeps event messages 4 days: longer than their ten receives, shorter than the dead-letter queue keeps them', () => {
    const properties = (id: string) => resourcesOf(template)[id]?.Properties ?? {};
    const eventRetention = properties(queueId).MessageRetentionPeriod as number;
    expect(eventRetention).toBe(4 * 24 * 3600);
    // A message moved to the DLQ keeps its original enqueue time, so the DLQ must keep it longer.
    expect(properties(dlqId).MessageRetentionPeriod as number).toBeGreaterThan(eventRetention);
    expect(MAX_RECEIVE_COUNT * (properties(queueId).VisibilityTimeout as number)).toBeLessThan(
      eventRetention,
    );
    // Even with Lambda's longest timeout (15 minutes) every receive happens before the message expires.
    const longest = templateOf(
      new ReconcilerStack(testApp(), 'LongTimeout', { timeout: Duration.minutes(15) }),
    ).toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    const queue = Object.values(longest).find(
      (r) => r.Type === 'AWS::SQS::Queue' && r.Properties?.RedrivePolicy,
    );
    expect(MAX_RECEIVE_COUNT * (queue?.Properties?.VisibilityTimeout as number)).toBeLessThan(
      queue?.Properties?.MessageRetentionPeriod as number,
    );
  });

  it('feeds the function from the queue in batches with partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: functionId },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('logs to its own log group with a retention', () => {
    const logGroup = onlyResource(template, 'AWS::Logs::LogGroup');
    expect(logGroup.properties.RetentionInDays).toBe(90);
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: logGroup.id } },
    });
  });

  describe('IAM', () => {
    it('has no managed policy and exactly the statements below', () => {
      expect(onlyResource(template, 'AWS::IAM::Role').properties.ManagedPolicyArns).toBeUndefined();
      expect(roleStatements(template).map((s) => s.Sid ?? actionsOf(s).join(','))).toEqual([
        'DescribeEndpointsAndTargetGroups',
        'WriteTargetsOfOptedInTargetGroups',
        'PublishMetricsInOwnNamespace',
        'RequeueToOwnQueue',
        'logs:CreateLogStream,logs:PutLogEvents',
        'sqs:ChangeMessageVisibility,sqs:DeleteMessage,sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:ReceiveMessage',
      ]);
    });

    it('has no wildcard action, and no write on * unless a condition holds it', () => {
      // Which calls the role must allow is proven from the calls the code makes (iam-policy.test.ts).
      const statements = roleStatements(template);
      expect(statements.flatMap(actionsOf).filter((a) => a.includes('*'))).toEqual([]);
      const onStar = statements.filter((s) => s.Resource === '*' || JSON.stringify(s.Resource) === '["*"]');
      expect(onStar.map((s) => s.Sid)).toEqual([
        'DescribeEndpointsAndTargetGroups',
        'PublishMetricsInOwnNamespace',
      ]);
      for (const statement of onStar) {
        const writes = actionsOf(statement).filter((a) => !/:(Describe|Get|List)/.test(a));
        if (writes.length) expect(statement.Condition, writes.join()).toBeDefined();
      }
      const reads = actionsOf(onStar[0] as Statement);
      expect(reads.filter((a) => !/:(Describe|Get)/.test(a))).toEqual([]);
    });

    it('allows target writes only on target groups carrying the opt-in tag', () => {
      const statement = roleStatements(template).find((s) => s.Sid === 'WriteTargetsOfOptedInTargetGroups');
      expect(statement).toEqual({
        Sid: 'WriteTargetsOfOptedInTargetGroups',
        Effect: 'Allow',
        // Sorted: cdk.json's @aws-cdk/aws-iam:minimizePolicies orders a statement's actions.
        Action: [...TARGET_WRITE_ACTIONS].sort(),
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':elasticloadbalancing:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':targetgroup/*/*',
            ],
          ],
        },
        Condition: { Null: { [`aws:ResourceTag/${ENDPOINT_ID_TAG}`]: 'false' } },
      });
    });

    it('allows PutMetricData only in the contract namespace and SendMessage only to its own queue', () => {
      const statements = roleStatements(template);
      expect(statements.find((s) => s.Sid === 'PublishMetricsInOwnNamespace')).toMatchObject({
        Action: 'cloudwatch:PutMetricData',
        Condition: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
      });
      expect(statements.find((s) => s.Sid === 'RequeueToOwnQueue')).toMatchObject({
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      });
    });

    it('grants exactly the AWS calls the functions code makes (scanned from its SDK command imports)', () => {
      const prefixes: Record<string, string> = {
        ec2: 'ec2',
        'elastic-load-balancing-v2': 'elasticloadbalancing',
        'resource-groups-tagging-api': 'tag',
        cloudwatch: 'cloudwatch',
        sqs: 'sqs',
      };
      const root = fileURLToPath(new URL('../../functions/src', import.meta.url));
      const called = new Set<string>();
      // The doctor (doctor/) runs only in the CLI, with the operator's rights: the role never needs its reads.
      const operatorOnly = (f: string) => f.startsWith('doctor/');
      for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
        (f) => f.endsWith('.ts') && !operatorOnly(f),
      )) {
        const source = readFileSync(join(root, file), 'utf8');
        // Static imports, and commands destructured from a dynamic import (a client loaded on first use).
        const imports = [
          ...source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g),
          ...source.matchAll(/\{([^{}]*)\}[^;{}]*?import\(\s*'@aws-sdk\/client-([a-z0-9-]+)'\s*\)/g),
        ];
        for (const [, names, client] of imports) {
          for (const [, command] of (names ?? '').matchAll(/\b(\w+)Command\b/g)) {
            called.add(`${prefixes[client ?? ''] ?? client}:${command}`);
          }
        }
      }
      const granted = new Set(
        roleStatements(template)
          .filter((s) => s.Sid)
          .flatMap(actionsOf),
      );
      expect([...granted].sort()).toEqual([...called].sort());
    });
  });

  describe('alarms', () => {
    const alarm = (id: string) => {
      const found = Object.entries(resourcesOf(template)).find(
        ([logicalId, r]) => r.Type === 'AWS::CloudWatch::Alarm' && logicalId.includes(id),
      );
      if (!found) throw new Error(`no alarm ${id}`);
      return found[1].Properties ?? {};
    };

    it('has the four alarms of the contract, each notifying the topic and telling the operator what to do', () => {
      template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
      for (const properties of Object.values(resourcesOf(template))
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
        .map((r) => r.Properties ?? {})) {
        expect(properties).toMatchObject({ AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] });
        expect(properties.AlarmDescription).toMatch(/What to do: /);
        expect(String(properties.AlarmDescription).length).toBeLessThanOrEqual(1024);
      }
    });

    it('unresolved drift: UnresolvedDriftTargets > 0 in 3 of 3 5-minute periods', () => {
      expect(alarm('UnresolvedDrift')).toMatchObject({
        Namespace: METRIC_NAMESPACE,
        MetricName: METRIC.UnresolvedDriftTargets,
        Period: 300,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
      });
    });

    it('errors: SiteErrors > 0 in 2 consecutive periods', () => {
      expect(alarm('SiteErrors')).toMatchObject({
        Namespace: METRIC_NAMESPACE,
        MetricName: METRIC.SiteErrors,
        Period: 300,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
      });
    });

    it('not running: RunsCompleted missing for 2 periods, missing data breaching', () => {
      expect(alarm('NotRunning')).toMatchObject({
        Namespace: METRIC_NAMESPACE,
        MetricName: METRIC.RunsCompleted,
        Statistic: 'Sum',
        Period: 300,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        EvaluationPeriods: 2,
        TreatMissingData: 'breaching',
      });
    });

    it('dead letters: any message in the dead-letter queue', () => {
      expect(alarm('DeadLetters')).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
      });
    });
  });

  it('exports the alarm topic, which requires TLS', () => {
    template.hasOutput('AlarmTopicArn', {
      Value: { Ref: topicId },
      Export: { Name: 'VpceTargetSync-AlarmTopicArn' },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it("charts every metric of the contract on the dashboard, per-site ones by shared's dimension", () => {
    const body = JSON.stringify(
      onlyResource(template, 'AWS::CloudWatch::Dashboard').properties.DashboardBody,
    );
    for (const name of Object.values(METRIC)) expect(body).toContain(`\\"${name}\\"`);
    expect(body).toContain(`{${METRIC_NAMESPACE},${SITE_DIMENSION}}`);
  });

  it("builds its metric helpers from shared's names and namespace", () => {
    const reconciler = stack.reconciler;
    const helpers = {
      [METRIC.RunsCompleted]: reconciler.metricRunsCompleted(),
      [METRIC.SitesReconciled]: reconciler.metricSitesReconciled(),
      [METRIC.SitesInDrift]: reconciler.metricSitesInDrift(),
      [METRIC.DriftTargets]: reconciler.metricDriftTargets(),
      [METRIC.UnresolvedDriftTargets]: reconciler.metricUnresolvedDriftTargets(),
      [METRIC.TargetsRegistered]: reconciler.metricTargetsRegistered(),
      [METRIC.TargetsDeregistered]: reconciler.metricTargetsDeregistered(),
      [METRIC.SiteErrors]: reconciler.metricSiteErrors(),
      [METRIC.EventsIgnored]: reconciler.metricEventsIgnored(),
      [METRIC.SitesDeferred]: reconciler.metricSitesDeferred(),
    };
    expect(Object.keys(helpers).sort()).toEqual(Object.values(METRIC).sort());
    for (const [name, metric] of Object.entries(helpers)) {
      expect(metric.metricName).toBe(name);
      expect(metric.namespace).toBe(METRIC_NAMESPACE);
      expect(metric.period.toSeconds()).toBe(300);
    }
    for (const name of PER_SITE_METRICS) {
      expect(reconciler.metricForSite(name, 'my-site').dimensions).toEqual({ [SITE_DIMENSION]: 'my-site' });
    }
  });
});

describe('Reconciler props', () => {
  let template: Template;

  beforeAll(() => {
    const stack = new Stack(testApp(), 'Custom');
    new Reconciler(stack, 'Reconciler', {
      schedule: Duration.minutes(15),
      dryRun: true,
      perSiteMetrics: false,
      alarmTopic: Topic.fromTopicArn(stack, 'Existing', 'arn:aws:sns:eu-west-1:123456789012:ops'),
      alarmEmail: 'ops@example.com',
      logRetention: RetentionDays.ONE_YEAR,
      runtime: Runtime.NODEJS_22_X,
      memorySize: 1024,
      timeout: Duration.minutes(1),
      logLevel: 'debug',
      rateLimits: 'elbv2-describe=8',
    });
    template = templateOf(stack);
  });

  it('applies the function settings', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      MemorySize: 1024,
      Timeout: 60,
      Environment: {
        Variables: Match.objectLike({
          [ENV.dryRun]: 'true',
          [ENV.perSiteMetrics]: 'false',
          [ENV.logLevel]: 'debug',
          [ENV.scheduleMinutes]: '15',
          [ENV.rateLimits]: 'elbv2-describe=8',
        }),
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('keeps the visibility timeout at six times the function timeout', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 360 });
  });

  it('schedules the pass and stretches the alarm periods to the interval', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    for (const alarm of Object.values(resourcesOf(template)).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm',
    )) {
      expect(alarm.Properties?.Period).toBe(900);
    }
  });

  it('uses the given topic and subscribes the e-mail address to it', () => {
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:ops'],
    });
  });

  it.each([
    [
      'a schedule of 90 s',
      { schedule: Duration.seconds(90) },
      /schedule is 1 minute 30 seconds; expected whole minutes from 1 to 60/,
    ],
    ['a schedule of 2 h', { schedule: Duration.hours(2) }, /expected whole minutes from 1 to 60/],
    [
      'Node.js 20',
      { runtime: Runtime.NODEJS_20_X },
      /runtime is nodejs20.x; expected a Node.js runtime, 22 or later/,
    ],
    ['a Python runtime', { runtime: Runtime.PYTHON_3_13 }, /runtime is python3.13/],
    ['an unknown log level', { logLevel: 'loud' }, /logLevel is "loud"/],
    ['a malformed e-mail address', { alarmEmail: 'ops' }, /alarmEmail is "ops"/],
    [
      'an unknown rate-limit family',
      { rateLimits: 'elbv2-describe=8,elbv3=2' },
      'Reconciler: rateLimits "elbv2-describe=8,elbv3=2" has "elbv3=2"; expected comma-separated family=rate[/burst] entries with family one of elbv2-describe, elbv2-write, ec2-describe, tagging, cloudwatch, sqs and positive numbers, e.g. elbv2-describe=8,ec2-describe=10/20',
    ],
    ['a rate of zero', { rateLimits: 'tagging=0' }, /rateLimits "tagging=0" has "tagging=0"; expected/],
    [
      'a token schedule in seconds',
      { schedule: Duration.seconds(Token.asNumber({ Ref: 'Seconds' })) },
      "Reconciler: schedule is a token in seconds; expected Duration.minutes(token) (EventBridge's rate() takes minutes)",
    ],
  ])('rejects %s early with a clear error', (_label, props, message) => {
    expect(() => new Reconciler(new Stack(testApp(), 'Bad'), 'Reconciler', props)).toThrow(message);
  });

  it("rejects at synth exactly the rate limits the functions' parser rejects at start", () => {
    const accepted = (rateLimits: string) => {
      try {
        new Reconciler(new Stack(testApp(), 'R'), 'Reconciler', { rateLimits });
        return true;
      } catch {
        return false;
      }
    };
    const values = [
      '',
      'ec2-describe=10/20',
      'sqs=0.5',
      ' tagging = 3 / 4 ',
      'elbv2=1',
      'sqs=1/0',
      'sqs',
      'sqs=-1',
    ];
    for (const value of values) expect(accepted(value), value).toBe(parseRateLimits(value, 'env').ok);
    // Both verdicts occur, so the comparison above is not vacuous.
    expect(values.map(accepted)).toEqual([true, true, true, true, false, false, false, false]);
  });
});

describe('Reconciler props from tokens (e.g. CloudFormation parameters)', () => {
  let template: Template;

  beforeAll(() => {
    const stack = new Stack(testApp(), 'Parameters');
    const text = (id: string) => new CfnParameter(stack, id, { type: 'String' }).valueAsString;
    new Reconciler(stack, 'Reconciler', {
      schedule: Duration.minutes(new CfnParameter(stack, 'Minutes', { type: 'Number' }).valueAsNumber),
      alarmEmail: text('Email'),
      logLevel: text('LogLevel'),
      rateLimits: text('RateLimits'),
    });
    template = templateOf(stack);
  });

  it('synthesises without checking them, and passes them on', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.logLevel]: { Ref: 'LogLevel' },
          [ENV.rateLimits]: { Ref: 'RateLimits' },
          [ENV.scheduleMinutes]: { Ref: 'Minutes' },
        }),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: { Ref: 'Email' },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: { 'Fn::Join': ['', ['rate(', { Ref: 'Minutes' }, ' minutes)']] },
    });
  });

  it("keeps the contract's 5-minute alarm periods and drops a tick delayed past them", () => {
    for (const alarm of Object.values(resourcesOf(template)).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm',
    )) {
      expect(alarm.Properties?.Period).toBe(300);
    }
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumEventAgeInSeconds: 300,
      MaximumRetryAttempts: 0,
    });
  });
});
