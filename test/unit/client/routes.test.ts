/**
 * Every route of the API has a typed method in `tickwork/client`: the table below is keyed by the route
 * table's own keys (the compiler asks for a row when a route is added), and each row's method must send
 * that route's method and path, with its labels percent-encoded and its query as the API reads it.
 */
import { describe, expect, it } from 'vitest';
import type { TickworkClient } from '../../../client/index.ts';
import { apiRoutes, type RouteKey } from '../../../shared/api/routes.ts';
import { recordingClient } from '../../support/recording-client.ts';

const RUN_ID = '01JCDT6Q7M3H8W4R5N9X2B1KZE';
const drain = async (items: AsyncIterable<unknown>) => {
  for await (const _ of items);
};

/** The method that sends each route, and the path and query it must send (labels filled in). */
const calls: Readonly<
  Record<RouteKey, [(client: TickworkClient) => Promise<unknown>, string, Record<string, string>?]>
> = {
  'POST /jobs': [(c) => c.jobs.create({ name: 'a', kind: 'prompt', schedule: 'daily' }), '/jobs'],
  'GET /jobs': [
    (c) => drain(c.jobs.list({ kind: 'task', enabled: false })),
    '/jobs',
    {
      kind: 'task',
      enabled: 'false',
      limit: '100',
    },
  ],
  'GET /jobs/{name}': [(c) => c.jobs.get('a b'), '/jobs/a%20b'],
  'PUT /jobs/{name}': [(c) => c.jobs.put({ name: 'a.b', kind: 'prompt', schedule: 'daily' }), '/jobs/a.b'],
  'PATCH /jobs/{name}': [(c) => c.jobs.update('a', { description: null }), '/jobs/a'],
  'DELETE /jobs/{name}': [
    (c) => c.jobs.delete('a', { unlinkChains: true }),
    '/jobs/a',
    { unlinkChains: 'true' },
  ],
  'POST /jobs/{name}/pause': [(c) => c.jobs.pause('a'), '/jobs/a/pause'],
  'POST /jobs/{name}/resume': [(c) => c.jobs.resume('a'), '/jobs/a/resume'],
  'POST /jobs/{name}/runs': [(c) => c.runs.trigger('a'), '/jobs/a/runs'],
  'POST /jobs/{name}/backfill': [
    (c) => c.jobs.backfill('a', { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }),
    '/jobs/a/backfill',
  ],
  'GET /jobs/{name}/runs': [
    (c) => c.runs.page({ job: 'a', status: 'failed' }),
    '/jobs/a/runs',
    {
      status: 'failed',
    },
  ],
  'GET /jobs/{name}/checkpoints': [(c) => c.checkpoints.list('a'), '/jobs/a/checkpoints'],
  'POST /jobs/{name}/checkpoints/{connector}/reset': [
    (c) => c.checkpoints.reset('a', 'orders'),
    '/jobs/a/checkpoints/orders/reset',
  ],
  'GET /runs': [(c) => c.runs.page({ pageSize: 5, cursor: 'c1' }), '/runs', { limit: '5', cursor: 'c1' }],
  'GET /runs/{runId}': [(c) => c.runs.get(RUN_ID), `/runs/${RUN_ID}`],
  'POST /runs/{runId}/cancel': [(c) => c.runs.cancel(RUN_ID), `/runs/${RUN_ID}/cancel`],
  'GET /runs/{runId}/children': [
    (c) => drain(c.runs.children(RUN_ID)),
    `/runs/${RUN_ID}/children`,
    {
      limit: '100',
    },
  ],
  'GET /status': [(c) => c.status({ limit: 7 }), '/status', { limit: '7' }],
  'GET /schedules/preview': [
    (c) => c.preview('rate(5 minutes)', { timezone: 'Europe/Berlin', count: 3 }),
    '/schedules/preview',
    { expression: 'rate(5 minutes)', timezone: 'Europe/Berlin', count: '3' },
  ],
  'POST /reconcile': [(c) => c.reconcile({ dryRun: true }), '/reconcile', { dryRun: 'true' }],
  'GET /openapi.json': [(c) => c.openApi(), '/openapi.json'],
};

describe('tickwork/client covers the API', () => {
  it.each(apiRoutes.map((route) => `${route.method} ${route.path}` as RouteKey))(
    'Given the route %s, When its method is called, Then that route is sent',
    async (route) => {
      const { client, sent } = recordingClient();
      const [call, path, query] = calls[route];

      await call(client);

      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ method: route.slice(0, route.indexOf(' ')), path });
      expect(sent[0]?.query).toEqual(query);
    },
  );

  it('Given an iteration over several pages, When looped, Then each next page asks for the previous cursor', async () => {
    const { client, sent } = recordingClient({ jobs: [{ name: 'only' }], nextCursor: null });
    const names: string[] = [];

    for await (const job of client.jobs.list({ name: 'n', cursor: 'from-here' })) names.push(job.name);

    expect(names).toEqual(['only']);
    expect(sent.map((request) => request.query)).toEqual([{ name: 'n', limit: '100', cursor: 'from-here' }]);
  });
});
