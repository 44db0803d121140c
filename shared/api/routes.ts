/**
 * The API's routes, defined once: the stack creates each one on the HTTP API with IAM authorization,
 * and the API function dispatches on the same table.
 */
/** The longest `cursor` the API takes: its own cursors are far shorter; a longer one was not one of them. */
export const MAX_CURSOR_LENGTH = 2048;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  readonly method: HttpMethod;
  /** API Gateway path template, e.g. `/jobs/{name}`. */
  readonly path: string;
}

export const apiRoutes = [
  { method: 'POST', path: '/jobs' },
  { method: 'GET', path: '/jobs' },
  { method: 'GET', path: '/jobs/{name}' },
  { method: 'PUT', path: '/jobs/{name}' },
  { method: 'PATCH', path: '/jobs/{name}' },
  { method: 'DELETE', path: '/jobs/{name}' },
  { method: 'POST', path: '/jobs/{name}/pause' },
  { method: 'POST', path: '/jobs/{name}/resume' },
  { method: 'POST', path: '/jobs/{name}/runs' },
  { method: 'GET', path: '/jobs/{name}/runs' },
  { method: 'POST', path: '/jobs/{name}/backfill' },
  { method: 'GET', path: '/jobs/{name}/checkpoints' },
  { method: 'POST', path: '/jobs/{name}/checkpoints/{connector}/reset' },
  { method: 'GET', path: '/runs' },
  { method: 'GET', path: '/runs/{runId}' },
  { method: 'POST', path: '/runs/{runId}/cancel' },
  { method: 'GET', path: '/runs/{runId}/children' },
  { method: 'GET', path: '/status' },
  { method: 'GET', path: '/schedules/preview' },
  { method: 'POST', path: '/reconcile' },
  { method: 'GET', path: '/openapi.json' },
] as const satisfies readonly RouteDefinition[];

type ApiRoute = (typeof apiRoutes)[number];

/** `METHOD /path/{param}` of each route in the table (distributed per route, not every method with every path). */
export type RouteKey = ApiRoute extends infer Route
  ? Route extends { readonly method: infer M extends string; readonly path: infer P extends string }
    ? `${M} ${P}`
    : never
  : never;
