/**
 * `pnpm demo`: a realistic account on the local simulator, drifted and misconfigured sites, two
 * reconcile runs (the second after the endpoint gains a subnet), the metrics published, and
 * `doctor` on two ALB -> S3 sites: one built like the EndpointSite construct, one with two classic
 * mistakes (a health check matcher of 200, and a bucket not named like the host).
 * With AWS_ENDPOINT_URL set (e.g. by `pnpm test:moto`) it runs against that endpoint instead: every
 * step is an AWS API call, none needs the simulator's controls.
 */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { S3Client } from '@aws-sdk/client-s3';
import { main } from '@vpce-target-sync/functions/cli';
import { METRIC_NAMESPACE } from '@vpce-target-sync/shared';
import { startSimulator } from '../sim/index.ts';
import { buildEndpointSite, certificateArn } from '../support/endpoint-site.ts';
import { buildDemoAccount, describeDemoAccount } from './account.ts';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (s: string) => process.stdout.write(`\n${bold(`== ${s}`)}\n`);

const external = process.env.AWS_ENDPOINT_URL;
const sim = external ? undefined : await startSimulator();
Object.assign(process.env, sim?.env ?? {}, { LOG_LEVEL: 'silent' });
const clientConfig = sim?.clientConfig() ?? {};
let exitCode = 0;

try {
  step(
    sim
      ? `Simulator listening on ${sim.url}; building an account through AWS API calls`
      : `Using the endpoint in AWS_ENDPOINT_URL (${external}); building an account through AWS API calls`,
  );
  const demo = await buildDemoAccount(clientConfig);
  const { account, vpc, endpointId, sites } = demo;
  process.stdout.write(describeDemoAccount(demo));

  const snapshot = async () =>
    Object.fromEntries(
      await Promise.all(
        Object.entries(sites).map(async ([n, arn]) => [n, await account.targets(arn)] as const),
      ),
    );
  const beforeAfter = (before: Record<string, string[]>, after: Record<string, string[]>) => {
    const rows = [
      ['SITE', 'BEFORE', 'AFTER'],
      ...Object.keys(sites).map((n) => [
        n,
        (before[n] ?? []).join(' ') || '-',
        (after[n] ?? []).join(' ') || '-',
      ]),
    ];
    const w = [0, 1].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    process.stdout.write(
      `${rows.map((r) => `${(r[0] ?? '').padEnd(w[0] ?? 0)}  ${(r[1] ?? '').padEnd(w[1] ?? 0)}  ${r[2]}`).join('\n')}\n`,
    );
  };

  step('Run 1: vpce-target-sync reconcile');
  let before = await snapshot();
  const first = await main(['reconcile', '--publish-metrics']);
  process.stdout.write(
    `(exit code ${first}: broken-site is misconfigured; every other site was still reconciled)\n\n`,
  );
  beforeAfter(before, await snapshot());

  step('The endpoint gains a subnet in the third AZ');
  await account.addSubnet(endpointId, vpc.subnets[2]?.subnetId as string);
  process.stdout.write(`ENI IPs now: ${(await account.endpointIps(endpointId)).join(', ')}\n`);

  step('Run 2: vpce-target-sync reconcile --target-group docs-site --target-group wiki-site');
  before = await snapshot();
  const second = await main([
    'reconcile',
    '--publish-metrics',
    '--target-group',
    'docs-site',
    '--target-group',
    'wiki-site',
  ]);
  process.stdout.write(`(exit code ${second})\n\n`);
  beforeAfter(before, await snapshot());

  step(`Metrics published to CloudWatch namespace ${METRIC_NAMESPACE} (sums over both runs)`);
  const cw = new CloudWatchClient(clientConfig);
  const listed = (await cw.send(new ListMetricsCommand({ Namespace: METRIC_NAMESPACE }))).Metrics ?? [];
  const results = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(Date.now() - 3_600_000),
      EndTime: new Date(Date.now() + 60_000),
      MetricDataQueries: listed.map((m, i) => ({
        Id: `m${i}`,
        MetricStat: { Metric: m, Period: 3600, Stat: 'Sum' },
      })),
    }),
  );
  for (const [i, m] of listed.entries()) {
    const total = (results.MetricDataResults?.find((r) => r.Id === `m${i}`)?.Values ?? []).reduce(
      (a, b) => a + b,
      0,
    );
    const dims = m.Dimensions?.map((d) => `${d.Name}=${d.Value}`).join(',');
    process.stdout.write(`  ${`${m.MetricName}${dims ? ` {${dims}}` : ''}`.padEnd(50)} ${total}\n`);
  }
  step('vpce-target-sync doctor: two ALB -> S3 sites, one with two classic mistakes');
  const siteClients = {
    ec2: new EC2Client(clientConfig),
    elbv2: new ElasticLoadBalancingV2Client(clientConfig),
    s3: new S3Client({ ...clientConfig, forcePathStyle: true }),
    certificate: await certificateArn(external),
  };
  await buildEndpointSite(siteClients, await account.vpc(21), 'handbook');
  // The two mistakes every write-up of the pattern warns about: a health check that only accepts
  // 200 (S3 answers 307/405), and a bucket that is not named like the Host header.
  await buildEndpointSite(siteClients, await account.vpc(22), 'intranet', {
    matcher: '200',
    bucket: 'none',
  });
  process.stdout.write(
    'handbook: built like the EndpointSite construct; intranet: health check matcher 200, no bucket named intranet.example.com\n\n',
  );
  const doctor = await main(['doctor', '--target-group', 'handbook', '--target-group', 'intranet']);
  process.stdout.write(`(exit code ${doctor}: intranet fails health-check and host-bucket)\n`);
  if (first !== 1 || second !== 0 || doctor !== 1) {
    process.stdout.write(`\nunexpected exit codes: ${first}, ${second}, ${doctor}\n`);
    exitCode = 1;
  }
  process.stdout.write(
    `\nDone${sim ? ': the simulator is stopped' : ''}. Run \`pnpm cli --help\` for the CLI, \`pnpm test\` for the suite.\n`,
  );
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  exitCode = 1;
} finally {
  await sim?.stop();
}
process.exit(exitCode);
