import type { Desired, Target } from './plan.ts';
import { fail, ok, type Result } from './result.ts';
import { ENDPOINT_ID_TAG } from './tags.ts';

/** What the reconciler needs to know of a target group. */
export interface TargetGroupFacts {
  readonly arn: string;
  readonly name: string;
  readonly vpcId: string;
  readonly targetType: string;
  readonly ipAddressType: 'ipv4' | 'ipv6';
  readonly port: number;
}

/** What the reconciler needs to know of a VPC endpoint. */
export interface EndpointFacts {
  readonly id: string;
  /** AWS's state, lowercase/camel case: `available`, `pending`, `deleting`, … */
  readonly state: string;
  readonly type: string;
  readonly vpcId: string;
  /** The IP families it serves: `ipv4`, `dualstack` or `ipv6` (EC2's VpcEndpoint IpAddressType). */
  readonly ipAddressType: EndpointIpAddressType;
  readonly networkInterfaceIds: readonly string[];
}

export type EndpointIpAddressType = 'ipv4' | 'dualstack' | 'ipv6';

/**
 * Endpoint states that never become `available` again (EC2 API reference, VpcEndpoint State:
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html). `deleting` and
 * `deleted` read as "gone", like an endpoint EC2 no longer lists; the others have a cause of their own.
 */
const FINAL_STATES: Readonly<Record<string, string>> = {
  deleting: 'it is being deleted',
  deleted: 'it was deleted',
  rejected: 'the service provider rejected the connection',
  failed: 'AWS could not create it',
  expired: 'its connection request expired before the service provider accepted it',
};

export const isFinalEndpointState = (state: string): boolean => state in FINAL_STATES;

const servesFamily = (endpoint: EndpointIpAddressType, family: 'ipv4' | 'ipv6'): boolean =>
  endpoint === 'dualstack' || endpoint === family;

/** What the reconciler needs to know of an endpoint's network interface. */
export interface NetworkInterfaceFacts {
  readonly id: string;
  readonly ipv4: string | undefined;
  readonly ipv6: readonly string[];
}

/** Only `ip` target groups can hold an endpoint's ENI IPs. */
export const REQUIRED_TARGET_TYPE = 'ip';
/** Only interface endpoints have network interfaces. */
export const REQUIRED_ENDPOINT_TYPE = 'Interface';

/** Checks that a target group can take its targets from this endpoint (contract: site validation). */
export function validateTargetGroup(tg: TargetGroupFacts): Result<TargetGroupFacts> {
  if (tg.targetType === REQUIRED_TARGET_TYPE) return ok(tg);
  return fail(
    `target group ${tg.name} has target type ${JSON.stringify(tg.targetType)}; expected ${JSON.stringify(REQUIRED_TARGET_TYPE)} (only ip target groups can hold endpoint IPs; remove the ${ENDPOINT_ID_TAG} tag or recreate the target group with target type ip)`,
  );
}

/**
 * The targets a site should hold: one per ENI IP of the group's IP family, on the group's port.
 * An endpoint that is missing, of the wrong type or in another VPC is an error; ENIs that the
 * endpoint lists but that are not visible yet make the site wait rather than act on half a picture.
 */
export function desiredTargets(
  tg: TargetGroupFacts,
  endpointId: string,
  endpoint: EndpointFacts | undefined,
  interfaces: ReadonlyMap<string, NetworkInterfaceFacts>,
): Result<Desired> {
  const whatToDo = `re-tag target group ${tg.name} with the id of its current endpoint, or remove the ${ENDPOINT_ID_TAG} tag to opt out; its targets are kept`;
  if (!endpoint || endpoint.state === 'deleted') {
    // EC2 lists a deleted endpoint as `deleted` for a while, then not at all: both read the same.
    return fail(
      `endpoint ${endpointId} (tag ${ENDPOINT_ID_TAG}) is deleted or does not exist in this account and region; ${whatToDo}`,
    );
  }
  if (isFinalEndpointState(endpoint.state)) {
    return fail(
      `endpoint ${endpointId} (tag ${ENDPOINT_ID_TAG}) is ${endpoint.state}: ${FINAL_STATES[endpoint.state]}, and it will never become available; ${whatToDo}`,
    );
  }
  if (endpoint.type !== REQUIRED_ENDPOINT_TYPE) {
    return fail(
      `endpoint ${endpointId} is of type ${endpoint.type}; expected ${REQUIRED_ENDPOINT_TYPE} (only interface endpoints have network interface IPs)`,
    );
  }
  if (endpoint.vpcId !== tg.vpcId) {
    return fail(
      `endpoint ${endpointId} is in ${endpoint.vpcId} but target group ${tg.name} is in ${tg.vpcId}; they must be in the same VPC`,
    );
  }
  if (!servesFamily(endpoint.ipAddressType, tg.ipAddressType)) {
    const other = tg.ipAddressType === 'ipv4' ? 'ipv6' : 'ipv4';
    return fail(
      `target group ${tg.name} is ${tg.ipAddressType} but endpoint ${endpointId} serves ${endpoint.ipAddressType} only (IpAddressType ${endpoint.ipAddressType}), so it has no ${tg.ipAddressType} addresses; use an ${other} target group, or an endpoint with IpAddressType dualstack`,
    );
  }
  const unseenInterfaces = endpoint.networkInterfaceIds.filter((id) => !interfaces.has(id));
  const targets: Target[] = endpoint.networkInterfaceIds.flatMap((id) => {
    const eni = interfaces.get(id);
    const ips = tg.ipAddressType === 'ipv6' ? (eni?.ipv6 ?? []) : eni?.ipv4 ? [eni.ipv4] : [];
    return ips.map((ip) => ({ id: ip, port: tg.port }));
  });
  return ok({ endpointState: endpoint.state, targets, unseenInterfaces });
}
