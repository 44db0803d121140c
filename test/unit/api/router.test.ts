import { describe, expect, it } from 'vitest';
import { HttpRequestError } from '../../../functions/api/http.ts';
import { matchRoute } from '../../../functions/api/router.ts';
import { BODY_ROUTES, OPTIONAL_BODY_ROUTES, routeHandlers } from '../../../functions/api/routes.ts';
import { apiRoutes } from '../../../shared/api/routes.ts';

function httpErrorOf(call: () => unknown): HttpRequestError {
  try {
    call();
  } catch (error) {
    if (error instanceof HttpRequestError) return error;
    throw error;
  }
  throw new Error('expected an HttpRequestError, nothing was thrown');
}

describe('matchRoute', () => {
  it.each([
    ['POST', '/jobs', 'POST /jobs', {}],
    ['GET', '/jobs', 'GET /jobs', {}],
    ['GET', '/jobs/nightly', 'GET /jobs/{name}', { name: 'nightly' }],
    ['put', '/jobs/nightly', 'PUT /jobs/{name}', { name: 'nightly' }],
    ['PATCH', '/jobs/a.b_c-d', 'PATCH /jobs/{name}', { name: 'a.b_c-d' }],
    ['DELETE', '/jobs/nightly', 'DELETE /jobs/{name}', { name: 'nightly' }],
    ['POST', '/jobs/nightly/pause', 'POST /jobs/{name}/pause', { name: 'nightly' }],
    ['POST', '/jobs/nightly/resume', 'POST /jobs/{name}/resume', { name: 'nightly' }],
    ['POST', '/jobs/nightly/runs', 'POST /jobs/{name}/runs', { name: 'nightly' }],
    ['GET', '/jobs/nightly/runs', 'GET /jobs/{name}/runs', { name: 'nightly' }],
    ['GET', '/runs', 'GET /runs', {}],
    ['GET', '/runs/01J00000000000000000000000', 'GET /runs/{runId}', { runId: '01J00000000000000000000000' }],
    [
      'POST',
      '/runs/01J00000000000000000000000/cancel',
      'POST /runs/{runId}/cancel',
      { runId: '01J00000000000000000000000' },
    ],
    ['GET', '/status', 'GET /status', {}],
    ['GET', '/schedules/preview', 'GET /schedules/preview', {}],
    ['POST', '/reconcile', 'POST /reconcile', {}],
    ['GET', '/jobs/with%20space', 'GET /jobs/{name}', { name: 'with space' }],
  ])('%s %s → %s', (method, path, key, params) => {
    expect(matchRoute(method, path)).toEqual({ key, params });
  });

  it.each([
    ['GET', '/'],
    ['GET', '/nope'],
    ['GET', '/jobs/a/b'],
    ['GET', '/jobs/'],
    ['POST', '/jobs/nightly/start'],
    ['GET', '/schedules'],
  ])('answers 404 for %s %s', (method, path) => {
    const error = httpErrorOf(() => matchRoute(method, path));
    expect(error).toMatchObject({ statusCode: 404, type: 'RouteNotFound' });
    expect(error.message).toContain(path);
  });

  it.each([
    ['DELETE', '/jobs', 'GET, POST'],
    ['POST', '/jobs/nightly', 'DELETE, GET, PATCH, PUT'],
    ['GET', '/jobs/nightly/pause', 'POST'],
    ['PUT', '/status', 'GET'],
    ['HEAD', '/runs', 'GET'],
    ['GET', '/reconcile', 'POST'],
  ])('answers 405 for %s %s with Allow: %s', (method, path, allow) => {
    const error = httpErrorOf(() => matchRoute(method, path));
    expect(error).toMatchObject({ statusCode: 405, type: 'MethodNotAllowed' });
    expect(error.headers.allow?.split(', ').sort().join(', ')).toBe(allow);
  });

  it('answers 400 for a malformed percent-encoding', () => {
    expect(httpErrorOf(() => matchRoute('GET', '/jobs/%E0%A4%A'))).toMatchObject({ statusCode: 400 });
  });
});

describe('the route table', () => {
  it('has exactly one handler per deployed route', () => {
    // Given the routes the stack creates
    const deployed = apiRoutes.map((route) => `${route.method} ${route.path}`).sort();
    // Then the function handles exactly those
    expect(Object.keys(routeHandlers).sort()).toEqual(deployed);
  });

  it('parses bodies only on the routes that take a definition, run parameters, a backfill range or a pause note', () => {
    expect([...BODY_ROUTES].sort()).toEqual([
      'PATCH /jobs/{name}',
      'POST /jobs',
      'POST /jobs/{name}/backfill',
      'POST /jobs/{name}/pause',
      'POST /jobs/{name}/runs',
      'PUT /jobs/{name}',
    ]);
    // A run request may come without a body, and a pause without a note.
    expect([...OPTIONAL_BODY_ROUTES]).toEqual(['POST /jobs/{name}/runs', 'POST /jobs/{name}/pause']);
  });
});
