/**
 * The API function's middy chain over a set of dependencies: request id and log line, error boundary,
 * routing, JSON body, then the route's translation. The composition root (handler.ts) builds the
 * dependencies once and calls this once; tests call it with dependencies on local engines.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger } from '../../shared/logger.ts';
import { type ApiEvent, type ApiResult, HttpRequestError } from './http.ts';
import { errorBoundary } from './middleware/error-boundary.ts';
import { jsonBody } from './middleware/json-body.ts';
import { requestContext } from './middleware/request-context.ts';
import { routeRequest } from './middleware/route.ts';
import { type ApiDeps, BODY_ROUTES, MAX_BODY_BYTES, OPTIONAL_BODY_ROUTES, routeHandlers } from './routes.ts';

export interface ApiHandlerOptions {
  readonly log: Logger;
  /** @default MAX_BODY_BYTES (256 KB) */
  readonly maxBodyBytes?: number;
}

export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

export function createApiHandler(deps: ApiDeps, options: ApiHandlerOptions): ApiHandler {
  return middy<ApiEvent, ApiResult, Error, Context>({
    // The function's own timeout answers; middy's early-timeout timer would only race it.
    timeoutEarlyInMillis: 0,
  })
    .use(requestContext({ log: options.log }))
    .use(errorBoundary({ log: options.log }))
    .use(routeRequest())
    .use(
      jsonBody({
        routes: BODY_ROUTES,
        optional: OPTIONAL_BODY_ROUTES,
        maxBytes: options.maxBodyBytes ?? MAX_BODY_BYTES,
      }),
    )
    .handler(async (event) => {
      const route = event.tickworkRoute;
      if (route === undefined) throw new HttpRequestError(404, 'RouteNotFound', 'no route');
      return routeHandlers[route.key](deps, event);
    });
}
