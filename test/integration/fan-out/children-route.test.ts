/**
 * `GET /runs/{runId}/children` refusing what it cannot answer, over HTTP against the local stack: a bad
 * run id, an unknown run, bad query parameters and a cursor it did not make, each a 4xx naming the part
 * of the request, and nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, promptJob, startApiHarness } from '../api/support.ts';

let api: ApiHarness;
let runId: string;

beforeAll(async () => {
  api = await startApiHarness();
  expect((await api.call('POST', '/jobs', { body: promptJob('not-a-parent') })).status).toBe(201);
  // A run that is no fan-out parent: its children listing is empty, and the cursor below is refused.
  const started = await api.call('POST', '/jobs/not-a-parent/runs');
  expect(started.status, started.text).toBe(202);
  runId = started.json.runId;
}, 60_000);

afterAll(async () => {
  await api?.close();
});

describe('GET /runs/{runId}/children: bad input', () => {
  it('answers an empty page for a run that has no children', async () => {
    const answer = await api.call('GET', `/runs/${runId}/children`);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toEqual({ runs: [], nextCursor: null });
  });

  it.each([
    ['a run id that is not a ULID', () => '/runs/not-a-run/children', 400, 'runId'],
    ['an unknown run', () => '/runs/01KB0000000000000000000000/children', 404, '01KB0000000000000000000000'],
    ['a limit of 0', () => `/runs/${runId}/children?limit=0`, 400, 'limit'],
    ['a limit that is not a number', () => `/runs/${runId}/children?limit=all`, 400, 'limit'],
    ['an unknown query parameter', () => `/runs/${runId}/children?status=failed`, 400, 'status'],
    ['a cursor it did not make', () => `/runs/${runId}/children?cursor=not-a-cursor`, 400, 'cursor'],
  ])('refuses %s, naming it, and writes nothing', async (_case, path, status, named) => {
    const before = await api.snapshot();
    const answer = await api.call('GET', path());
    expect(answer.status, answer.text).toBe(status);
    expect(answer.json.error.message).toContain(named);
    expect(await api.snapshot()).toEqual(before);
  });
});
