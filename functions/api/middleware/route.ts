/** Finds the route before anything else reads the request: an unknown path or method stops here. */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ApiEvent, ApiResult } from '../http.ts';
import { matchRoute } from '../router.ts';

export function routeRequest(): middy.MiddlewareObj<ApiEvent, ApiResult, Error, Context> {
  return {
    name: 'routeRequest',
    before: (request) => {
      const method = request.event.requestContext?.http?.method ?? 'GET';
      request.event.tickworkRoute = matchRoute(method, request.event.rawPath ?? '/');
    },
  };
}
