/** The AWS error code of an SDK error (e.g. `Throttling`, `TargetGroupNotFound`), or the error's name. */
export function awsErrorCode(error: unknown): string {
  const e = error as { Code?: unknown; code?: unknown; name?: unknown };
  for (const candidate of [e.Code, e.code, e.name])
    if (typeof candidate === 'string' && candidate) return candidate;
  return 'Error';
}

/** The AWS request id of a failed call, when AWS returned one. */
export function awsRequestId(error: unknown): string | undefined {
  return (error as { $metadata?: { requestId?: string } }).$metadata?.requestId;
}

/** `Code: message`, for a one-line report. */
export function describeAwsError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = awsErrorCode(error);
  return message && message !== code ? `${code}: ${message}` : code;
}

/** Error codes AWS uses for throttling, across EC2, ELBv2, CloudWatch, tagging and SQS. */
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
]);

const NETWORK_ERRORS = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|TimeoutError|socket hang up|RequestTimeout/i;

/** True for failures worth retrying later (throttling, AWS-side 5xx, network trouble), false for a definite answer. */
export function isTransient(error: unknown): boolean {
  const e = error as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown; message?: unknown };
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLING_CODES.has(awsErrorCode(error))) return true;
  if (status !== undefined && status >= 500) return true;
  if (e.$retryable) return true;
  return NETWORK_ERRORS.test(`${awsErrorCode(error)} ${String(e.message ?? '')}`);
}

/** The failed call behind an error: which service and operation, and the URL it went to. */
export interface FailedCall {
  readonly service: string;
  readonly operation: string;
  readonly endpoint: string | undefined;
}

/** The call an SDK error came from, when one of our clients made it. */
export const failedCallOf = (error: unknown): FailedCall | undefined =>
  (error as { $failedCall?: FailedCall } | null)?.$failedCall;
