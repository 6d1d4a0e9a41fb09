import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger } from 'pino';
import { awsErrorCode, awsRequestId, describeAwsError } from '../aws/errors.ts';

/**
 * Logs a failed invocation as one structured line with the Lambda and AWS request ids, then lets
 * Lambda see the error. Without a logger (the configuration could not be read) Lambda's own report
 * of the error is the record, as for any failure before the handler runs.
 */
export function logUnhandledErrors<E, R>(log: () => Logger | undefined): MiddlewareObj<E, R, Error, Context> {
  return {
    onError: (request) => {
      const error = request.error;
      log()?.error(
        {
          awsRequestId: request.context.awsRequestId,
          errorCode: awsErrorCode(error),
          failedRequestId: awsRequestId(error),
        },
        `invocation failed: ${describeAwsError(error)}`,
      );
    },
  };
}
