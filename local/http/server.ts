/**
 * How every local listener (the API front, the Lambda Invoke endpoint, the Scheduler emulator and
 * dynalite) starts and stops, written once: it listens on loopback only, resolves
 * with the bound port, rejects a taken port with the listen error itself (`code: 'EADDRINUSE'`, so
 * the caller can name the option that chose the port), and drains on close: no new connections,
 * requests in flight finish within a grace period, then what is left is cut.
 */
import type { Server, ServerResponse } from 'node:http';

/**
 * Local listeners serve this machine only. There is no option to listen elsewhere: the stack's
 * credentials are a file in the data directory, not a defence for a port open to a network.
 */
export const LOOPBACK = '127.0.0.1';

export interface ListenOptions {
  /** 0 picks a free port. */
  readonly port: number;
}

export interface HttpListener {
  /** The bound port: the one picked when 0 was asked for. */
  readonly port: number;
  /** `http://127.0.0.1:port`. */
  readonly url: string;
  /**
   * True once `close()` began. A request can still arrive on a connection that was busy when the
   * close began (keep-alive, pipelining); a handler that must not start new work answers it 503.
   */
  readonly closing: boolean;
  /**
   * Stops accepting connections, closes the idle ones, and waits up to `graceMs` for the requests in
   * flight and for `alsoWaitFor` (work a request started and outlives it, such as an asynchronous
   * invocation); then cuts every connection left and resolves once the server has closed, with
   * whether everything finished within the grace period. A second call waits for the first close.
   */
  close(graceMs: number, alsoWaitFor?: () => Promise<unknown>): Promise<boolean>;
}

/**
 * Listens with `server` (an `http.Server` from `createServer` or a library such as dynalite) and
 * counts its requests in flight, so `close()` can wait for them.
 */
export async function listenHttp(server: Server, options: ListenOptions): Promise<HttpListener> {
  const host = LOOPBACK;
  const requests = new InFlight();
  server.on('request', (_request, response) => {
    requests.started();
    // 'close' comes after the response is sent, or when the connection dies before that.
    response.once('close', requests.ended);
  });
  const port = await listen(server, options.port, host);

  let closing: Promise<boolean> | undefined;
  return {
    port,
    url: `http://${host}:${port}`,
    get closing() {
      return closing !== undefined;
    },
    close(graceMs, alsoWaitFor) {
      closing ??= (async () => {
        // The callback, not the 'close' event: dynalite's close() calls back once its store is
        // closed, with null for no error.
        const closed = new Promise<void>((resolve, reject) =>
          server.close((error) => (error ? reject(error) : resolve())),
        );
        // Keep-alive connections of SDK clients would otherwise hold the close open; idle ones carry no work.
        server.closeIdleConnections();
        const finished = await within(
          Promise.allSettled([requests.idle(), alsoWaitFor?.()]).then(() => true),
          graceMs,
        );
        server.closeAllConnections();
        await closed;
        return finished;
      })();
      return closing;
    },
  };
}

/** Resolves with the bound port; rejects with the listen error itself (e.g. EADDRINUSE). */
function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error(`listening on ${host}:${port} gave no TCP address`));
        return;
      }
      resolve(address.port);
    });
  });
}

/**
 * `work`'s value, or false once `ms` passed. A wall-clock timer on purpose: it bounds a shutdown,
 * which must end even when the parts run on a manual clock that nobody advances any more.
 */
async function within(work: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** A count of requests in flight (a counter, not a set: a burst of thousands is routine). */
class InFlight {
  #count = 0;
  #waiters: Array<() => void> = [];

  started(): void {
    this.#count++;
  }

  readonly ended = (): void => {
    this.#count--;
    if (this.#count > 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  };

  idle(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** A JSON answer no cache keeps (the listeners' answers are per request); returns its status. */
export function sendJson(res: ServerResponse, statusCode: number, value: unknown): number {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.statusCode = statusCode;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', body.length);
  res.end(body);
  return statusCode;
}
