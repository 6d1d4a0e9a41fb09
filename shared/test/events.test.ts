import { readdirSync, readFileSync } from 'node:fs';
import {
  ENDPOINT_ID_PATTERN,
  type EventInterpretation,
  interpretEvent,
  TARGET_GROUP_ARN_PATTERN,
} from '@vpce-target-sync/shared';
import { describe, expect, it } from 'vitest';

// Fixtures are edited freely to build malformed events, so they are untyped JSON.
type Json = any;

const FIXTURES = new URL('../../test/fixtures/events/', import.meta.url);
const text = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const load = (name: string): Json => JSON.parse(text(name));
const edit = (name: string, change: (event: Json) => void): Json => {
  const event = load(name);
  change(event);
  return event;
};

const OWN_ROLE = 'arn:aws:iam::123456789012:role/VpceTargetSync-ReconcilerRole8B1C4C2A-Xy1Zk9QwErTy';
const VPCE = 'vpce-0a1b2c3d4e5f60718';
const VPCE2 = 'vpce-0f9e8d7c6b5a43210';
const VPCE_OLD = 'vpce-1a2b3c4d';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/docs-s3-vpce/6d0ecf831eec9f09';
const TG2 = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/wiki-s3-vpce/9a3b5c7d1e2f4061';
const LB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/docs-internal/50dc6c495c0c9188';
const SSO_USER =
  'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_5f2a3c9e1b7d4a60/jane.doe@example.com';
const CI_USER = 'arn:aws:iam::123456789012:user/ci-deployer';

const sites = (
  source: string,
  eventName: string,
  endpointIds: string[],
  targetGroupArns: string[],
  actor: string,
): EventInterpretation => ({ kind: 'sites', source, eventName, endpointIds, targetGroupArns, actor });

const FIXTURE_CASES: { file: string; expected: EventInterpretation | RegExp }[] = [
  { file: 'create-vpc-endpoint.json', expected: sites('aws.ec2', 'CreateVpcEndpoint', [VPCE], [], CI_USER) },
  {
    file: 'modify-vpc-endpoint-add-subnet.json',
    expected: sites('aws.ec2', 'ModifyVpcEndpoint', [VPCE], [], SSO_USER),
  },
  {
    file: 'modify-vpc-endpoint-add-remove-subnets.json',
    expected: sites('aws.ec2', 'ModifyVpcEndpoint', [VPCE], [], CI_USER),
  },
  {
    file: 'delete-vpc-endpoints-one.json',
    expected: sites('aws.ec2', 'DeleteVpcEndpoints', [VPCE2], [], SSO_USER),
  },
  {
    file: 'delete-vpc-endpoints-several.json',
    expected: sites('aws.ec2', 'DeleteVpcEndpoints', [VPCE2, VPCE_OLD], [], CI_USER),
  },
  {
    file: 'create-target-group.json',
    expected: sites('aws.elasticloadbalancing', 'CreateTargetGroup', [], [TG], SSO_USER),
  },
  { file: 'add-tags-ours.json', expected: sites('aws.elasticloadbalancing', 'AddTags', [], [TG], SSO_USER) },
  {
    file: 'add-tags-unrelated.json',
    expected:
      /^irrelevant tag change: no tag key starts with "vpce-target-sync:" \(keys: "cost-center", "Name"\)$/,
  },
  {
    file: 'remove-tags-ours.json',
    expected: sites('aws.elasticloadbalancing', 'RemoveTags', [], [TG2], SSO_USER),
  },
  {
    file: 'register-targets-by-person.json',
    expected: sites('aws.elasticloadbalancing', 'RegisterTargets', [], [TG], SSO_USER),
  },
  {
    file: 'register-targets-by-reconciler.json',
    expected: /^RegisterTargets by the reconciler's own role .*: its own write, not drift$/,
  },
  {
    file: 'deregister-targets.json',
    expected: sites('aws.elasticloadbalancing', 'DeregisterTargets', [], [TG], CI_USER),
  },
  {
    file: 'delete-target-group.json',
    expected: sites('aws.elasticloadbalancing', 'DeleteTargetGroup', [], [TG2], SSO_USER),
  },
  {
    file: 'failed-call-error-code.json',
    expected:
      /^detail\.errorCode is "Client\.UnauthorizedOperation": the call failed, so it changed nothing$/,
  },
];

describe('interpretEvent on the real-shaped fixtures', () => {
  it.each(FIXTURE_CASES)('$file', ({ file, expected }) => {
    const result = interpretEvent(load(file), { ownRoleArn: OWN_ROLE });
    if (expected instanceof RegExp) {
      expect(result.kind).toBe('ignored');
      expect(result.kind === 'ignored' && result.reason).toMatch(expected);
      expect(result.kind === 'ignored' && result.eventName).toBe(load(file).detail.eventName);
    } else {
      expect(result).toEqual(expected);
    }
  });

  it('covers every fixture file, so a new fixture cannot go untested', () => {
    const files = readdirSync(FIXTURES).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual(FIXTURE_CASES.map((c) => c.file).sort());
  });

  it('reads the event as JSON text exactly as the parsed object', () => {
    for (const { file } of FIXTURE_CASES)
      expect(interpretEvent(text(file), { ownRoleArn: OWN_ROLE })).toEqual(
        interpretEvent(load(file), { ownRoleArn: OWN_ROLE }),
      );
  });

  it('treats target writes as drift when it is not told its own role', () => {
    expect(interpretEvent(load('register-targets-by-reconciler.json'))).toMatchObject({
      kind: 'sites',
      targetGroupArns: [TG],
    });
  });
});

describe("recognising the reconciler's own writes", () => {
  const register = (userIdentity: Json): Json =>
    edit('register-targets-by-reconciler.json', (e) => {
      e.detail.userIdentity = userIdentity;
    });
  const session = (role: string, account = '123456789012'): string =>
    `arn:aws:sts::${account}:assumed-role/${role}/VpceTargetSync-EventsFunction`;

  it('matches a role ARN with a path against the issuer ARN that carries the same path', () => {
    const roleWithPath = 'arn:aws:iam::123456789012:role/service/vpce-target-sync/Reconciler';
    const event = register({
      type: 'AssumedRole',
      arn: session('Reconciler'),
      sessionContext: { sessionIssuer: { type: 'Role', arn: roleWithPath } },
    });
    expect(interpretEvent(event, { ownRoleArn: roleWithPath })).toMatchObject({ kind: 'ignored' });
  });

  it('matches a role ARN with a path against a session ARN, which never shows the path', () => {
    const event = register({ type: 'AssumedRole', arn: session('Reconciler') });
    const result = interpretEvent(event, { ownRoleArn: 'arn:aws:iam::123456789012:role/service/Reconciler' });
    expect(result).toMatchObject({ kind: 'ignored', eventName: 'RegisterTargets' });
    expect(result.kind === 'ignored' && result.reason).toMatch(/reconciler's own role/);
  });

  it('compares role names case-insensitively, as IAM does', () => {
    const event = register({ type: 'AssumedRole', arn: session('RECONCILER') });
    expect(interpretEvent(event, { ownRoleArn: 'arn:aws:iam::123456789012:role/Reconciler' }).kind).toBe(
      'ignored',
    );
  });

  it.each([
    ['a role of the same name in another account', session('Reconciler', '210987654321')],
    ['a role whose name only starts like ours', session('Reconciler-Old')],
    ['an IAM user of the same name', 'arn:aws:iam::123456789012:user/Reconciler'],
  ])('still treats %s as drift', (_, arn) => {
    const event = register({ type: 'AssumedRole', arn });
    expect(interpretEvent(event, { ownRoleArn: 'arn:aws:iam::123456789012:role/Reconciler' })).toMatchObject({
      kind: 'sites',
      targetGroupArns: [TG],
    });
  });

  it('ignores its own DeregisterTargets too, but not its own tag changes (it never makes any)', () => {
    const deregister = edit('register-targets-by-reconciler.json', (e) => {
      e.detail.eventName = 'DeregisterTargets';
    });
    expect(interpretEvent(deregister, { ownRoleArn: OWN_ROLE }).kind).toBe('ignored');
    const tagged = edit('add-tags-ours.json', (e) => {
      e.detail.userIdentity = load('register-targets-by-reconciler.json').detail.userIdentity;
    });
    expect(interpretEvent(tagged, { ownRoleArn: OWN_ROLE }).kind).toBe('sites');
  });
});

interface BadCase {
  name: string;
  event: unknown;
  reason: RegExp;
  eventName?: string;
}

const ec2 = (name: string, change: (detail: Json) => void): Json =>
  edit(name, (e) => {
    change(e.detail);
  });

const BAD_EVENTS: BadCase[] = [
  {
    name: 'text that is not JSON',
    event: '{"detail-type": ',
    reason: /^the event is not valid JSON \(.+\); expected an EventBridge event$/,
  },
  { name: 'a plain word', event: 'hello', reason: /^the event is not valid JSON/ },
  {
    name: 'JSON text of a string',
    event: '"hello"',
    reason: /^the event is "hello"; expected a JSON object/,
  },
  {
    name: 'null',
    event: null,
    reason: /^the event is null; expected a JSON object \(an EventBridge event\)$/,
  },
  { name: 'undefined', event: undefined, reason: /^the event is missing; expected a JSON object/ },
  {
    name: 'an array',
    event: [load('deregister-targets.json')],
    reason: /^the event is .* \(an array\); expected a JSON object/,
  },
  { name: 'a number', event: 42, reason: /^the event is 42 \(number\); expected a JSON object/ },
  {
    name: 'an empty object',
    event: {},
    reason: /^detail-type is missing; expected "AWS API Call via CloudTrail"$/,
  },
  {
    name: 'another detail-type',
    event: edit('deregister-targets.json', (e) => {
      e['detail-type'] = 'EC2 Instance State-change Notification';
    }),
    reason:
      /^detail-type is "EC2 Instance State-change Notification"; expected "AWS API Call via CloudTrail"$/,
  },
  {
    name: 'a bare CloudTrail record',
    event: load('deregister-targets.json').detail,
    reason: /^detail-type is missing; .*bare CloudTrail record: wrap it in an EventBridge event/,
  },
  {
    name: 'an unknown source',
    event: edit('deregister-targets.json', (e) => {
      e.source = 'aws.s3';
    }),
    reason: /^source is "aws\.s3"; expected one of aws\.ec2, aws\.elasticloadbalancing$/,
  },
  {
    name: 'a source named like an Object.prototype member',
    event: edit('deregister-targets.json', (e) => {
      e.source = 'constructor';
    }),
    reason: /^source is "constructor"; expected one of/,
  },
  {
    name: 'no detail',
    event: edit('deregister-targets.json', (e) => {
      delete e.detail;
    }),
    reason: /^detail is missing; expected an object \(the CloudTrail record\)$/,
  },
  {
    name: 'a detail that is a string',
    event: edit('deregister-targets.json', (e) => {
      e.detail = JSON.stringify(e.detail);
    }),
    reason: /^detail is "\{.*…; expected an object/,
  },
  {
    name: 'a detail from another service than its source',
    event: edit('delete-vpc-endpoints-one.json', (e) => {
      e.detail.eventSource = 'elasticloadbalancing.amazonaws.com';
    }),
    reason:
      /^detail\.eventSource is "elasticloadbalancing\.amazonaws\.com"; expected "ec2\.amazonaws\.com" for source aws\.ec2$/,
    eventName: 'DeleteVpcEndpoints',
  },
  {
    name: 'an eventName the reconciler does not act on',
    event: ec2('delete-vpc-endpoints-one.json', (d) => {
      d.eventName = 'CreateSubnet';
    }),
    reason:
      /^detail\.eventName is "CreateSubnet"; expected one of CreateVpcEndpoint, ModifyVpcEndpoint, DeleteVpcEndpoints for source aws\.ec2/,
    eventName: 'CreateSubnet',
  },
  {
    name: 'an ELBv2 eventName under the EC2 source',
    event: ec2('delete-vpc-endpoints-one.json', (d) => {
      d.eventName = 'RegisterTargets';
    }),
    reason: /^detail\.eventName is "RegisterTargets"; expected one of CreateVpcEndpoint/,
    eventName: 'RegisterTargets',
  },
  {
    name: 'an eventName named like an Object.prototype member',
    event: ec2('deregister-targets.json', (d) => {
      d.eventName = 'toString';
    }),
    reason: /^detail\.eventName is "toString"; expected one of CreateTargetGroup/,
    eventName: 'toString',
  },
  {
    name: 'no eventName',
    event: ec2('deregister-targets.json', (d) => {
      delete d.eventName;
    }),
    reason: /^detail\.eventName is missing; expected one of/,
  },
  {
    name: 'a failed ELBv2 call',
    event: ec2('register-targets-by-person.json', (d) => {
      d.errorCode = 'ValidationError';
      d.errorMessage = 'A target group ARN must be specified';
    }),
    reason: /^detail\.errorCode is "ValidationError": the call failed, so it changed nothing$/,
    eventName: 'RegisterTargets',
  },
  {
    name: 'DeleteTargetGroup without requestParameters',
    event: ec2('delete-target-group.json', (d) => {
      delete d.requestParameters;
    }),
    reason:
      /^detail\.requestParameters\.targetGroupArn is missing; expected a target group ARN \(arn:<partition>:elasticloadbalancing/,
    eventName: 'DeleteTargetGroup',
  },
  {
    name: 'ModifyVpcEndpoint with null requestParameters',
    event: ec2('modify-vpc-endpoint-add-subnet.json', (d) => {
      d.requestParameters = null;
    }),
    reason:
      /^detail\.requestParameters\.ModifyVpcEndpointRequest is missing; expected an object \(EC2 records wrap the request in ModifyVpcEndpointRequest\)$/,
    eventName: 'ModifyVpcEndpoint',
  },
  {
    name: 'ModifyVpcEndpoint in an unwrapped lowerCamel form',
    event: ec2('modify-vpc-endpoint-add-subnet.json', (d) => {
      d.requestParameters = { vpcEndpointId: VPCE, addSubnetId: 'subnet-0b7f2a4c8e1d39655' };
    }),
    reason: /^detail\.requestParameters\.ModifyVpcEndpointRequest is missing/,
    eventName: 'ModifyVpcEndpoint',
  },
  {
    name: 'a malformed endpoint id',
    event: ec2('modify-vpc-endpoint-add-subnet.json', (d) => {
      d.requestParameters.ModifyVpcEndpointRequest.VpcEndpointId = 'vpce-XYZ';
    }),
    reason:
      /^detail\.requestParameters\.ModifyVpcEndpointRequest\.VpcEndpointId is "vpce-XYZ"; expected an endpoint id \('vpce-' followed by 8 or 17 lowercase hex digits\)$/,
    eventName: 'ModifyVpcEndpoint',
  },
  {
    name: 'an uppercase endpoint id among several',
    event: ec2('delete-vpc-endpoints-several.json', (d) => {
      d.requestParameters.DeleteVpcEndpointsRequest.VpcEndpointId[1].content = 'vpce-0F9E8D7C6B5A43210';
    }),
    reason:
      /^detail\.requestParameters\.DeleteVpcEndpointsRequest\.VpcEndpointId\[1\] is "vpce-0F9E8D7C6B5A43210"; expected an endpoint id/,
    eventName: 'DeleteVpcEndpoints',
  },
  {
    name: 'a {tag} item without content',
    event: ec2('delete-vpc-endpoints-one.json', (d) => {
      d.requestParameters.DeleteVpcEndpointsRequest.VpcEndpointId = { tag: 1 };
    }),
    reason:
      /^detail\.requestParameters\.DeleteVpcEndpointsRequest\.VpcEndpointId\.content is missing; expected an endpoint id$/,
    eventName: 'DeleteVpcEndpoints',
  },
  {
    name: 'a {tag, content} item whose content is a number',
    event: ec2('delete-vpc-endpoints-several.json', (d) => {
      d.requestParameters.DeleteVpcEndpointsRequest.VpcEndpointId[2] = { tag: 3, content: 7 };
    }),
    reason:
      /^detail\.requestParameters\.DeleteVpcEndpointsRequest\.VpcEndpointId\[2\]\.content is 7 \(number\); expected an endpoint id$/,
    eventName: 'DeleteVpcEndpoints',
  },
  {
    name: 'an id list that is a number',
    event: ec2('delete-vpc-endpoints-one.json', (d) => {
      d.requestParameters.DeleteVpcEndpointsRequest.VpcEndpointId = 5;
    }),
    reason:
      /VpcEndpointId is 5 \(number\); expected an endpoint id, as a string, a \{"tag", "content"\} item or an array of those$/,
    eventName: 'DeleteVpcEndpoints',
  },
  {
    name: 'an empty id list',
    event: ec2('delete-vpc-endpoints-one.json', (d) => {
      d.requestParameters.DeleteVpcEndpointsRequest.VpcEndpointId = [];
    }),
    reason:
      /^detail\.requestParameters\.DeleteVpcEndpointsRequest\.VpcEndpointId lists no endpoint id; expected at least one$/,
    eventName: 'DeleteVpcEndpoints',
  },
  {
    name: 'CreateVpcEndpoint without a response',
    event: ec2('create-vpc-endpoint.json', (d) => {
      d.responseElements = null;
    }),
    reason:
      /^detail\.responseElements\.CreateVpcEndpointResponse\.vpcEndpoint\.vpcEndpointId is missing; expected an endpoint id/,
    eventName: 'CreateVpcEndpoint',
  },
  {
    name: 'CreateTargetGroup with no target group in the response',
    event: ec2('create-target-group.json', (d) => {
      d.responseElements.targetGroups = [];
    }),
    reason:
      /^detail\.responseElements\.targetGroups is \[\] \(an array\); expected a non-empty array of the created target groups$/,
    eventName: 'CreateTargetGroup',
  },
  {
    name: 'a target group ARN whose id is not 16 hex digits',
    event: ec2('register-targets-by-person.json', (d) => {
      d.requestParameters.targetGroupArn = `${TG.slice(0, -16)}6D0ECF831EEC9F09`;
    }),
    reason:
      /^detail\.requestParameters\.targetGroupArn is "arn:aws:elasticloadbalancing:.*6D0ECF831EEC9F09"; expected a target group ARN/,
    eventName: 'RegisterTargets',
  },
  {
    name: 'a target group name longer than 32 characters',
    event: ec2('deregister-targets.json', (d) => {
      d.requestParameters.targetGroupArn = TG.replace('docs-s3-vpce', 'a'.repeat(33));
    }),
    reason: /^detail\.requestParameters\.targetGroupArn is ".*"; expected a target group ARN/,
    eventName: 'DeregisterTargets',
  },
  {
    name: 'a load balancer ARN where a target group ARN belongs',
    event: ec2('register-targets-by-person.json', (d) => {
      d.requestParameters.targetGroupArn = LB;
    }),
    reason:
      /^detail\.requestParameters\.targetGroupArn is "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/docs-internal\/50dc6c495c0c9188"; expected a target group ARN/,
    eventName: 'RegisterTargets',
  },
  {
    name: "the reconciler's own RegisterTargets",
    event: load('register-targets-by-reconciler.json'),
    reason: new RegExp(
      `^RegisterTargets by the reconciler's own role ${OWN_ROLE}: its own write, not drift$`,
    ),
    eventName: 'RegisterTargets',
  },
  {
    name: 'a change of tags that are not ours',
    event: load('add-tags-unrelated.json'),
    reason:
      /^irrelevant tag change: no tag key starts with "vpce-target-sync:" \(keys: "cost-center", "Name"\)$/,
    eventName: 'AddTags',
  },
  {
    name: 'AddTags with no tags',
    event: ec2('add-tags-ours.json', (d) => {
      d.requestParameters.tags = [];
    }),
    reason: /^irrelevant tag change: no tag key starts with "vpce-target-sync:" \(keys: none\)$/,
    eventName: 'AddTags',
  },
  {
    name: 'RemoveTags of keys that are not ours',
    event: ec2('remove-tags-ours.json', (d) => {
      d.requestParameters.tagKeys = ['env', 'vpce-target-sync'];
    }),
    reason:
      /^irrelevant tag change: no tag key starts with "vpce-target-sync:" \(keys: "env", "vpce-target-sync"\)$/,
    eventName: 'RemoveTags',
  },
  {
    name: 'RemoveTags without tagKeys',
    event: ec2('remove-tags-ours.json', (d) => {
      delete d.requestParameters.tagKeys;
    }),
    reason: /^detail\.requestParameters\.tagKeys is missing; expected an array of tag keys$/,
    eventName: 'RemoveTags',
  },
  {
    name: 'AddTags with PascalCase tag items',
    event: ec2('add-tags-ours.json', (d) => {
      d.requestParameters.tags = [{ Key: 'vpce-target-sync:endpoint-id', Value: VPCE }];
    }),
    reason:
      /^detail\.requestParameters\.tags\[0\]\.key is missing; expected a \{"key", "value"\} tag with a string key$/,
    eventName: 'AddTags',
  },
  {
    name: 'AddTags with tags as a map',
    event: ec2('add-tags-ours.json', (d) => {
      d.requestParameters.tags = { 'vpce-target-sync:endpoint-id': VPCE };
    }),
    reason:
      /^detail\.requestParameters\.tags is \{.*\} \(object\); expected an array of \{"key", "value"\} tags$/,
    eventName: 'AddTags',
  },
  {
    name: 'our tags added to load balancers only',
    event: ec2('add-tags-ours.json', (d) => {
      d.requestParameters.resourceArns = [LB];
    }),
    reason:
      /^detail\.requestParameters\.resourceArns names no target group \(only other Elastic Load Balancing resources\)/,
    eventName: 'AddTags',
  },
  {
    name: 'our tags added to no resource',
    event: ec2('add-tags-ours.json', (d) => {
      d.requestParameters.resourceArns = [];
    }),
    reason: /^detail\.requestParameters\.resourceArns names no target group/,
    eventName: 'AddTags',
  },
  {
    name: 'our tags on a resource that is not an Elastic Load Balancing ARN',
    event: ec2('add-tags-ours.json', (d) => {
      d.requestParameters.resourceArns = ['arn:aws:s3:::docs.example.com', TG];
    }),
    reason:
      /^detail\.requestParameters\.resourceArns\[0\] is "arn:aws:s3:::docs\.example\.com"; expected a target group ARN .* or another Elastic Load Balancing ARN$/,
    eventName: 'AddTags',
  },
  {
    name: 'our tags removed without resourceArns',
    event: ec2('remove-tags-ours.json', (d) => {
      delete d.requestParameters.resourceArns;
    }),
    reason: /^detail\.requestParameters\.resourceArns is missing; expected an array of resource ARNs$/,
    eventName: 'RemoveTags',
  },
];

describe('interpretEvent on malformed or irrelevant events', () => {
  it('has a broad table', () => {
    expect(BAD_EVENTS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(BAD_EVENTS)('ignores $name, saying why', ({ event, reason, eventName }) => {
    const result = interpretEvent(event, { ownRoleArn: OWN_ROLE });
    expect(result.kind).toBe('ignored');
    if (result.kind !== 'ignored') return;
    expect(result.reason).toMatch(reason);
    expect(result.eventName).toBe(eventName);
  });

  it('reads an exotic object that throws on access as ignored, not as an exception', () => {
    const hostile = new Proxy(
      {},
      {
        has: () => {
          throw new Error('no access');
        },
        getOwnPropertyDescriptor: () => {
          throw new Error('no access');
        },
      },
    );
    expect(interpretEvent(hostile)).toEqual({
      kind: 'ignored',
      reason: 'the event could not be read: no access',
    });
  });
});

/** Every path in a JSON value, so each field of each fixture can be broken in turn. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...paths(child, [...prefix, key])]);
}

function replaced(event: Json, path: (string | number)[], value: unknown): Json {
  const copy = structuredClone(event);
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key];
  const last = path.at(-1) as string | number;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

describe('interpretEvent on every fixture with one field broken', () => {
  const STRANGE_VALUES: unknown[] = [
    undefined,
    null,
    '',
    'x',
    0,
    -1,
    true,
    [],
    {},
    [null],
    { tag: 1 },
    '__proto__',
  ];

  it('never throws, and every site it reports is a well-formed, unique id', () => {
    let interpreted = 0;
    for (const { file } of FIXTURE_CASES) {
      const event = load(file);
      for (const path of paths(event)) {
        for (const value of STRANGE_VALUES) {
          const result = interpretEvent(replaced(event, path, value), { ownRoleArn: OWN_ROLE });
          interpreted++;
          if (result.kind === 'ignored') {
            expect(result.reason.length).toBeGreaterThan(10);
            continue;
          }
          expect(result.endpointIds.length + result.targetGroupArns.length).toBeGreaterThan(0);
          for (const id of result.endpointIds) expect(id).toMatch(ENDPOINT_ID_PATTERN);
          for (const arn of result.targetGroupArns) expect(arn).toMatch(TARGET_GROUP_ARN_PATTERN);
          expect(new Set(result.endpointIds).size).toBe(result.endpointIds.length);
          expect(new Set(result.targetGroupArns).size).toBe(result.targetGroupArns.length);
        }
      }
    }
    expect(interpreted).toBeGreaterThan(5000);
  });
});
