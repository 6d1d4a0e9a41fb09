import { parseArgs } from 'node:util';
import { fail, ok, parseEndpointId, type Result } from '@vpce-target-sync/shared';
import { LOG_FORMATS, type LogFormat } from './log-format.ts';

export type Command =
  | { readonly name: 'help'; readonly topic?: 'reconcile' | 'status' | 'handle-event' | 'doctor' }
  | { readonly name: 'version' }
  | ({
      readonly name: 'reconcile' | 'status';
      readonly targetGroups: readonly string[];
      readonly endpointIds: readonly string[];
      /** `status -o wide`: every target with its health state. */
      readonly wide: boolean;
    } & RunOptions)
  | ({ readonly name: 'handle-event'; readonly file: string } & RunOptions)
  /** `doctor`: read-only checks of each site's ALB -> endpoint -> S3 path (doctor.ts). */
  | ({
      readonly name: 'doctor';
      readonly targetGroups: readonly string[];
      readonly endpointIds: readonly string[];
    } & RunOptions)
  /** `completion bash|zsh`; shell null: `completion --help`. */
  | { readonly name: 'completion'; readonly shell: Shell | null };

/** The shells `completion` prints a script for. */
export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

/** Options every command that talks to AWS takes. */
export interface RunOptions {
  readonly dryRun: boolean;
  readonly json: boolean;
  /** Publish the run's metrics (off by default: an operator's runs must not feed the Lambda's alarms). */
  readonly publishMetrics: boolean;
  /** Exit 3 when drift is left (Terraform's -detailed-exitcode). */
  readonly detailedExitcode: boolean;
  readonly region: string | undefined;
  readonly profile: string | undefined;
  /** Log lines on stderr: text (the default on a terminal) or JSON. */
  readonly logFormat: LogFormat | undefined;
}

export const USAGE = `vpce-target-sync: keep ALB ip target groups equal to the ENI IPs of the VPC endpoint they name.

Usage:
  vpce-target-sync reconcile [--dry-run] [--target-group ARN|NAME]... [--endpoint VPCE_ID]... [--json]
                             [--detailed-exitcode] [--publish-metrics] [--region R] [--profile P]
  vpce-target-sync status [--target-group ARN|NAME]... [--endpoint VPCE_ID]... [--json] [-o wide]
  vpce-target-sync handle-event FILE|- [--dry-run] [--json] [--detailed-exitcode] [--publish-metrics]
  vpce-target-sync doctor [--target-group ARN|NAME]... [--endpoint VPCE_ID]... [--json]
  vpce-target-sync completion bash|zsh
  vpce-target-sync --version | --help | <command> --help

Commands:
  reconcile      reconcile every opted-in target group (or those selected) with its endpoint
  status         show every opted-in target group: endpoint state, policy, sync, target health
                 (read-only: no writes, no metrics)
  handle-event   run the event path on a saved EventBridge event or SQS batch (FILE, or - for stdin)
  doctor         check each site's ALB -> endpoint -> S3 path and say what to fix (read-only)
  completion     print a bash or zsh completion script: source <(vpce-target-sync completion bash)

Credentials and region come from the standard AWS chain (environment, profile, SSO), or
--region and --profile; logs go to stderr (--log-format json|text). Point the SDK at another
endpoint with AWS_ENDPOINT_URL (and its per-service variants). VPCE_TARGET_SYNC_DRY_RUN=true makes
every run a dry run. The CLI publishes no metrics unless --publish-metrics is given.

Exit codes:
  0  no site in error (sites left in drift or waiting do not change it)
  1  one or more sites in error or refused
  2  usage or configuration error
  3  with --detailed-exitcode: no site in error, but drift left (changes pending in a dry run,
     or observe / upsert-only / waiting sites with unresolved drift); 0 then means in sync`;

export const RECONCILE_USAGE = `Usage: vpce-target-sync reconcile [--dry-run] [--target-group ARN|NAME]... [--endpoint VPCE_ID]... [--json]
                                  [--detailed-exitcode] [--publish-metrics] [--region R] [--profile P]

Keeps each opted-in target group's targets equal to the ENI IPs of the endpoint named by its
vpce-target-sync:endpoint-id tag, following its vpce-target-sync:policy tag (sync, upsert-only, observe).

Options:
  --dry-run                 print the plan and change nothing (no targets, no metrics)
  --target-group ARN|NAME   only this target group; repeat for several
  --endpoint VPCE_ID        only target groups whose endpoint tag names this endpoint; repeat for several
                            (given both, a target group must match both)
  --json                    print one JSON document: { "sites": [...], "summary": {...} }
  --detailed-exitcode       exit 0 in sync, 1 a site in error, 2 usage, 3 drift left
  --publish-metrics         publish the run's metrics to CloudWatch, as the Lambda does (off by
                            default, so an operator's runs never feed the Lambda's alarms; for
                            people who run the CLI on a schedule instead of the Lambda)
  --region REGION           AWS region (default: the standard chain, e.g. AWS_REGION)
  --profile PROFILE         AWS profile from ~/.aws/config or ~/.aws/credentials
  --log-format json|text    log lines on stderr (default: text on a terminal, JSON otherwise)
  -h, --help                show this help

VPCE_TARGET_SYNC_DRY_RUN=true makes the run a dry run, as --dry-run does.

Site status: in-sync, converged, drift (observe / upsert-only / dry run left drift), waiting
(endpoint pending, ENIs not visible yet, or desired IPs still draining), error. Targets print as
ip:port, each with its own sign.

Exit codes:
  0  no site in error (sites left in drift or waiting do not change it)
  1  one or more sites in error or refused
  2  usage or configuration error
  3  with --detailed-exitcode: no site in error, but drift left`;

export const STATUS_USAGE = `Usage: vpce-target-sync status [--target-group ARN|NAME]... [--endpoint VPCE_ID]... [--json] [-o wide]
                               [--detailed-exitcode] [--region R] [--profile P]

Shows each opted-in target group (or those selected) with its endpoint and the endpoint's state,
its policy, whether it is in sync, and its targets' health (healthy, unhealthy, initial, draining,
unused, unavailable). Read-only: it changes nothing and publishes no metrics.

Options:
  --target-group ARN|NAME   only this target group; repeat for several
  --endpoint VPCE_ID        only target groups whose endpoint tag names this endpoint; repeat for several
  --json                    print one JSON document: { "region", "account", "sites": [...] }
  -o, --output wide         also list every target as ip:port(state)
  --detailed-exitcode       exit 0 in sync, 1 a site in error, 2 usage, 3 out of sync
  --region REGION           AWS region
  --profile PROFILE         AWS profile
  --log-format json|text    log lines on stderr (default: text on a terminal, JSON otherwise)
  -h, --help                show this help

Exit codes:
  0  no site in error
  1  one or more sites in error
  2  usage or configuration error
  3  with --detailed-exitcode: no site in error, but one or more not in sync`;

export const HANDLE_EVENT_USAGE = `Usage: vpce-target-sync handle-event FILE|- [--dry-run] [--json] [--detailed-exitcode] [--publish-metrics]

Runs the event path on a saved EventBridge event ("AWS API Call via CloudTrail"), an array of
events, or an SQS batch ({ "Records": [...] }) read from FILE, or from stdin with -. Only the sites
the events name are reconciled. Sites that must wait are printed as re-queued (nothing is sent).

Options:
  --dry-run             print the plan and change nothing
  --json                print one JSON document
  --detailed-exitcode   exit 3 when drift is left
  --publish-metrics     publish the batch's metrics to CloudWatch (off by default)
  --region REGION       AWS region
  --profile PROFILE     AWS profile
  --log-format json|text  log lines on stderr (default: text on a terminal, JSON otherwise)
  -h, --help            show this help

Exit codes:
  0  no site in error
  1  one or more sites in error or refused
  2  usage or configuration error (including an unreadable FILE)`;

export const DOCTOR_USAGE = `Usage: vpce-target-sync doctor [--target-group ARN|NAME]... [--endpoint VPCE_ID]... [--json]
                               [--region R] [--profile P]

Checks each opted-in site (or those selected) along the whole ALB -> interface endpoint -> S3 path
and says what to fix. Each check is pass, warn, fail or skip, with a finding that names the
resource and the value seen, and a fix. Read-only: it changes nothing and publishes no metrics.

Checks: target-group, health-check, load-balancer, az-coverage, security-groups, host-bucket,
bucket-policy, endpoint-policy, private-dns, index-document (the S3 ones skip for other services).

Options:
  --target-group ARN|NAME   only this target group; repeat for several
  --endpoint VPCE_ID        only target groups whose endpoint tag names this endpoint; repeat for several
  --json                    print one JSON document: { "region", "sites": [{ ..., "checks": [...] }], "summary" }
  --region REGION           AWS region
  --profile PROFILE         AWS profile
  --log-format json|text    log lines on stderr (default: text on a terminal, JSON otherwise)
  -h, --help                show this help

Exit codes:
  0  no check failed (warnings do not change it)
  1  a check failed, or a site could not be checked
  2  usage or configuration error`;

/** The options each command takes, for the message that rejects any other. */
const COMMON_OPTIONS =
  '--json, --detailed-exitcode, --publish-metrics, --region R, --profile P, --log-format json|text, --help';
export const OPTIONS_OF = {
  reconcile: `--dry-run, --target-group ARN|NAME, --endpoint VPCE_ID, ${COMMON_OPTIONS}`,
  status:
    '--target-group ARN|NAME, --endpoint VPCE_ID, --json, -o wide, --detailed-exitcode, --region R, --profile P, --log-format json|text, --help',
  'handle-event': `--dry-run, ${COMMON_OPTIONS}`,
  doctor:
    '--target-group ARN|NAME, --endpoint VPCE_ID, --json, --region R, --profile P, --log-format json|text, --help',
} as const;

const ARN_PATTERN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
const NAME_PATTERN = /^(?!-)[A-Za-z0-9-]{1,32}(?<!-)$/;

function targetGroupArg(value: string): Result<string> {
  if (value.startsWith('arn:')) {
    return ARN_PATTERN.test(value)
      ? ok(value)
      : fail(
          `option --target-group is ${JSON.stringify(value)}; expected a target group ARN like arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-site/0123456789abcdef, or a name`,
        );
  }
  return NAME_PATTERN.test(value)
    ? ok(value)
    : fail(
        `option --target-group is ${JSON.stringify(value)}; expected a target group name (1-32 letters, digits and hyphens, not starting or ending with a hyphen) or an ARN`,
      );
}

/** Parses the command line; every mistake gives a message that says what was wrong and what is expected. */
export function parseCommand(argv: readonly string[]): Result<Command> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help')
    return ok({ name: 'help' });
  if (name === '--version' || name === '-V' || name === 'version') return ok({ name: 'version' });
  if (name === 'completion') return parseCompletion(rest);
  if (name !== 'reconcile' && name !== 'status' && name !== 'handle-event' && name !== 'doctor') {
    return fail(
      `unknown command ${JSON.stringify(name)}; expected reconcile, status, handle-event, doctor or completion (see --help)`,
    );
  }
  const parsed = parseOptionsOf(name, rest);
  if (!parsed.ok) return parsed;
  const { values, positionals } = parsed.value;
  if (values.help) return ok({ name: 'help', topic: name });
  const run = runOptions(name, values);
  if (!run.ok) return run;
  if (name === 'handle-event') return handleEventArgs(values, positionals, run.value);
  if (positionals.length)
    return fail(`${name}: unexpected argument ${JSON.stringify(positionals[0])} (see --help)`);
  const misplaced = misplacedOption(name, values);
  if (misplaced) return fail(misplaced);
  const selection = siteSelection(values);
  if (!selection.ok) return selection;
  if (name === 'doctor') return ok({ name, ...run.value, ...selection.value });
  return ok({ name, ...run.value, ...selection.value, wide: values.output === 'wide' });
}

/** The commands that take options, each with the list its rejection message names. */
type RunCommandName = keyof typeof OPTIONS_OF;
type ParsedOptions = ReturnType<typeof parseOptions>;
type OptionValues = ParsedOptions['values'];

/** parseArgs's result, its errors reworded to name the command and what it takes. */
function parseOptionsOf(name: RunCommandName, args: string[]): Result<ParsedOptions> {
  try {
    return ok(parseOptions(args));
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const option = /'([^']*)'/.exec(message)?.[1] ?? message;
      return fail(`${name}: unknown option '${option}'; expected one of ${OPTIONS_OF[name]} (see --help)`);
    }
    const missing = /^Option '(-\S+)(?:, -\S+)? <value>' argument missing/.exec(message)?.[1];
    if (missing) return fail(`${name}: option ${missing} needs a value (see --help)`);
    return fail(`${name}: ${message.replace(/\. To specify a positional argument.*$/s, '')}`);
  }
}

/** The options every AWS command shares, with --log-format, --region and --profile checked. */
function runOptions(name: RunCommandName, values: OptionValues): Result<RunOptions> {
  const run: RunOptions = {
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
    publishMetrics: values['publish-metrics'] ?? false,
    detailedExitcode: values['detailed-exitcode'] ?? false,
    region: values.region,
    profile: values.profile,
    logFormat: values['log-format'] as LogFormat | undefined,
  };
  if (run.logFormat !== undefined && !LOG_FORMATS.includes(run.logFormat)) {
    return fail(`${name}: option --log-format is ${JSON.stringify(run.logFormat)}; expected json or text`);
  }
  for (const [option, value] of [
    ['--region', run.region],
    ['--profile', run.profile],
  ] as const) {
    if (value !== undefined && !/^[A-Za-z0-9._-]+$/.test(value))
      return fail(
        `${name}: option ${option} is ${JSON.stringify(value)}; expected ${option === '--region' ? 'a region like us-east-1' : 'a profile name from ~/.aws/config'}`,
      );
  }
  return ok(run);
}

/** `handle-event FILE|-`: exactly one FILE, and no site selection (the event names the sites). */
function handleEventArgs(values: OptionValues, positionals: string[], run: RunOptions): Result<Command> {
  if (values['target-group'] || values.endpoint) {
    return fail(
      `handle-event: options --target-group and --endpoint belong to reconcile; the event names the sites`,
    );
  }
  const [file, ...extra] = positionals;
  if (file === undefined) return fail('handle-event: missing FILE; give a file path, or - to read stdin');
  if (extra.length)
    return fail(`handle-event: unexpected argument ${JSON.stringify(extra[0])}; give exactly one FILE`);
  return ok({ name: 'handle-event', file, ...run });
}

/** The message for an option that belongs to another command, if one was given. */
function misplacedOption(name: RunCommandName, values: OptionValues): string | undefined {
  if (name === 'doctor' && (values['dry-run'] || values['publish-metrics'] || values['detailed-exitcode']))
    return 'doctor: it is read-only and exits 1 when a check fails; --dry-run, --publish-metrics and --detailed-exitcode belong to reconcile';
  if (name === 'status' && (values['dry-run'] || values['publish-metrics']))
    return 'status: it is read-only; --dry-run and --publish-metrics belong to reconcile';
  if (name !== 'status' && values.output !== undefined)
    return `${name}: option -o/--output belongs to status`;
  if (values.output !== undefined && values.output !== 'wide')
    return `status: option --output is ${JSON.stringify(values.output)}; expected wide (or --json)`;
  return undefined;
}

/** The --target-group and --endpoint values, every bad one named in the one message. */
function siteSelection(
  values: OptionValues,
): Result<{ targetGroups: readonly string[]; endpointIds: readonly string[] }> {
  const errors: string[] = [];
  const targetGroups = (values['target-group'] ?? []).flatMap((v) => {
    const r = targetGroupArg(v);
    return r.ok ? [r.value] : (errors.push(r.error), []);
  });
  const endpointIds = (values.endpoint ?? []).flatMap((v) => {
    const r = parseEndpointId(v, 'option --endpoint');
    return r.ok ? [r.value] : (errors.push(r.error), []);
  });
  if (errors.length) return fail(errors.join('; '));
  return ok({ targetGroups, endpointIds });
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      'target-group': { type: 'string', multiple: true },
      endpoint: { type: 'string', multiple: true },
      'detailed-exitcode': { type: 'boolean' },
      'publish-metrics': { type: 'boolean' },
      region: { type: 'string' },
      profile: { type: 'string' },
      output: { type: 'string', short: 'o' },
      'log-format': { type: 'string' },
    },
  });
}

/** `completion bash|zsh` (or `completion --help`): no AWS options, one shell name. */
function parseCompletion(args: readonly string[]): Result<Command> {
  if (args.some((a) => a === '--help' || a === '-h')) return ok({ name: 'completion', shell: null });
  const expected = `expected ${SHELLS.join(' or ')}`;
  const [shell, ...extra] = args;
  if (shell === undefined) return fail(`completion: missing shell; ${expected}`);
  if (!(SHELLS as readonly string[]).includes(shell))
    return fail(`completion: unknown shell ${JSON.stringify(shell)}; ${expected}`);
  if (extra.length)
    return fail(`completion: unexpected argument ${JSON.stringify(extra[0])}; give one shell, ${expected}`);
  return ok({ name: 'completion', shell: shell as Shell });
}
