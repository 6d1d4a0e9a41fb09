import { CLOUDTRAIL_DETAIL_TYPE, WATCHED_EVENTS } from './handlers.ts';

/**
 * An EventBridge event pattern in aws-cdk-lib's `EventPattern` shape (`detailType` for the
 * event's `detail-type`), to pass as is to `new events.Rule(scope, id, { eventPattern })`.
 * Arrays are mutable because CDK's interface declares `string[]`; every call returns a fresh copy.
 */
export type CdkEventPattern = {
  source: string[];
  detailType: string[];
  detail: { [key: string]: unknown };
};

/** The same pattern as EventBridge and CloudFormation (`AWS::Events::Rule.EventPattern`) spell it. */
export type RawEventPattern = { [key: string]: unknown };

/** One rule per event source, so each rule matches exactly its own service's calls. */
export interface EventRuleSpec {
  /** A construct id for the rule, stable across releases. */
  readonly id: string;
  readonly description: string;
  readonly eventPattern: CdkEventPattern;
}

export interface EventPatternOptions {
  /**
   * The reconciler's role ARN exactly as CloudTrail's `sessionIssuer.arn` shows it (with its
   * path; a CDK token such as `role.roleArn` works): its own calls are dropped by the rule.
   * @default - no calls are excluded; the parser still ignores the role's own target writes
   */
  readonly excludeRoleArn?: string | undefined;
}

const RULE_IDS: Readonly<Record<string, string>> = {
  'aws.ec2': 'Ec2EndpointCalls',
  'aws.elasticloadbalancing': 'ElbTargetGroupCalls',
};

/** `errorCode` is only present on failed calls, which change nothing. */
const SUCCEEDED = { errorCode: [{ exists: false }] };

/**
 * The rules' patterns, built from the parser's table of handlers. With `excludeRoleArn`, calls
 * made by that role are left out at the source (see {@link excludingRole}).
 */
export function eventRules(options: EventPatternOptions = {}): EventRuleSpec[] {
  return WATCHED_EVENTS.map(({ source, eventSource, eventNames }) => {
    const pattern: CdkEventPattern = {
      source: [source],
      detailType: [CLOUDTRAIL_DETAIL_TYPE],
      detail: { eventSource: [eventSource], eventName: [...eventNames], ...structuredClone(SUCCEEDED) },
    };
    return {
      id: RULE_IDS[source] ?? source,
      description: `vpce-target-sync: successful ${eventNames.join(', ')} calls (${source}, via CloudTrail)`,
      eventPattern:
        options.excludeRoleArn === undefined ? pattern : excludingRole(pattern, options.excludeRoleArn),
    };
  });
}

/**
 * The pattern without calls whose `detail.userIdentity.sessionContext.sessionIssuer.arn` equals
 * `roleArn`. `anything-but` alone would also drop every event that has no session issuer (IAM
 * users, the root user, AWS services), because a pattern field only matches when present, so
 * the absent case is matched explicitly with `exists: false`.
 */
export function excludingRole(pattern: CdkEventPattern, roleArn: string): CdkEventPattern {
  const copy = structuredClone(pattern);
  copy.detail.userIdentity = {
    sessionContext: { sessionIssuer: { arn: [{ 'anything-but': roleArn }, { exists: false }] } },
  };
  return copy;
}

/** CDK's camelCase key renamed to EventBridge's; everything else is already spelled the same. */
export function toRawEventPattern(pattern: CdkEventPattern): RawEventPattern {
  const raw: RawEventPattern = {};
  for (const [key, value] of Object.entries(structuredClone(pattern)))
    raw[key === 'detailType' ? 'detail-type' : key] = value;
  return raw;
}
