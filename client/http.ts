/**
 * HTTP to the Tickwork API, for the typed client and the CLI alike: one request, authorized by the
 * target (a bearer token for the local stack, a SigV4 signature for a deployed API), bounded by a
 * timeout, retried once after a 429 or 503, and its error answer turned into a typed error.
 */
import type { HttpMethod } from '../shared/api/routes.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import { ApiUnreachableError, errorFromAnswer, excerpt, isRecord, RequestAbortedError } from './errors.ts';

export interface ApiRequest {
  readonly method: HttpMethod;
  /** Route path with its labels filled in and percent-encoded, e.g. `/jobs/nightly/pause`. */
  readonly path: string;
  /** Absent values are left out. */
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** Sent as JSON when present. */
  readonly body?: unknown;
}

export interface ApiResponse<T = unknown> {
  readonly status: number;
  /** Parsed JSON; undefined for an empty body (e.g. 204). */
  readonly body: T;
}

/** The request as it goes on the wire, before authorization headers are added. */
export interface WireRequest {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

/** Adds authorization to a request: a bearer token locally, a SigV4 signature in AWS. */
export type Authorizer = (request: WireRequest) => Promise<Record<string, string>>;

export interface ApiTarget {
  /** Base URL; a path in it (an API Gateway stage) is kept in front of every route. */
  readonly baseUrl: URL;
  readonly authorize: Authorizer;
  /** For messages: "the local stack at …" or "the API at …". */
  readonly description: string;
  /** Appended to "cannot reach …" messages, e.g. how to start the local stack. */
  readonly unreachableHint?: string;
}

/** Builds a path from a route template and raw label values (each percent-encoded). */
export function routePath(template: string, labels: Readonly<Record<string, string>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, label: string) => {
    const value = labels[label];
    if (value === undefined) throw new Error(`route ${template} needs a value for {${label}}`);
    return encodeURIComponent(value);
  });
}

/** The full URL of a request: base path + route path + query (RFC 3986 encoding, as SigV4 expects). */
export function requestUrl(baseUrl: URL, request: ApiRequest): URL {
  const pairs = Object.entries(request.query ?? {}).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  return apiUrl(baseUrl, request.path, pairs);
}

/** Base path (a stage such as `/prod`) + `path` + the query `pairs` in order, encoded as RFC 3986. */
export function apiUrl(baseUrl: URL, path: string, pairs: readonly (readonly [string, string])[]): URL {
  const url = new URL(baseUrl.href);
  url.pathname = `${baseUrl.pathname.replace(/\/+$/, '')}${path}`;
  url.search = pairs.map(([key, value]) => `${encodeRfc3986(key)}=${encodeRfc3986(value)}`).join('&');
  return url;
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export interface ApiClientOptions {
  readonly fetch?: typeof fetch;
  /**
   * How long one request may take, answer body included. API Gateway ends an integration after 30 s
   * with its own 504, so a little more lets that answer arrive rather than a bare client timeout.
   * @default 35_000
   */
  readonly timeoutMs?: number;
  /** The longest wait before the one retry of a 429 or 503, whatever Retry-After asks. @default 10_000 */
  readonly maxRetryDelayMs?: number;
  /** Waits before the retry. @default systemClock */
  readonly clock?: Clock;
  /**
   * Ends every request in flight, and refuses the next ones, once aborted (RequestAbortedError): a caller
   * that stops (Ctrl-C during `runs --follow`) exits at once instead of waiting out an answer.
   */
  readonly signal?: AbortSignal;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 35_000;
export const DEFAULT_MAX_RETRY_DELAY_MS = 10_000;
/** The wait before the retry when a 429/503 does not say how long (no or unreadable Retry-After). */
export const DEFAULT_RETRY_DELAY_MS = 1_000;

/** Statuses that say "not now" (throttling, a dependency briefly unavailable): retried once. */
const RETRIED_STATUSES = new Set([429, 503]);

/**
 * The wait a Retry-After header asks for (delta-seconds or an HTTP date), bounded to
 * `[0, maxMs]`; {@link DEFAULT_RETRY_DELAY_MS} when absent or unreadable.
 */
export function retryDelayMs(header: string | null, now: Date, maxMs: number): number {
  const text = header?.trim() ?? '';
  let delay = DEFAULT_RETRY_DELAY_MS;
  if (/^\d+$/.test(text)) delay = Number(text) * 1000;
  // An HTTP date names its weekday and month; Date.parse alone would read "-5" as a year.
  else if (/[a-z]/i.test(text) && !Number.isNaN(Date.parse(text))) delay = Date.parse(text) - now.getTime();
  return Math.min(Math.max(delay, 0), maxMs);
}

export class ApiClient {
  readonly #target: ApiTarget;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #clock: Clock;
  readonly #signal: AbortSignal | undefined;

  constructor(target: ApiTarget, options: ApiClientOptions = {}) {
    this.#target = target;
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
    this.#clock = options.clock ?? systemClock;
    this.#signal = options.signal;
  }

  get target(): ApiTarget {
    return this.#target;
  }

  /**
   * Sends the request; resolves with 2xx answers, throws ApiError or ApiUnreachableError otherwise.
   * A 429 or 503 is sent once more after its Retry-After (bounded): both say the request was not
   * taken, so even a POST is safe to repeat.
   */
  async request<T = unknown>(request: ApiRequest): Promise<ApiResponse<T>> {
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const wire: WireRequest = {
      method: request.method,
      url: requestUrl(this.#target.baseUrl, request),
      headers,
      body,
    };
    let answer = await this.#send(wire);
    if (RETRIED_STATUSES.has(answer.status)) {
      await this.#clock.sleep(retryDelayMs(answer.retryAfter, this.#clock.now(), this.#maxRetryDelayMs));
      answer = await this.#send(wire);
    }
    let parsed: unknown;
    if (answer.text !== '') {
      try {
        parsed = JSON.parse(answer.text);
      } catch {
        if (answer.ok) {
          throw new ApiUnreachableError(
            `${this.#target.description} answered ${answer.status} with a body that is not JSON: ${excerpt(answer.text)}`,
          );
        }
      }
    }
    if (!answer.ok) throw errorFromAnswer(answer.status, parsed, answer.text);
    return { status: answer.status, body: parsed as T };
  }

  /** One exchange, signed afresh (a SigV4 signature carries its time), bounded by the timeout. */
  async #send(
    wire: WireRequest,
  ): Promise<{ status: number; ok: boolean; text: string; retryAfter: string | null }> {
    const authorization = await this.#target.authorize(wire);
    // The signal also bounds reading the body: a server that sends headers, then nothing, is caught too.
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = this.#signal === undefined ? timeout : AbortSignal.any([timeout, this.#signal]);
    try {
      const response = await this.#fetch(wire.url, {
        method: wire.method,
        headers: { ...wire.headers, ...authorization },
        ...(wire.body === undefined ? {} : { body: wire.body }),
        signal,
      });
      const text = await response.text();
      return {
        status: response.status,
        ok: response.ok,
        text,
        retryAfter: response.headers.get('retry-after'),
      };
    } catch (error) {
      if (this.#signal?.aborted === true) {
        throw new RequestAbortedError(`request to ${this.#target.description} stopped by its caller`, {
          cause: error,
        });
      }
      if (timeout.aborted) {
        throw new ApiUnreachableError(
          `no answer from ${this.#target.description} within ${formatSeconds(this.#timeoutMs)}`,
          { cause: error },
        );
      }
      const hint = this.#target.unreachableHint === undefined ? '' : `; ${this.#target.unreachableHint}`;
      throw new ApiUnreachableError(
        `cannot reach ${this.#target.description}: ${networkReason(error)}${hint}`,
        { cause: error },
      );
    }
  }
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function networkReason(error: unknown): string {
  // undici puts the system error (ECONNREFUSED, ENOTFOUND) in `cause`; "fetch failed" alone says nothing.
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return cause.message;
  if (isRecord(cause) && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}
