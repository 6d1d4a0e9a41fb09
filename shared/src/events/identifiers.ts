import { fail, ok, type Result } from '../result.ts';
import { ENDPOINT_ID_PATTERN } from '../tags.ts';
import { isObject, own, problem } from './read.ts';

/**
 * An ELBv2 target group ARN: `arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>`,
 * where the name is 1-32 letters, digits and inner hyphens and the id is 16 lowercase hex digits.
 */
export const TARGET_GROUP_ARN_PATTERN =
  /^arn:[a-z][a-z0-9-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?\/[0-9a-f]{16}$/;

export const TARGET_GROUP_ARN_EXPECTED =
  'a target group ARN (arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex digits>)';
export const ENDPOINT_ID_EXPECTED = "an endpoint id ('vpce-' followed by 8 or 17 lowercase hex digits)";

/** Any other ELBv2 resource (load balancer, listener, rule, trust store): legitimately named by AddTags/RemoveTags. */
const OTHER_ELB_RESOURCE_ARN =
  /^arn:[a-z][a-z0-9-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:(?:loadbalancer|listener|listener-rule|truststore)\//;

export function readEndpointId(value: unknown, field: string): Result<string> {
  return typeof value === 'string' && ENDPOINT_ID_PATTERN.test(value)
    ? ok(value)
    : fail(problem(field, value, ENDPOINT_ID_EXPECTED));
}

export function readTargetGroupArn(value: unknown, field: string): Result<string> {
  return typeof value === 'string' && TARGET_GROUP_ARN_PATTERN.test(value)
    ? ok(value)
    : fail(problem(field, value, TARGET_GROUP_ARN_EXPECTED));
}

/** Target groups among tagged resources; load balancers and other ELBv2 resources are skipped, anything else is an error. */
export function targetGroupsAmong(arns: readonly string[], field: string): Result<string[]> {
  const targetGroups: string[] = [];
  for (const [index, arn] of arns.entries()) {
    if (TARGET_GROUP_ARN_PATTERN.test(arn)) targetGroups.push(arn);
    else if (!OTHER_ELB_RESOURCE_ARN.test(arn))
      return fail(
        problem(
          `${field}[${index}]`,
          arn,
          `${TARGET_GROUP_ARN_EXPECTED} or another Elastic Load Balancing ARN`,
        ),
      );
  }
  return ok(targetGroups);
}

/**
 * The identity of an IAM role, independent of how a record names it. Role names are unique per
 * account whatever their path, and IAM compares them case-insensitively, so `partition:account:name`
 * (name lowercased) identifies a role in a role ARN (which carries the path) as well as in an
 * assumed-role session ARN (which does not).
 */
export type RoleKey = string;

const ROLE_ARN = /^arn:([a-z][a-z0-9-]*):iam::(\d{12}):role\/(?:[^/]+\/)*([\w+=,.@-]+)$/;
const ASSUMED_ROLE_ARN = /^arn:([a-z][a-z0-9-]*):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[^/]+$/;

/** The role a role ARN or an assumed-role session ARN names; undefined for anything else. */
export function roleKey(arn: string): RoleKey | undefined {
  const match = ROLE_ARN.exec(arn) ?? ASSUMED_ROLE_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, account, name] = match;
  return `${partition}:${account}:${name?.toLowerCase()}`;
}

/** The role behind a CloudTrail `userIdentity`: the session issuer if there is one, else the caller's own ARN. */
function callerRoleArns(userIdentity: unknown): string[] {
  if (!isObject(userIdentity)) return [];
  const arns: string[] = [];
  const sessionContext = own(userIdentity, 'sessionContext');
  const issuer = isObject(sessionContext) ? own(sessionContext, 'sessionIssuer') : undefined;
  const issuerArn = isObject(issuer) ? own(issuer, 'arn') : undefined;
  if (typeof issuerArn === 'string') arns.push(issuerArn);
  const callerArn = own(userIdentity, 'arn');
  if (typeof callerArn === 'string') arns.push(callerArn);
  return arns;
}

/** True when the call was made by (a session of) the given role, compared role to role, not string to string. */
export function isCallByRole(userIdentity: unknown, roleArn: string): boolean {
  const wanted = roleKey(roleArn);
  return callerRoleArns(userIdentity).some((arn) =>
    wanted === undefined ? arn === roleArn : roleKey(arn) === wanted,
  );
}

/** Who made the call, for logs: the caller's ARN, else the session issuer, else the invoking service. */
export function actorOf(userIdentity: unknown): string | undefined {
  if (!isObject(userIdentity)) return undefined;
  for (const candidate of [
    own(userIdentity, 'arn'),
    callerRoleArns(userIdentity)[0],
    own(userIdentity, 'invokedBy'),
  ])
    if (typeof candidate === 'string' && candidate !== '') return candidate;
  return undefined;
}
