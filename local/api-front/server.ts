/**
 * The local stand-in for API Gateway (HTTP API, Lambda proxy integration, payload format 2.0): an
 * HTTP server on 127.0.0.1 that refuses requests from web pages (an `Origin` header: no CORS, see
 * local/http/guard.ts), checks the bearer token, turns each request into a 2.0 event, invokes the API
 * function and returns its response, with API Gateway's payload and time limits.
 *
 * It also serves the dashboard (dashboard.ts): the page under /dashboard, reached with a one-time login
 * code, whose API requests (/dashboard/api/…) are authorized by the session instead of the token and
 * then go to the API function like any other.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type Clock, systemClock } from '../../shared/clock.ts';
import { type Logger, type LogLevel, silentLogger } from '../../shared/logger.ts';
import { BodyTooLargeError, browserRequestRefusal, readBoundedBody } from '../http/guard.ts';
import { LOOPBACK, listenHttp, sendJson } from '../http/server.ts';
import { describeError, FunctionTimeoutError } from '../lambda/errors.ts';
import {
  DASHBOARD_HEADER,
  dashboardLoginUrl,
  isDashboardPath,
  LOGIN_CODES_PATH,
  routeDashboard,
} from './dashboard.ts';
import { DashboardGate } from './dashboard-gate.ts';
import { toHttpApiEvent } from './event.ts';
import { type HttpResponse, toHttpResponse } from './response.ts';
import { bearerTokenMatches } from './token.ts';

/** API Gateway's payload limit: 10 MB. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** API Gateway HTTP API's maximum integration timeout: 30 s. */
export const INTEGRATION_TIMEOUT_MS = 30_000;

export interface ApiFrontOptions {
  /** 0 picks a free port; the front listens on 127.0.0.1 only. */
  readonly port: number;
  /** The bearer token every request must carry. */
  readonly token: string;
  /** Where the token is kept, named in the 401 message. */
  readonly tokenFile?: string;
  /** Invokes the API function with the event and resolves with its result. */
  readonly invoke: (event: APIGatewayProxyEventV2) => Promise<unknown>;
  /** @default MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
  /** @default INTEGRATION_TIMEOUT_MS */
  readonly integrationTimeoutMs?: number;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** @default 'local' */
  readonly apiId?: string;
  readonly clock?: Clock;
  /**
   * Gets a `request` line, as component `api`, for each request the front answers by itself (401,
   * 403 to a web page, 413, 503 while closing, 504, 500 from a failed invocation): the API function logs every request
   * it handles, so each request is logged once. @default silent
   */
  readonly log?: Logger;
}

/** What the dashboard's 401 page tells a user whose link is spent. */
const NEW_LINK_HINT =
  'run `tickwork dashboard` in the project (it asks this stack for one), or restart the local stack (`npm start`), which prints one';

/** An answer of the front itself, and the level its line is logged at. */
interface OwnAnswer {
  readonly status: number;
  readonly level: LogLevel;
  readonly error?: string;
}

export interface ApiFront {
  /** e.g. `http://127.0.0.1:3000` */
  readonly url: string;
  readonly port: number;
  /** A dashboard URL with a new one-time login code (`…/dashboard?code=…`). */
  dashboardLoginUrl(): string;
  /**
   * Stops accepting requests, lets in-flight ones finish for up to `graceMs`, then closes every
   * connection.
   */
  close(graceMs?: number): Promise<void>;
}

/** Resolves once listening; a taken port rejects with the listen error itself (`code: 'EADDRINUSE'`). */
export async function startApiFront(options: ApiFrontOptions): Promise<ApiFront> {
  const host = LOOPBACK;
  const clock = options.clock ?? systemClock;
  const log = (options.log ?? silentLogger).child({ component: 'api' });
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  let port = options.port;
  const gate = new DashboardGate({ clock });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = clock.now();
    const requestId = randomBytes(10).toString('base64');
    res.setHeader('apigw-requestid', requestId);
    const own = await answer(req, res, requestId, started);
    if (own === undefined) return;
    log[own.level]('request', {
      requestId,
      method: req.method,
      path: (req.url ?? '/').split('?')[0],
      status: own.status,
      durationMs: clock.now().getTime() - started.getTime(),
      ...(own.error === undefined ? {} : { error: own.error }),
    });
  };

  /** Answers the request; says how when the front answered it by itself (undefined: the function did). */
  const answer = async (
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    started: Date,
  ): Promise<OwnAnswer | undefined> => {
    let url = req.url ?? '/';
    let fromDashboard = false;
    if (isDashboardPath(url) && url.split('?')[0] !== LOGIN_CODES_PATH) {
      if (listener.closing) {
        return own(sendError(res, 503, 'ServiceUnavailable', 'the local API is shutting down'), 'info');
      }
      const route = await routeDashboard(req, res, { gate, port, newLink: NEW_LINK_HINT });
      if (route.kind === 'answered') return own(route.status, route.level, route.error);
      if (route.kind === 'api') {
        url = route.url;
        fromDashboard = true;
      }
    }
    const refusal = fromDashboard ? undefined : browserRequestRefusal(req.headers);
    if (refusal !== undefined) {
      return own(
        sendError(res, 403, 'Forbidden', refusal.message, { close: !requestComplete(req) }),
        'warn',
        refusal.message,
      );
    }
    if (listener.closing) {
      return own(
        sendError(res, 503, 'ServiceUnavailable', 'the local API is shutting down', { close: true }),
        'info',
      );
    }
    if (!fromDashboard && !bearerTokenMatches(req.headers.authorization, options.token)) {
      const where = options.tokenFile === undefined ? '' : ` (kept in ${options.tokenFile})`;
      return own(
        sendError(
          res,
          401,
          'Unauthorized',
          `send the header "Authorization: Bearer <token>" with the token tickwork local printed${where}`,
          { close: !requestComplete(req), extraHeaders: [['www-authenticate', 'Bearer']] },
        ),
        'info',
      );
    }
    let body: Buffer;
    try {
      body = await readBoundedBody(req, maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      // The rest is not read: the answer closes the connection.
      req.pause();
      return own(sendTooLarge(res, maxBodyBytes), 'info');
    }

    if (url.split('?')[0] === LOGIN_CODES_PATH) {
      if (req.method !== 'POST') {
        return own(sendError(res, 405, 'MethodNotAllowed', `${LOGIN_CODES_PATH} answers POST only`), 'info');
      }
      return own(
        sendJson(res, 201, { url: dashboardLoginUrl(`http://${host}:${port}`, gate.issueCode()) }),
        'info',
      );
    }

    const event = toHttpApiEvent({
      method: req.method ?? 'GET',
      url,
      httpVersion: req.httpVersion,
      // The session cookie and the page's marker are the front's business, as the bearer token is.
      headers: fromDashboard ? withoutDashboardHeaders(req.headersDistinct) : req.headersDistinct,
      body,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      requestId,
      time: started,
      accountId: options.accountId ?? '000000000000',
      apiId: options.apiId ?? 'local',
      fallbackDomainName: `${host}:${port}`,
    });

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), integrationTimeoutMs);
    });
    let response: HttpResponse;
    try {
      const result = await Promise.race([options.invoke(event), timedOut]);
      if (result === 'timeout') {
        const message = `the API function did not answer within the ${integrationTimeoutMs / 1000} s integration timeout`;
        return own(sendError(res, 504, 'GatewayTimeout', message), 'warn', message);
      }
      response = toHttpResponse(result);
    } catch (error) {
      if (error instanceof FunctionTimeoutError) {
        return own(
          sendError(res, 504, 'GatewayTimeout', `the API function timed out after ${error.timeoutSeconds} s`),
          'warn',
          describeError(error),
        );
      }
      // As API Gateway: a failed or malformed invocation is a bare 500, no internals (the log has them).
      return own(
        sendError(res, 500, 'InternalServerError', 'Internal Server Error'),
        'error',
        describeError(error),
      );
    } finally {
      clearTimeout(timer);
    }
    res.statusCode = response.statusCode;
    const grouped = new Map<string, string[]>();
    for (const [name, value] of response.headers) grouped.set(name, [...(grouped.get(name) ?? []), value]);
    for (const [name, values] of grouped)
      res.setHeader(name, values.length === 1 ? (values[0] ?? '') : values);
    res.setHeader('content-length', response.body.length);
    res.end(response.body);
    return undefined;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error('request failed', {
        method: req.method,
        path: (req.url ?? '/').split('?')[0],
        error: describeError(error),
      });
      if (!res.headersSent) sendError(res, 500, 'InternalServerError', 'Internal Server Error');
      else res.destroy();
    });
  });
  const listener = await listenHttp(server, { port: options.port });
  port = listener.port;

  return {
    url: listener.url,
    port,
    dashboardLoginUrl: () => dashboardLoginUrl(listener.url, gate.issueCode()),
    async close(graceMs = 10_000) {
      await listener.close(graceMs);
    },
  };
}

function own(status: number, level: LogLevel, error?: string): OwnAnswer {
  return error === undefined ? { status, level } : { status, level, error };
}

function withoutDashboardHeaders(
  headers: IncomingMessage['headersDistinct'],
): IncomingMessage['headersDistinct'] {
  const kept: IncomingMessage['headersDistinct'] = {};
  for (const [name, values] of Object.entries(headers)) {
    if (
      name !== 'cookie' &&
      name !== 'origin' &&
      !name.startsWith('sec-fetch-') &&
      name !== DASHBOARD_HEADER
    ) {
      kept[name] = values;
    }
  }
  return kept;
}

function requestComplete(req: IncomingMessage): boolean {
  return (
    req.complete ||
    (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined)
  );
}

function sendTooLarge(res: ServerResponse, limit: number): number {
  return sendError(
    res,
    413,
    'PayloadTooLarge',
    `the request body exceeds ${limit} bytes (API Gateway's limit)`,
    {
      close: true,
    },
  );
}

/**
 * Error bodies of the front itself, in the API's error shape. `close` ends the connection after the
 * response, for requests whose body was left unread.
 */
function sendError(
  res: ServerResponse,
  statusCode: number,
  type: string,
  message: string,
  options: { close?: boolean; extraHeaders?: ReadonlyArray<readonly [string, string]> } = {},
): number {
  const body = Buffer.from(JSON.stringify({ error: { type, message } }), 'utf8');
  res.statusCode = statusCode;
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', body.length);
  for (const [name, value] of options.extraHeaders ?? []) res.setHeader(name, value);
  if (options.close === true) {
    res.setHeader('connection', 'close');
    res.once('finish', () => res.req.socket.end());
  }
  res.end(body);
  return statusCode;
}
