/**
 * The doctor's checks: pure functions of the facts gathered for one site (facts.ts), no I/O.
 * The check ids are part of the contract (docs/DESIGN.md, "Doctor checks").
 */
import type { BucketFact, EndpointFact, RuleFact, SecurityGroupRuleFact, SiteFacts } from './facts.ts';

export const CHECK_IDS = [
  'target-group',
  'health-check',
  'load-balancer',
  'az-coverage',
  'security-groups',
  'host-bucket',
  'bucket-policy',
  'endpoint-policy',
  'private-dns',
  'index-document',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  readonly id: CheckId;
  readonly status: CheckStatus;
  /** One line naming the resource and the value seen. */
  readonly finding: string;
  /** One line saying what to change; null when there is nothing to do. */
  readonly fix: string | null;
}

const pass = (id: CheckId, finding: string): CheckResult => ({ id, status: 'pass', finding, fix: null });
const skip = (id: CheckId, finding: string): CheckResult => ({ id, status: 'skip', finding, fix: null });
const warn = (id: CheckId, finding: string, fix: string): CheckResult => ({
  id,
  status: 'warn',
  finding,
  fix,
});
const failed = (id: CheckId, finding: string, fix: string): CheckResult => ({
  id,
  status: 'fail',
  finding,
  fix,
});

/** `com.amazonaws.us-east-1.s3` (and the China partition's `cn.com.amazonaws.…`). */
export function isS3Service(serviceName: string): boolean {
  return /^(?:cn\.)?com\.amazonaws\.[a-z0-9-]+\.s3$/.test(serviceName);
}

/** Runs every check, in the contract's order. */
export function runChecks(facts: SiteFacts): CheckResult[] {
  return [
    targetGroupCheck(facts),
    healthCheck(facts),
    loadBalancerCheck(facts),
    azCoverage(facts),
    securityGroups(facts),
    hostBucket(facts),
    bucketPolicy(facts),
    endpointPolicy(facts),
    privateDns(facts),
    indexDocument(facts),
  ];
}

function s3Skip(id: CheckId, facts: SiteFacts): CheckResult | undefined {
  const endpoint = facts.endpoint;
  if (!endpoint) return skip(id, `endpoint ${facts.endpointId} not found; nothing to check`);
  if (!isS3Service(endpoint.serviceName))
    return skip(
      id,
      `endpoint ${endpoint.id} serves ${endpoint.serviceName}, not S3; this check is for S3 sites`,
    );
  return undefined;
}

function targetGroupCheck(facts: SiteFacts): CheckResult {
  const id = 'target-group';
  const tg = facts.targetGroup;
  const where = `target group ${tg.name}`;
  if (tg.targetType !== 'ip') {
    return failed(
      id,
      `${where} has target type ${tg.targetType}; endpoint ENI IPs can only be ip targets`,
      `recreate ${tg.name} with --target-type ip (the target type cannot be changed)`,
    );
  }
  const endpoint = facts.endpoint;
  if (!endpoint) {
    return failed(
      id,
      `${where} names endpoint ${facts.endpointId}, which was not found`,
      `tag ${tg.name} with the id of an existing interface endpoint (vpce-target-sync:endpoint-id)`,
    );
  }
  if (endpoint.type !== 'Interface') {
    return failed(
      id,
      `${where} names endpoint ${endpoint.id} of type ${endpoint.type}; only Interface endpoints have ENIs`,
      `create an Interface endpoint for ${endpoint.serviceName} and tag ${tg.name} with its id`,
    );
  }
  const family = tg.ipAddressType === 'ipv6' ? 'ipv6' : 'ipv4';
  const serves = endpoint.ipAddressType === 'dualstack' || endpoint.ipAddressType === family;
  if (!serves) {
    return failed(
      id,
      `${where} is ${family}, but endpoint ${endpoint.id} serves ${endpoint.ipAddressType} only`,
      `set the endpoint's IP address type to ${family === 'ipv6' ? 'dualstack' : 'ipv4 or dualstack'}, or use an ${endpoint.ipAddressType} target group`,
    );
  }
  return protocolAndPort(tg, `${family}, endpoint ${endpoint.id} serves ${endpoint.ipAddressType}`);
}

/** The last step of the target-group check: the endpoint answers HTTPS on 443, or HTTP on 80 unencrypted. */
function protocolAndPort(tg: SiteFacts['targetGroup'], served: string): CheckResult {
  const id = 'target-group';
  const where = `target group ${tg.name}`;
  const listener = `${tg.protocol ?? '?'}:${tg.port ?? '?'}`;
  if (tg.protocol === 'HTTPS' && tg.port === 443)
    return pass(id, `${where}: target type ip, ${listener}, ${served}`);
  if (tg.protocol === 'HTTP' && tg.port === 80) {
    return warn(
      id,
      `${where} is HTTP:80: traffic from the load balancer to the endpoint is not encrypted`,
      `recreate ${tg.name} as HTTPS on port 443 (protocol and port cannot be changed)`,
    );
  }
  return failed(
    id,
    `${where} is ${listener}; the endpoint answers HTTPS on 443 (or HTTP on 80)`,
    `recreate ${tg.name} as HTTPS on port 443 (protocol and port cannot be changed)`,
  );
}

/** The HTTP codes a matcher like `200,307,405` or `200-399` accepts contain `code`. */
export function matcherAccepts(matcher: string, code: number): boolean {
  return matcher.split(',').some((part) => {
    const [from, to] = part.trim().split('-').map(Number);
    if (from === undefined || Number.isNaN(from)) return false;
    return to === undefined ? code === from : code >= from && code <= to;
  });
}

function healthCheck(facts: SiteFacts): CheckResult {
  const id = 'health-check';
  const tg = facts.targetGroup;
  const protocol = tg.healthCheckProtocol ?? '?';
  const matcher = tg.matcher ?? '200';
  const where = `target group ${tg.name}: health check ${protocol} ${tg.healthCheckPath ?? '/'} matcher ${matcher}`;
  const s3 = facts.endpoint ? isS3Service(facts.endpoint.serviceName) : false;
  if (s3) {
    const missing = [307, 405].filter((code) => !matcherAccepts(matcher, code));
    if (missing.length > 0) {
      return failed(
        id,
        `${where} does not accept ${missing.join(' and ')}; S3 answers a health check with 307 or 405, so every target is unhealthy`,
        `aws elbv2 modify-target-group --target-group-arn ${tg.arn} --matcher HttpCode=200,307,405`,
      );
    }
  }
  if (protocol !== 'HTTPS') {
    return warn(
      id,
      `${where}: the health check is not HTTPS, so it does not test what the listener serves`,
      `aws elbv2 modify-target-group --target-group-arn ${tg.arn} --health-check-protocol HTTPS`,
    );
  }
  return pass(id, where);
}

/** The rules that forward to the target group (default rules included). */
function forwardingRules(facts: SiteFacts): RuleFact[] {
  return facts.rules.filter((rule) =>
    rule.actions.some((a) => a.type === 'forward' && a.targetGroupArns.includes(facts.targetGroup.arn)),
  );
}

function loadBalancerCheck(facts: SiteFacts): CheckResult {
  const id = 'load-balancer';
  const tg = facts.targetGroup;
  const rules = forwardingRules(facts);
  if (facts.loadBalancers.length === 0 || rules.length === 0) {
    return failed(
      id,
      `target group ${tg.name} is used by no load balancer listener rule or default action`,
      `add a listener rule (or default action) on the site's ALB that forwards to ${tg.name}`,
    );
  }
  const listeners = facts.listeners.filter((l) => rules.some((r) => r.listenerArn === l.arn));
  const names = new Map(facts.loadBalancers.map((lb) => [lb.arn, lb.name]));
  const described = listeners
    .map((l) => `${names.get(l.loadBalancerArn) ?? '?'} ${l.protocol}:${l.port}`)
    .join(', ');
  const notAlb = facts.loadBalancers.find((lb) => lb.type !== 'application');
  if (notAlb) {
    return failed(
      id,
      `load balancer ${notAlb.name} is ${notAlb.type}; the pattern needs an Application Load Balancer`,
      `put ${tg.name} behind an Application Load Balancer`,
    );
  }
  const vpcId = facts.endpoint?.vpcId;
  const elsewhere = facts.loadBalancers.find((lb) => vpcId !== undefined && lb.vpcId !== vpcId);
  if (elsewhere) {
    return failed(
      id,
      `load balancer ${elsewhere.name} is in ${elsewhere.vpcId}, endpoint ${facts.endpointId} in ${vpcId}`,
      `put the load balancer and the endpoint in the same VPC`,
    );
  }
  if (!listeners.some((l) => l.protocol === 'HTTPS')) {
    return failed(
      id,
      `target group ${tg.name} is forwarded to only by ${described}: no HTTPS listener`,
      `forward to ${tg.name} from an HTTPS listener (443, with a certificate); redirect HTTP to it`,
    );
  }
  const plain = listeners.filter((l) => l.protocol !== 'HTTPS');
  if (plain.length > 0) {
    return warn(
      id,
      `target group ${tg.name} is also forwarded to by ${plain.map((l) => `${names.get(l.loadBalancerArn) ?? '?'} ${l.protocol}:${l.port}`).join(', ')}`,
      `make the HTTP listener redirect to HTTPS instead of forwarding`,
    );
  }
  return pass(id, `target group ${tg.name} is forwarded to by ${described}, in ${vpcId ?? '?'}`);
}

function azCoverage(facts: SiteFacts): CheckResult {
  const id = 'az-coverage';
  const endpoint = facts.endpoint;
  if (!endpoint) return skip(id, `endpoint ${facts.endpointId} not found`);
  if (facts.loadBalancers.length === 0)
    return skip(id, `target group ${facts.targetGroup.name} has no load balancer`);
  const endpointZones = new Map<string, string>();
  for (const subnetId of endpoint.subnetIds) {
    const zone = facts.subnets[subnetId]?.zone;
    if (zone) endpointZones.set(zone, subnetId);
  }
  for (const lb of facts.loadBalancers) {
    const lbZones = new Set(lb.zones.map((z) => z.zone));
    const uncovered = [...endpointZones.keys()].filter((zone) => !lbZones.has(zone)).sort();
    if (uncovered.length > 0) {
      return failed(
        id,
        `endpoint ${endpoint.id} has ENIs in ${uncovered.join(', ')}, which load balancer ${lb.name} does not enable: those targets are unused`,
        `enable ${uncovered.join(', ')} on ${lb.name} (aws elbv2 set-subnets), or remove those subnets from ${endpoint.id}`,
      );
    }
    const empty = [...lbZones].filter((zone) => !endpointZones.has(zone)).sort();
    if (empty.length > 0) {
      return warn(
        id,
        `load balancer ${lb.name} enables ${empty.join(', ')}, where endpoint ${endpoint.id} has no ENI: requests there cross zones`,
        `add a subnet in ${empty.join(', ')} to ${endpoint.id} (aws ec2 modify-vpc-endpoint --add-subnet-ids)`,
      );
    }
  }
  return pass(
    id,
    `endpoint ${endpoint.id} and load balancer${facts.loadBalancers.length > 1 ? 's' : ''} ${facts.loadBalancers.map((lb) => lb.name).join(', ')} share ${[...endpointZones.keys()].sort().join(', ')}`,
  );
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

/** Whether CIDR `outer` contains CIDR `inner` (IPv4). */
export function cidrCovers(outer: string, inner: string): boolean {
  const [oIp = '', oBits = ''] = outer.split('/');
  const [iIp = '', iBits = ''] = inner.split('/');
  const o = ipv4ToInt(oIp);
  const i = ipv4ToInt(iIp);
  const op = Number(oBits);
  const ip = Number(iBits);
  if (o === undefined || i === undefined || Number.isNaN(op) || Number.isNaN(ip) || ip < op) return false;
  const size = 2 ** (32 - op);
  return Math.floor(o / size) === Math.floor(i / size);
}

function coversPort(rule: SecurityGroupRuleFact, port: number): boolean {
  if (rule.protocol === '-1') return true;
  if (rule.protocol !== 'tcp') return false;
  return rule.fromPort === -1 || (rule.fromPort <= port && port <= rule.toPort);
}

/** A rule lets the peer in or out: its group is one of `groups`, or its CIDR covers every one of `cidrs`. */
function allowsPeer(
  rule: SecurityGroupRuleFact,
  groups: readonly string[],
  cidrs: readonly string[],
): boolean {
  if (rule.groupId !== undefined) return groups.includes(rule.groupId);
  const cidr = rule.cidrIpv4;
  return cidr !== undefined && cidrs.length > 0 && cidrs.every((c) => cidrCovers(cidr, c));
}

function securityGroups(facts: SiteFacts): CheckResult {
  const id = 'security-groups';
  const endpoint = facts.endpoint;
  if (!endpoint) return skip(id, `endpoint ${facts.endpointId} not found`);
  const lb = facts.loadBalancers[0];
  if (!lb) return skip(id, `target group ${facts.targetGroup.name} has no load balancer`);
  const port = facts.targetGroup.port ?? 443;
  const lbCidrs = lb.zones.flatMap((z) => facts.subnets[z.subnetId]?.cidrIpv4 ?? []);
  const endpointCidrs = endpoint.subnetIds.flatMap((s) => facts.subnets[s]?.cidrIpv4 ?? []);
  const inbound = endpoint.securityGroupIds.some((sg) =>
    (facts.securityGroups[sg]?.ingress ?? []).some(
      (r) => coversPort(r, port) && allowsPeer(r, lb.securityGroupIds, lbCidrs),
    ),
  );
  const lbGroups = lb.securityGroupIds.join(', ') || 'none';
  const endpointGroups = endpoint.securityGroupIds.join(', ') || 'none';
  if (!inbound) {
    return failed(
      id,
      `endpoint ${endpoint.id} security groups (${endpointGroups}) allow no inbound TCP ${port} from load balancer ${lb.name} (${lbGroups})`,
      `aws ec2 authorize-security-group-ingress --group-id ${endpoint.securityGroupIds[0] ?? 'ENDPOINT_SG'} --protocol tcp --port ${port} --source-group ${lb.securityGroupIds[0] ?? 'ALB_SG'}`,
    );
  }
  const outbound = lb.securityGroupIds.some((sg) =>
    (facts.securityGroups[sg]?.egress ?? []).some(
      (r) => coversPort(r, port) && allowsPeer(r, endpoint.securityGroupIds, endpointCidrs),
    ),
  );
  if (!outbound) {
    return failed(
      id,
      `load balancer ${lb.name} security groups (${lbGroups}) allow no outbound TCP ${port} to endpoint ${endpoint.id} (${endpointGroups})`,
      `aws ec2 authorize-security-group-egress --group-id ${lb.securityGroupIds[0] ?? 'ALB_SG'} --ip-permissions IpProtocol=tcp,FromPort=${port},ToPort=${port},UserIdGroupPairs=[{GroupId=${endpoint.securityGroupIds[0] ?? 'ENDPOINT_SG'}}]`,
    );
  }
  return pass(
    id,
    `endpoint ${endpoint.id} (${endpointGroups}) takes TCP ${port} from load balancer ${lb.name} (${lbGroups}), which may send it`,
  );
}

/** A host a rule matches, and the bucket a request for it reaches (after a host-header rewrite). */
export interface HostRoute {
  readonly host: string;
  readonly bucket: string;
  readonly rewritten: boolean;
  readonly rule: string;
}

function applyRewrite(
  host: string,
  rewrites: readonly { regex: string; replace: string }[],
): string | undefined {
  for (const { regex, replace } of rewrites) {
    try {
      const re = new RegExp(regex);
      if (re.test(host)) return host.replace(re, replace);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The bucket S3 reads from a Host header: `bucket.s3.us-east-1.amazonaws.com` (virtual-host style,
 * what a host-header rewrite to the regional name gives) is `bucket`; any other host is the bucket.
 */
export function bucketOfHost(host: string): string {
  return /^(.+?)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1] ?? host;
}

/** Every host that a rule forwarding to the group matches, and the bucket each reaches. */
export function hostRoutes(facts: Pick<SiteFacts, 'rules' | 'targetGroup'>): HostRoute[] {
  const routes: HostRoute[] = [];
  for (const rule of facts.rules) {
    if (!rule.actions.some((a) => a.type === 'forward' && a.targetGroupArns.includes(facts.targetGroup.arn)))
      continue;
    const hosts = rule.conditions.filter((c) => c.field === 'host-header').flatMap((c) => c.values);
    const rewrites = rule.transforms
      .filter((t) => t.type === 'host-header-rewrite')
      .flatMap((t) => t.rewrites);
    for (const host of hosts) {
      const rewritten = rewrites.length > 0 ? applyRewrite(host, rewrites) : undefined;
      routes.push({
        host,
        bucket: bucketOfHost(rewritten ?? host),
        rewritten: rewritten !== undefined,
        rule: rule.isDefault ? 'default' : `priority ${rule.priority}`,
      });
    }
  }
  return routes;
}

/** The bucket names the doctor must look up (HeadBucket, GetBucketPolicy). */
export function bucketNames(facts: Pick<SiteFacts, 'rules' | 'targetGroup'>): string[] {
  return [
    ...new Set(
      hostRoutes(facts)
        .map((r) => r.bucket.toLowerCase())
        .filter((b) => !/[*?]/.test(b)),
    ),
  ];
}

function hostBucket(facts: SiteFacts): CheckResult {
  const id = 'host-bucket';
  const skipped = s3Skip(id, facts);
  if (skipped) return skipped;
  const routes = hostRoutes(facts);
  if (routes.length === 0) {
    return warn(
      id,
      `no rule forwarding to target group ${facts.targetGroup.name} has a host-header condition, so S3 gets whatever Host the client sent`,
      `forward only from a rule with a host-header condition naming the bucket (or rewriting the host header to it)`,
    );
  }
  for (const route of routes) {
    if (/[*?]/.test(route.bucket)) {
      return failed(
        id,
        `rule ${route.rule} matches host ${route.host}, a wildcard that cannot name one bucket`,
        `add a host-header-rewrite transform to that rule that rewrites the host to the bucket name`,
      );
    }
    const bucket = facts.buckets[route.bucket.toLowerCase()];
    if (!bucket || bucket.exists === false) {
      return failed(
        id,
        route.rewritten
          ? `rule ${route.rule} rewrites host ${route.host} to ${route.bucket}, but no bucket ${route.bucket} exists`
          : `rule ${route.rule} matches host ${route.host}, but no bucket ${route.host} exists (S3 reads the bucket from the Host header)`,
        `create bucket ${route.bucket}, or add a host-header-rewrite transform to the rule that rewrites ${route.host} to the bucket's name`,
      );
    }
    if (bucket.exists === 'forbidden') {
      return warn(
        id,
        `bucket ${route.bucket} (host ${route.host}) exists but HeadBucket was refused: it may be another account's`,
        `check that ${route.bucket} is this site's bucket, and that the doctor may call s3:ListBucket on it`,
      );
    }
  }
  return pass(
    id,
    routes
      .map((r) =>
        r.rewritten ? `host ${r.host} -> bucket ${r.bucket}` : `host ${r.host} is bucket ${r.bucket}`,
      )
      .join('; '),
  );
}

// ---- IAM policy reading (just enough for the two policy checks) ----

interface Statement {
  readonly effect: string;
  readonly principals: readonly string[];
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly condition: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined;
}

const list = (value: unknown): string[] =>
  value === undefined
    ? []
    : (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');

/** The statements of a policy document, or undefined when it is not JSON. */
export function statementsOf(text: string): Statement[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  const raw = (doc as { Statement?: unknown })?.Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return statements.map((s: Record<string, unknown>) => {
    const principal = s.Principal;
    const principals =
      principal === '*'
        ? ['*']
        : typeof principal === 'object' && principal !== null
          ? Object.values(principal).flatMap(list)
          : [];
    return {
      effect: String(s.Effect ?? ''),
      principals,
      actions: list(s.Action),
      resources: list(s.Resource),
      condition: s.Condition as Statement['condition'],
    };
  });
}

function glob(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '').test(value);
}

const allowsAction = (s: Statement, action: string) => s.actions.some((a) => glob(a, action, true));
const coversResource = (s: Statement, arn: string) => s.resources.some((r) => glob(r, arn, false));

/** The values a statement's condition gives a key, whatever the operator. */
function conditionValues(s: Statement, key: string): string[] {
  return Object.values(s.condition ?? {}).flatMap((byKey) =>
    Object.entries(byKey).flatMap(([k, v]) => (k.toLowerCase() === key.toLowerCase() ? list(v) : [])),
  );
}

const isEveryone = (s: Statement) => s.principals.includes('*');

function bucketPolicy(facts: SiteFacts): CheckResult {
  const id = 'bucket-policy';
  const skipped = s3Skip(id, facts);
  if (skipped) return skipped;
  const endpoint = facts.endpoint;
  const names = bucketNames(facts).filter((b) => facts.buckets[b]?.exists === true);
  if (!endpoint || names.length === 0)
    return skip(id, `no existing bucket behind target group ${facts.targetGroup.name} to check`);
  for (const name of names) {
    const problem = bucketPolicyProblem(name, facts.buckets[name]?.policy, endpoint);
    if (problem) return problem;
  }
  return pass(
    id,
    `${names.map((n) => `bucket ${n}`).join(', ')} allow${names.length === 1 ? 's' : ''} s3:GetObject through ${endpoint.id} (aws:SourceVpce) and ${names.length === 1 ? 'is' : 'are'} not public`,
  );
}

/** What is wrong with one bucket's policy for this endpoint: unreadable, missing, not JSON, public, or no read through it. */
function bucketPolicyProblem(
  name: string,
  policy: BucketFact['policy'] | undefined,
  endpoint: EndpointFact,
): CheckResult | undefined {
  const id = 'bucket-policy';
  const fix = `allow s3:GetObject on arn:aws:s3:::${name}/* to Principal "*" with Condition StringEquals aws:SourceVpce ${endpoint.id}`;
  if (policy === 'unreadable') {
    return warn(
      id,
      `bucket ${name}: GetBucketPolicy was refused`,
      `let the doctor call s3:GetBucketPolicy on ${name}`,
    );
  }
  if (policy === null || policy === undefined) {
    return failed(
      id,
      `bucket ${name} has no bucket policy, so requests through endpoint ${endpoint.id} (anonymous) are denied`,
      fix,
    );
  }
  const statements = statementsOf(policy);
  if (!statements) return failed(id, `bucket ${name}: the bucket policy is not JSON`, fix);
  const publicRead = statements.find(
    (s) =>
      s.effect === 'Allow' && isEveryone(s) && s.condition === undefined && allowsAction(s, 's3:GetObject'),
  );
  if (publicRead) {
    return failed(
      id,
      `bucket ${name} is public: its policy allows s3:GetObject to everyone with no condition`,
      `add Condition StringEquals aws:SourceVpce ${endpoint.id} to that statement (and keep Block Public Access on)`,
    );
  }
  const throughEndpoint = statements.some(
    (s) =>
      s.effect === 'Allow' &&
      allowsAction(s, 's3:GetObject') &&
      coversResource(s, `arn:aws:s3:::${name}/index.html`) &&
      (conditionValues(s, 'aws:SourceVpce').includes(endpoint.id) ||
        conditionValues(s, 'aws:SourceVpc').includes(endpoint.vpcId)),
  );
  if (!throughEndpoint) {
    return failed(
      id,
      `bucket ${name}: no policy statement allows s3:GetObject with aws:SourceVpce ${endpoint.id}`,
      fix,
    );
  }
  return undefined;
}

function endpointPolicy(facts: SiteFacts): CheckResult {
  const id = 'endpoint-policy';
  const skipped = s3Skip(id, facts);
  if (skipped) return skipped;
  const endpoint = facts.endpoint;
  if (!endpoint) return skip(id, `endpoint ${facts.endpointId} not found`);
  const statements = statementsOf(endpoint.policyDocument ?? '');
  const modify = `aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${endpoint.id} --policy-document file://policy.json`;
  if (!statements) return failed(id, `endpoint ${endpoint.id} has no readable policy document`, modify);
  if (allowsEverything(statements)) {
    return warn(
      id,
      `endpoint ${endpoint.id} policy allows every action on every resource (the default): the endpoint reaches any bucket`,
      `${modify} (allow s3:GetObject on this site's buckets only)`,
    );
  }
  const names = bucketNames(facts);
  if (names.length === 0)
    return skip(
      id,
      `no bucket behind target group ${facts.targetGroup.name} to check the policy of ${endpoint.id} against`,
    );
  for (const name of names) {
    if (!letsRead(statements, name)) {
      return failed(
        id,
        `endpoint ${endpoint.id} policy does not allow s3:GetObject on arn:aws:s3:::${name}/*`,
        `${modify} (add an Allow of s3:GetObject on arn:aws:s3:::${name}/*)`,
      );
    }
  }
  return pass(
    id,
    `endpoint ${endpoint.id} policy allows s3:GetObject on ${names.map((n) => `arn:aws:s3:::${n}/*`).join(', ')}`,
  );
}

/** The default endpoint policy: everyone, every action, every resource, no condition. */
const allowsEverything = (statements: readonly Statement[]): boolean =>
  statements.some(
    (s) =>
      s.effect === 'Allow' &&
      isEveryone(s) &&
      s.condition === undefined &&
      s.actions.includes('*') &&
      s.resources.includes('*'),
  );

/** The policy allows s3:GetObject on the bucket's index.html and no unconditional Deny takes it back. */
function letsRead(statements: readonly Statement[], bucket: string): boolean {
  const onIndex = (s: Statement) =>
    allowsAction(s, 's3:GetObject') && coversResource(s, `arn:aws:s3:::${bucket}/index.html`);
  const allowed = statements.some((s) => s.effect === 'Allow' && onIndex(s));
  const denied = statements.some((s) => s.effect === 'Deny' && s.condition === undefined && onIndex(s));
  return allowed && !denied;
}

function privateDns(facts: SiteFacts): CheckResult {
  const id = 'private-dns';
  const skipped = s3Skip(id, facts);
  if (skipped) return skipped;
  const endpoint = facts.endpoint;
  if (!endpoint) return skip(id, `endpoint ${facts.endpointId} not found`);
  if (endpoint.privateDnsEnabled) {
    return warn(
      id,
      `endpoint ${endpoint.id} has private DNS on: every S3 call in ${endpoint.vpcId} now goes through it (and its policy)`,
      `aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${endpoint.id} --no-private-dns-enabled`,
    );
  }
  return pass(id, `endpoint ${endpoint.id} has private DNS off`);
}

function indexDocument(facts: SiteFacts): CheckResult {
  const id = 'index-document';
  const skipped = s3Skip(id, facts);
  if (skipped) return skipped;
  const listenerArns = new Set(forwardingRules(facts).map((r) => r.listenerArn));
  const mapsIndex = facts.rules.find((rule) => {
    if (!listenerArns.has(rule.listenerArn)) return false;
    const slashPaths = rule.conditions
      .filter((c) => c.field === 'path-pattern')
      .flatMap((c) => c.values)
      .filter((v) => v.endsWith('/'));
    if (slashPaths.length === 0) return false;
    const redirects = rule.actions.some(
      (a) => a.type === 'redirect' && (a.redirectPath ?? '').endsWith('index.html'),
    );
    const rewrites = rule.transforms.some(
      (t) => t.type === 'url-rewrite' && t.rewrites.some((r) => r.replace.endsWith('index.html')),
    );
    return redirects || rewrites;
  });
  if (!mapsIndex) {
    return warn(
      id,
      `no rule on the listeners forwarding to target group ${facts.targetGroup.name} maps paths ending in / to index.html: S3 answers them with a listing error`,
      `add a rule with path-pattern */ that redirects to /#{path}index.html (or rewrites the URL to it)`,
    );
  }
  return pass(id, `rule priority ${mapsIndex.priority} maps paths ending in / to index.html`);
}
