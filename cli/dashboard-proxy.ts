/**
 * `tickwork dashboard --url`'s listener: the dashboard page on 127.0.0.1, behind its own one-time login
 * code and session (the same routes and checks as the local API front: local/api-front/dashboard.ts),
 * whose API requests it sends on to the deployed API signed with SigV4 by the caller's AWS credentials
 * (the client's target: client/targets.ts), so API Gateway's IAM authorization stays on and the browser
 * never holds a credential. Only the API's own routes are sent on (shared/api/routes.ts): the listener
 * signs nothing else.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type ApiTarget, apiUrl } from '../client/http.ts';
import { dashboardLoginUrl, routeDashboard } from '../local/api-front/dashboard.ts';
import { DashboardGate } from '../local/api-front/dashboard-gate.ts';
import { BodyTooLargeError, readBoundedBody } from '../local/http/guard.ts';
import { listenHttp, sendJson } from '../local/http/server.ts';
import { apiRoutes, type HttpMethod } from '../shared/api/routes.ts';
import { type Clock, systemClock } from '../shared/clock.ts';

/** API Gateway's payload limit: a larger body would be refused there anyway. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** A little over API Gateway's 30 s integration timeout, so its own 504 arrives rather than ours. */
const UPSTREAM_TIMEOUT_MS = 35_000;

export interface DashboardProxyOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** The deployed API and how its requests are signed. */
  readonly target: ApiTarget;
  /** Expiry of login codes and sessions. @default systemClock */
  readonly clock?: Clock;
  /** How to get a new login link, for the 401 page. */
  readonly newLink: string;
}

export interface DashboardProxy {
  readonly url: string;
  readonly port: number;
  /** The page's URL with a new one-time login code. */
  loginUrl(): string;
  close(): Promise<void>;
}

/** The route table as matchers: a method and a path whose labels are one non-empty segment each. */
const ROUTES = apiRoutes.map(({ method, path }) => ({
  method,
  pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`),
}));

export function isApiRoute(method: string, path: string): method is HttpMethod {
  return ROUTES.some((route) => route.method === method && route.pattern.test(path));
}

export async function startDashboardProxy(options: DashboardProxyOptions): Promise<DashboardProxy> {
  const gate = new DashboardGate({ clock: options.clock ?? systemClock });
  let port = options.port;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const route = await routeDashboard(req, res, { gate, port, newLink: options.newLink });
    if (route.kind === 'answered') return;
    if (route.kind === 'elsewhere') {
      sendJson(res, 404, {
        error: { type: 'NotFound', message: 'this listener serves the dashboard, at /dashboard' },
      });
      return;
    }
    const [path = '/', query = ''] = route.url.split(/\?(.*)/s, 2);
    const method = req.method ?? 'GET';
    if (!isApiRoute(method, path)) {
      sendJson(res, 404, { error: { type: 'NotFound', message: `the API has no route ${method} ${path}` } });
      return;
    }
    let body: Buffer;
    try {
      body = await readBoundedBody(req, MAX_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      req.resume();
      sendJson(res, 413, { error: { type: 'PayloadTooLarge', message: error.message } });
      return;
    }
    await forward(res, options.target, method, path, query, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, 502, {
        error: {
          type: 'BadGateway',
          message: `the dashboard could not reach ${options.target.description}: ${messageOf(error)}`,
        },
      });
    });
  });
  const listener = await listenHttp(server, { port: options.port });
  port = listener.port;
  return {
    url: listener.url,
    port,
    loginUrl: () => dashboardLoginUrl(listener.url, gate.issueCode()),
    close: async () => {
      await listener.close(2_000);
    },
  };
}

/** Sends the request to the API, signed, and its answer (status, content type, body) back to the page. */
async function forward(
  res: ServerResponse,
  target: ApiTarget,
  method: HttpMethod,
  path: string,
  rawQuery: string,
  body: Buffer,
): Promise<void> {
  // As the client builds it: the base URL's stage in front of the route, the query re-encoded as RFC 3986
  // (SigV4's canonical query string) whatever the browser sent, repeated keys kept.
  const url = apiUrl(target.baseUrl, path, [...new URLSearchParams(rawQuery)]);
  const text = body.length === 0 ? undefined : body.toString('utf8');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (text !== undefined) headers['content-type'] = 'application/json';
  const signed = await target.authorize({ method, url, headers, body: text });
  const answer = await fetch(url, {
    method,
    headers: { ...headers, ...signed },
    body: text,
    redirect: 'manual',
    signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
  });
  const answerBody = Buffer.from(await answer.arrayBuffer());
  res.statusCode = answer.status;
  res.setHeader('content-type', answer.headers.get('content-type') ?? 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', answerBody.length);
  res.end(answerBody);
}

function messageOf(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const text = error instanceof Error ? error.message : String(error);
  return cause instanceof Error && cause.message !== text ? `${text} (${cause.message})` : text;
}
