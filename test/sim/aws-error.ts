/**
 * An error the way AWS reports it: a code from the API's documented list, a message, and the
 * HTTP status it travels with. Services throw these; each wire protocol renders them in its
 * own envelope.
 */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'AwsError';
    this.code = code;
    this.status = status;
  }

  /** awsQuery envelopes and query-compatible JSON say who is at fault: the caller for 4xx. */
  get fault(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}
