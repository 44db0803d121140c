import { request } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ApiFront, MAX_BODY_BYTES, startApiFront } from '../../../../local/api-front/server.ts';
import { LambdaRuntime } from '../../../../local/lambda/runtime.ts';
import { callsOf, resetCalls } from '../../../fixtures/local-recorder.ts';
import { captureLogs } from '../../../support/logs.ts';

const TOKEN = 'test-token-0123456789abcdefghijklmnop';
const API = 'tickwork-local-api';
const entry = fileURLToPath(new URL('../../../fixtures/local-api-handler.ts', import.meta.url));

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** A raw HTTP request, so tests control repeated headers, bodies and Content-Length exactly. */
function send(
  url: string,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string | string[] | number>;
    body?: Buffer | string;
  },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${options.path}`,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    // The front may answer and close before the whole body is sent (401, 413): the answer is what counts.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    req.end(options.body);
  });
}

const auth = { authorization: `Bearer ${TOKEN}` };

/** The one line the front logs for a request it answered by itself. */
function ownLine(answer: Answer, fields: { level: string; method: string; path: string; error?: unknown }) {
  const { level, ...rest } = fields;
  return {
    time: expect.any(String),
    level,
    component: 'api',
    message: 'request',
    requestId: answer.headers['apigw-requestid'],
    status: answer.status,
    durationMs: expect.any(Number),
    ...rest,
  };
}
const json = (answer: Answer) => JSON.parse(answer.body.toString('utf8'));

async function startFront(options: { timeoutSeconds?: number; integrationTimeoutMs?: number } = {}) {
  const runtime = new LambdaRuntime({
    functions: { [API]: { entry, timeoutSeconds: options.timeoutSeconds ?? 29, memorySize: 512 } },
  });
  const { log, entries: logged } = captureLogs('debug');
  const front = await startApiFront({
    port: 0,
    token: TOKEN,
    tokenFile: '/data/token',
    invoke: (event) => runtime.invoke(API, event),
    log,
    ...(options.integrationTimeoutMs === undefined
      ? {}
      : { integrationTimeoutMs: options.integrationTimeoutMs }),
  });
  return { runtime, front, logged };
}

describe('local API front', () => {
  let runtime: LambdaRuntime;
  let front: ApiFront;
  let logged: Record<string, unknown>[];

  beforeAll(async () => {
    ({ runtime, front, logged } = await startFront());
  });

  afterAll(async () => {
    await front.close(0);
    await runtime.close(0);
  });

  beforeEach(() => {
    resetCalls();
    logged.length = 0;
  });

  it('Given a request with query, headers, cookies and a JSON body, When it reaches the function, Then the event is payload 2.0', async () => {
    const answer = await send(front.url, {
      method: 'POST',
      path: '/echo?b=2&a=1&a=3',
      headers: {
        ...auth,
        'Content-Type': 'application/json',
        'X-Multi': ['one', 'two'],
        Cookie: 'session=abc; theme=dark',
        'User-Agent': 'tickwork-test/1',
      },
      body: '{"name":"nightly"}',
    });

    expect(answer.status).toBe(200);
    const event = json(answer);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/echo',
      rawQueryString: 'b=2&a=1&a=3',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { a: '1,3', b: '2' },
      body: '{"name":"nightly"}',
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: front.url.replace('http://', ''),
        http: {
          method: 'POST',
          path: '/echo',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'tickwork-test/1',
        },
        routeKey: '$default',
        stage: '$default',
      },
    });
    expect(event.headers).toMatchObject({ 'content-type': 'application/json', 'x-multi': 'one,two' });
    expect(event.headers.authorization).toBeUndefined();
    expect(event.requestContext.requestId).toBe(answer.headers['apigw-requestid']);
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(typeof event.requestContext.timeEpoch).toBe('number');
    // The function answered, and it logs every request it handles: the front adds no line.
    expect(logged).toEqual([]);
  });

  it('Given a binary body, When it reaches the function, Then it is base64 with isBase64Encoded', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);

    const answer = await send(front.url, {
      method: 'PUT',
      path: '/echo',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: bytes,
    });

    expect(json(answer)).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
  });

  it('Given the function answers with status, headers, cookies and body, Then the HTTP response carries them unchanged', async () => {
    const result = {
      statusCode: 201,
      headers: { 'content-type': 'text/plain', 'x-job': 'nightly' },
      multiValueHeaders: { 'x-multi': ['a', 'b'] },
      cookies: ['a=1; Path=/', 'b=2'],
      body: 'created',
    };

    const answer = await send(front.url, {
      method: 'POST',
      path: '/result',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(result),
    });

    expect(answer.status).toBe(201);
    expect(answer.headers).toMatchObject({
      'content-type': 'text/plain',
      'x-job': 'nightly',
      'x-multi': 'a, b',
      'set-cookie': ['a=1; Path=/', 'b=2'],
    });
    expect(answer.body.toString('utf8')).toBe('created');
  });

  it('Given a base64 response, Then the client receives the bytes', async () => {
    const bytes = Buffer.from([137, 80, 78, 71, 0, 255]);

    const answer = await send(front.url, {
      method: 'POST',
      path: '/result',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ statusCode: 200, body: bytes.toString('base64'), isBase64Encoded: true }),
    });

    expect(answer.body.equals(bytes)).toBe(true);
  });

  it('Given the function returns an object without statusCode, Then the client gets it as 200 JSON', async () => {
    const answer = await send(front.url, {
      method: 'POST',
      path: '/result',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ jobs: [] }),
    });

    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(json(answer)).toEqual({ jobs: [] });
  });

  it.each([404, 409, 422])(
    'Given the function answers %i, Then the client gets that status and body',
    async (status) => {
      const answer = await send(front.url, { path: `/status/${status}`, headers: auth });

      expect(answer.status).toBe(status);
      expect(json(answer)).toEqual({
        error: { type: 'NotFound', message: `no route GET /status/${status}` },
      });
      expect(logged).toEqual([]);
    },
  );

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer wrong-token-0123456789abcdefghijkl' }],
    ['the token as Basic credentials', { authorization: `Basic ${TOKEN}` }],
    ['the token with a suffix', { authorization: `Bearer ${TOKEN}x` }],
  ])('Given %s, When calling, Then 401 and the function is never called', async (_, headers) => {
    const answer = await send(front.url, {
      method: 'POST',
      path: '/echo',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
    });

    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer');
    expect(json(answer)).toEqual({
      error: {
        type: 'Unauthorized',
        message:
          'send the header "Authorization: Bearer <token>" with the token tickwork local printed (kept in /data/token)',
      },
    });
    expect(callsOf('api')).toEqual([]);
    expect(logged).toEqual([ownLine(answer, { level: 'info', method: 'POST', path: '/echo' })]);
  });

  it('Given a declared body over 10 MB, When calling, Then 413 before the body is read and the function is never called', async () => {
    const answer = await send(front.url, {
      method: 'POST',
      path: '/echo',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(MAX_BODY_BYTES + 1),
    });

    expect(answer.status).toBe(413);
    expect(json(answer)).toEqual({
      error: {
        type: 'PayloadTooLarge',
        message: `the request body exceeds ${MAX_BODY_BYTES} bytes (API Gateway's limit)`,
      },
    });
    expect(callsOf('api')).toEqual([]);
    expect(logged).toEqual([ownLine(answer, { level: 'info', method: 'POST', path: '/echo' })]);
  });

  it('Given a chunked body that grows past 10 MB, When calling, Then 413 and the function is never called', async () => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = request(
        `${front.url}/echo`,
        {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') reject(error);
      });
      const chunk = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < 11; i++) req.write(chunk);
      req.end();
    });

    expect(answer.status).toBe(413);
    expect(callsOf('api')).toEqual([]);
  });

  it('Given a body of exactly 10 MB, When calling, Then it reaches the function', async () => {
    const answer = await send(front.url, {
      method: 'POST',
      path: '/status/404',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(MAX_BODY_BYTES),
    });

    expect(answer.status).toBe(404);
    expect(callsOf('api')).toHaveLength(1);
  });

  it('Given the function throws, When calling, Then a bare 500 with no internals', async () => {
    const answer = await send(front.url, { path: '/throw', headers: auth });

    expect(answer.status).toBe(500);
    expect(json(answer)).toEqual({
      error: { type: 'InternalServerError', message: 'Internal Server Error' },
    });
    // The client learns nothing; the log line says what failed.
    expect(logged).toEqual([
      ownLine(answer, {
        level: 'error',
        method: 'GET',
        path: '/throw',
        error: 'Error: internal detail: table tickwork-local-jobs is on fire',
      }),
    ]);
  });

  it('Given the function returns a malformed response, When calling, Then 500', async () => {
    const answer = await send(front.url, {
      method: 'POST',
      path: '/result',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ statusCode: 'two hundred' }),
    });

    expect(answer.status).toBe(500);
    expect(json(answer).error.type).toBe('InternalServerError');
  });
});

describe('local API front time limits', () => {
  it('Given the integration timeout passes first, When calling, Then 504 with an error body', async () => {
    const { runtime, front, logged } = await startFront({ integrationTimeoutMs: 100 });

    const answer = await send(front.url, { path: '/hang', headers: auth });

    expect(answer.status).toBe(504);
    expect(json(answer)).toEqual({
      error: {
        type: 'GatewayTimeout',
        message: 'the API function did not answer within the 0.1 s integration timeout',
      },
    });
    expect(logged).toEqual([
      ownLine(answer, {
        level: 'warn',
        method: 'GET',
        path: '/hang',
        error: 'the API function did not answer within the 0.1 s integration timeout',
      }),
    ]);
    await front.close(0);
    await runtime.close(0);
  });

  it("Given the function's own timeout passes first, When calling, Then 504 naming the function timeout", async () => {
    const { runtime, front, logged } = await startFront({ timeoutSeconds: 0.1 });

    const answer = await send(front.url, { path: '/hang', headers: auth });

    expect(answer.status).toBe(504);
    expect(json(answer)).toEqual({
      error: { type: 'GatewayTimeout', message: 'the API function timed out after 0.1 s' },
    });
    expect(logged).toEqual([
      ownLine(answer, {
        level: 'warn',
        method: 'GET',
        path: '/hang',
        error: expect.stringMatching(
          /^FunctionTimeoutError: tickwork-local-api: task timed out after 0\.10 seconds/,
        ),
      }),
    ]);
    await front.close(0);
    await runtime.close(0);
  });

  it('Given a request in flight, When the front closes, Then it finishes and later connections are refused', async () => {
    const { runtime, front, logged } = await startFront();

    resetCalls();
    const inFlight = send(front.url, { path: '/sleep?ms=100', headers: auth });
    await vi.waitFor(() => expect(callsOf('api')).toHaveLength(1));
    await front.close(5_000);

    expect((await inFlight).status).toBe(200);
    // The function answered it (and logs it itself): no line of the front's.
    expect(logged).toEqual([]);
    await expect(send(front.url, { path: '/echo', headers: auth })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    await runtime.close(0);
  });

  it('Given a request arrives on an open connection while the front closes, When it is read, Then 503 and one line of the front', async () => {
    // Given a connection whose first request is in the function when the close begins
    const { runtime, front, logged } = await startFront();
    resetCalls();
    const socket = connect(front.port, '127.0.0.1');
    let raw = '';
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
    });
    const ended = new Promise((resolve) => socket.on('close', resolve));
    socket.write(`GET /sleep?ms=100 HTTP/1.1\r\nHost: local\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    await vi.waitFor(() => expect(callsOf('api')).toHaveLength(1));
    const closing = front.close(5_000);

    // When a second request comes on the same connection (pipelined)
    socket.write(`GET /echo HTTP/1.1\r\nHost: local\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    await ended;
    await closing;

    // Then the first finished, the second was refused without reaching the function, and only that one is logged
    expect(raw.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 503']);
    expect(raw).toContain('"the local API is shutting down"');
    expect(callsOf('api')).toHaveLength(1);
    expect(logged).toEqual([
      {
        time: expect.any(String),
        level: 'info',
        component: 'api',
        message: 'request',
        requestId: expect.any(String),
        method: 'GET',
        path: '/echo',
        status: 503,
        durationMs: expect.any(Number),
      },
    ]);
    await runtime.close(0);
  });
});
