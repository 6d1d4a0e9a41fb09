/** The AWS error code of an SDK error (e.g. `Throttling`, `TargetGroupNotFound`), or the error's name. */
export function awsErrorCode(error: unknown): string {
  const e = error as { Code?: unknown; code?: unknown; name?: unknown };
  for (const candidate of [e.Code, e.code, e.name]) if (typeof candidate === 'string' && candidate) return candidate;
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
