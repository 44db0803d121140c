/**
 * The listener guard in front of dynalite. dynalite checks that an Authorization header exists but
 * not what it says, and answers any page's CORS preflight with `Access-Control-Allow-Origin: *`: left
 * alone, any web page could Scan the tables or rewrite a job's webhook URL. So dynalite's own request
 * handler is taken off its server and called only for requests the guard admitted, which never carry
 * an `Origin` (so dynalite's CORS code is never reached) and are signed with the stack's credentials.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { BodyTooLargeError, BrowserRequestError, type RequestGuard } from '../http/guard.ts';
import { SignatureError } from '../http/sigv4.ts';

/** dynalite's own limit on a request body. */
export const DYNALITE_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Puts `guard` in front of the request handler of `server`, a server that dynalite() returned. */
export function guardDynalite(server: Server, guard: RequestGuard): void {
  const handlers = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    guard(request).then(
      (body) => {
        const replayed = replay(request, body);
        for (const handler of handlers) handler(replayed, response);
      },
      (error: unknown) => refuse(response, error),
    );
  });
}

/**
 * A stand-in for a request whose body the guard already read: dynalite reads the body from 'data' and
 * 'end' events and looks at method, url and headers, which this one replays.
 */
function replay(request: IncomingMessage, body: Buffer): IncomingMessage {
  const stream = Readable.from(body.length === 0 ? [] : [body]);
  return Object.assign(stream, {
    method: request.method,
    url: request.url,
    headers: request.headers,
    headersDistinct: request.headersDistinct,
    rawHeaders: request.rawHeaders,
    httpVersion: request.httpVersion,
    socket: request.socket,
  }) as unknown as IncomingMessage;
}

/** DynamoDB's JSON 1.0 error shape; authentication errors are 400s there, as DynamoDB answers them. */
function refuse(response: ServerResponse, error: unknown): void {
  if (error instanceof BodyTooLargeError) {
    // As dynalite answers an oversized body: 413 and nothing else.
    response.writeHead(413).end();
    return;
  }
  const [status, code, message] =
    error instanceof SignatureError
      ? [400, error.code, error.message]
      : error instanceof BrowserRequestError
        ? [403, 'AccessDeniedException', error.message]
        : [500, 'InternalServerError', 'the guard of the local DynamoDB engine failed'];
  const body = JSON.stringify({ __type: `com.amazon.coral.service#${code}`, message });
  response
    .writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(body),
    })
    .end(body);
}
