import { DeleteVpcEndpointsCommand, EC2Client, ModifyVpcEndpointCommand } from '@aws-sdk/client-ec2';
import type { FaultRule, Simulator } from '../../sim/index.ts';
import { type Fleet, noteEnis } from './fleet.ts';
import type { Rng } from './seed.ts';

/** Operations of one site (they carry its TargetGroupArn). */
export const SITE_OPERATIONS = ['DescribeTargetHealth', 'RegisterTargets', 'DeregisterTargets'] as const;
/** Operations of a whole run. */
export const RUN_OPERATIONS = [
  'GetResources',
  'DescribeTargetGroups',
  'DescribeTags',
  'DescribeVpcEndpoints',
  'DescribeNetworkInterfaces',
  'PutMetricData',
] as const;
type Operation = (typeof SITE_OPERATIONS)[number] | (typeof RUN_OPERATIONS)[number];

/** Calls that only read and happen before any site is known: their failure stops the whole run. */
export const DISCOVERY_OPERATIONS: ReadonlySet<string> = new Set([
  'GetResources',
  'DescribeTargetGroups',
  'DescribeTags',
]);

const SERVICE_OF: Record<Operation, 'ec2' | 'elbv2' | 'tagging' | 'cloudwatch'> = {
  DescribeTargetHealth: 'elbv2',
  RegisterTargets: 'elbv2',
  DeregisterTargets: 'elbv2',
  GetResources: 'tagging',
  DescribeTargetGroups: 'elbv2',
  DescribeTags: 'elbv2',
  DescribeVpcEndpoints: 'ec2',
  DescribeNetworkInterfaces: 'ec2',
  PutMetricData: 'cloudwatch',
};

/** AWS's own 5xx codes per service: [code, HTTP status]. */
const SERVER_ERRORS: Record<(typeof SERVICE_OF)[Operation], readonly (readonly [string, number])[]> = {
  ec2: [
    ['InternalError', 500],
    ['Unavailable', 503],
  ],
  elbv2: [
    ['InternalFailure', 500],
    ['ServiceUnavailable', 503],
  ],
  tagging: [['InternalServiceException', 500]],
  cloudwatch: [
    ['InternalServiceError', 500],
    ['ServiceUnavailable', 503],
  ],
};

/** Definite answers (4xx) that no retry changes. */
const CLIENT_ERRORS: Record<(typeof SERVICE_OF)[Operation], readonly (readonly [string, number])[]> = {
  ec2: [['UnauthorizedOperation', 403]],
  elbv2: [
    ['AccessDenied', 403],
    ['InvalidTarget', 400],
  ],
  tagging: [['AccessDeniedException', 400]],
  cloudwatch: [['AccessDenied', 403]],
};

/** The fault kinds the suite draws from (the table in docs/reliability.md, "Reliability"). */
export const FAULT_KINDS = [
  'throttle',
  'server-error',
  'client-error',
  'reset',
  'slow',
  'delete-target-group',
  'delete-endpoint',
  'modify-endpoint',
  'register-ok-deregister-fails',
  'metrics-fail',
] as const;
export type FaultKindName = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  readonly kind: FaultKindName;
  /** One line for the failure message, e.g. `throttle RegisterTargets(s3-drifted) x2`. */
  readonly describe: string;
  readonly rules: readonly FaultRule[];
}

/** The SDK timeout the suite's clients use, and how late a `slow` response is. */
export const REQUEST_TIMEOUT_MS = 200;
const SLOW_MS = 300;

/** What the hooks did, so the checks know which sites lost their group or endpoint on purpose. */
export interface Tampering {
  readonly deletedTargetGroups: Set<string>;
  readonly deletedEndpoints: Set<string>;
  readonly modifiedEndpoints: Set<string>;
}

export const noTampering = (): Tampering => ({
  deletedTargetGroups: new Set(),
  deletedEndpoints: new Set(),
  modifiedEndpoints: new Set(),
});

const forArn = (arn: string) => (params: Record<string, unknown>) => params.TargetGroupArn === arn;

/** Deletes a target group (and the listener that uses it) behind the reconciler's back. */
function deleteTargetGroup(sim: Simulator, arn: string): void {
  const { elbv2 } = sim.state();
  for (const [key, listener] of elbv2.listeners) {
    if (listener.defaultActions.some((a) => a.targetGroupArns.includes(arn))) elbv2.listeners.delete(key);
  }
  elbv2.targetGroups.delete(arn);
}

/**
 * Draws 1-3 faults for one run over the fleet. Faults on a site's calls match its ARN, so the same
 * seed hits the same calls however the loop interleaves its sites.
 */
export function planFaults(fleet: Fleet, rng: Rng, tampering: Tampering, allowSlow: boolean): PlannedFault[] {
  const { sim } = fleet;
  const admin = new EC2Client(sim.clientConfig());
  const live = fleet.sites.filter((s) => !tampering.deletedTargetGroups.has(s.arn));
  const planned: PlannedFault[] = [];
  const count = rng.int(1, 3);
  for (let n = 0; n < count; n++) {
    // Slow responses cost real time, so only some seeds use them, and those use them often.
    const kind = rng.pick(
      allowSlow ? [...FAULT_KINDS, 'slow', 'slow'] : FAULT_KINDS.filter((k) => k !== 'slow'),
    );
    const times = rng.pick([1, 2, 3, Number.POSITIVE_INFINITY]);
    const timesText = times === Number.POSITIVE_INFINITY ? 'always' : `x${times}`;
    const site = rng.pick(live);
    const perSite = rng.chance(0.6);
    const operation: Operation = perSite ? rng.pick(SITE_OPERATIONS) : rng.pick(RUN_OPERATIONS);
    const target = (op: Operation) =>
      SITE_OPERATIONS.includes(op as (typeof SITE_OPERATIONS)[number]) ? `${op}(${site.name})` : op;
    const match = SITE_OPERATIONS.includes(operation as (typeof SITE_OPERATIONS)[number])
      ? forArn(site.arn)
      : undefined;
    const on = { operation, times, ...(match ? { match } : {}) };
    switch (kind) {
      case 'throttle':
        planned.push({
          kind,
          describe: `throttle ${target(operation)} ${timesText}`,
          rules: [{ ...on, fault: { kind: 'throttle' } }],
        });
        break;
      case 'server-error':
      case 'client-error': {
        const [code, status] = rng.pick(
          (kind === 'server-error' ? SERVER_ERRORS : CLIENT_ERRORS)[SERVICE_OF[operation]],
        );
        planned.push({
          kind,
          describe: `${code} (${status}) on ${target(operation)} ${timesText}`,
          rules: [{ ...on, fault: { kind: 'error', code, status } }],
        });
        break;
      }
      case 'reset':
        planned.push({
          kind,
          describe: `connection reset on ${target(operation)} ${timesText}`,
          rules: [{ ...on, fault: { kind: 'reset' } }],
        });
        break;
      case 'slow':
        planned.push({
          kind,
          describe: `${SLOW_MS} ms response (timeout ${REQUEST_TIMEOUT_MS} ms) on ${target(operation)} x${Math.min(times, 2)}`,
          rules: [{ ...on, times: Math.min(times, 2), fault: { kind: 'delay', ms: SLOW_MS } }],
        });
        break;
      case 'delete-target-group': {
        const when = rng.pick(['DescribeTargetHealth', 'DescribeVpcEndpoints', 'RegisterTargets'] as const);
        planned.push({
          kind,
          describe: `target group ${site.name} deleted before ${when}`,
          rules: [
            {
              operation: when,
              ...(when === 'DescribeVpcEndpoints' ? {} : { match: forArn(site.arn) }),
              fault: {
                kind: 'before',
                run: (s) => {
                  deleteTargetGroup(s, site.arn);
                  tampering.deletedTargetGroups.add(site.arn);
                },
              },
            },
          ],
        });
        break;
      }
      case 'delete-endpoint':
      case 'modify-endpoint': {
        const endpointId = rng.pick([fleet.endpoints.two, fleet.endpoints.three]);
        if (tampering.deletedEndpoints.has(endpointId)) break;
        const when = rng.pick([
          'DescribeVpcEndpoints',
          'DescribeNetworkInterfaces',
          'RegisterTargets',
        ] as const);
        const subnets = fleet.vpc.subnets.map((s) => s.subnetId);
        const change =
          kind === 'delete-endpoint'
            ? 'deleted'
            : endpointId === fleet.endpoints.three
              ? 'loses a subnet'
              : 'gains a subnet';
        planned.push({
          kind,
          describe: `endpoint ${endpointId} ${change} before ${when}`,
          rules: [
            {
              operation: when,
              fault: {
                kind: 'before',
                run: async () => {
                  if (tampering.deletedEndpoints.has(endpointId)) return;
                  noteEnis(fleet);
                  if (kind === 'delete-endpoint') {
                    tampering.deletedEndpoints.add(endpointId);
                    await admin.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }));
                    return;
                  }
                  tampering.modifiedEndpoints.add(endpointId);
                  const endpoint = sim.state().ec2.endpoints.get(endpointId);
                  const has = new Set(endpoint?.subnetIds ?? []);
                  const remove = subnets.filter((s) => has.has(s)).slice(-1);
                  const add = subnets.filter((s) => !has.has(s)).slice(0, 1);
                  await admin.send(
                    new ModifyVpcEndpointCommand({
                      VpcEndpointId: endpointId,
                      ...(add.length ? { AddSubnetIds: add } : { RemoveSubnetIds: remove }),
                    }),
                  );
                },
              },
            },
          ],
        });
        break;
      }
      case 'register-ok-deregister-fails': {
        const [code, status] = rng.pick([
          ['InternalFailure', 500],
          ['InvalidTarget', 400],
          ['Throttling', 400],
        ] as const);
        const fault =
          code === 'Throttling'
            ? ({ kind: 'throttle' } as const)
            : ({ kind: 'error', code, status } as const);
        planned.push({
          kind,
          describe: `DeregisterTargets(${site.name}) fails with ${code} ${timesText}`,
          rules: [{ operation: 'DeregisterTargets', match: forArn(site.arn), times, fault }],
        });
        break;
      }
      case 'metrics-fail':
        planned.push({
          kind,
          describe: `PutMetricData fails ${timesText}`,
          rules: [
            {
              operation: 'PutMetricData',
              times,
              fault: rng.chance(0.5)
                ? { kind: 'throttle' }
                : { kind: 'error', code: 'InternalServiceError', status: 500 },
            },
          ],
        });
        break;
    }
  }
  return planned;
}

export function install(sim: Simulator, faults: readonly PlannedFault[]): void {
  for (const fault of faults) for (const rule of fault.rules) sim.faults.add(rule);
}
