import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '@vpce-target-sync/functions/cli';
import {
  ENDPOINT_ID_TAG,
  ENV,
  METRIC,
  METRIC_NAMESPACE,
  POLICY_TAG,
  SITE_DIMENSION,
} from '@vpce-target-sync/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trail } from '../support/cloudtrail.ts';
import { type CliResult, type Harness, type JsonReport, runCli, startHarness } from '../support/harness.ts';

/**
 * The bad-input corpus: one table, one row per input a user or AWS can get wrong. Every row says
 * where the input goes, the message it must produce (naming the input and what is expected), the
 * exit code or metric, and that no stack trace reaches the terminal.
 *
 * - tag rows: target groups tagged so; one real `reconcile --json` over all of them;
 * - event rows: records of one SQS batch; one real `handle-event FILE --json` over all of them;
 * - env and cli rows: `main(argv, out, err)` in-process, and through the real CLI for rows marked `spawn`.
 */

type Row =
  | { readonly where: 'tag'; readonly case: string; readonly tags: Tags; readonly message: RegExp }
  | {
      readonly where: 'env';
      readonly case: string;
      readonly env: Record<string, string>;
      readonly message: RegExp;
      readonly spawn?: boolean;
    }
  | {
      readonly where: 'cli';
      readonly case: string;
      /** `{dir}` is a directory, `{missing}` a file that does not exist, `{text}` / `{empty}` files. */
      readonly argv: readonly string[];
      readonly stdin?: string;
      readonly message: RegExp;
      readonly spawn?: boolean;
    }
  | { readonly where: 'event'; readonly case: string; readonly body: string; readonly message: RegExp };

interface Tags {
  readonly endpointId?: string;
  readonly policy?: string;
}

/** A valid endpoint id, replaced at run time by the fleet's real endpoint. */
const GOOD = '{endpoint}';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef';
const ID_EXPECTED = "expected 'vpce-' followed by 8 or 17 lowercase hex digits";
const POLICY_EXPECTED = 'expected one of sync, upsert-only, observe \\(default sync\\)';
const tagIs = (value: string) =>
  `tag vpce-target-sync:endpoint-id is ${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
const policyIs = (value: string) =>
  `tag vpce-target-sync:policy is ${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
const re = (...parts: string[]) => new RegExp(parts.join(''));
const event = (change: (e: Record<string, any>) => void): string => {
  const e = trail.modifyVpcEndpoint('vpce-0a1b2c3d4e5f60718', { add: ['subnet-0a1b2c3d'] }) as Record<
    string,
    any
  >;
  change(e);
  return JSON.stringify(e);
};
const LONG = `vpce-${'a'.repeat(251)}`;

// biome-ignore format: one row per line keeps the corpus a table
const ROWS: readonly Row[] = [
  // Tag values (vpce-target-sync:endpoint-id)
  { where: 'tag', case: 'endpoint id empty', tags: { endpointId: '' }, message: re(tagIs(''), ' \\(it is empty\\); ', ID_EXPECTED) },
  { where: 'tag', case: 'endpoint id only spaces', tags: { endpointId: '  ' }, message: re(tagIs('  '), ' \\(it is empty\\); ', ID_EXPECTED) },
  { where: 'tag', case: 'endpoint id leading space', tags: { endpointId: ' vpce-0a1b2c3d' }, message: re(tagIs(' vpce-0a1b2c3d'), ' \\(it has leading or trailing spaces\\); ', ID_EXPECTED) },
  { where: 'tag', case: 'endpoint id trailing space', tags: { endpointId: 'vpce-0a1b2c3d ' }, message: re(tagIs('vpce-0a1b2c3d '), ' \\(it has leading or trailing spaces\\)') },
  { where: 'tag', case: 'endpoint id upper case', tags: { endpointId: 'VPCE-0A1B2C3D' }, message: re(tagIs('VPCE-0A1B2C3D'), ' \\(endpoint ids are lowercase\\); ', ID_EXPECTED) },
  { where: 'tag', case: 'endpoint id mixed case hex', tags: { endpointId: 'vpce-0A1b2C3d4E5f60718' }, message: re(tagIs('vpce-0A1b2C3d4E5f60718'), ' \\(endpoint ids are lowercase\\)') },
  { where: 'tag', case: 'endpoint id wrong prefix (a VPC id)', tags: { endpointId: 'vpc-0a1b2c3d' }, message: re(tagIs('vpc-0a1b2c3d'), '; ', ID_EXPECTED) },
  { where: 'tag', case: 'endpoint id wrong prefix (service name)', tags: { endpointId: 'com.amazonaws.us-east-1.s3' }, message: re(tagIs('com.amazonaws.us-east-1.s3'), '; ', ID_EXPECTED) },
  { where: 'tag', case: 'endpoint id with 16 hex digits', tags: { endpointId: 'vpce-0a1b2c3d4e5f6071' }, message: re(tagIs('vpce-0a1b2c3d4e5f6071'), '; ', ID_EXPECTED) },
  { where: 'tag', case: 'endpoint id with 18 hex digits', tags: { endpointId: 'vpce-0a1b2c3d4e5f607182' }, message: re(tagIs('vpce-0a1b2c3d4e5f607182'), '; ', ID_EXPECTED) },
  { where: 'tag', case: 'endpoint id too long (256 chars)', tags: { endpointId: LONG }, message: re(tagIs(LONG), '; ', ID_EXPECTED) },
  { where: 'tag', case: 'endpoint id not hex', tags: { endpointId: 'vpce-0a1b2c3g' }, message: re(tagIs('vpce-0a1b2c3g'), '; ', ID_EXPECTED) },
  { where: 'tag', case: 'endpoint id with an accented letter', tags: { endpointId: 'vpce-0a1b2c3é' }, message: re(tagIs('vpce-0a1b2c3é'), '; ', ID_EXPECTED) },
  { where: 'tag', case: 'endpoint id in full-width digits', tags: { endpointId: 'vpce-０a1b2c3d' }, message: re(tagIs('vpce-０a1b2c3d'), '; ', ID_EXPECTED) },
  { where: 'tag', case: 'endpoint id in Cyrillic look-alikes', tags: { endpointId: 'vрce-0a1b2c3d' }, message: re(tagIs('vрce-0a1b2c3d'), '; ', ID_EXPECTED) },
  { where: 'tag', case: 'two endpoint ids, space-separated', tags: { endpointId: 'vpce-0a1b2c3d vpce-1a2b3c4d' }, message: re(tagIs('vpce-0a1b2c3d vpce-1a2b3c4d'), ' \\(it holds more than one value; name exactly one endpoint\\)') },
  { where: 'tag', case: 'two endpoint ids, slash-separated', tags: { endpointId: 'vpce-0a1b2c3d/vpce-1a2b3c4d' }, message: re(tagIs('vpce-0a1b2c3d/vpce-1a2b3c4d'), ' \\(it holds more than one value; name exactly one endpoint\\)') },
  { where: 'tag', case: 'endpoint ARN instead of id', tags: { endpointId: 'arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-0a1b2c3d' }, message: re(tagIs('arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-0a1b2c3d'), '; ', ID_EXPECTED) },
  // Tag values (vpce-target-sync:policy)
  { where: 'tag', case: 'policy unknown', tags: { endpointId: GOOD, policy: 'mirror' }, message: re(policyIs('mirror'), '; ', POLICY_EXPECTED) },
  { where: 'tag', case: 'policy upper case', tags: { endpointId: GOOD, policy: 'SYNC' }, message: re(policyIs('SYNC'), '; ', POLICY_EXPECTED) },
  { where: 'tag', case: 'policy capitalised', tags: { endpointId: GOOD, policy: 'Observe' }, message: re(policyIs('Observe'), '; ', POLICY_EXPECTED) },
  { where: 'tag', case: 'policy with underscore', tags: { endpointId: GOOD, policy: 'upsert_only' }, message: re(policyIs('upsert_only'), '; ', POLICY_EXPECTED) },
  { where: 'tag', case: 'policy with a space', tags: { endpointId: GOOD, policy: 'upsert only' }, message: re(policyIs('upsert only'), '; ', POLICY_EXPECTED) },
  { where: 'tag', case: 'policy leading space', tags: { endpointId: GOOD, policy: ' sync' }, message: re(policyIs(' sync'), '; ', POLICY_EXPECTED) },
  { where: 'tag', case: 'policy empty', tags: { endpointId: GOOD, policy: '' }, message: re(policyIs(''), '; ', POLICY_EXPECTED) },
  { where: 'tag', case: 'two policies', tags: { endpointId: GOOD, policy: 'sync observe' }, message: re(policyIs('sync observe'), '; ', POLICY_EXPECTED) },
  { where: 'tag', case: 'bad endpoint id and bad policy: both named', tags: { endpointId: 'vpce-xyz', policy: 'all' }, message: re(tagIs('vpce-xyz'), '; ', ID_EXPECTED, '.*; ', policyIs('all'), '; ', POLICY_EXPECTED) },

  // Environment configuration (exit 2, before any AWS call)
  { where: 'env', case: 'dry run "yes"', env: { [ENV.dryRun]: 'yes' }, message: /environment variable VPCE_TARGET_SYNC_DRY_RUN is "yes"; expected true or false/, spawn: true },
  { where: 'env', case: 'dry run "TRUE"', env: { [ENV.dryRun]: 'TRUE' }, message: /VPCE_TARGET_SYNC_DRY_RUN is "TRUE"; expected true or false/ },
  { where: 'env', case: 'dry run "1"', env: { [ENV.dryRun]: '1' }, message: /VPCE_TARGET_SYNC_DRY_RUN is "1"; expected true or false/ },
  { where: 'env', case: 'per-site metrics "no"', env: { [ENV.perSiteMetrics]: 'no' }, message: /VPCE_TARGET_SYNC_PER_SITE_METRICS is "no"; expected true or false/ },
  { where: 'env', case: 'per-site metrics " false"', env: { [ENV.perSiteMetrics]: ' false' }, message: /VPCE_TARGET_SYNC_PER_SITE_METRICS is " false"; expected true or false/ },
  { where: 'env', case: 'log level unknown', env: { [ENV.logLevel]: 'verbose' }, message: /environment variable LOG_LEVEL is "verbose"; expected one of trace, debug, info, warn, error, fatal, silent/ },
  { where: 'env', case: 'log level with a trailing space', env: { [ENV.logLevel]: 'INFO ' }, message: /LOG_LEVEL is "INFO "; expected one of trace, debug, info, .* \(any case\)/ },
  { where: 'env', case: 'rate limit not a number', env: { [ENV.rateLimits]: 'elbv2-describe=fast' }, message: /VPCE_TARGET_SYNC_RATE_LIMITS has "elbv2-describe=fast"; expected comma-separated family=rate\[\/burst\] entries with family one of elbv2-describe, elbv2-write/ },
  { where: 'env', case: 'rate limit unknown family', env: { [ENV.rateLimits]: 'ec2=5' }, message: /VPCE_TARGET_SYNC_RATE_LIMITS has "ec2=5"; expected .*family one of .*ec2-describe/ },
  { where: 'env', case: 'rate limit zero', env: { [ENV.rateLimits]: 'elbv2-describe=0' }, message: /VPCE_TARGET_SYNC_RATE_LIMITS has "elbv2-describe=0"; expected .*positive numbers/ },
  { where: 'env', case: 'rate limit negative', env: { [ENV.rateLimits]: 'elbv2-describe=-1' }, message: /VPCE_TARGET_SYNC_RATE_LIMITS has "elbv2-describe=-1"; expected/ },
  { where: 'env', case: 'rate limit burst zero', env: { [ENV.rateLimits]: 'ec2-describe=5/0' }, message: /VPCE_TARGET_SYNC_RATE_LIMITS has "ec2-describe=5\/0"; expected/ },
  { where: 'env', case: 'rate limits missing separator', env: { [ENV.rateLimits]: 'elbv2-describe=4 ec2-describe=5' }, message: /VPCE_TARGET_SYNC_RATE_LIMITS has "elbv2-describe=4 ec2-describe=5"; expected comma-separated/ },
  { where: 'env', case: 'schedule zero minutes', env: { [ENV.scheduleMinutes]: '0' }, message: /VPCE_TARGET_SYNC_SCHEDULE_MINUTES is "0"; expected whole minutes from 1 to 60/, spawn: true },
  { where: 'env', case: 'schedule over an hour (the construct takes 1-60)', env: { [ENV.scheduleMinutes]: '61' }, message: /VPCE_TARGET_SYNC_SCHEDULE_MINUTES is "61"; expected whole minutes from 1 to 60/ },
  { where: 'env', case: 'schedule with a unit', env: { [ENV.scheduleMinutes]: '5m' }, message: /VPCE_TARGET_SYNC_SCHEDULE_MINUTES is "5m"; expected whole minutes/ },
  { where: 'env', case: 'schedule fractional', env: { [ENV.scheduleMinutes]: '2.5' }, message: /VPCE_TARGET_SYNC_SCHEDULE_MINUTES is "2.5"; expected whole minutes/ },
  { where: 'env', case: 'schedule as a cron expression', env: { [ENV.scheduleMinutes]: 'rate(5 minutes)' }, message: /VPCE_TARGET_SYNC_SCHEDULE_MINUTES is "rate\(5 minutes\)"; expected whole minutes/ },
  { where: 'env', case: 'role ARN a bare name', env: { [ENV.roleArn]: 'reconciler' }, message: /VPCE_TARGET_SYNC_ROLE_ARN is "reconciler"; expected an IAM role ARN like arn:aws:iam::123456789012:role\/name/ },
  { where: 'env', case: 'role ARN short account', env: { [ENV.roleArn]: 'arn:aws:iam::1234:role/reconciler' }, message: /VPCE_TARGET_SYNC_ROLE_ARN is "arn:aws:iam::1234:role\/reconciler"; expected an IAM role ARN/ },
  { where: 'env', case: 'role ARN an assumed-role session', env: { [ENV.roleArn]: 'arn:aws:sts::123456789012:assumed-role/reconciler/session' }, message: /VPCE_TARGET_SYNC_ROLE_ARN is "arn:aws:sts::123456789012:assumed-role\/reconciler\/session"; expected an IAM role ARN/ },
  { where: 'env', case: 'queue URL a queue ARN', env: { [ENV.queueUrl]: 'arn:aws:sqs:us-east-1:123456789012:events' }, message: /VPCE_TARGET_SYNC_QUEUE_URL is "arn:aws:sqs:us-east-1:123456789012:events" \(that is a queue ARN; give its URL\); expected an SQS queue URL like https:\/\/sqs\.us-east-1\.amazonaws\.com\/123456789012\// },
  { where: 'env', case: 'queue URL a bare name', env: { [ENV.queueUrl]: 'events' }, message: /VPCE_TARGET_SYNC_QUEUE_URL is "events"; expected an SQS queue URL/ },
  { where: 'env', case: 'several bad variables: all named', env: { [ENV.dryRun]: 'maybe', [ENV.logLevel]: 'loud' }, message: /VPCE_TARGET_SYNC_DRY_RUN is "maybe"; expected true or false; environment variable LOG_LEVEL is "loud"; expected one of/ },

  // CLI arguments (exit 2)
  { where: 'cli', case: 'unknown command', argv: ['sync'], message: /unknown command "sync"; expected reconcile, status.* \(see --help\)/, spawn: true },
  { where: 'cli', case: 'unknown command that looks like a flag', argv: ['--verbose'], message: /unknown command "--verbose"; expected reconcile, status/ },
  { where: 'cli', case: 'unknown flag', argv: ['reconcile', '--force'], message: /reconcile: unknown option '--force'; expected one of --dry-run, --target-group ARN\|NAME, --endpoint VPCE_ID, --json, --detailed-exitcode, --publish-metrics, --region R, --profile P, --log-format json\|text, --help/, spawn: true },
  { where: 'cli', case: 'unknown short flag', argv: ['reconcile', '-f'], message: /reconcile: unknown option '-f'; expected one of --dry-run/ },
  { where: 'cli', case: 'unknown flag for handle-event', argv: ['handle-event', 'event.json', '--target'], message: /handle-event: unknown option '--target'; expected one of --dry-run, --json, --detailed-exitcode, --publish-metrics, --region R, --profile P, --log-format json\|text, --help/ },
  { where: 'cli', case: '--target-group without a value', argv: ['reconcile', '--target-group'], message: /reconcile: option --target-group needs a value \(see --help\)/ },
  { where: 'cli', case: '--endpoint without a value', argv: ['reconcile', '--dry-run', '--endpoint'], message: /reconcile: option --endpoint needs a value \(see --help\)/ },
  { where: 'cli', case: '--dry-run given a value', argv: ['reconcile', '--dry-run=yes'], message: /reconcile: Option '--dry-run' does not take an argument/ },
  { where: 'cli', case: 'load balancer ARN as a target group', argv: [ 'reconcile', '--target-group', 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef', ], message: /option --target-group is "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/web\/0123456789abcdef"; expected a target group ARN like arn:aws:elasticloadbalancing:/ },
  { where: 'cli', case: 'target group ARN with a short id', argv: [ 'reconcile', '--target-group', 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/abc', ], message: /option --target-group is "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/web\/abc"; expected a target group ARN/ },
  { where: 'cli', case: 'target group name with an underscore', argv: ['reconcile', '--target-group', 'my_site'], message: /option --target-group is "my_site"; expected a target group name \(1-32 letters, digits and hyphens/ },
  { where: 'cli', case: 'target group name too long', argv: ['reconcile', '--target-group', 'x'.repeat(33)], message: /option --target-group is "x{33}"; expected a target group name \(1-32/ },
  { where: 'cli', case: 'bad endpoint id', argv: ['reconcile', '--endpoint', 'vpce-XYZ'], message: /option --endpoint is "vpce-XYZ"; expected 'vpce-' followed by 8 or 17 lowercase hex digits/ },
  { where: 'cli', case: 'endpoint ids comma-separated', argv: ['reconcile', '--endpoint', 'vpce-0a1b2c3d,vpce-1a2b3c4d'], message: /option --endpoint is "vpce-0a1b2c3d,vpce-1a2b3c4d" \(it holds more than one value; name exactly one endpoint\)/ },
  { where: 'cli', case: 'every bad value named at once', argv: ['reconcile', '--endpoint', 'vpce-1', '--target-group', 'a_b'], message: /option --target-group is "a_b"; expected .*; option --endpoint is "vpce-1"; expected/ },
  { where: 'cli', case: 'reconcile with a stray argument', argv: ['reconcile', 'web'], message: /reconcile: unexpected argument "web" \(see --help\)/ },
  { where: 'cli', case: 'handle-event with no FILE', argv: ['handle-event'], message: /handle-event: missing FILE; give a file path, or - to read stdin/ },
  { where: 'cli', case: 'handle-event with two FILEs', argv: ['handle-event', 'a.json', 'b.json'], message: /handle-event: unexpected argument "b.json"; give exactly one FILE/ },
  { where: 'cli', case: 'handle-event with reconcile options', argv: ['handle-event', 'a.json', '--endpoint', 'vpce-0a1b2c3d'], message: /handle-event: options --target-group and --endpoint belong to reconcile/ },
  { where: 'cli', case: 'handle-event FILE missing', argv: ['handle-event', '{missing}'], message: /error: cannot read \S+missing\.json: ENOENT/, spawn: true },
  { where: 'cli', case: 'handle-event FILE a directory', argv: ['handle-event', '{dir}'], message: /error: cannot read \S+: EISDIR/ },
  { where: 'cli', case: 'handle-event FILE not JSON', argv: ['handle-event', '{text}'], message: /error: \S+not-json\.txt is not JSON \(.*\); expected an EventBridge event, an array of events or an SQS batch/ },
  { where: 'cli', case: 'handle-event FILE empty', argv: ['handle-event', '{empty}'], message: /error: \S+empty\.json is not JSON \(.*\); expected an EventBridge event/ },
  { where: 'cli', case: 'handle-event stdin not JSON', argv: ['handle-event', '-'], stdin: 'ModifyVpcEndpoint vpce-0a1b2c3d', message: /error: stdin is not JSON \(.*\); expected an EventBridge event, an array of events or an SQS batch/, spawn: true },

  // Event payloads (records of an SQS batch: acknowledged, counted in EventsIgnored, exit 0)
  { where: 'event', case: 'body not JSON', body: 'ModifyVpcEndpoint', message: /the message body is not valid JSON \(.*\); expected an EventBridge event or a re-queue message/ },
  { where: 'event', case: 'body empty', body: '', message: /the message body is not valid JSON/ },
  { where: 'event', case: 'body null', body: 'null', message: /the event is null; expected a JSON object \(an EventBridge event\)/ },
  { where: 'event', case: 'body a string', body: '"vpce-0a1b2c3d"', message: /the event is not valid JSON \(.*"vpce-0a1b2c3d" is not valid JSON\); expected an EventBridge event/ },
  { where: 'event', case: 'body an array', body: '[1,2]', message: /the event is \[1,2\] \(an array\); expected a JSON object \(an EventBridge event\)/ },
  { where: 'event', case: 'empty object', body: '{}', message: /detail-type is missing; expected "AWS API Call via CloudTrail"/ },
  { where: 'event', case: 'another detail-type', body: event((e) => { e['detail-type'] = 'EC2 Instance State-change Notification'; }), message: /detail-type is .*"EC2 Instance State-change Notification"; expected "AWS API Call via CloudTrail"/ },
  { where: 'event', case: 'a bare CloudTrail record', body: event((e) => { Object.assign(e, e.detail); delete e['detail-type']; }), message: /this looks like a bare CloudTrail record: wrap it in an EventBridge event as its "detail"/ },
  { where: 'event', case: 'another source', body: event((e) => { e.source = 'aws.s3'; }), message: /source is .*"aws\.s3"; expected one of aws\.ec2, aws\.elasticloadbalancing/ },
  { where: 'event', case: 'detail not an object', body: event((e) => { e.detail = 'ModifyVpcEndpoint'; }), message: /detail is .*"ModifyVpcEndpoint"; expected an object \(the CloudTrail record\)/ },
  { where: 'event', case: 'a read-only call', body: event((e) => { e.detail.eventName = 'DescribeVpcEndpoints'; }), message: /detail\.eventName is .*"DescribeVpcEndpoints"; expected one of .*ModifyVpcEndpoint.*; other calls do not change sites/ },
  { where: 'event', case: 'eventSource of another service', body: event((e) => { e.detail.eventSource = 's3.amazonaws.com'; }), message: /detail\.eventSource is .*"s3\.amazonaws\.com"; expected "ec2\.amazonaws\.com" for source aws\.ec2/ },
  { where: 'event', case: 'a failed call', body: event((e) => { e.detail.errorCode = 'Client.UnauthorizedOperation'; }), message: /detail\.errorCode is .*"Client\.UnauthorizedOperation".*: the call failed, so it changed nothing/ },
  { where: 'event', case: 'endpoint id malformed', body: event((e) => { e.detail.requestParameters.ModifyVpcEndpointRequest.VpcEndpointId = 'vpce-XYZ'; }), message: /"vpce-XYZ".*expected .*vpce-/ },
  { where: 'event', case: 'requestParameters missing', body: event((e) => { delete e.detail.requestParameters; }), message: /requestParameters.* is missing; expected/ },
  { where: 'event', case: 'target group ARN malformed', body: JSON.stringify({ ...trail.targets('DeregisterTargets', TG, ['10.0.0.1']), detail: { ...(trail.targets('DeregisterTargets', TG, ['10.0.0.1']) as any).detail, requestParameters: { targetGroupArn: 'web', targets: [] } } }), message: /targetGroupArn is .*"web"; expected .*target group ARN/ },
  { where: 'event', case: 're-queue message with attempt 0', body: JSON.stringify({ kind: 'vpce-target-sync/requeue', version: 1, targetGroupArns: [TG], endpointIds: [], attempt: 0, reason: 'x' }), message: /invalid re-queue message: attempt is 0 \(number\); expected a whole number of at least 1/ },
  { where: 'event', case: 're-queue message naming nothing', body: JSON.stringify({ kind: 'vpce-target-sync/requeue', version: 1, targetGroupArns: [], endpointIds: [], attempt: 1, reason: 'x' }), message: /invalid re-queue message: .*expected/ },
];

const STACK = /\n\s+at /;
const replaceAll = (argv: readonly string[], files: Record<string, string>) =>
  argv.map((a) => a.replace(/^\{(\w+)\}$/, (_, k: string) => files[k] ?? a));

let h: Harness;
let files: Record<string, string>;
let tagRun: CliResult & { report: JsonReport; arns: Map<string, string> };
let eventRun: CliResult & { json: { ignored: { messageId: string; reason: string }[] } };
const spawned = new Map<string, CliResult>();

beforeAll(async () => {
  h = await startHarness();
  const dir = mkdtempSync(join(tmpdir(), 'vts-bad-input-'));
  files = {
    dir,
    missing: join(dir, 'missing.json'),
    text: join(dir, 'not-json.txt'),
    empty: join(dir, 'empty.json'),
  };
  writeFileSync(files.text as string, 'ModifyVpcEndpoint vpce-0a1b2c3d\n');
  writeFileSync(files.empty as string, '');

  const vpc = await h.account.vpc(1);
  const endpointId = await h.account.endpoint(vpc, 1);
  const arns = new Map<string, string>();
  for (const [i, row] of ROWS.entries()) {
    if (row.where !== 'tag') continue;
    const arn = await h.account.site(`bad-${i}`, vpc);
    const tags: Record<string, string> = {};
    if (row.tags.endpointId !== undefined)
      tags[ENDPOINT_ID_TAG] = row.tags.endpointId.replace(GOOD, endpointId);
    if (row.tags.policy !== undefined) tags[POLICY_TAG] = row.tags.policy;
    await h.account.tag(arn, tags);
    arns.set(row.case, arn);
  }
  const batch = join(dir, 'batch.json');
  const records = ROWS.flatMap((row) =>
    row.where === 'event' ? [{ messageId: row.case, body: row.body }] : [],
  );
  writeFileSync(batch, JSON.stringify({ Records: records }));

  const spawnRows = ROWS.filter((r) => (r.where === 'env' || r.where === 'cli') && r.spawn);
  const [tags, events, ...rest] = await Promise.all([
    // LOG_LEVEL set: every site error is logged too (at the default level the table holds it once).
    runCli(h, ['reconcile', '--json', '--publish-metrics'], { env: { LOG_LEVEL: 'error' } }),
    runCli(h, ['handle-event', batch, '--json', '--publish-metrics']),
    ...spawnRows.map((row) =>
      row.where === 'env'
        ? runCli(h, ['reconcile', '--dry-run'], { env: row.env })
        : row.where === 'cli'
          ? runCli(h, replaceAll(row.argv, files), { stdin: row.stdin ?? '' })
          : Promise.reject(new Error(`row ${row.case} cannot be spawned`)),
    ),
  ]);
  tagRun = { ...(tags as CliResult), report: JSON.parse((tags as CliResult).stdout) as JsonReport, arns };
  eventRun = { ...(events as CliResult), json: JSON.parse((events as CliResult).stdout) };
  spawnRows.forEach((row, i) => spawned.set(row.case, rest[i] as CliResult));
}, 120_000);
afterAll(() => h.stop());

/** `main()` in-process with captured streams (and captured stderr, where logs go), under `env`. */
async function inProcess(argv: readonly string[], env: Record<string, string>) {
  const saved = { ...process.env };
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => (
    (stderr += chunk.toString()), true
  )) as typeof write;
  try {
    for (const key of Object.values(ENV)) delete process.env[key];
    Object.assign(process.env, h.env, env);
    const code = await main(
      argv,
      out as unknown as typeof process.stdout,
      err as unknown as typeof process.stderr,
    );
    return { code, stdout, stderr };
  } finally {
    process.stderr.write = write;
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

describe(`bad input (${ROWS.length} cases: ${['tag', 'env', 'cli', 'event'].map((w) => `${ROWS.filter((r) => r.where === w).length} ${w}`).join(', ')})`, () => {
  it('has at least 50 cases and no duplicate names', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(50);
    expect(new Set(ROWS.map((r) => r.case)).size).toBe(ROWS.length);
  });

  it.each(ROWS.map((row) => [`${row.where}: ${row.case}`, row] as const))('%s', async (_, row) => {
    if (row.where === 'tag') {
      const arn = tagRun.arns.get(row.case);
      const site = tagRun.report.sites.find((s) => s.targetGroupArn === arn);
      expect(site?.status).toBe('error');
      expect(site?.message).toMatch(row.message);
      expect(tagRun.code, 'a site in error exits 1').toBe(1);
      const logged = tagRun.stderr.split('\n').filter((l) => l.includes(site?.targetGroupName ?? '?'));
      expect(
        logged.some((l) => row.message.test(JSON.parse(l).msg)),
        'the log line names the input',
      ).toBe(true);
      const metric = h.sim
        ?.metricData({ namespace: METRIC_NAMESPACE, metricName: METRIC.SiteErrors })
        .find((d) =>
          d.dimensions.some((x) => x.Name === SITE_DIMENSION && x.Value === site?.targetGroupName),
        );
      expect(metric?.sum, 'SiteErrors for the site').toBe(1);
      expect(`${tagRun.stdout}${tagRun.stderr}`).not.toMatch(STACK);
      return;
    }
    if (row.where === 'event') {
      const ignored = eventRun.json.ignored.find((i) => i.messageId === row.case);
      expect(ignored?.reason).toMatch(row.message);
      expect(eventRun.code, 'ignored events are acknowledged: exit 0').toBe(0);
      const counted = h.sim?.metricData({ namespace: METRIC_NAMESPACE, metricName: METRIC.EventsIgnored });
      expect(counted?.at(-1)?.sum, 'EventsIgnored counts every ignored record').toBe(
        ROWS.filter((r) => r.where === 'event').length,
      );
      expect(`${eventRun.stdout}${eventRun.stderr}`).not.toMatch(STACK);
      return;
    }
    const argv = row.where === 'env' ? ['reconcile', '--dry-run'] : replaceAll(row.argv, files);
    // Rows that read stdin only run as a real process: in-process, stdin is the test runner's.
    const results: { code: number | null; stdout: string; stderr: string }[] =
      row.where === 'cli' && row.stdin !== undefined
        ? []
        : [await inProcess(argv, row.where === 'env' ? row.env : {})];
    const viaProcess = spawned.get(row.case);
    if (viaProcess) results.push(viaProcess);
    for (const result of results) {
      expect(result.code, 'usage or configuration error: exit 2').toBe(2);
      expect(result.stderr).toMatch(row.message);
      expect(result.stderr.split('\n').filter(Boolean), 'one line, no noise').toHaveLength(1);
      expect(`${result.stdout}${result.stderr}`).not.toMatch(STACK);
    }
  });
});

it('keeps the corpus honest: the tag rows are tags AWS accepts', () => {
  // AWS tag values: Unicode letters, digits, spaces and _ . : / = + - @, up to 256 characters.
  const valid = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
  for (const row of ROWS) {
    if (row.where !== 'tag') continue;
    for (const value of Object.values(row.tags)) if (value !== GOOD) expect(value, row.case).toMatch(valid);
  }
});
