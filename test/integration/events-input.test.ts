import { Writable } from 'node:stream';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { awsDeps, createClients, createLogger, handleMessages } from '@vpce-target-sync/functions';
import { ENDPOINT_ID_TAG, METRIC, METRIC_NAMESPACE } from '@vpce-target-sync/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PERSON_ROLE_ARN, trail } from '../support/cloudtrail.ts';
import { type Harness, startHarness } from '../support/harness.ts';

const OWN_ROLE = 'arn:aws:iam::123456789012:role/VpceTargetSync-Reconciler';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/gone/0123456789abcdef';
const LB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef';

const valid = trail.modifyVpcEndpoint('vpce-0a1b2c3d4e5f60718', { add: ['subnet-0b7f2a4c8e1d39655'] });
const withDetail = (patch: Record<string, unknown>) => ({
  ...valid,
  detail: { ...(valid.detail as object), ...patch },
});

/** Malformed or irrelevant messages: each must be acknowledged, logged with its reason and counted. */
const BAD: [string, string, RegExp][] = [
  ['not JSON', '{"detail-type": ', /not valid JSON/],
  ['empty body', '', /not valid JSON/],
  ['null', 'null', /expected a JSON object/],
  ['a number', '42', /expected a JSON object/],
  ['a string', '"hello"', /not valid JSON|expected a JSON object/],
  ['an array', '[1,2]', /expected a JSON object/],
  ['empty object', '{}', /detail-type/],
  [
    'wrong detail-type',
    JSON.stringify({ ...valid, 'detail-type': 'EC2 Instance State-change Notification' }),
    /detail-type/,
  ],
  ['unknown source', JSON.stringify({ ...valid, source: 'aws.s3' }), /source/],
  ['missing detail', JSON.stringify({ ...valid, detail: undefined }), /detail/],
  ['detail is a string', JSON.stringify({ ...valid, detail: 'x' }), /detail/],
  ['unknown eventName', JSON.stringify(withDetail({ eventName: 'CreateVpc' })), /eventName/],
  ['eventName missing', JSON.stringify(withDetail({ eventName: undefined })), /eventName/],
  [
    'failed call (errorCode)',
    JSON.stringify(withDetail({ errorCode: 'UnauthorizedOperation', errorMessage: 'no' })),
    /errorCode|failed/,
  ],
  [
    'requestParameters missing',
    JSON.stringify(withDetail({ requestParameters: undefined })),
    /requestParameters/,
  ],
  ['requestParameters null', JSON.stringify(withDetail({ requestParameters: null })), /requestParameters/],
  [
    'wrapper missing',
    JSON.stringify(withDetail({ requestParameters: { VpcEndpointId: 'vpce-0a1b2c3d' } })),
    /ModifyVpcEndpointRequest/,
  ],
  [
    'endpoint id malformed',
    JSON.stringify(
      withDetail({ requestParameters: { ModifyVpcEndpointRequest: { VpcEndpointId: 'vpce-XYZ' } } }),
    ),
    /VpcEndpointId/,
  ],
  [
    'endpoint id a number',
    JSON.stringify(withDetail({ requestParameters: { ModifyVpcEndpointRequest: { VpcEndpointId: 7 } } })),
    /VpcEndpointId/,
  ],
  ['delete with no ids', JSON.stringify(trail.deleteVpcEndpoints([])), /VpcEndpointId/],
  [
    'create without response',
    JSON.stringify({
      ...trail.createVpcEndpoint('vpce-0a1b2c3d', 'vpc-1', ['subnet-1']),
      detail: {
        ...(trail.createVpcEndpoint('vpce-0a1b2c3d', 'vpc-1', ['subnet-1']).detail as object),
        responseElements: null,
      },
    }),
    /responseElements|vpcEndpointId/,
  ],
  [
    'register: arn malformed',
    JSON.stringify(trail.targets('RegisterTargets', 'arn:aws:elasticloadbalancing:bogus', ['10.0.0.1'])),
    /targetGroupArn/,
  ],
  ['register: arn missing', JSON.stringify(withTargets({ targets: [] })), /targetGroupArn/],
  [
    'deregister: arn is a load balancer',
    JSON.stringify(trail.targets('DeregisterTargets', LB, ['10.0.0.1'])),
    /targetGroupArn|target group/,
  ],
  ['AddTags unrelated keys', JSON.stringify(trail.addTags(TG, { Name: 'x', team: 'web' })), /tag/],
  ['RemoveTags unrelated keys', JSON.stringify(trail.removeTags(TG, ['Name'])), /tag/],
  [
    'AddTags on a load balancer only',
    JSON.stringify(trail.addTags(LB, { [ENDPOINT_ID_TAG]: 'vpce-0a1b2c3d' })),
    /target group/,
  ],
  ['AddTags without tags', JSON.stringify(withAddTags({ resourceArns: [TG] })), /tags/],
  [
    're-queue message, bad version',
    JSON.stringify({
      kind: 'vpce-target-sync/requeue',
      version: 9,
      targetGroupArns: [TG],
      endpointIds: [],
      attempt: 1,
      reason: 'x',
    }),
    /version/,
  ],
  [
    're-queue message, no sites',
    JSON.stringify({
      kind: 'vpce-target-sync/requeue',
      version: 1,
      targetGroupArns: [],
      endpointIds: [],
      attempt: 1,
      reason: 'x',
    }),
    /no site/,
  ],
  [
    're-queue message, bad attempt',
    JSON.stringify({
      kind: 'vpce-target-sync/requeue',
      version: 1,
      targetGroupArns: [TG],
      endpointIds: [],
      attempt: 0,
      reason: 'x',
    }),
    /attempt/,
  ],
];

function withTargets(params: Record<string, unknown>) {
  const e = trail.targets('RegisterTargets', TG, ['10.0.0.1'], PERSON_ROLE_ARN);
  return { ...e, detail: { ...(e.detail as object), requestParameters: params } };
}
function withAddTags(params: Record<string, unknown>) {
  const e = trail.addTags(TG, {});
  return { ...e, detail: { ...(e.detail as object), requestParameters: params } };
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.stop());

/** Hands every BAD message to the event path, with its log lines collected. */
async function handleBad() {
  const lines: { level: string; msg: string; messageId?: string; reason?: string }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const log = createLogger('info', sink);
  const deps = awsDeps(log, createClients(h.settings));
  const result = await handleMessages(
    deps,
    { send: async () => {} },
    { dryRun: false, publishMetrics: true, perSiteMetrics: true, ownRoleArn: OWN_ROLE },
    BAD.map(([name, body]) => ({ messageId: name, body })),
  );
  return { result, lines };
}

describe('bad and irrelevant events', () => {
  it(`acknowledges all ${BAD.length} without throwing, logs each reason at warn, and counts them in EventsIgnored`, async () => {
    expect(BAD.length).toBeGreaterThanOrEqual(30);
    const { result, lines } = await handleBad();
    expect(result.failedMessageIds).toEqual([]);
    for (const [name, , reason] of BAD) {
      const ignored = result.ignored.find((i) => i.messageId === name);
      expect(ignored?.messageId, name).toBe(name);
      expect(ignored?.reason, name).toMatch(reason);
      const logged = lines.find((l) => l.messageId === name);
      expect(logged?.level, name).toBe('warn');
      expect(logged?.reason, name).toBe(ignored?.reason);
    }
    const cw = new CloudWatchClient(h.settings);
    const data = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(Date.now() - 60_000),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          {
            Id: 'e',
            MetricStat: {
              Metric: { Namespace: METRIC_NAMESPACE, MetricName: METRIC.EventsIgnored },
              Period: 60,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    expect(data.MetricDataResults?.[0]?.Values?.reduce((a, b) => a + b, 0)).toBe(result.ignored.length);
  });

  it('makes no AWS call for them but the one PutMetricData', async () => {
    await h.resetCalls();
    const { result } = await handleBad();
    expect(result.ignored).toHaveLength(BAD.length);
    expect((await h.calls()).map((c) => c.operation)).toEqual(['PutMetricData']);
  });
});
