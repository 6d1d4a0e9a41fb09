import { readFileSync } from 'node:fs';
import {
  type CdkEventPattern,
  CLOUDTRAIL_DETAIL_TYPE,
  eventRules,
  excludingRole,
  interpretEvent,
  toRawEventPattern,
} from '@vpce-target-sync/shared';
import { describe, expect, it } from 'vitest';

// Patterns and events are walked as untyped JSON.
type Json = any;

const FIXTURES = new URL('../../test/fixtures/events/', import.meta.url);
const load = (name: string): Json => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
const OWN_ROLE = 'arn:aws:iam::123456789012:role/VpceTargetSync-ReconcilerRole8B1C4C2A-Xy1Zk9QwErTy';

/** The contract, typed out from docs/DESIGN.md ("Events") rather than derived, so a change to the table shows here. */
const CONTRACT = [
  {
    source: 'aws.ec2',
    eventSource: 'ec2.amazonaws.com',
    eventNames: ['CreateVpcEndpoint', 'ModifyVpcEndpoint', 'DeleteVpcEndpoints'],
  },
  {
    source: 'aws.elasticloadbalancing',
    eventSource: 'elasticloadbalancing.amazonaws.com',
    eventNames: [
      'CreateTargetGroup',
      'AddTags',
      'RemoveTags',
      'RegisterTargets',
      'DeregisterTargets',
      'DeleteTargetGroup',
    ],
  },
];

/**
 * A model of EventBridge matching (aws/event-ruler semantics) for the operators our patterns use:
 * every field named must match; an array of rules matches if any does; a field that is absent
 * matches only `exists: false`, so `anything-but` never matches an absent field.
 */
function matches(pattern: Json, event: Json): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = typeof event === 'object' && event !== null ? event[key] : undefined;
    return Array.isArray(rule) ? rule.some((r) => matchesValue(r, value)) : matches(rule, value);
  });
}
function matchesValue(rule: Json, value: unknown): boolean {
  if (typeof rule === 'object' && rule !== null) {
    if ('exists' in rule) return rule.exists === (value !== undefined);
    if ('anything-but' in rule) return value !== undefined && ![rule['anything-but']].flat().includes(value);
    throw new Error(`the model does not know ${JSON.stringify(rule)}`);
  }
  return value !== undefined && (Array.isArray(value) ? value.includes(rule) : value === rule);
}
const rulesMatching = (event: Json, options = {}): string[] =>
  eventRules(options)
    .filter((rule) => matches(toRawEventPattern(rule.eventPattern), event))
    .map((rule) => rule.id);

describe('eventRules', () => {
  it('watches exactly the calls of the contract, one rule per source', () => {
    expect(
      eventRules().map(({ eventPattern }) => ({
        source: eventPattern.source,
        detailType: eventPattern.detailType,
        eventSource: eventPattern.detail.eventSource,
        eventName: eventPattern.detail.eventName,
      })),
    ).toEqual(
      CONTRACT.map(({ source, eventSource, eventNames }) => ({
        source: [source],
        detailType: ['AWS API Call via CloudTrail'],
        eventSource: [eventSource],
        eventName: eventNames,
      })),
    );
  });

  it('names each rule with a stable construct id and a description of what it matches', () => {
    expect(eventRules().map((rule) => rule.id)).toEqual(['Ec2EndpointCalls', 'ElbTargetGroupCalls']);
    for (const rule of eventRules()) {
      expect(rule.description).toContain(rule.eventPattern.source[0]);
      expect(rule.description.length).toBeLessThanOrEqual(512); // AWS::Events::Rule Description limit
    }
  });

  it('lets through only successful calls', () => {
    for (const { eventPattern } of eventRules())
      expect(eventPattern.detail.errorCode).toEqual([{ exists: false }]);
  });

  it('matches only calls the parser has a handler for, and the parser knows no call the rules drop', () => {
    const bare = (source: string, eventSource: string, eventName: string): Json => ({
      'detail-type': CLOUDTRAIL_DETAIL_TYPE,
      source,
      detail: { eventSource, eventName },
    });
    const unknownName = /^detail\.eventName is /;
    for (const { eventPattern } of eventRules()) {
      const [source] = eventPattern.source;
      const [eventSource] = eventPattern.detail.eventSource as string[];
      for (const name of eventPattern.detail.eventName as string[]) {
        const result = interpretEvent(bare(source as string, eventSource as string, name));
        // A bare event lacks its parameters, so it is ignored, but never for its name.
        expect(result.kind === 'ignored' && result.reason).not.toMatch(unknownName);
      }
      for (const name of ['DescribeTargetGroups', 'CreateSubnet', 'ModifyTargetGroup', 'CreateTags']) {
        const result = interpretEvent(bare(source as string, eventSource as string, name));
        expect(result.kind === 'ignored' && result.reason).toMatch(unknownName);
      }
    }
  });

  it('returns fresh copies, so one consumer cannot change another one’s rules', () => {
    const first = eventRules();
    (first[0]?.eventPattern.detail.eventName as string[]).push('RunInstances');
    first[0]?.eventPattern.source.push('aws.s3');
    expect(eventRules()[0]?.eventPattern.detail.eventName).not.toContain('RunInstances');
    expect(eventRules()[0]?.eventPattern.source).toEqual(['aws.ec2']);
  });
});

describe('excludingRole', () => {
  const pattern = (): CdkEventPattern => (eventRules()[1] as { eventPattern: CdkEventPattern }).eventPattern;

  it('adds anything-but the role on the session issuer, or no session issuer at all', () => {
    expect(excludingRole(pattern(), OWN_ROLE).detail.userIdentity).toEqual({
      sessionContext: { sessionIssuer: { arn: [{ 'anything-but': OWN_ROLE }, { exists: false }] } },
    });
  });

  it('leaves the pattern it is given unchanged', () => {
    const original = pattern();
    const before = structuredClone(original);
    excludingRole(original, OWN_ROLE);
    expect(original).toEqual(before);
  });

  it('is what eventRules applies for excludeRoleArn', () => {
    expect(eventRules({ excludeRoleArn: OWN_ROLE }).map((rule) => rule.eventPattern)).toEqual(
      eventRules().map((rule) => excludingRole(rule.eventPattern, OWN_ROLE)),
    );
  });

  it('passes a CDK token through untouched (the role ARN is only known at deploy time)', () => {
    const token = '${Token[TOKEN.512]}';
    expect(JSON.stringify(eventRules({ excludeRoleArn: token }))).toContain(token);
  });
});

describe('toRawEventPattern', () => {
  it('spells detail-type as EventBridge does and keeps everything else', () => {
    const { eventPattern } = eventRules({ excludeRoleArn: OWN_ROLE })[0] as { eventPattern: CdkEventPattern };
    const raw = toRawEventPattern(eventPattern);
    expect(Object.keys(raw).sort()).toEqual(['detail', 'detail-type', 'source']);
    expect(raw['detail-type']).toEqual(['AWS API Call via CloudTrail']);
    expect(raw.detail).toEqual(eventPattern.detail);
    expect(raw.source).toEqual(eventPattern.source);
    expect(raw.detail).not.toBe(eventPattern.detail);
  });

  it('stays far below the length EventBridge accepts for a pattern', () => {
    for (const rule of eventRules({ excludeRoleArn: OWN_ROLE }))
      expect(JSON.stringify(toRawEventPattern(rule.eventPattern)).length).toBeLessThan(2048);
  });
});

describe('the rules against the fixtures (EventBridge matching model)', () => {
  it.each([
    ['create-vpc-endpoint.json', ['Ec2EndpointCalls']],
    ['modify-vpc-endpoint-add-subnet.json', ['Ec2EndpointCalls']],
    ['delete-vpc-endpoints-several.json', ['Ec2EndpointCalls']],
    ['create-target-group.json', ['ElbTargetGroupCalls']],
    ['add-tags-unrelated.json', ['ElbTargetGroupCalls']],
    ['register-targets-by-person.json', ['ElbTargetGroupCalls']],
    ['deregister-targets.json', ['ElbTargetGroupCalls']],
    ['failed-call-error-code.json', []],
  ])('%s is delivered by %j', (file, expected) => {
    expect(rulesMatching(load(file), { excludeRoleArn: OWN_ROLE })).toEqual(expected);
  });

  it("drops the reconciler's own writes once its role is excluded, and only then", () => {
    const own = load('register-targets-by-reconciler.json');
    expect(rulesMatching(own)).toEqual(['ElbTargetGroupCalls']);
    expect(rulesMatching(own, { excludeRoleArn: OWN_ROLE })).toEqual([]);
  });

  it('still delivers calls from identities without a session issuer (IAM users, the root user)', () => {
    const byUser = load('deregister-targets.json');
    expect(byUser.detail.userIdentity.sessionContext).toBeUndefined();
    expect(rulesMatching(byUser, { excludeRoleArn: OWN_ROLE })).toEqual(['ElbTargetGroupCalls']);
    const anythingButAlone = excludingRole(eventRules()[1]?.eventPattern as CdkEventPattern, OWN_ROLE);
    (anythingButAlone.detail.userIdentity as Json).sessionContext.sessionIssuer.arn = [
      { 'anything-but': OWN_ROLE },
    ];
    expect(matches(toRawEventPattern(anythingButAlone), byUser)).toBe(false);
  });
});
