/**
 * Outbound HTTP for job kinds: a request with a timeout and a bounded answer, to an address the
 * outbound-safety guard has checked. Redirects are not followed (a 3xx is just a non-2xx answer), so a receiver cannot bounce
 * the request to an address the guard would refuse. A request opens its own connection; a session's
 * requests reuse keep-alive connections to the same vetted address (pool.ts), each still vetted.
 */
import http, { type Agent, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type {
  HttpAnswer,
  HttpRequest,
  HttpResponse,
  HttpStreamResponse,
  OutboundHttp,
  OutboundRequests,
  OutboundSession,
  PostOptions,
} from '../../kinds/capabilities.ts';
import {
  type OutboundPolicy,
  type Resolver,
  systemResolver,
  type VettedTarget,
  vetTarget,
} from './outbound-safety.ts';
import { ConnectionPool, type Connections, FRESH_CONNECTIONS } from './pool.ts';

/** The request did not get an answer: network error, or no answer in time. */
export class OutboundRequestError extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'OutboundRequestError';
  }
}

export const EXCERPT_CHARS = 500;
/** Read no more of a `post` answer than this: only an excerpt is kept. */
const MAX_BODY_BYTES = 16 * 1024;

export interface SafeHttpClientOptions {
  /** Sent on every request unless the caller sets one, e.g. `tickwork/0.1.0`. */
  readonly userAgent?: string;
  /** @default the system resolver */
  readonly resolve?: Resolver;
}

/** The answer's body was longer than the request allowed. */
export class ResponseTooLargeError extends Error {
  constructor(
    readonly url: string,
    readonly limitBytes: number,
  ) {
    super(`the answer of ${url} is larger than ${limitBytes} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

/** The requests, on the connections `connections` gives: fresh ones, or a session's pool. */
class GuardedRequests implements OutboundRequests {
  private readonly resolve: Resolver;
  private readonly userAgent: string | undefined;

  constructor(
    protected readonly policy: OutboundPolicy,
    protected readonly options: SafeHttpClientOptions,
    private readonly connections: Connections,
  ) {
    this.resolve = options.resolve ?? systemResolver;
    this.userAgent = options.userAgent;
  }

  async post(
    url: string,
    body: string,
    headers: Readonly<Record<string, string>>,
    options: PostOptions,
  ): Promise<HttpAnswer> {
    const answer = await this.exchange(
      { method: 'POST', url, body, headers, timeoutMs: options.timeoutMs, maxResponseBytes: MAX_BODY_BYTES },
      options.signal,
      'excerpt',
    );
    const text = answer.body;
    return {
      status: answer.status,
      bodyExcerpt: text.length > EXCERPT_CHARS ? text.slice(0, EXCERPT_CHARS) : text,
    };
  }

  request(request: HttpRequest): Promise<HttpResponse> {
    return this.exchange(request, request.signal, 'whole');
  }

  private async exchange(
    request: HttpRequest,
    callerSignal: AbortSignal | undefined,
    read: BodyRead,
  ): Promise<HttpResponse> {
    const { target, agent, signal, failure } = await this.prepare(request, callerSignal);
    try {
      const response = await open(target, this.withAgent(request), signal, agent);
      const body = await readBody(response, request.maxResponseBytes, read);
      return { status: response.statusCode ?? 0, headers: flatHeaders(response), body };
    } catch (error) {
      throw failure(error);
    }
  }

  async stream(request: HttpRequest): Promise<HttpStreamResponse> {
    const { target, agent, signal, failure } = await this.prepare(request, request.signal);
    let response: IncomingMessage;
    try {
      response = await open(target, this.withAgent(request), signal, agent);
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > request.maxResponseBytes) {
        response.destroy();
        throw new ResponseTooLargeError('', request.maxResponseBytes);
      }
    } catch (error) {
      throw failure(error);
    }
    return {
      status: response.statusCode ?? 0,
      headers: flatHeaders(response),
      body: guardedBody(response, request.maxResponseBytes, failure),
    };
  }

  private withAgent(request: HttpRequest): HttpRequest {
    const headers = request.headers ?? {};
    return {
      ...request,
      headers: this.userAgent === undefined ? headers : { 'User-Agent': this.userAgent, ...headers },
    };
  }

  /** Vets the target; its connections; the signal (timeout and caller's); how a failure is told to the caller. */
  private async prepare(request: HttpRequest, callerSignal: AbortSignal | undefined) {
    const target = await vetTarget(request.url, this.policy, this.resolve);
    const agent = this.connections.agentFor(target);
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = callerSignal === undefined ? timeout : AbortSignal.any([timeout, callerSignal]);
    const where = `${target.url.protocol}//${target.url.host}`;
    const failure = (error: unknown): unknown => {
      if (error instanceof ResponseTooLargeError) return new ResponseTooLargeError(where, error.limitBytes);
      if (timeout.aborted) {
        return new OutboundRequestError(`no answer from ${where} within ${request.timeoutMs / 1000} s`, true);
      }
      if (callerSignal?.aborted === true) return callerSignal.reason ?? error;
      const detail = error instanceof Error ? error.message : String(error);
      return new OutboundRequestError(`request to ${where} failed: ${detail}`, false, { cause: error });
    };
    return { target, agent, signal, failure };
  }
}

export class SafeHttpClient extends GuardedRequests implements OutboundHttp {
  constructor(policy: OutboundPolicy, options: SafeHttpClientOptions = {}) {
    super(policy, options, FRESH_CONNECTIONS);
  }

  session(): OutboundSession {
    return new SafeHttpSession(this.policy, this.options);
  }
}

class SafeHttpSession extends GuardedRequests implements OutboundSession {
  constructor(
    policy: OutboundPolicy,
    options: SafeHttpClientOptions,
    private readonly pool = new ConnectionPool(),
  ) {
    super(policy, options, pool);
  }

  close(): void {
    this.pool.close();
  }
}

/** The body piece by piece, within the byte cap; the connection is closed however the reading ends. */
async function* guardedBody(
  response: IncomingMessage,
  limit: number,
  failure: (error: unknown) => unknown,
): AsyncGenerator<Uint8Array> {
  let size = 0;
  try {
    for await (const chunk of response) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > limit) throw new ResponseTooLargeError('', limit);
      yield buffer;
    }
  } catch (error) {
    throw failure(error);
  } finally {
    response.destroy();
  }
}

/** `excerpt`: keep what fits and stop reading (only a prefix is wanted); `whole`: a longer body is an error. */
type BodyRead = 'excerpt' | 'whole';

/**
 * Sends the request; resolves with the response once its head arrived (the body not read yet).
 *
 * A pooled socket the server closed while idle is dropped by the agent when its close arrives; one
 * closed while the request was being written (the server's idle timeout and the request crossing)
 * fails it with a reset before any answer. Such a request almost always never reached the server's
 * handler, but a reset cannot prove it: it is sent once more, on a fresh connection, only when it is
 * safe to repeat (as HTTP clients do): a GET, or one carrying an `Idempotency-Key` (the receiver drops
 * a repeat). Any other request fails as it would have outside a session.
 */
async function open(
  target: VettedTarget,
  request: HttpRequest,
  signal: AbortSignal,
  agent: Agent | false,
): Promise<IncomingMessage> {
  try {
    return await send(target, request, signal, agent);
  } catch (error) {
    if (!(error instanceof StaleSocketError)) throw error;
    if (!repeatable(request)) throw error.cause;
    return send(target, request, signal, false);
  }
}

/** A request failed on a reused socket before any answer came. */
class StaleSocketError extends Error {
  constructor(cause: unknown) {
    super('a reused connection was closed by the server', { cause });
    this.name = 'StaleSocketError';
  }
}

function repeatable(request: HttpRequest): boolean {
  if (request.method === 'GET') return true;
  return Object.keys(request.headers ?? {}).some((name) => name.toLowerCase() === 'idempotency-key');
}

function send(
  target: VettedTarget,
  request: HttpRequest,
  signal: AbortSignal,
  agent: Agent | false,
): Promise<IncomingMessage> {
  // Connect to the vetted address only: no second DNS answer (DNS rebinding).
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    const { address, family } = target.address;
    if (lookupOptions.all === true) {
      (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [
        { address, family },
      ]);
    } else {
      callback(null, address, family);
    }
  };
  const transport = target.url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { ...request.headers };
  if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
  return new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = transport.request(
      target.url,
      {
        method: request.method,
        headers,
        lookup: pinned,
        // false: a fresh connection, closed with the request. A session's agent pools by vetted address.
        agent,
        signal,
      },
      resolve,
    );
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      const reset = error.code === 'ECONNRESET' || error.code === 'EPIPE';
      reject(outgoing.reusedSocket && reset && !signal.aborted ? new StaleSocketError(error) : error);
    });
    outgoing.end(request.body);
  });
}

function flatHeaders(response: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readBody(response: IncomingMessage, limit: number, read: BodyRead): Promise<string> {
  const declared = Number(response.headers['content-length']);
  if (read === 'whole' && Number.isFinite(declared) && declared > limit) {
    response.destroy();
    throw new ResponseTooLargeError('', limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      response.destroy();
      if (read === 'whole') throw new ResponseTooLargeError('', limit);
      chunks.push(buffer.subarray(0, buffer.length - (size - limit)));
      break;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
