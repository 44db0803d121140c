/**
 * A stand-in for a struggling Scheduler endpoint: an HTTP server in front of the emulator that answers
 * the next N matching requests with a service error (as the real service does: status, the
 * `x-amzn-errortype` header and a JSON body), then forwards everything to the emulator unchanged.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultPlan {
  /** Error code, e.g. ThrottlingException. */
  readonly code: string;
  readonly status: number;
  /** How many matching requests fail; Infinity for all. */
  remaining: number;
  /** Which requests it applies to. @default every request */
  readonly matches?: (method: string, path: string) => boolean;
}

export interface FaultyScheduler {
  readonly endpoint: string;
  /** Requests seen, as `METHOD path`. */
  readonly requests: string[];
  fail(plan: Omit<FaultPlan, 'remaining'> & { readonly times: number }): void;
  close(): Promise<void>;
}

export async function startFaultyScheduler(upstream: string): Promise<FaultyScheduler> {
  const target = new URL(upstream);
  const requests: string[] = [];
  let plan: FaultPlan | undefined;

  const server: Server = createServer((req: IncomingMessage, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    requests.push(`${method} ${path.split('?')[0]}`);
    const active = plan;
    if (active !== undefined && active.remaining > 0 && (active.matches?.(method, path) ?? true)) {
      active.remaining -= 1;
      req.resume();
      res.writeHead(active.status, { 'content-type': 'application/json', 'x-amzn-errortype': active.code });
      res.end(JSON.stringify({ Message: `${active.code} from the faulty endpoint` }));
      return;
    }
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method, path, headers: req.headers },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    forward.on('error', () => {
      res.writeHead(502, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'InternalServerException',
      });
      res.end(JSON.stringify({ Message: 'upstream unreachable' }));
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    fail: ({ times, ...rest }) => {
      plan = { ...rest, remaining: times };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A Clock whose sleeps return at once and are recorded: retries are tested without waiting. */
export function recordingClock(start: Date) {
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: {
      now: () => new Date(start.getTime() + sleeps.reduce((sum, ms) => sum + ms, 0)),
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
    },
  };
}
