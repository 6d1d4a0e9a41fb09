import {
  ENDPOINT_ID_TAG,
  ENV,
  eventRules,
  isLogLevel,
  isScheduleMinutes,
  LOG_LEVELS,
  METRIC,
  METRIC_NAMESPACE,
  type MetricName,
  PER_SITE_METRICS,
  parseRateLimits,
  SCHEDULE_MINUTES,
  SITE_DIMENSION,
} from '@vpce-target-sync/shared';
import { Duration, Stack, Token, Tokenization } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarmAction,
  MathExpression,
  Metric,
  type MetricOptions,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Function as LambdaFn, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
// The functions' own parser, so synth rejects what the function would reject at start. The module
// imports only shared (no AWS SDK): the construct library bundles it.
import { BUNDLE_HANDLER, handlerCode } from './bundle.ts';
import { acknowledgeNagRule } from './nag.ts';

/**
 * Memory, sized from the measured peak RSS (`pnpm bench`: a process holding the bundled function
 * and a full pass's data peaks at 146-154 MB from 1 to 5,000 sites; `pnpm measure` in infra/: the
 * cold import leaves 75 MB RSS, a pass over 5,000 in-memory sites adds 24 MB of heap). 256 MB holds
 * that with 100 MB to spare. A run is bound by the AWS rate limits, not CPU (0.1 ms of CPU per site),
 * so the smaller CPU share costs only cold start (about 1.9 s instead of 0.9 s at 512 MB, once per
 * container) and halves the standing cost of duration
 * (docs/performance.md, "Standing cost: 100 in-sync sites").
 */
export const DEFAULT_MEMORY_MB = 256;

/**
 * Timeout, from measurement: a run is bound by AWS API calls, not CPU (0.1 ms of CPU per site
 * measured). The functions hold ELBv2 Describe calls to 4/s by default (functions/src/aws/
 * rate-limits.ts, 40 % of AWS's documented bucket) and DescribeTargetHealth is one call per site, so
 * a pass checks about 4 sites a second: 2 minutes covers about 400 sites. A tick's share is sized
 * to the schedule interval, not to this timeout: what the tick cannot start before its deadline
 * margin goes to the events queue (docs/DESIGN.md, "A full pass over a large fleet"). A longer timeout would hold the single concurrency slot longer (events wait behind the
 * pass) and lengthen the queue's visibility timeout (six times this), which is how long a throttled
 * event batch waits before its next attempt.
 */
export const DEFAULT_TIMEOUT = Duration.minutes(2);

/** How often the full pass runs by default: the contract's alarms count 5-minute periods. */
export const DEFAULT_SCHEDULE = Duration.minutes(5);

/**
 * AWS's guidance for an SQS event source: a visibility timeout of at least six times the function
 * timeout, so the poller can retry a throttled invocation while the batch stays invisible.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/**
 * Receives before a message is dead-lettered. The function runs with a reserved concurrency of 1,
 * so the queue poller being throttled while the scheduled pass runs is normal, not a failure: a
 * throttle that outlasts the visibility timeout costs a receive. AWS recommends at least 5; 10
 * (with a 12-minute visibility timeout, two hours of attempts) keeps throttling from dead-lettering
 * anything, while a message that really cannot be processed still lands in the DLQ and alarms.
 */
export const MAX_RECEIVE_COUNT = 10;

/**
 * How long the event queue keeps a message: SQS's own default, stated so it is a choice (cfn-lint
 * I3013). It must exceed the ten receives a message may take (MAX_RECEIVE_COUNT visibility
 * timeouts, at most 15 h with the longest Lambda timeout), or a message could expire before it is
 * dead-lettered; and it must be shorter than the dead-letter queue's, because SQS keeps a
 * message's original enqueue time when it moves it to a dead-letter queue (AWS: "set the retention
 * period of a dead-letter queue to be longer than the retention period of the original queue").
 * Older events are worth little anyway: the scheduled pass corrects every site within one interval.
 */
export const EVENT_RETENTION_PERIOD = Duration.days(4);

/** How long the dead-letter queue keeps a message: SQS's maximum, time for an operator to look. */
export const DEAD_LETTER_RETENTION_PERIOD = Duration.days(14);

/** Messages per invocation of the event path. */
export const EVENT_BATCH_SIZE = 10;

/**
 * One change emits several CloudTrail calls close together (CreateTargetGroup, AddTags,
 * RegisterTargets; ModifyVpcEndpoint then the ENIs): waiting up to 5 s lets one invocation take them.
 */
export const EVENT_BATCHING_WINDOW = Duration.seconds(5);

/** The contract's alarm period (docs/DESIGN.md, "Alarms"): 5-minute periods. */
export const ALARM_PERIOD = Duration.minutes(5);

/** The Describe calls the code makes. They take no resource ARN, so IAM only accepts `*` for them. */
export const DESCRIBE_ACTIONS = [
  'ec2:DescribeVpcEndpoints',
  'ec2:DescribeNetworkInterfaces',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTags',
  'elasticloadbalancing:DescribeTargetHealth',
  'tag:GetResources',
] as const;

/** The only writes to target groups, allowed only on those that carry the opt-in tag. */
export const TARGET_WRITE_ACTIONS = [
  'elasticloadbalancing:RegisterTargets',
  'elasticloadbalancing:DeregisterTargets',
] as const;

export interface ReconcilerProps {
  /**
   * How often the full pass runs (whole minutes, 1 to 60). The alarms' periods are the longer of
   * this and the contract's 5 minutes. A token (e.g. a CfnParameter) must be
   * `Duration.minutes(token)`, as EventBridge's `rate()` takes minutes; it is not checked at synth,
   * the alarms keep 5-minute periods (so it should be at most 10 minutes, or the not-running alarm
   * fires between passes) and a tick delayed by throttling is dropped after 5 minutes.
   * @default Duration.minutes(5)
   */
  readonly schedule?: Duration;
  /**
   * Plan and report (logs, metrics) without registering or deregistering anything.
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * Publish the per-site metrics (dimension `TargetGroup`) while they are non-zero.
   * @default true
   */
  readonly perSiteMetrics?: boolean;
  /**
   * The SNS topic the alarms notify (alarm and OK).
   * @default - a new topic that requires TLS, without server-side encryption: it carries only alarm
   * state changes (alarm names, metric values), and SSE would need a customer managed KMS key
   * (about $1/month) whose key policy admits cloudwatch.amazonaws.com (the AWS managed SNS key
   * does not let CloudWatch publish). Pass your own encrypted topic if your policy requires SSE.
   */
  readonly alarmTopic?: ITopic;
  /**
   * An e-mail address subscribed to the alarm topic (the recipient must confirm the subscription).
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /**
   * How long the function's log events are kept.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * The Lambda runtime, a Node.js 22 or later runtime (the bundle targets its Node.js version).
   * @default Runtime.NODEJS_24_X
   */
  readonly runtime?: Runtime;
  /**
   * The function's memory in MB.
   * @default 256 (see DEFAULT_MEMORY_MB for the measurements)
   */
  readonly memorySize?: number;
  /**
   * The function's timeout. The queue's visibility timeout is six times this.
   * @default Duration.minutes(2) (see DEFAULT_TIMEOUT for the measurements)
   */
  readonly timeout?: Duration;
  /**
   * The functions' pino log level: trace, debug, info, warn, error or fatal.
   * @default 'info'
   */
  readonly logLevel?: string;
  /**
   * Client-side API rate limits over the functions' defaults, `family=rate[/burst],…`
   * (e.g. `elbv2-describe=8`), for accounts where other tools leave more or less of AWS's budget.
   * Checked at synth with the parser the functions use (unless it is a token).
   * @default - the functions' defaults (shared/src/rate-limits.ts)
   */
  readonly rateLimits?: string;
}

/** nodejs20.x was deprecated on 2026-04-30. */
const MIN_NODE_MAJOR = 22;

/** The longer of two durations. */
const longer = (a: Duration, b: Duration): Duration => (a.toSeconds() >= b.toSeconds() ? a : b);

/**
 * vpce-target-sync, deployed once per account and region: one function that keeps opted-in ALB
 * target groups equal to their endpoint's ENI IPs, started by a schedule (the full pass) and by
 * CloudTrail events through an encrypted SQS queue (only the sites an event names), with a
 * dead-letter queue, least-privilege IAM, the contract's four alarms and a dashboard.
 *
 * **Two reconciles of the same site never overlap.** Both paths run in ONE function whose reserved
 * concurrency is 1, so at most one invocation — scheduled pass or event batch — runs in the
 * account and region at any time. A schedule tick that arrives while a batch runs is an
 * asynchronous invocation: Lambda throttles it and retries it later (up to one schedule interval,
 * after which the next tick supersedes it). An event batch that arrives while the pass runs is
 * throttled at the queue poller and retried while its messages stay invisible; the queue's
 * visibility timeout (six times the function timeout, as AWS advises) and a maxReceiveCount of 10
 * make sure such throttling does not dead-letter messages: see MAX_RECEIVE_COUNT. Deploy it once
 * per account and region: a second deployment would be a second, independent slot.
 */
export class Reconciler extends Construct {
  /** The reconciler function (both paths). */
  public readonly function: LambdaFn;
  /** The function's role; its ARN is also the function's VPCE_TARGET_SYNC_ROLE_ARN. */
  public readonly role: Role;
  /** The queue the event rules deliver to and the function reads (and re-queues waiting sites to). */
  public readonly queue: Queue;
  /** Messages that could not be processed, and events EventBridge could not deliver to the queue. */
  public readonly deadLetterQueue: Queue;
  /** The topic the alarms notify. */
  public readonly alarmTopic: ITopic;
  /** The function's log group. */
  public readonly logGroup: LogGroup;
  /** The rule that starts the full pass. */
  public readonly scheduleRule: Rule;
  /** One rule per event source (EC2 endpoints, ELB target groups), in shared's order. */
  public readonly eventRules: readonly Rule[];
  /** The contract's alarms. */
  public readonly alarms: {
    readonly unresolvedDrift: Alarm;
    readonly siteErrors: Alarm;
    readonly notRunning: Alarm;
    readonly deadLetters: Alarm;
  };
  /** The contract's metrics, per-site drift and errors, the function and the queues. */
  public readonly dashboard: Dashboard;
  /** The period of the alarms and of the metric helpers' defaults. */
  public readonly alarmPeriod: Duration;

  constructor(scope: Construct, id: string, props: ReconcilerProps = {}) {
    super(scope, id);
    const schedule = props.schedule ?? DEFAULT_SCHEDULE;
    validateProps(props, schedule);
    const timeout = props.timeout ?? DEFAULT_TIMEOUT;
    const runtime = props.runtime ?? Runtime.NODEJS_24_X;
    // A token schedule's length is unknown until deployment: the contract's period, see `schedule`.
    const known = !schedule.isUnresolved();
    this.alarmPeriod = known ? longer(ALARM_PERIOD, schedule) : ALARM_PERIOD;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION_PERIOD,
    });
    this.queue = new Queue(this, 'EventQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      retentionPeriod: EVENT_RETENTION_PERIOD,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description:
        'vpce-target-sync reconciler: reads endpoints and target groups, writes only opted-in targets',
    });
    this.grantLeastPrivilege();

    this.function = new LambdaFn(this, 'Function', {
      description:
        'vpce-target-sync: keeps opted-in ALB ip target groups equal to their VPC endpoint ENI IPs',
      runtime,
      architecture: Architecture.ARM_64,
      code: handlerCode(runtime),
      handler: BUNDLE_HANDLER,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_MB,
      timeout,
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: 1,
      // A failed pass is retried by the next tick; a tick still queued after one interval is superseded.
      retryAttempts: 0,
      maxEventAge: known ? schedule : ALARM_PERIOD,
      environment: {
        [ENV.roleArn]: this.role.roleArn,
        [ENV.queueUrl]: this.queue.queueUrl,
        [ENV.dryRun]: String(props.dryRun ?? false),
        [ENV.perSiteMetrics]: String(props.perSiteMetrics ?? true),
        [ENV.logLevel]: props.logLevel ?? 'info',
        // The scheduled pass sizes its share of a large fleet from the interval.
        [ENV.scheduleMinutes]: known
          ? String(schedule.toMinutes())
          : Tokenization.stringifyNumber(schedule.toMinutes()),
        ...(props.rateLimits ? { [ENV.rateLimits]: props.rateLimits } : {}),
      },
    });
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: EVENT_BATCH_SIZE,
        maxBatchingWindow: EVENT_BATCHING_WINDOW,
        reportBatchItemFailures: true,
        // The lowest the poller accepts; with a reserved concurrency of 1 it only saves throttled attempts.
        maxConcurrency: 2,
      }),
    );

    this.scheduleRule = new Rule(this, 'Schedule', {
      description: 'vpce-target-sync: the full reconcile pass',
      schedule: Schedule.rate(schedule),
      targets: [new LambdaFunction(this.function)],
    });

    this.eventRules = eventRules({ excludeRoleArn: this.role.roleArn }).map(
      (spec) =>
        new Rule(this, spec.id, {
          description: spec.description,
          eventPattern: spec.eventPattern,
          targets: [new SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
        }),
    );

    this.alarmTopic = props.alarmTopic ?? this.createTopic();
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.alarms = this.createAlarms(new SnsAction(this.alarmTopic));
    this.dashboard = this.createDashboard();
  }

  /** A metric of the contract in the product's namespace, without dimensions (run-wide). */
  public metric(metricName: MetricName, props: MetricOptions = {}): Metric {
    return new Metric({ namespace: METRIC_NAMESPACE, metricName, period: this.alarmPeriod, ...props });
  }

  /** A per-site metric (dimension `TargetGroup` = the target group's name); present only while non-zero. */
  public metricForSite(
    metricName: (typeof PER_SITE_METRICS)[number],
    targetGroupName: string,
    props: MetricOptions = {},
  ): Metric {
    return this.metric(metricName, {
      statistic: Stats.MAXIMUM,
      ...props,
      dimensionsMap: { [SITE_DIMENSION]: targetGroupName },
    });
  }

  /** Finished runs (both paths): the heartbeat. Sum per period. */
  public metricRunsCompleted(props: MetricOptions = {}): Metric {
    return this.metric(METRIC.RunsCompleted, { statistic: Stats.SUM, ...props });
  }

  /** Sites a run looked at. Maximum per period (the full pass sees them all). */
  public metricSitesReconciled(props: MetricOptions = {}): Metric {
    return this.metric(METRIC.SitesReconciled, { statistic: Stats.MAXIMUM, ...props });
  }

  /** Sites whose targets differed from their endpoint's IPs at the start of a run. Maximum per period. */
  public metricSitesInDrift(props: MetricOptions = {}): Metric {
    return this.metric(METRIC.SitesInDrift, { statistic: Stats.MAXIMUM, ...props });
  }

  /** Missing plus stale targets seen at the start of a run. Maximum per period. */
  public metricDriftTargets(props: MetricOptions = {}): Metric {
    return this.metric(METRIC.DriftTargets, { statistic: Stats.MAXIMUM, ...props });
  }

  /**
   * Drift left when a run ends. Maximum per period: the event path's small runs publish 0 for the
   * few sites they touch, which must not hide the full pass's figure.
   */
  public metricUnresolvedDriftTargets(props: MetricOptions = {}): Metric {
    return this.metric(METRIC.UnresolvedDriftTargets, { statistic: Stats.MAXIMUM, ...props });
  }

  /** Targets registered. Sum per period. */
  public metricTargetsRegistered(props: MetricOptions = {}): Metric {
    return this.metric(METRIC.TargetsRegistered, { statistic: Stats.SUM, ...props });
  }

  /** Targets deregistered. Sum per period. */
  public metricTargetsDeregistered(props: MetricOptions = {}): Metric {
    return this.metric(METRIC.TargetsDeregistered, { statistic: Stats.SUM, ...props });
  }

  /** Sites in error (validation, refusal, AWS failure). Maximum per period. */
  public metricSiteErrors(props: MetricOptions = {}): Metric {
    return this.metric(METRIC.SiteErrors, { statistic: Stats.MAXIMUM, ...props });
  }

  /** Events acknowledged without action (malformed or irrelevant). Sum per period. */
  public metricEventsIgnored(props: MetricOptions = {}): Metric {
    return this.metric(METRIC.EventsIgnored, { statistic: Stats.SUM, ...props });
  }

  /** Sites a scheduled tick deferred at its deadline (re-queued to the event path). Sum per period. */
  public metricSitesDeferred(props: MetricOptions = {}): Metric {
    return this.metric(METRIC.SitesDeferred, { statistic: Stats.SUM, ...props });
  }

  /** Messages waiting in the dead-letter queue. Maximum per period. */
  public metricDeadLetters(props: MetricOptions = {}): Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: Stats.MAXIMUM,
      period: this.alarmPeriod,
      ...props,
    });
  }

  /**
   * Exactly the calls the code makes, nothing else: Describe* on `*` (they accept no resource),
   * target writes only on target groups that carry the opt-in tag, metrics only in the product's
   * namespace, SQS sends only to its own queue. The SQS event source adds the receive/delete
   * grants on the queue, and the log group grant covers the function's own log stream.
   */
  private grantLeastPrivilege(): void {
    const stack = Stack.of(this);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'DescribeEndpointsAndTargetGroups',
        effect: Effect.ALLOW,
        actions: [...DESCRIBE_ACTIONS],
        resources: ['*'],
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteTargetsOfOptedInTargetGroups',
        effect: Effect.ALLOW,
        actions: [...TARGET_WRITE_ACTIONS],
        resources: [
          stack.formatArn({ service: 'elasticloadbalancing', resource: 'targetgroup', resourceName: '*/*' }),
        ],
        conditions: { Null: { [`aws:ResourceTag/${ENDPOINT_ID_TAG}`]: 'false' } },
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'PublishMetricsInOwnNamespace',
        effect: Effect.ALLOW,
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'RequeueToOwnQueue',
        effect: Effect.ALLOW,
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
      }),
    );
    this.logGroup.grantWrite(this.role);

    const policy = this.role.node.tryFindChild('DefaultPolicy');
    const acknowledge = (finding: string, reason: string) =>
      acknowledgeNagRule(policy ?? this.role, { id: `AwsSolutions-IAM5[${finding}]`, reason });
    acknowledge(
      'Resource::*',
      'The Describe calls (ec2:DescribeVpcEndpoints, ec2:DescribeNetworkInterfaces, elasticloadbalancing:Describe*, tag:GetResources) accept no resource ARN, so IAM only allows them on *; cloudwatch:PutMetricData has no resource either and is held to the product namespace by a cloudwatch:namespace condition.',
    );
    acknowledge(
      'Resource::arn:<AWS::Partition>:elasticloadbalancing:<AWS::Region>:<AWS::AccountId>:targetgroup/*/*',
      `Target groups opt in by tag at any time, so their ARNs are not known at deploy time; RegisterTargets/DeregisterTargets are limited to target groups in this account and region that carry the ${ENDPOINT_ID_TAG} tag (aws:ResourceTag Null=false condition).`,
    );
  }

  private createTopic(): Topic {
    return new Topic(this, 'AlarmTopic', {
      displayName: 'vpce-target-sync alarms',
      enforceSSL: true,
    });
  }

  private createAlarms(action: IAlarmAction): Reconciler['alarms'] {
    const period = this.alarmPeriod.toMinutes();
    const notify = (alarm: Alarm): Alarm => {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      return alarm;
    };
    return {
      unresolvedDrift: notify(
        new Alarm(this, 'UnresolvedDriftAlarm', {
          metric: this.metricUnresolvedDriftTargets(),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 3,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: `vpce-target-sync: some target groups have not matched their VPC endpoint's ENI IPs for 3 consecutive ${period}-minute periods and the reconciler did not correct them. Causes: a site with policy observe or upsert-only, a dry-run deployment, a refused plan (it would have emptied the target group), or failing writes. What to do: see "Per-site unresolved drift" on the dashboard, or run \`vpce-target-sync reconcile --dry-run --json\` to see each site's plan and reason; fix the cause (policy tag, endpoint subnets, permissions) or accept the drift knowingly.`,
        }),
      ),
      siteErrors: notify(
        new Alarm(this, 'SiteErrorsAlarm', {
          metric: this.metricSiteErrors(),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 2,
          datapointsToAlarm: 2,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: `vpce-target-sync: sites failed to reconcile in 2 consecutive ${period}-minute periods; their targets are not being kept. Causes: a malformed ${ENDPOINT_ID_TAG} or policy tag, an endpoint that is missing, not of type Interface or in another VPC, a target group that is not of type ip, a plan refused because it would empty the target group, or AWS API errors (access denied, throttling). What to do: the function's log group has one error line per failed site naming the target group and the reason; "Per-site errors" on the dashboard names the target groups; reproduce with \`vpce-target-sync reconcile --target-group NAME --dry-run\` and fix the tag, endpoint or permissions.`,
        }),
      ),
      notRunning: notify(
        new Alarm(this, 'NotRunningAlarm', {
          metric: this.metricRunsCompleted(),
          threshold: 1,
          comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 2,
          datapointsToAlarm: 2,
          treatMissingData: TreatMissingData.BREACHING,
          alarmDescription: `vpce-target-sync: no reconcile run finished in 2 consecutive ${period}-minute periods, so nothing keeps the target groups in step and the other alarms see no data. Causes: the schedule rule is disabled, every invocation fails (a configuration error does, and Lambda logs its message naming the variable), the function times out, is throttled, or lacks permission (e.g. cloudwatch:PutMetricData denied by an SCP). What to do: check the function's Errors, Throttles and Duration on the dashboard and its log group; check that the schedule rule is enabled; invoke the function once by hand and read its log.`,
        }),
      ),
      deadLetters: notify(
        new Alarm(this, 'DeadLettersAlarm', {
          metric: this.metricDeadLetters(),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: `vpce-target-sync: messages are in the dead-letter queue: events that failed ${MAX_RECEIVE_COUNT} times (transient AWS errors that outlasted the retries) or that EventBridge could not deliver to the event queue. The scheduled pass still corrects every site within one interval, so what was lost is the event path's promptness. What to do: read the messages on the dead-letter queue and the function's log for their errors; once the cause is fixed, redrive them to the event queue (SQS console, "Start DLQ redrive") or purge them.`,
        }),
      ),
    };
  }

  private createDashboard(): Dashboard {
    const period = this.alarmPeriod;
    const search = (metricName: MetricName, label: string) =>
      new MathExpression({
        expression: `SEARCH('{${METRIC_NAMESPACE},${SITE_DIMENSION}} MetricName="${metricName}"', '${Stats.MAXIMUM}', ${period.toSeconds()})`,
        label,
        period,
        usingMetrics: {},
      });
    const graph = (title: string, left: (Metric | MathExpression)[], width = 8) =>
      new GraphWidget({ title, left, width, height: 6, period });
    // The run-wide figures other than the heartbeat are published only when non-zero: draw the gaps as 0.
    const filled = (metric: Metric) => {
      const id = `m${metric.metricName}`;
      return new MathExpression({
        expression: `FILL(${id}, 0)`,
        usingMetrics: { [id]: metric },
        label: metric.metricName,
        period,
      });
    };
    const dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# vpce-target-sync\nNamespace \`${METRIC_NAMESPACE}\`. Per-site figures (dimension \`${SITE_DIMENSION}\`) appear only while non-zero.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new AlarmStatusWidget({
        title: 'Alarms',
        alarms: Object.values(this.alarms),
        width: 24,
        height: 3,
      }),
    );
    dashboard.addWidgets(
      graph('Runs completed', [this.metricRunsCompleted()]),
      graph('Sites', [
        filled(this.metricSitesReconciled()),
        filled(this.metricSitesInDrift()),
        filled(this.metricSiteErrors()),
      ]),
      graph('Drift (targets)', [
        filled(this.metricDriftTargets()),
        filled(this.metricUnresolvedDriftTargets()),
      ]),
    );
    dashboard.addWidgets(
      graph('Target changes', [
        filled(this.metricTargetsRegistered()),
        filled(this.metricTargetsDeregistered()),
      ]),
      graph('Per-site unresolved drift', [search(METRIC.UnresolvedDriftTargets, '')]),
      graph('Per-site errors', [search(METRIC.SiteErrors, '')]),
    );
    dashboard.addWidgets(
      graph('Function', [
        this.function.metricInvocations({ period }),
        this.function.metricErrors({ period }),
        this.function.metricThrottles({ period }),
      ]),
      graph('Function duration (max)', [this.function.metricDuration({ period, statistic: Stats.MAXIMUM })]),
      graph('Event queue', [
        this.queue.metricApproximateNumberOfMessagesVisible({ period }),
        this.queue.metricApproximateAgeOfOldestMessage({ period }),
        this.metricDeadLetters(),
        this.metricEventsIgnored(),
        filled(this.metricSitesDeferred()),
      ]),
    );
    return dashboard;
  }
}

/** Props are checked when they are known; a token (a parameter, an import) is CloudFormation's to check. */
function validateProps(props: ReconcilerProps, schedule: Duration): void {
  if (schedule.isUnresolved()) {
    if (!['minute', 'minutes'].includes(schedule.unitLabel())) {
      throw new Error(
        `Reconciler: schedule is a token in ${schedule.unitLabel()}; expected Duration.minutes(token) (EventBridge's rate() takes minutes)`,
      );
    }
  } else {
    const minutes = schedule.toSeconds() / 60;
    if (!isScheduleMinutes(minutes)) {
      throw new Error(
        `Reconciler: schedule is ${schedule.toHumanString()}; expected whole minutes from ${SCHEDULE_MINUTES.min} to ${SCHEDULE_MINUTES.max}`,
      );
    }
  }
  const known = (value: string | undefined): value is string =>
    value !== undefined && !Token.isUnresolved(value);
  if (known(props.logLevel) && !isLogLevel(props.logLevel)) {
    throw new Error(
      `Reconciler: logLevel is ${JSON.stringify(props.logLevel)}; expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  if (props.runtime) {
    const major = Number(/^nodejs(\d+)\.x$/.exec(props.runtime.name)?.[1] ?? 0);
    if (major < MIN_NODE_MAJOR) {
      throw new Error(
        `Reconciler: runtime is ${props.runtime.name}; expected a Node.js runtime, ${MIN_NODE_MAJOR} or later`,
      );
    }
  }
  if (known(props.alarmEmail) && !/^[^@\s]+@[^@\s]+$/.test(props.alarmEmail)) {
    throw new Error(
      `Reconciler: alarmEmail is ${JSON.stringify(props.alarmEmail)}; expected an e-mail address`,
    );
  }
  if (known(props.rateLimits)) {
    const parsed = parseRateLimits(props.rateLimits, `rateLimits ${JSON.stringify(props.rateLimits)}`);
    if (!parsed.ok) throw new Error(`Reconciler: ${parsed.error}`);
  }
}
