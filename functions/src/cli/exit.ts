import { awsErrorCode, describeAwsError, failedCallOf } from '../aws/errors.ts';
import type { RunReport } from '../reconcile/report.ts';

/** Exit codes of the CLI (docs/DESIGN.md, "Operator CLI and exit codes"). */
export const EXIT = {
  /** No site in error; sites left in drift or waiting do not change it. */
  ok: 0,
  /** One or more sites in error or refused. */
  siteErrors: 1,
  /** Usage or configuration error. */
  usage: 2,
  /** With --detailed-exitcode: no site in error, but drift left. */
  driftLeft: 3,
} as const;

/** SDK errors that mean the machine is not set up (no credentials, no region): a configuration error. */
const CONFIGURATION_ERRORS = new Set(['CredentialsProviderError', 'ProviderError', 'TokenProviderError']);

const NETWORK = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|TimeoutError|socket hang up/;

/** An answer that is not AWS's: the SDK could not parse it (an HTML page from a proxy, a bare 502). */
function notAnAwsAnswer(error: unknown): string | undefined {
  const e = error as {
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { statusCode?: number; headers?: Record<string, string> };
  };
  const status = e.$response?.statusCode ?? e.$metadata?.httpStatusCode;
  const unparsed = /Deserialization error|Unexpected token|not valid JSON|Unexpected end of/i.test(
    e.message ?? '',
  );
  const unknownError = awsErrorCode(error) === 'Unknown' || awsErrorCode(error) === 'UnknownError';
  if (!unparsed && !(unknownError && status !== undefined && status >= 500)) return undefined;
  const type = e.$response?.headers?.['content-type'];
  return `HTTP ${status ?? '?'}${type ? ` (${type})` : ''} with a body that is not an AWS answer`;
}

/** Turns a failure that stopped the whole run into one line and an exit code; never a stack trace. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  const code = awsErrorCode(error);
  const text = error instanceof Error ? error.message : String(error);
  const call = failedCallOf(error);
  const where = call
    ? `${call.service} ${call.operation}${call.endpoint ? ` at ${call.endpoint}` : ''}`
    : 'AWS';
  if (CONFIGURATION_ERRORS.has(code) || /region is missing/i.test(text)) {
    return {
      message: `AWS configuration: ${text} (set AWS_REGION and credentials through the standard chain: environment, profile or SSO)`,
      exitCode: EXIT.usage,
    };
  }
  if (NETWORK.test(`${code} ${text}`)) {
    return {
      message: `cannot reach ${where}: ${text} (check network access and AWS_ENDPOINT_URL)`,
      exitCode: EXIT.siteErrors,
    };
  }
  const answer = notAnAwsAnswer(error);
  if (answer) {
    return {
      message: `${where} answered ${answer}; is AWS_ENDPOINT_URL (or a proxy) pointing somewhere other than AWS?`,
      exitCode: EXIT.siteErrors,
    };
  }
  return {
    message: `the run failed before reconciling any site: ${call ? `${where}: ` : ''}${describeAwsError(error)}`,
    exitCode: EXIT.siteErrors,
  };
}

/**
 * The exit code of a finished run: 1 with a site in error; with --detailed-exitcode, 3 when drift
 * is left (a dry run with changes pending, observe / upsert-only / waiting sites), else 0.
 */
export function exitCodeOf(report: RunReport, detailed: boolean): number {
  if (report.summary.siteErrors > 0) return EXIT.siteErrors;
  if (detailed && report.sites.some((s) => s.unresolvedDriftTargets > 0)) return EXIT.driftLeft;
  return EXIT.ok;
}
