/**
 * The API's one error boundary: every error thrown below becomes `{"error": {"type", "message"}}`
 * with the status from error-mapping.ts. An unexpected error answers a bare 500 and is logged with
 * the request id (name, message and stack; request bodies and headers are never logged).
 */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger } from '../../../shared/logger.ts';
import { toHttpError } from '../error-mapping.ts';
import { type ApiEvent, type ApiResult, errorResponse } from '../http.ts';

export function errorBoundary(options: {
  readonly log: Logger;
}): middy.MiddlewareObj<ApiEvent, ApiResult, Error, Context> {
  return {
    name: 'errorBoundary',
    onError: (request) => {
      const error = request.error;
      const mapped = toHttpError(error);
      if (!mapped.expose) {
        options.log.error('unhandled error', {
          requestId: request.event.tickworkRequestId,
          route: request.event.tickworkRoute?.key,
          errorName: error instanceof Error ? error.name : typeof error,
          errorMessage: error instanceof Error ? error.message : undefined,
          stack: error instanceof Error ? error.stack : undefined,
        });
      }
      request.response = errorResponse(
        mapped.statusCode,
        mapped.type,
        mapped.message,
        { ...mapped.headers },
        mapped.details,
      );
    },
  };
}
