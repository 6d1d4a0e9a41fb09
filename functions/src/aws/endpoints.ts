import {
  DescribeNetworkInterfacesCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  chunk,
  type EndpointFacts,
  type EndpointIpAddressType,
  type NetworkInterfaceFacts,
} from '@vpce-target-sync/shared';

/**
 * Ids per Filter in one Describe call. EC2 caps filter values (200 is the documented ceiling for
 * several Describe APIs); ids are looked up by filter, not by id list, because an unknown id in
 * an id list fails the whole call, while a filter just leaves it out.
 */
export const IDS_PER_FILTER = 200;
/** Largest page DescribeVpcEndpoints and DescribeNetworkInterfaces return. */
export const EC2_PAGE_SIZE = 1000;

/** EC2 omits IpAddressType for endpoints created before dual-stack existed: those are IPv4. */
const toIpAddressType = (value: string | undefined): EndpointIpAddressType =>
  value === 'dualstack' || value === 'ipv6' ? value : 'ipv4';

/** The EC2 side of a site: endpoints and their network interfaces. */
export interface EndpointSource {
  /** The endpoints with these ids; unknown ids are absent. */
  endpoints(ids: readonly string[]): Promise<Map<string, EndpointFacts>>;
  /** The network interfaces with these ids; unknown ids are absent. */
  networkInterfaces(ids: readonly string[]): Promise<Map<string, NetworkInterfaceFacts>>;
}

/** Longer than 50 lines on purpose: one closure over the EC2 client, each method one Describe operation. */
export function ec2EndpointSource(ec2: EC2Client): EndpointSource {
  return {
    async endpoints(ids) {
      const found = new Map<string, EndpointFacts>();
      await describeByFilter(ids, async (Values, NextToken) => {
        const page = await ec2.send(
          new DescribeVpcEndpointsCommand({
            Filters: [{ Name: 'vpc-endpoint-id', Values }],
            MaxResults: EC2_PAGE_SIZE,
            NextToken,
          }),
        );
        for (const e of page.VpcEndpoints ?? []) {
          if (!e.VpcEndpointId) continue;
          found.set(e.VpcEndpointId, {
            id: e.VpcEndpointId,
            state: e.State ?? 'unknown',
            type: e.VpcEndpointType ?? 'unknown',
            vpcId: e.VpcId ?? '',
            ipAddressType: toIpAddressType(e.IpAddressType),
            networkInterfaceIds: e.NetworkInterfaceIds ?? [],
          });
        }
        return page.NextToken;
      });
      return found;
    },

    async networkInterfaces(ids) {
      const found = new Map<string, NetworkInterfaceFacts>();
      await describeByFilter(ids, async (Values, NextToken) => {
        const page = await ec2.send(
          new DescribeNetworkInterfacesCommand({
            Filters: [{ Name: 'network-interface-id', Values }],
            MaxResults: EC2_PAGE_SIZE,
            NextToken,
          }),
        );
        for (const eni of page.NetworkInterfaces ?? []) {
          if (!eni.NetworkInterfaceId) continue;
          found.set(eni.NetworkInterfaceId, {
            id: eni.NetworkInterfaceId,
            ipv4: eni.PrivateIpAddress,
            ipv6: (eni.Ipv6Addresses ?? []).flatMap((a) => (a.Ipv6Address ? [a.Ipv6Address] : [])),
          });
        }
        return page.NextToken;
      });
      return found;
    },
  };
}

/**
 * The one paged filter loop of both Describe calls: the distinct ids in batches of IDS_PER_FILTER,
 * each batch paged until EC2 returns no NextToken. `page` makes one call and answers its NextToken.
 */
async function describeByFilter(
  ids: readonly string[],
  page: (values: string[], token: string | undefined) => Promise<string | undefined>,
): Promise<void> {
  for (const batch of chunk([...new Set(ids)], IDS_PER_FILTER)) {
    let token: string | undefined;
    do token = await page(batch, token);
    while (token);
  }
}
