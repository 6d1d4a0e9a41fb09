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
  readonly networkInterfaceIds: readonly string[];
}

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
  if (!endpoint)
    return fail(`endpoint ${endpointId} (tag ${ENDPOINT_ID_TAG}) was not found in this account and region`);
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
  const unseenInterfaces = endpoint.networkInterfaceIds.filter((id) => !interfaces.has(id));
  const targets: Target[] = endpoint.networkInterfaceIds.flatMap((id) => {
    const eni = interfaces.get(id);
    const ips = tg.ipAddressType === 'ipv6' ? (eni?.ipv6 ?? []) : eni?.ipv4 ? [eni.ipv4] : [];
    return ips.map((ip) => ({ id: ip, port: tg.port }));
  });
  return ok({ endpointState: endpoint.state, targets, unseenInterfaces });
}
