import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger } from 'pino';
import { awsErrorCode, awsRequestId, describeAwsError } from '../aws/errors.ts';

/** Logs a failed invocation as one structured line with the Lambda and AWS request ids, then lets Lambda see the error. */
export function logUnhandledErrors<E, R>(log: Logger): MiddlewareObj<E, R, Error, Context> {
  return {
    onError: (request) => {
      const error = request.error;
      log.error(
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
