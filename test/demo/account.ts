/**
 * The demo's account, built through AWS API calls only: `pnpm demo` runs against it, and
 * `pnpm sim --seed demo` starts the simulator with it, for a new user to try the CLI on.
 */
import { Account, type ClientSettings, type Vpc } from '../support/account.ts';

/** The demo's target groups by name, in the order they are created. */
export const DEMO_SITE_NAMES = [
  'docs-site',
  'wiki-site',
  'status-site',
  'legacy-site',
  'broken-site',
  'unmanaged-tg',
] as const;
export type DemoSiteName = (typeof DEMO_SITE_NAMES)[number];

export interface DemoAccount {
  readonly account: Account;
  readonly vpc: Vpc;
  readonly endpointId: string;
  /** The endpoint's ENI IPs when the account was built. */
  readonly ips: readonly string[];
  /** Target group ARNs by name. */
  readonly sites: Readonly<Record<DemoSiteName, string>>;
}

/** What the account holds, in two lines, as the demo prints it. */
export function describeDemoAccount(demo: DemoAccount): string {
  return (
    `VPC ${demo.vpc.vpcId} in ${demo.vpc.subnets.map((s) => s.az).join(', ')}; S3 interface endpoint ${demo.endpointId} in 2 subnets: ${demo.ips.join(', ')}\n` +
    'Sites: docs-site (new, empty), wiki-site (drifted), status-site (observe), legacy-site (upsert-only),\n' +
    "broken-site (tag 'vpce-1234' is not an endpoint id), unmanaged-tg (no opt-in tag: never touched)\n"
  );
}

/**
 * A VPC in three AZs, an S3 interface endpoint in two subnets, an ALB and six target groups in
 * different states: new, drifted, observe, upsert-only, misconfigured, not opted in.
 */
export async function buildDemoAccount(settings: ClientSettings): Promise<DemoAccount> {
  const account = new Account(settings);
  const vpc = await account.vpc(20);
  const endpointId = await account.endpoint(vpc, 2);
  const ips = await account.endpointIps(endpointId);

  const sites = {
    'docs-site': await account.site('docs-site', vpc, { endpointId }),
    'wiki-site': await account.site('wiki-site', vpc, { endpointId }),
    'status-site': await account.site('status-site', vpc, { endpointId, policy: 'observe' }),
    'legacy-site': await account.site('legacy-site', vpc, { endpointId, policy: 'upsert-only' }),
    'broken-site': await account.site('broken-site', vpc, { endpointId: 'vpce-1234' }),
    'unmanaged-tg': await account.site('unmanaged-tg', vpc),
  };
  for (const [i, arn] of Object.values(sites).entries()) await account.attach(vpc, arn, 8000 + i);
  // wiki-site was filled once by a deploy-time script and then the endpoint was recreated: one IP is stale.
  await account.register(sites['wiki-site'], [ips[0] as string, '10.20.3.77']);
  await account.register(sites['status-site'], ['10.20.3.78']);
  await account.register(sites['legacy-site'], ['10.20.3.79']);
  await account.register(sites['unmanaged-tg'], ['10.20.3.80']);
  return { account, vpc, endpointId, ips, sites };
}
