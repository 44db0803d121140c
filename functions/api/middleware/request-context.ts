/**
 * Gives every request an id (API Gateway's, else the Lambda request id), returns it as `x-request-id`,
 * and writes one structured JSON log line per request: route, status, duration. No headers, no body.
 */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger } from '../../../shared/logger.ts';
import type { ApiEvent, ApiResult } from '../http.ts';

export interface RequestContextOptions {
  readonly log: Logger;
  /** Milliseconds for durations. @default performance.now */
  readonly elapsed?: () => number;
}

export function requestContext(
  options: RequestContextOptions,
): middy.MiddlewareObj<ApiEvent, ApiResult, Error, Context> {
  const elapsed = options.elapsed ?? (() => performance.now());
  const started = new WeakMap<object, number>();

  const finish = (request: middy.Request<ApiEvent, ApiResult, Error, Context>) => {
    const requestId = request.event.tickworkRequestId ?? 'unknown';
    const response = request.response;
    if (response !== null && response !== undefined) {
      response.headers = { ...response.headers, 'x-request-id': requestId };
    }
    const start = started.get(request.event);
    options.log.info('request', {
      requestId,
      method: request.event.requestContext?.http?.method,
      path: request.event.rawPath,
      route: request.event.tickworkRoute?.key,
      status: response?.statusCode,
      durationMs: start === undefined ? undefined : Math.round(elapsed() - start),
    });
  };

  return {
    name: 'requestContext',
    before: (request) => {
      started.set(request.event, elapsed());
      request.event.tickworkRequestId =
        request.event.requestContext?.requestId ?? request.context?.awsRequestId ?? crypto.randomUUID();
    },
    after: finish,
    onError: finish,
  };
}
