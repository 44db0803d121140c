/**
 * SafeHttpClient sessions against a real local server that counts its connections: a session's
 * requests share keep-alive connections pooled by vetted address, every request is still vetted, close()
 * ends them, requests outside a session open their own, and a pooled connection the server closed does
 * not fail the request that would have used it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  OutboundRequestError,
  type Resolver,
  SafeHttpClient,
  SessionClosedError,
} from '../../../shared/adapters/http/index.ts';
import { UnsafeTargetError } from '../../../shared/errors.ts';
import type { OutboundSession } from '../../../shared/kinds/capabilities.ts';

interface Connection {
  /** The address the client connected to. */
  readonly localAddress: string;
  requests: number;
  closed: boolean;
}

interface CountingServer {
  readonly port: number;
  readonly connections: Connection[];
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse, connection: Connection) => void;

const answer: Handler = (request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(`${request.method} ${request.url}`);
  });
};

const servers: CountingServer[] = [];
const sessions: OutboundSession[] = [];

afterEach(async () => {
  for (const session of sessions.splice(0)) session.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Listens on every IPv4 address, so that 127.0.0.1 and 127.0.0.2 are two addresses of one server. */
async function countingServer(handle: Handler = answer): Promise<CountingServer> {
  const connections: Connection[] = [];
  const bySocket = new WeakMap<Socket, Connection>();
  const server = createServer((request, response) => {
    const connection = bySocket.get(request.socket);
    if (connection === undefined) throw new Error('a request on a connection never seen');
    connection.requests++;
    handle(request, response, connection);
  });
  server.on('connection', (socket: Socket) => {
    const connection: Connection = { localAddress: socket.localAddress ?? '', requests: 0, closed: false };
    connections.push(connection);
    bySocket.set(socket, connection);
    socket.on('close', () => {
      connection.closed = true;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const counting: CountingServer = {
    port: (server.address() as AddressInfo).port,
    connections,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  servers.push(counting);
  return counting;
}

/** A resolver for one host name that answers each address of `answers` in turn, the last one after. */
function changingDns(hostname: string, answers: readonly string[]): Resolver {
  let asked = 0;
  return async (name) => {
    if (name !== hostname) return [];
    const address = answers[Math.min(asked++, answers.length - 1)] ?? '';
    return [{ address, family: 4 }];
  };
}

function sessionOf(client: SafeHttpClient): OutboundSession {
  const session = client.session();
  sessions.push(session);
  return session;
}

const local = { mode: 'local', allowedHosts: [] } as const;
const get = (url: string) => ({ method: 'GET', url, timeoutMs: 5_000, maxResponseBytes: 1_000 }) as const;

/** Until `condition` holds: a close travels to the server asynchronously. */
async function eventually(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 200 && !condition(); round++) await sleep(10);
}

describe('SafeHttpClient sessions', () => {
  it('Given a session, When it sends several requests of every form to one host, Then they all go over one connection', async () => {
    const server = await countingServer();
    const session = sessionOf(new SafeHttpClient(local));
    const base = `http://127.0.0.1:${server.port}`;
    // When
    const first = await session.request(get(`${base}/a`));
    const posted = await session.post(`${base}/b`, '{}', {}, { timeoutMs: 5_000 });
    const streamed = await session.stream(get(`${base}/c`));
    const pieces: Buffer[] = [];
    for await (const piece of streamed.body) pieces.push(Buffer.from(piece));
    const last = await session.request({ ...get(`${base}/d`), method: 'PUT', body: 'x' });
    // Then
    expect([first.body, posted.bodyExcerpt, Buffer.concat(pieces).toString(), last.body]).toEqual([
      'GET /a',
      'POST /b',
      'GET /c',
      'PUT /d',
    ]);
    expect(server.connections.map((connection) => connection.requests)).toEqual([4]);
  });

  it('Given requests outside a session, When two are sent, Then each opened its own connection, closed after it', async () => {
    const server = await countingServer();
    const client = new SafeHttpClient(local);
    const base = `http://127.0.0.1:${server.port}`;
    await client.request(get(`${base}/a`));
    await client.post(`${base}/b`, '{}', {}, { timeoutMs: 5_000 });
    await eventually(() => server.connections.every((connection) => connection.closed));
    expect(server.connections).toEqual([
      { localAddress: '127.0.0.1', requests: 1, closed: true },
      { localAddress: '127.0.0.1', requests: 1, closed: true },
    ]);
  });

  it('Given a session, When it is closed, Then the server sees its connection end and the session sends nothing more', async () => {
    const server = await countingServer();
    const session = sessionOf(new SafeHttpClient(local));
    const base = `http://127.0.0.1:${server.port}`;
    await session.request(get(`${base}/a`));
    await session.request(get(`${base}/b`));
    expect(server.connections).toEqual([{ localAddress: '127.0.0.1', requests: 2, closed: false }]);
    // When
    session.close();
    // Then
    await eventually(() => server.connections[0]?.closed === true);
    expect(server.connections).toEqual([{ localAddress: '127.0.0.1', requests: 2, closed: true }]);
    await expect(session.request(get(`${base}/c`))).rejects.toBeInstanceOf(SessionClosedError);
    expect(server.connections).toHaveLength(1);
  });

  it('Given a host whose DNS answer changes to an address the guard refuses, When a session sends to it again, Then the request is refused and nothing is sent', async () => {
    const server = await countingServer();
    // Locally, plain http may reach loopback addresses only: 10.0.0.7 is refused as a private address is in AWS.
    const resolve = changingDns('sink.tickwork.test', ['127.0.0.1', '10.0.0.7']);
    const session = sessionOf(new SafeHttpClient(local, { resolve }));
    const url = `http://sink.tickwork.test:${server.port}/page`;
    await session.request(get(url));
    // When
    const again = session.request(get(url));
    // Then
    await expect(again).rejects.toBeInstanceOf(UnsafeTargetError);
    await expect(again).rejects.toThrow('resolves to 10.0.0.7');
    expect(server.connections).toEqual([{ localAddress: '127.0.0.1', requests: 1, closed: false }]);
  });

  it("Given a host whose DNS answer changes to another allowed address, When a session sends to it again, Then the request goes to the new address on a new connection, not over the old address's", async () => {
    const server = await countingServer();
    const resolve = changingDns('sink.tickwork.test', ['127.0.0.1', '127.0.0.2']);
    const session = sessionOf(new SafeHttpClient(local, { resolve }));
    const url = `http://sink.tickwork.test:${server.port}/page`;
    await session.request(get(url));
    // When
    await session.request(get(url));
    await session.request(get(url));
    // Then
    expect(server.connections.map(({ localAddress, requests }) => [localAddress, requests])).toEqual([
      ['127.0.0.1', 1],
      ['127.0.0.2', 2],
    ]);
  });

  it('Given a server that closes idle connections quickly, When a session sends after its connection was closed, Then the request succeeds on a new connection', async () => {
    const server = await countingServer((request, response) => {
      answer(request, response, { localAddress: '', requests: 0, closed: false });
      // The server's idle timeout, shorter than the pause below and not announced in a Keep-Alive header.
      response.on('finish', () => setTimeout(() => request.socket.end(), 20));
    });
    const session = sessionOf(new SafeHttpClient(local));
    const base = `http://127.0.0.1:${server.port}`;
    await session.request(get(`${base}/a`));
    await eventually(() => server.connections[0]?.closed === true);
    // When
    const later = await session.request(get(`${base}/b`));
    // Then
    expect(later.body).toBe('GET /b');
    expect(server.connections.map((connection) => connection.requests)).toEqual([1, 1]);
  });

  it('Given a server that drops a kept connection as a request arrives on it, When the request is safe to repeat, Then it is sent again on a new connection; otherwise it fails', async () => {
    // The crossing of the server's idle close and our request: the request reaches a closing socket.
    const server = await countingServer((request, response, connection) => {
      if (connection.requests > 1) {
        request.socket.destroy();
        return;
      }
      answer(request, response, connection);
    });
    const session = sessionOf(new SafeHttpClient(local));
    const base = `http://127.0.0.1:${server.port}`;
    const warm = () => session.request(get(`${base}/warm`));
    // When / Then: a GET
    await warm();
    expect((await session.request(get(`${base}/read`))).body).toBe('GET /read');
    // a POST carrying an idempotency key
    await warm();
    const keyed = await session.post(`${base}/sink`, '{}', { 'Idempotency-Key': 'k1' }, { timeoutMs: 5_000 });
    expect(keyed).toEqual({ status: 200, bodyExcerpt: 'POST /sink' });
    // a POST without one: the server may have acted on it, so it is not sent again
    await warm();
    const plain = session.post(`${base}/hook`, '{}', {}, { timeoutMs: 5_000 });
    await expect(plain).rejects.toBeInstanceOf(OutboundRequestError);
    await expect(plain).rejects.toThrow(`request to ${base} failed: socket hang up`);
  });
});
