/**
 * The CLI's HTTP client against small real HTTP servers: one retry of a 429 or 503 after its
 * Retry-After (bounded), no retry of other failures, a timeout for a server that never answers, and
 * the `details` of a refused request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApiClient,
  ApiError,
  type ApiTarget,
  ApiUnreachableError,
  bearerAuthorizer,
} from '../../../cli/api-client.ts';
import { RequestAbortedError } from '../../../client/errors.ts';
import type { Clock } from '../../../shared/clock.ts';

interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

interface Received {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/**
 * A server answering `answers` in turn (the last one repeated): `hang` never answers, `hang-body`
 * sends the headers and the start of a body, then nothing.
 */
async function serve(...answers: Array<Answer | 'hang' | 'hang-body'>): Promise<{
  target: ApiTarget;
  received: Received[];
}> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        authorization: request.headers.authorization,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = answers[Math.min(received.length - 1, answers.length - 1)];
      if (answer === 'hang') return;
      if (answer === 'hang-body') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"jobs": [');
        return;
      }
      if (answer === undefined) throw new Error('no answer scripted');
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: {
      baseUrl: new URL(`http://127.0.0.1:${port}`),
      authorize: bearerAuthorizer('t0ken'),
      description: 'the test API',
    },
    received,
  };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** A clock whose sleeps are recorded and return at once. */
function recordingClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return {
    slept,
    now: () => new Date('2026-01-31T09:00:00Z'),
    sleep: async (ms) => {
      slept.push(ms);
    },
  };
}

const ok = { status: 200, body: { jobs: [], nextCursor: null } };

describe('ApiClient retries and timeouts', () => {
  it.each<[string, Answer, number]>([
    ['503 with Retry-After: 2', { status: 503, headers: { 'retry-after': '2' } }, 2_000],
    ['429 without Retry-After', { status: 429, body: { message: 'Too Many Requests' } }, 1_000],
    ['503 asking for an hour', { status: 503, headers: { 'retry-after': '3600' } }, 10_000],
    [
      '503 with an HTTP date 3 s ahead',
      { status: 503, headers: { 'retry-after': 'Sat, 31 Jan 2026 09:00:03 GMT' } },
      3_000,
    ],
  ])(
    'Given %s then 200, When requested, Then it waits as asked (at most 10 s) and the retry answers',
    async (_, first, waited) => {
      const { target, received } = await serve(first, ok);
      const clock = recordingClock();

      const answer = await new ApiClient(target, { clock }).request({ method: 'GET', path: '/jobs' });

      expect(answer).toEqual({ status: 200, body: { jobs: [], nextCursor: null } });
      expect(clock.slept).toEqual([waited]);
      expect(received.map((request) => `${request.method} ${request.url} ${request.authorization}`)).toEqual([
        'GET /jobs Bearer t0ken',
        'GET /jobs Bearer t0ken',
      ]);
    },
  );

  it('Given a POST answered 503 then 201, When requested, Then the same body is sent again', async () => {
    const { target, received } = await serve(
      {
        status: 503,
        headers: { 'retry-after': '1' },
        body: { error: { type: 'SchedulerThrottled', message: 'later' } },
      },
      { status: 201, body: { name: 'nightly' } },
    );

    const answer = await new ApiClient(target, { clock: recordingClock() }).request({
      method: 'POST',
      path: '/jobs',
      body: { name: 'nightly' },
    });

    expect(answer.status).toBe(201);
    expect(received.map((request) => request.body)).toEqual(['{"name":"nightly"}', '{"name":"nightly"}']);
  });

  it('Given a 503 with Retry-After: 1 on the real clock, When requested, Then the retry comes about a second later', async () => {
    const { target, received } = await serve({ status: 503, headers: { 'retry-after': '1' } }, ok);
    const started = Date.now();

    await new ApiClient(target).request({ method: 'GET', path: '/status' });

    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(received).toHaveLength(2);
  });

  it('Given 503 twice, When requested, Then it retries once only and reports the second answer', async () => {
    const { target, received } = await serve({
      status: 503,
      headers: { 'retry-after': '1' },
      body: { error: { type: 'SchedulerThrottled', message: 'Scheduler is throttling; try again' } },
    });
    const clock = recordingClock();

    const error = await new ApiClient(target, { clock })
      .request({ method: 'GET', path: '/jobs' })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 503, type: 'SchedulerThrottled' });
    expect(received).toHaveLength(2);
    expect(clock.slept).toEqual([1_000]);
  });

  it.each([500, 502, 400, 404])(
    'Given a %i answer, When requested, Then it is not retried',
    async (status) => {
      const { target, received } = await serve({
        status,
        headers: { 'retry-after': '1' },
        body: { error: { type: 'E', message: 'no' } },
      });
      const clock = recordingClock();

      await expect(
        new ApiClient(target, { clock }).request({ method: 'GET', path: '/jobs' }),
      ).rejects.toThrow(ApiError);
      expect(received).toHaveLength(1);
      expect(clock.slept).toEqual([]);
    },
  );

  it.each<[string, 'hang' | 'hang-body']>([
    ['a server that never answers', 'hang'],
    ['a server that sends headers, then nothing', 'hang-body'],
  ])('Given %s, When requested with a 300 ms timeout, Then it gives up and says so', async (_, behaviour) => {
    const { target } = await serve(behaviour);
    const started = Date.now();

    const error = await new ApiClient(target, { timeoutMs: 300 })
      .request({ method: 'GET', path: '/jobs' })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect((error as Error).message).toBe('no answer from the test API within 0.3 s');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it.each<[string, 'hang' | 'hang-body']>([
    ['a server that never answers', 'hang'],
    ['a server that sends headers, then nothing', 'hang-body'],
  ])(
    'Given %s, When the caller aborts its signal, Then the request ends as aborted (not a timeout) and later ones are refused',
    async (_, behaviour) => {
      const { target, received } = await serve(behaviour);
      const stop = new AbortController();
      // The timeout is far away: only the abort can end this request.
      const client = new ApiClient(target, { timeoutMs: 600_000, signal: stop.signal });

      const pending = client.request({ method: 'GET', path: '/jobs' }).catch((caught: unknown) => caught);
      await until(() => received.length === 1);
      stop.abort();

      const error = await pending;
      expect(error).toBeInstanceOf(RequestAbortedError);
      expect((error as Error).message).toBe('request to the test API stopped by its caller');
      const next = await client.request({ method: 'GET', path: '/jobs' }).catch((caught: unknown) => caught);
      expect(next).toBeInstanceOf(RequestAbortedError);
      expect(received).toHaveLength(1);
    },
  );

  it('Given a refused request with several problems, When requested, Then the error carries every one', async () => {
    const details = [
      { field: 'timezone', message: 'timezone must be an IANA time zone' },
      { field: 'config.target.url', message: 'config.target.url must be a URL' },
    ];
    const { target } = await serve({
      status: 400,
      body: { error: { type: 'ValidationError', message: details[0]?.message, details } },
    });

    const error = await new ApiClient(target)
      .request({ method: 'POST', path: '/jobs', body: {} })
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      status: 400,
      type: 'ValidationError',
      message: 'timezone must be an IANA time zone',
      details,
    });
  });
});
