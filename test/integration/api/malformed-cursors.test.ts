/**
 * More bad requests over HTTP against the local stack: list cursors reused with another query (a
 * cursor outside the new query's key range would reach DynamoDB as an invalid ExclusiveStartKey),
 * metadata too deep for DynamoDB, credentials in a webhook URL's query string, and `runImmediately`
 * on a PATCH that does not change the timing. Each is answered 400 naming the problem, and leaves the
 * engines as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, type EngineSnapshot, promptJob, startApiHarness, until } from './support.ts';

let api: ApiHarness;
let before: EngineSnapshot;
/** nextCursor of the first page of each listing, by a short label. */
const cursors: Record<string, string> = {};

async function firstCursor(path: string): Promise<string> {
  const answer = await api.call('GET', path);
  expect(answer.status, answer.text).toBe(200);
  expect(typeof answer.json.nextCursor, `${path} has a next page`).toBe('string');
  return answer.json.nextCursor;
}

beforeAll(async () => {
  api = await startApiHarness();
  for (const name of ['alpha-1', 'alpha-2', 'beta-1', 'beta-2']) {
    // overlap allow: a second manual run is not skipped while the first one's lease lasts.
    expect((await api.call('POST', '/jobs', { body: promptJob(name, { overlap: 'allow' }) })).status).toBe(
      201,
    );
  }
  // Two manual runs each for two jobs; their secret is missing, so each ends `failed`.
  for (const name of ['alpha-1', 'beta-1']) {
    for (let i = 0; i < 2; i++) expect((await api.call('POST', `/jobs/${name}/runs`)).status).toBe(202);
  }
  const failed = await until(
    () => api.call('GET', '/runs?status=failed'),
    (answer) => answer.json.runs.length === 4,
    20_000,
  );
  expect(failed.json.runs).toHaveLength(4);

  cursors.alpha = await firstCursor('/jobs?name=alpha&limit=1');
  cursors.kindAlpha = await firstCursor('/jobs?kind=prompt&name=alpha&limit=1');
  cursors.all = await firstCursor('/jobs?limit=1');
  cursors.alpha1Runs = await firstCursor('/jobs/alpha-1/runs?limit=1');
  cursors.failedRuns = await firstCursor('/runs?status=failed&limit=1');
  cursors.allRuns = await firstCursor('/runs?limit=1');
  before = await api.snapshot();
});

afterAll(async () => {
  await api?.close();
});

type Case = readonly [
  description: string,
  method: string,
  path: () => string,
  body: unknown,
  message: RegExp,
];

const deep = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < levels; i++) value = { nested: value };
  return value;
};

const withUrl = (url: string) =>
  promptJob('fresh', {
    config: { prompt: 'x', target: { type: 'webhook', url, signingSecret: 'hook-key' } },
  });

const cases: readonly Case[] = [
  [
    'a job cursor of another name prefix',
    'GET',
    () => `/jobs?name=beta&cursor=${cursors.alpha}`,
    undefined,
    /cursor.*belongs to another query: its name does not start with "beta"/,
  ],
  [
    'a job cursor of another name prefix within a kind',
    'GET',
    () => `/jobs?kind=prompt&name=beta&cursor=${cursors.kindAlpha}`,
    undefined,
    /cursor.*belongs to another query/,
  ],
  [
    'a job cursor without a prefix used with one',
    'GET',
    () => `/jobs?name=beta-2&cursor=${cursors.all}`,
    undefined,
    /cursor.*belongs to another query/,
  ],
  [
    'a job cursor of a kind listing used without the kind',
    'GET',
    () => `/jobs?cursor=${cursors.kindAlpha}`,
    undefined,
    /cursor must be the nextCursor of a previous page of the same listing/,
  ],
  [
    "a job's runs cursor used for another job",
    'GET',
    () => `/jobs/beta-1/runs?cursor=${cursors.alpha1Runs}`,
    undefined,
    /cursor.*belongs to a listing with another job/,
  ],
  [
    "a job's runs cursor used for all runs",
    'GET',
    () => `/runs?cursor=${cursors.alpha1Runs}`,
    undefined,
    /cursor must be the nextCursor/,
  ],
  [
    'metadata nested 17 levels deep',
    'POST',
    () => '/jobs',
    promptJob('fresh', {
      config: {
        prompt: 'x',
        metadata: deep(17),
        target: { type: 'webhook', url: 'http://127.0.0.1:9/h', signingSecret: 'hook-key' },
      },
    }),
    /config\.metadata must be nested at most 16 levels deep/,
  ],
  [
    'metadata nested 40 levels deep (past DynamoDB 32)',
    'POST',
    () => '/jobs',
    promptJob('fresh', {
      config: {
        prompt: 'x',
        metadata: deep(40),
        target: { type: 'webhook', url: 'http://127.0.0.1:9/h', signingSecret: 'hook-key' },
      },
    }),
    /config\.metadata must be nested at most 16 levels deep/,
  ],
  [
    'a webhook URL with ?token=',
    'POST',
    () => '/jobs',
    withUrl('http://127.0.0.1:9/h?team=sre&token=abc123'),
    /config\.target\.url must not carry credentials in its query string \(parameter "token"\).*signing secret/,
  ],
  [
    'a webhook URL with ?api_key=',
    'PUT',
    () => '/jobs/fresh',
    withUrl('http://127.0.0.1:9/h?api_key=abc123'),
    /parameter "api_key"/,
  ],
  [
    'a PATCH to a webhook URL with ?sig=',
    'PATCH',
    () => '/jobs/alpha-1',
    { config: { target: { url: 'http://127.0.0.1:9/h?sig=abc123' } } },
    /parameter "sig"/,
  ],
  [
    'runImmediately on a PATCH that keeps the timing',
    'PATCH',
    () => '/jobs/alpha-2',
    { runImmediately: true },
    /runImmediately.*POST \/jobs\/alpha-2\/runs/,
  ],
];

describe('malformed cursors and configs', () => {
  it.each(cases)('%s → 400 %#', async (_description, method, path, body, message) => {
    // When the bad request is sent
    const answer = await api.call(method, path(), body === undefined ? {} : { body });
    // Then it is refused as bad input, naming the problem, never as a server error
    expect(answer.status, answer.text).toBe(400);
    expect(answer.json.error.type).toBe('ValidationError');
    expect(answer.json.error.message).toMatch(message);
    // And the secret-looking value is not echoed back
    expect(answer.text).not.toContain('abc123');
    // And nothing was created or removed
    expect(await api.snapshot()).toEqual(before);
  });

  it('still pages with each cursor in its own query', async () => {
    const alpha = await api.call('GET', `/jobs?name=alpha&limit=1&cursor=${cursors.alpha}`);
    expect(alpha.status).toBe(200);
    expect(alpha.json.jobs.map((job: { name: string }) => job.name)).toEqual(['alpha-2']);
    const failed = await api.call('GET', `/runs?status=failed&limit=10&cursor=${cursors.failedRuns}`);
    expect(failed.status).toBe(200);
    expect(failed.json.runs).toHaveLength(3);
  });
});
