/**
 * SafeHttpClient.request against a real local server: the whole answer with its headers, bounded
 * bodies (declared and streamed), the guard, the caller's abort and the timeout.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OutboundRequestError,
  ResponseTooLargeError,
  SafeHttpClient,
} from '../../../shared/adapters/http/index.ts';
import { UnsafeTargetError } from '../../../shared/errors.ts';

let server: Server;
let base: string;
const seen: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (request.url === '/rows') {
        response.writeHead(200, { 'content-type': 'application/json', 'retry-after': '3' });
        response.end(JSON.stringify({ rows: [{ n: 1 }] }));
      } else if (request.url === '/big-declared') {
        response.writeHead(200, { 'content-length': '5000' });
        response.end('x'.repeat(5000));
      } else if (request.url === '/big-streamed') {
        // No content-length: chunked, so only counting the bytes read can catch it.
        response.writeHead(200);
        for (let i = 0; i < 10; i++) response.write('y'.repeat(1000));
        response.end();
      } else if (request.url === '/dribble') {
        // The head and a first piece now, the rest much later: a body still arriving.
        response.writeHead(200);
        response.write('first');
        setTimeout(() => response.end('late'), 2_000).unref();
      } else if (request.url === '/slow') {
        setTimeout(() => response.end('late'), 2_000).unref();
      } else {
        response.writeHead(201);
        response.end(`echo:${Buffer.concat(chunks).toString('utf8')}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const client = new SafeHttpClient({ mode: 'local', allowedHosts: [] }, { userAgent: 'tickwork/test' });

describe('SafeHttpClient.request', () => {
  it('returns the status, the lower-case headers and the whole body of a GET', async () => {
    const answer = await client.request({
      method: 'GET',
      url: `${base}/rows`,
      headers: { Authorization: 'Bearer t0k' },
      timeoutMs: 5_000,
      maxResponseBytes: 1_000,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['retry-after']).toBe('3');
    expect(JSON.parse(answer.body)).toEqual({ rows: [{ n: 1 }] });
    const request = seen.at(-1);
    expect(request?.method).toBe('GET');
    expect(request?.headers.authorization).toBe('Bearer t0k');
    expect(request?.headers['user-agent']).toBe('tickwork/test');
  });

  it('sends a POST body with its length', async () => {
    const answer = await client.request({
      method: 'POST',
      url: `${base}/submit`,
      body: '{"a":"é"}',
      headers: { 'Content-Type': 'application/json' },
      timeoutMs: 5_000,
      maxResponseBytes: 1_000,
    });
    expect(answer).toMatchObject({ status: 201, body: 'echo:{"a":"é"}' });
    expect(seen.at(-1)?.headers['content-length']).toBe(String(Buffer.byteLength('{"a":"é"}')));
  });

  it.each(['/big-declared', '/big-streamed'])(
    'refuses an answer longer than maxResponseBytes (%s)',
    async (path) => {
      const attempt = client.request({
        method: 'GET',
        url: `${base}${path}`,
        timeoutMs: 5_000,
        maxResponseBytes: 4_096,
      });
      await expect(attempt).rejects.toBeInstanceOf(ResponseTooLargeError);
      await expect(attempt).rejects.toThrow(`the answer of ${base} is larger than 4096 bytes`);
    },
  );

  it('keeps the excerpt behaviour of post for long answers', async () => {
    const answer = await client.post(`${base}/big-streamed`, '', {}, { timeoutMs: 5_000 });
    expect(answer.status).toBe(200);
    expect(answer.bodyExcerpt).toHaveLength(500);
  });

  it('refuses a private address in aws mode before sending anything', async () => {
    const deployed = new SafeHttpClient({ mode: 'aws', allowedHosts: [] });
    const before = seen.length;
    await expect(
      deployed.request({ method: 'GET', url: `${base}/rows`, timeoutMs: 5_000, maxResponseBytes: 1_000 }),
    ).rejects.toBeInstanceOf(UnsafeTargetError);
    expect(seen.length).toBe(before);
  });

  it("stops on the caller's abort with the signal's reason, and on its own timeout", async () => {
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const aborted = client.request({
      method: 'GET',
      url: `${base}/slow`,
      timeoutMs: 5_000,
      maxResponseBytes: 1_000,
      signal: controller.signal,
    });
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    const timedOut = client.request({
      method: 'GET',
      url: `${base}/slow`,
      timeoutMs: 100,
      maxResponseBytes: 1_000,
    });
    await expect(timedOut).rejects.toBeInstanceOf(OutboundRequestError);
    await expect(timedOut).rejects.toMatchObject({ timedOut: true });
  });
});

async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  const pieces: Buffer[] = [];
  for await (const piece of body) pieces.push(Buffer.from(piece));
  return Buffer.concat(pieces).toString('utf8');
}

describe('SafeHttpClient.stream', () => {
  it('returns the status and headers before the body, then the body as it arrives', async () => {
    const answer = await client.stream({
      method: 'GET',
      url: `${base}/rows`,
      timeoutMs: 5_000,
      maxResponseBytes: 1_000,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['retry-after']).toBe('3');
    expect(JSON.parse(await readAll(answer.body))).toEqual({ rows: [{ n: 1 }] });
    expect(seen.at(-1)?.headers['user-agent']).toBe('tickwork/test');
  });

  it.each(['/big-declared', '/big-streamed'])(
    'refuses an answer longer than maxResponseBytes (%s), at the head or while reading',
    async (path) => {
      const attempt = client
        .stream({ method: 'GET', url: `${base}${path}`, timeoutMs: 5_000, maxResponseBytes: 4_096 })
        .then((answer) => readAll(answer.body));
      await expect(attempt).rejects.toBeInstanceOf(ResponseTooLargeError);
      await expect(attempt).rejects.toThrow(`the answer of ${base} is larger than 4096 bytes`);
    },
  );

  it("stops reading on the caller's abort with its reason, and on the timeout, while the body arrives", async () => {
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const answer = await client.stream({
      method: 'GET',
      url: `${base}/dribble`,
      timeoutMs: 5_000,
      maxResponseBytes: 1_000,
      signal: controller.signal,
    });
    const pieces: string[] = [];
    const reading = (async () => {
      for await (const piece of answer.body) {
        pieces.push(Buffer.from(piece).toString('utf8'));
        controller.abort(reason);
      }
    })();
    await expect(reading).rejects.toBe(reason);
    expect(pieces).toEqual(['first']);
    const timed = await client.stream({
      method: 'GET',
      url: `${base}/dribble`,
      timeoutMs: 200,
      maxResponseBytes: 1_000,
    });
    await expect(readAll(timed.body)).rejects.toMatchObject({ name: 'OutboundRequestError', timedOut: true });
  });
});
