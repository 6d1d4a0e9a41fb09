import { readFileSync } from 'node:fs';
import {
  type EvaluationResult,
  isWildcardOnlyAction,
  runSimulation,
  runUnsafeSimulation,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import { createHandler } from '@vpce-target-sync/functions/handlers';
import { ReconcilerStack } from '@vpce-target-sync/infra';
import { ENDPOINT_ID_TAG, ENV, METRIC_NAMESPACE } from '@vpce-target-sync/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The simulator and the scenario builders live in the test tree; no package exports them.
import type { CallRecord, Simulator } from '../../test/sim/index.ts';
import { startSimulator } from '../../test/sim/index.ts';
import { Account, type Vpc } from '../../test/support/account.ts';
import { scheduledEvent, sqsBatch, trail } from '../../test/support/cloudtrail.ts';
import { ACCOUNT, resolveIntrinsics } from './support/intrinsics.ts';
import { onlyResource, type Resources, resourcesOf, templateOf, testApp } from './support/synth.ts';

/**
 * IAM proven from what the code calls. The product runs, through its real Lambda handler and real
 * AWS adapters, against the simulator: a full scheduled pass over a small fleet with drift, an
 * event batch that re-queues a site, and a dry run. Every AWS call it made (the simulator's call
 * log, narrowed to the reconciler's credentials) is then evaluated by an IAM policy simulator
 * (@cloud-copilot/iam-simulate) against the role policy the reconciler stack synthesises, with the
 * call's real resource ARN and that resource's tags as request context. A new SDK call in the
 * product without a policy change fails here; so does a policy change that stops allowing a call.
 */

/** Simulated ms an endpoint stays `pending` after a change. */
const PENDING_MS = 20_000;
/** The access key the product's calls are signed with: the simulator records them as the role. */
const RECONCILER_KEY = 'AKIDRECONCILER';
const EVENT_QUEUE = 'vpce-target-sync-events';

/** SigV4 signing name (the simulator's `service`) -> IAM service prefix. */
const IAM_PREFIX: Record<string, string> = {
  ec2: 'ec2',
  elasticloadbalancing: 'elasticloadbalancing',
  monitoring: 'cloudwatch',
  tagging: 'tag',
  sqs: 'sqs',
};

type Policy = { Statement: Record<string, unknown>[] } & Record<string, unknown>;
type ContextValues = Record<string, string | string[]>;

/** One AWS request as IAM authorises it. */
interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: ContextValues;
}

interface Verdict {
  readonly request: IamRequest;
  readonly result: EvaluationResult;
  /** Context keys the simulator does not know for this action/resource (a typo'd key shows here). */
  readonly ignoredContextKeys: readonly string[];
}

let sim: Simulator;
let account: Account;
let vpc: Vpc;
let roleArn: string;
let queueArn: string;
let identityPolicies: { name: string; policy: Policy }[];
let queuePolicy: Policy;
const savedEnv = { ...process.env };

/** The part of Lambda's context the handlers read. */
type Context = { readonly awsRequestId: string; getRemainingTimeInMillis(): number };
type Handler = (event: unknown, context: Context) => Promise<unknown>;
let invocation = 0;
const context = (): Context => ({
  awsRequestId: `req-${++invocation}`,
  getRemainingTimeInMillis: () => 120_000,
});

/** The real deployed handler with this configuration, calling the simulator as the reconciler's role. */
function reconcilerHandler(env: Record<string, string>): Handler {
  const handler = createHandler({ env, clientConfig: sim.clientConfig({ accessKeyId: RECONCILER_KEY }) });
  type Lambda = Parameters<typeof handler>;
  return (event, context) => handler(event as Lambda[0], context as Lambda[1]);
}

/** The simulator's SQS is JSON 1.0 over HTTP; an unsigned call is routed by its X-Amz-Target. */
async function createQueue(name: string): Promise<string> {
  const response = await fetch(sim.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.CreateQueue' },
    body: JSON.stringify({ QueueName: name }),
  });
  const body = (await response.json()) as { QueueUrl?: string };
  if (!response.ok || !body.QueueUrl) throw new Error(`CreateQueue failed: ${JSON.stringify(body)}`);
  return body.QueueUrl;
}

/** The reconciler's own calls since `from` (a position in the call log). */
const productCalls = (from: number): CallRecord[] =>
  sim.calls.slice(from).filter((call) => call.principal === roleArn);

const tagsOf = (targetGroupArn: string): Map<string, string> => {
  const group = sim.state().elbv2.targetGroups.get(targetGroupArn);
  if (!group) throw new Error(`no target group ${targetGroupArn} in the simulator`);
  return group.tags;
};

/**
 * The IAM request a recorded call makes: the action, the resource it is authorised on (`*` for
 * actions that take no resource), and the condition keys the real request carries. Throws for an
 * action that takes a resource this function does not know how to find: teach it, don't guess.
 */
async function iamRequestOf(
  call: Pick<CallRecord, 'service' | 'operation' | 'params' | 'region'>,
  tags: (targetGroupArn: string) => ReadonlyMap<string, string> = tagsOf,
): Promise<IamRequest> {
  const prefix = IAM_PREFIX[call.service];
  if (!prefix) throw new Error(`no IAM prefix for the SigV4 service ${call.service}`);
  const action = `${prefix}:${call.operation}`;
  const params = call.params as Record<string, unknown>;
  const context: ContextValues = {
    'aws:RequestedRegion': call.region,
    'aws:PrincipalArn': roleArn,
    'aws:PrincipalAccount': ACCOUNT,
    'aws:SecureTransport': 'true',
  };
  if (prefix === 'ec2') context['ec2:Region'] = call.region;
  if (prefix === 'cloudwatch' && call.operation === 'PutMetricData') {
    context['cloudwatch:namespace'] = String(params.Namespace);
    return { action, resource: '*', context };
  }
  if (await isWildcardOnlyAction(prefix, call.operation)) return { action, resource: '*', context };
  if (prefix === 'elasticloadbalancing' && typeof params.TargetGroupArn === 'string') {
    for (const [key, value] of tags(params.TargetGroupArn)) {
      context[`aws:ResourceTag/${key}`] = value;
      context[`elasticloadbalancing:ResourceTag/${key}`] = value;
    }
    return { action, resource: params.TargetGroupArn, context };
  }
  if (prefix === 'sqs' && typeof params.QueueUrl === 'string') {
    const queue = [...sim.state(call.region).sqs.queues.values()].find((q) => q.url === params.QueueUrl);
    if (!queue) throw new Error(`no queue ${params.QueueUrl} in the simulator`);
    return { action, resource: queue.arn, context };
  }
  throw new Error(
    `${action} takes a resource and the test does not know how to find it in ${JSON.stringify(params)}`,
  );
}

async function evaluate(request: IamRequest, policies = identityPolicies): Promise<Verdict> {
  const result = await runSimulation(
    {
      request: {
        principal: roleArn,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: request.context,
      },
      identityPolicies: policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resource === queueArn ? { resourcePolicy: queuePolicy } : {}),
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(`simulation error for ${request.action}: ${JSON.stringify(result.errors)}`);
  }
  const ignoredContextKeys = result.resultType === 'single' ? (result.result.ignoredContextKeys ?? []) : [];
  return { request, result: result.overallResult, ignoredContextKeys };
}

/** Each distinct request of the calls, evaluated once. */
async function verdicts(calls: readonly CallRecord[], policies = identityPolicies): Promise<Verdict[]> {
  const requests = new Map<string, IamRequest>();
  for (const call of calls) {
    const request = await iamRequestOf(call);
    requests.set(JSON.stringify(request), request);
  }
  return Promise.all([...requests.values()].map((r) => evaluate(r, policies)));
}

const describeVerdict = (v: Verdict) => `${v.request.action} on ${v.request.resource}: ${v.result}`;

/** The same writes, on the same target groups, as if the opt-in tag were not there (other tags kept). */
const withoutOptInTag = (arn: string): ReadonlyMap<string, string> =>
  new Map([...tagsOf(arn)].filter(([key]) => key !== ENDPOINT_ID_TAG));

const TARGET_WRITES = /^(Register|Deregister)Targets$/;

/** The calls of each run, by what the run was. */
const runs: Record<'fullPass' | 'eventBatch' | 'dryRun', CallRecord[]> = {
  fullPass: [],
  eventBatch: [],
  dryRun: [],
};
const allCalls = () => [...runs.fullPass, ...runs.eventBatch, ...runs.dryRun];

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // The role policy as CloudFormation would deploy it in the simulator's region and account.
  const template = templateOf(new ReconcilerStack(testApp(), 'VpceTargetSync'));
  const resources: Resources = resourcesOf(template);
  const role = onlyResource(template, 'AWS::IAM::Role');
  const queueId = Object.entries(resources).find(
    ([, r]) => r.Type === 'AWS::SQS::Queue' && r.Properties?.RedrivePolicy,
  )?.[0] as string;
  sim = await startSimulator({
    endpointPendingMs: PENDING_MS,
    principals: { [RECONCILER_KEY]: `arn:aws:iam::${ACCOUNT}:role/VpceTargetSync-Reconciler` },
  });
  const deployment = {
    region: sim.region,
    account: ACCOUNT,
    names: { [queueId]: EVENT_QUEUE, [role.id]: 'VpceTargetSync-Reconciler' },
  };
  roleArn = resolveIntrinsics({ 'Fn::GetAtt': [role.id, 'Arn'] }, resources, deployment) as string;
  identityPolicies = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
    .filter(([, r]) => JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: role.id }]))
    .map(([id, r]) => ({
      name: id,
      policy: resolveIntrinsics(r.Properties?.PolicyDocument, resources, deployment) as Policy,
    }));
  expect(identityPolicies.length).toBeGreaterThan(0);
  const queuePolicyResource = Object.values(resources).find(
    (r) =>
      r.Type === 'AWS::SQS::QueuePolicy' &&
      JSON.stringify(r.Properties?.Queues) === JSON.stringify([{ Ref: queueId }]),
  );
  queuePolicy = resolveIntrinsics(
    queuePolicyResource?.Properties?.PolicyDocument,
    resources,
    deployment,
  ) as Policy;
  queueArn = resolveIntrinsics({ 'Fn::GetAtt': [queueId, 'Arn'] }, resources, deployment) as string;

  // The queue the template names, at the URL the simulator gives it.
  const queueUrl = await createQueue(EVENT_QUEUE);
  expect(sim.state().sqs.queues.get(EVENT_QUEUE)?.arn).toBe(queueArn);

  // A small fleet with drift: a site missing its targets, one with a stale target, and a target
  // group that has not opted in (other tags only).
  account = new Account(sim.clientConfig());
  vpc = await account.vpc(7);
  const endpointA = await account.endpoint(vpc, 2);
  const endpointB = await account.endpoint(vpc, 1);
  sim.clock.advance(PENDING_MS);
  const siteA = await account.site('iam-missing', vpc, { endpointId: endpointA });
  const siteB = await account.site('iam-stale', vpc, { endpointId: endpointB });
  await account.register(siteB, [...(await account.endpointIps(endpointB)), '10.7.3.200']);
  const other = await account.site('iam-other-app', vpc);
  await account.tag(other, { team: 'web' });

  const env = {
    [ENV.roleArn]: roleArn,
    [ENV.queueUrl]: queueUrl,
    [ENV.logLevel]: 'silent',
    [ENV.dryRun]: 'false',
  };

  // (a) The scheduled full pass.
  let handler = reconcilerHandler(env);
  let from = sim.calls.length;
  await handler(scheduledEvent(), context());
  runs.fullPass = productCalls(from);

  // (b) An event batch that re-queues: the endpoint is pending after a subnet is added.
  await account.addSubnet(endpointA, vpc.subnets[2]?.subnetId as string);
  from = sim.calls.length;
  await handler(
    sqsBatch([trail.modifyVpcEndpoint(endpointA, { add: [vpc.subnets[2]?.subnetId as string] })]),
    context(),
  );
  runs.eventBatch = productCalls(from);

  // (c) A dry run, pass and event, over new drift: a stale target and the endpoint's new interface.
  sim.clock.advance(PENDING_MS);
  await account.register(siteA, ['10.7.3.201']);
  handler = reconcilerHandler({ ...env, [ENV.dryRun]: 'true' });
  from = sim.calls.length;
  await handler(scheduledEvent(), context());
  await handler(sqsBatch([trail.addTags(siteA, { [ENDPOINT_ID_TAG]: endpointA })]), context());
  runs.dryRun = productCalls(from);
});

afterAll(async () => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await sim?.stop();
});

describe('the calls the product makes (the scenario did what it says)', () => {
  it('the full pass read the fleet, wrote targets both ways and published metrics', () => {
    const operations = new Set(runs.fullPass.map((c) => c.operation));
    for (const op of ['DescribeVpcEndpoints', 'GetResources', 'DescribeTargetHealth', 'PutMetricData']) {
      expect(operations).toContain(op);
    }
    expect(operations).toContain('RegisterTargets');
    expect(operations).toContain('DeregisterTargets');
    expect(runs.fullPass.every((c) => c.status === 200)).toBe(true);
  });

  it('the event batch re-queued the pending site with SendMessage', () => {
    const sends = runs.eventBatch.filter((c) => c.operation === 'SendMessage');
    expect(sends).toHaveLength(1);
    expect(sends[0]?.status).toBe(200);
  });

  it('the dry run read and published but wrote no targets', () => {
    expect(runs.dryRun.length).toBeGreaterThan(0);
    expect(runs.dryRun.some((c) => c.operation === 'PutMetricData')).toBe(true);
    expect(runs.dryRun.filter((c) => TARGET_WRITES.test(c.operation))).toEqual([]);
  });
});

describe('the synthesised role, evaluated by an IAM policy simulator on every recorded call', () => {
  it.each(['fullPass', 'eventBatch', 'dryRun'] as const)(
    'allows every call of the %s, on its real resource with its tags',
    async (run) => {
      const results = await verdicts(runs[run]);
      expect(results.length).toBeGreaterThan(0);
      expect(results.filter((v) => v.result !== 'Allowed').map(describeVerdict)).toEqual([]);
      // Every condition key passed is one IAM knows for the request (no silently unused key).
      expect(results.flatMap((v) => v.ignoredContextKeys)).toEqual([]);
    },
  );

  it('denies the same target writes on the same target groups without the opt-in tag', async () => {
    const writes = allCalls().filter((c) => TARGET_WRITES.test(c.operation));
    expect(writes.length).toBeGreaterThan(0);
    for (const call of writes) {
      const request = await iamRequestOf(call, withoutOptInTag);
      expect(request.context[`aws:ResourceTag/${ENDPOINT_ID_TAG}`]).toBeUndefined();
      expect((await evaluate(request)).result, JSON.stringify(request)).toBe('ImplicitlyDenied');
    }
  });

  it('denies the same PutMetricData to another namespace', async () => {
    const puts = allCalls().filter((c) => c.operation === 'PutMetricData');
    expect(puts.length).toBeGreaterThan(0);
    for (const namespace of ['SomeoneElse', 'AWS/EC2', `${METRIC_NAMESPACE}-other`]) {
      const request = await iamRequestOf({ ...(puts[0] as CallRecord), params: { Namespace: namespace } });
      expect((await evaluate(request)).result, namespace).toBe('ImplicitlyDenied');
    }
  });

  it('denies the same SendMessage to another queue, and the same writes in another account', async () => {
    const send = await iamRequestOf(runs.eventBatch.find((c) => c.operation === 'SendMessage') as CallRecord);
    expect(
      (await evaluate({ ...send, resource: queueArn.replace(EVENT_QUEUE, 'someone-elses') })).result,
    ).toBe('ImplicitlyDenied');
    const write = await iamRequestOf(allCalls().find((c) => c.operation === 'RegisterTargets') as CallRecord);
    expect(
      (await evaluate({ ...write, resource: write.resource.replace(ACCOUNT, '210987654321') })).result,
    ).toBe('ImplicitlyDenied');
  });
});

describe('the check has teeth', () => {
  it('mutant: the product also calls something the policy does not list; the same evaluation denies it', async () => {
    const write = allCalls().find((c) => c.operation === 'RegisterTargets') as CallRecord;
    const read = allCalls().find((c) => c.operation === 'DescribeVpcEndpoints') as CallRecord;
    const mutant: CallRecord[] = [
      ...allCalls(),
      { ...write, operation: 'ModifyTargetGroup', params: { TargetGroupArn: write.params.TargetGroupArn } },
      { ...read, operation: 'DescribeSubnets', params: {} },
    ];
    const denied = (await verdicts(mutant)).filter((v) => v.result !== 'Allowed').map(describeVerdict);
    expect(denied).toEqual([
      `elasticloadbalancing:ModifyTargetGroup on ${write.params.TargetGroupArn}: ImplicitlyDenied`,
      'ec2:DescribeSubnets on *: ImplicitlyDenied',
    ]);
  });

  it('mutant: the policy without the tag condition; the untagged-write check then fails (the write is allowed)', async () => {
    const mutantPolicies = structuredClone(identityPolicies);
    let dropped = 0;
    for (const { policy } of mutantPolicies) {
      for (const statement of policy.Statement) {
        if (JSON.stringify(statement.Action).includes('RegisterTargets') && statement.Condition) {
          delete statement.Condition;
          dropped += 1;
        }
      }
    }
    expect(dropped).toBe(1);
    const write = allCalls().find((c) => TARGET_WRITES.test(c.operation)) as CallRecord;
    const untagged = await iamRequestOf(write, withoutOptInTag);
    expect((await evaluate(untagged, mutantPolicies)).result).toBe('Allowed');
    expect((await evaluate(untagged)).result).toBe('ImplicitlyDenied');
  });
});

describe("docs/deploy.md's SCP: only the admin roles may put the opt-in tag keys on a target group", () => {
  const readme = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
  const block = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].find((m) => m[1]?.includes('aws:TagKeys'));
  const scp = JSON.parse(block?.[1] ?? 'null') as Policy;
  const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const targetGroup = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/site/0123456789abcdef`;
  const developer = `arn:aws:iam::${ACCOUNT}:role/Developer`;
  const admin = `arn:aws:iam::${ACCOUNT}:role/NetworkAdmin`;
  const cloudFormation = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1`;

  async function decideTagging(
    principal: string,
    action: string,
    tagKeys: string[],
  ): Promise<EvaluationResult> {
    const simulation: Simulation = {
      request: {
        principal,
        action: `elasticloadbalancing:${action}`,
        resource: { resource: targetGroup, accountId: ACCOUNT },
        contextVariables: { 'aws:TagKeys': tagKeys, 'aws:PrincipalArn': principal },
      },
      identityPolicies: [{ name: 'AllowAll', policy: allowAll }],
      serviceControlPolicies: [
        {
          orgIdentifier: 'r-root',
          policies: [
            { name: 'FullAWSAccess', policy: allowAll },
            { name: 'readme', policy: scp },
          ],
        },
      ],
      resourceControlPolicies: [],
    };
    // iam-data (0.21.202609261) lists only Classic ELB's `loadbalancer` resource for
    // elasticloadbalancing:AddTags, not ELBv2's `targetgroup`, so the validating entry point rejects
    // a target group ARN; the SCP's Deny is on "*", so the unvalidated evaluation decides the same.
    if (action === 'AddTags') return runUnsafeSimulation(simulation, {});
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  }

  it('is in docs/deploy.md', () => {
    expect(scp.Statement).toHaveLength(1);
  });

  it.each([
    ['AddTags', [ENDPOINT_ID_TAG]],
    ['AddTags', ['team', 'vpce-target-sync:policy']],
    ['CreateTargetGroup', ['team', ENDPOINT_ID_TAG]],
  ])('denies %s with %j to any other principal', async (action, keys) => {
    expect(await decideTagging(developer, action, keys)).toBe('ExplicitlyDenied');
  });

  it('allows the admin role and CloudFormation to opt in, and anyone to use other tag keys', async () => {
    expect(await decideTagging(admin, 'AddTags', [ENDPOINT_ID_TAG])).toBe('Allowed');
    expect(await decideTagging(cloudFormation, 'CreateTargetGroup', [ENDPOINT_ID_TAG])).toBe('Allowed');
    expect(await decideTagging(developer, 'AddTags', ['team'])).toBe('Allowed');
    expect(await decideTagging(developer, 'CreateTargetGroup', ['team'])).toBe('Allowed');
  });
});
