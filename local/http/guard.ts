/**
 * What every local listener checks before its protocol sees a request. The stack serves the programs
 * of the user who started it, never a web page: a page in a browser can reach 127.0.0.1 too, and a
 * listener that answers it (or answers its CORS preflight) lets any site drive the stack. Browsers mark
 * every cross-origin request and every POST with an `Origin` header, and no SDK or CLI sends one, so
 * a request that carries one is refused before anything else, and no listener sends `Access-Control-*`.
 * Then the AWS-protocol listeners (Scheduler, Lambda, DynamoDB) read the body, bounded, and verify its
 * SigV4 signature with the stack's credentials; the API front checks its bearer token instead.
 * One exception, made by the API front before this guard: its own dashboard page (local/api-front/
 * dashboard.ts) is served to a browser, behind a one-time login code and a session cookie, and its API
 * calls count only same-origin with a marker header no cross-site page can send without a preflight.
 *
 * Refusals are typed errors; each protocol maps them at its own error boundary, in its own shape.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { type Clock, systemClock } from '../../shared/clock.ts';
import type { LocalCredentials } from '../credentials.ts';
import { verifySignature } from './sigv4.ts';

/** The request comes from a page in a browser (it carries an `Origin` header). */
export class BrowserRequestError extends Error {
  constructor(readonly origin: string) {
    super(
      `requests from web pages are refused (this one carries Origin: ${origin}); the local stack serves programs on this machine, such as the SDK, the AWS CLI and tickwork`,
    );
    this.name = 'BrowserRequestError';
  }
}

/** The body is larger than the listener reads at all. */
export class BodyTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`the request body of ${size} bytes is larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The refusal of a request from a web page (one that carries an `Origin` header), or undefined. */
export function browserRequestRefusal(headers: IncomingHttpHeaders): BrowserRequestError | undefined {
  return headers.origin === undefined ? undefined : new BrowserRequestError(headers.origin);
}

export interface RequestGuardOptions {
  readonly credentials: LocalCredentials;
  /** The Region the signature must be scoped to. */
  readonly region: string;
  /** The signing name the signature must be scoped to: `scheduler`, `lambda`, `dynamodb`. */
  readonly service: string;
  /** The body is read up to this size; a larger one is refused with BodyTooLargeError. */
  readonly maxBodyBytes: number;
  /**
   * What a signature's date is compared with. The system clock even when a part runs on a manual
   * clock: a client signs with its wall-clock time, not with a part's simulated one.
   * @default systemClock
   */
  readonly clock?: Clock;
}

/**
 * Admits a request: resolves with its whole body once the request carries no `Origin` and a valid
 * signature; rejects with BrowserRequestError, BodyTooLargeError or SignatureError, after draining
 * what is left of the body so the client reads the answer instead of a reset connection.
 */
export type RequestGuard = (request: IncomingMessage) => Promise<Buffer>;

export function createRequestGuard(options: RequestGuardOptions): RequestGuard {
  const clock = options.clock ?? systemClock;
  return async (request) => {
    try {
      const refusal = browserRequestRefusal(request.headers);
      if (refusal !== undefined) throw refusal;
      const body = await readBoundedBody(request, options.maxBodyBytes);
      verifySignature(
        { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headersDistinct, body },
        {
          credentials: options.credentials,
          region: options.region,
          service: options.service,
          now: clock.now(),
        },
      );
      return body;
    } catch (error) {
      request.resume();
      throw error;
    }
  };
}

/**
 * The whole body, or BodyTooLargeError once it passes `limit` (declared or received); what follows is
 * not read. Events, not `for await`: leaving an async iterator early destroys the request, and with it
 * the socket the refusal must be answered on.
 */
export function readBoundedBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLargeError(declared, limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.off('end', onEnd);
        reject(new BodyTooLargeError(size, limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', reject);
  });
}
