import { createServer, request, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { assertPortFree, freePort, portInUse } from '../../../../local/http/ports.ts';
import { type HttpListener, listenHttp } from '../../../../local/http/server.ts';

/** A server whose `/wait` requests stay open until `release()`; every other request is answered at once. */
function holdingServer(): { server: Server; release: () => void; waiting: () => number } {
  const held: Array<() => void> = [];
  const server = createServer((req, res) => {
    if (req.url === '/wait') held.push(() => res.end('released'));
    else res.end('ok');
  });
  return {
    server,
    release: () => {
      for (const answer of held.splice(0)) answer();
    },
    waiting: () => held.length,
  };
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const listeners: HttpListener[] = [];
afterEach(async () => {
  for (const listener of listeners.splice(0)) await listener.close(0);
});

describe('listenHttp', () => {
  it('Given port 0, When listening, Then it resolves with the port it bound on loopback', async () => {
    const listener = await listenHttp(holdingServer().server, { port: 0 });
    listeners.push(listener);

    expect(listener.port).toBeGreaterThan(0);
    expect(listener.url).toBe(`http://127.0.0.1:${listener.port}`);
    expect(await get(`${listener.url}/`)).toEqual({ status: 200, body: 'ok' });
  });

  it('Given a taken port, When listening, Then it rejects with the listen error itself', async () => {
    const first = await listenHttp(holdingServer().server, { port: 0 });
    listeners.push(first);

    await expect(listenHttp(holdingServer().server, { port: first.port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('Given a request in flight, When closed, Then it finishes, close reports it in time, and new connections are refused', async () => {
    const { server, release, waiting } = holdingServer();
    const listener = await listenHttp(server, { port: 0 });
    const answer = get(`${listener.url}/wait`);
    await until(() => waiting() === 1);

    const closed = listener.close(5_000);
    expect(listener.closing).toBe(true);
    release();

    expect(await answer).toEqual({ status: 200, body: 'released' });
    expect(await closed).toBe(true);
    await expect(get(`${listener.url}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('Given a request that never finishes, When the grace period ends, Then its connection is cut and close reports it', async () => {
    const { server, waiting } = holdingServer();
    const listener = await listenHttp(server, { port: 0 });
    const answer = get(`${listener.url}/wait`);
    await until(() => waiting() === 1);

    const finished = await listener.close(50);

    expect(finished).toBe(false);
    await expect(answer).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('Given work a request left running, When closed, Then close waits for it too', async () => {
    const listener = await listenHttp(holdingServer().server, { port: 0 });
    let finish: () => void = () => {};
    const background = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let closed = false;

    const closing = listener
      .close(5_000, () => background)
      .then((inTime) => {
        closed = true;
        return inTime;
      });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
    finish();

    expect(await closing).toBe(true);
  });

  it('Given close was called, When it is called again, Then both wait for the one close', async () => {
    const listener = await listenHttp(holdingServer().server, { port: 0 });

    const [first, second] = await Promise.all([listener.close(1_000), listener.close(0)]);

    expect([first, second]).toEqual([true, true]);
  });
});

describe('port probes', () => {
  it('Given a port a server holds, Then it is in use, and assertPortFree rejects with EADDRINUSE', async () => {
    const listener = await listenHttp(holdingServer().server, { port: 0 });
    listeners.push(listener);

    expect(await portInUse(listener.port)).toBe(true);
    await expect(assertPortFree(listener.port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('Given a free port, Then it is not in use', async () => {
    const port = await freePort();

    expect(port).toBeGreaterThan(0);
    expect(await portInUse(port)).toBe(false);
  });
});
