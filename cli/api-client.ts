/**
 * The CLI's HTTP client for the Tickwork API. It talks either to the local stack (address and bearer
 * token from `<data-dir>/endpoints.json`) or to a deployed API, signing each request with SigV4 for
 * `execute-api` and the caller's AWS credentials, as API Gateway's IAM authorization expects.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HttpMethod } from '../shared/api/routes.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import { DATA_DIR_NAME, ENDPOINTS_FILE_NAME, findRunningStackDataDir } from './data-dir.ts';
import type { AwsCredentials } from './sigv4.ts';
import { UsageError } from './usage-error.ts';

/** One problem the API found in a request: the field as a dotted path (`config.target.url`) and why. */
export interface ApiProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * The API answered with an error: `{"error": {"type", "message", "details"?: [{"field", "message"}]}}`.
 * `details` lists every problem of a refused request (the first is `message`); empty when the answer
 * has none.
 */
export class ApiError extends Error {
  readonly details: readonly ApiProblem[];

  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    details: readonly ApiProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
    this.details = details;
  }
}

/** No answer: connection refused, DNS, TLS, no answer within the timeout, or a body that is not JSON. */
export class ApiUnreachableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiUnreachableError';
  }
}

/** The local stack's endpoints.json is missing or unusable, or the deployed target is misconfigured. */
export class TargetError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TargetError';
  }
}

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
  const url = new URL(baseUrl.href);
  url.pathname = `${baseUrl.pathname.replace(/\/+$/, '')}${request.path}`;
  const pairs = Object.entries(request.query ?? {}).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
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

  constructor(target: ApiTarget, options: ApiClientOptions = {}) {
    this.#target = target;
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#maxRetryDelayMs = options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
    this.#clock = options.clock ?? systemClock;
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
    const signal = AbortSignal.timeout(this.#timeoutMs);
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
      if (signal.aborted) {
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

function errorFromAnswer(status: number, body: unknown, text: string): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error !== undefined && typeof error.message === 'string') {
    return new ApiError(
      status,
      typeof error.type === 'string' ? error.type : 'Error',
      error.message,
      problems(error.details),
    );
  }
  // API Gateway's own refusals (IAM, throttling) answer `{"message": "..."}`.
  if (isRecord(body) && typeof body.message === 'string') return new ApiError(status, 'Error', body.message);
  return new ApiError(status, 'Error', `HTTP ${status}${text === '' ? '' : `: ${excerpt(text)}`}`);
}

/** The `[{"field", "message"}]` entries of an answer (error details, warnings); others are skipped. */
export function problems(value: unknown): ApiProblem[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(isRecord)
    .flatMap((entry) =>
      typeof entry.message === 'string'
        ? [{ field: typeof entry.field === 'string' ? entry.field : '', message: entry.message }]
        : [],
    );
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function networkReason(error: unknown): string {
  // undici puts the system error (ECONNREFUSED, ENOTFOUND) in `cause`; "fetch failed" alone says nothing.
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return cause.message;
  if (isRecord(cause) && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Targets

export interface TargetOptions {
  /** A deployed API's base URL; when set, requests are SigV4-signed. */
  readonly url?: string;
  readonly region?: string;
  /**
   * The local stack's data directory holding endpoints.json, when `--data-dir` or TICKWORK_DATA_DIR
   * names it; otherwise the nearest running stack is looked for from the current directory up.
   */
  readonly dataDir?: string;
}

/** The endpoints the local stack writes when it is ready (issue 3 §4). */
export interface LocalEndpoints {
  readonly apiUrl: string;
  readonly token: string;
  readonly schedulerEndpoint?: string;
  readonly dynamodbEndpoint?: string;
  readonly scheduleGroup?: string;
}

/** Reads `<dataDir>/endpoints.json`; TargetError names the file and what is wrong with it. */
export async function readLocalEndpoints(dataDir: string): Promise<LocalEndpoints> {
  const path = join(dataDir, ENDPOINTS_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new TargetError(`no local stack found at ${path}; start it with \`npm start\` or pass --url`);
    }
    throw new TargetError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TargetError(`${path} is not JSON; restart the local stack (\`npm start\`) to rewrite it`);
  }
  if (!isRecord(parsed)) throw new TargetError(`${path} must hold a JSON object, got ${excerpt(text)}`);
  for (const field of ['apiUrl', 'token'] as const) {
    if (typeof parsed[field] !== 'string' || parsed[field] === '') {
      throw new TargetError(
        `${path} has no "${field}" string; restart the local stack (\`npm start\`) to rewrite it`,
      );
    }
  }
  return parsed as unknown as LocalEndpoints;
}

export function bearerAuthorizer(token: string): Authorizer {
  return async () => ({ authorization: `Bearer ${token}` });
}

/** The region in an API Gateway URL such as `https://abc123.execute-api.eu-west-1.amazonaws.com/prod`. */
export function regionFromApiUrl(url: URL): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1];
}

/**
 * The local stack's data directory: the one named, else the nearest running stack's at or above
 * `cwd`. TargetError says where it looked and how to start a stack when there is none.
 */
export function localStackDataDir(named: string | undefined, cwd: string): string {
  if (named !== undefined) return named;
  const found = findRunningStackDataDir(cwd);
  if (found === undefined) {
    throw new TargetError(
      `no local stack found: no ${DATA_DIR_NAME}/${ENDPOINTS_FILE_NAME} in ${cwd} or any directory above it; start one with \`npm start\` in the project, or pass --url (or --data-dir)`,
    );
  }
  return found;
}

/**
 * Chooses the target: `--url` (a deployed API, SigV4 with the default credential chain) or the
 * local stack described by endpoints.json.
 */
export async function resolveTarget(options: TargetOptions, cwd: string = process.cwd()): Promise<ApiTarget> {
  if (options.url !== undefined) {
    let baseUrl: URL;
    try {
      baseUrl = new URL(options.url);
    } catch {
      throw new UsageError(`--url must be an absolute http(s) URL, got "${options.url}"`);
    }
    if (baseUrl.protocol !== 'https:' && baseUrl.protocol !== 'http:') {
      throw new UsageError(`--url must be an http(s) URL, got "${options.url}"`);
    }
    const region = options.region ?? regionFromApiUrl(baseUrl);
    if (region === undefined) {
      throw new UsageError(`cannot tell the AWS Region of ${baseUrl.host}; pass --region or set AWS_REGION`);
    }
    // Loaded only for deployed targets: the credential chain and the signer are a large module graph.
    const [{ defaultProvider }, { sigV4Authorizer }] = await Promise.all([
      import('@aws-sdk/credential-provider-node'),
      import('./sigv4.ts'),
    ]);
    const provider = defaultProvider();
    const credentials = async (): Promise<AwsCredentials> => {
      try {
        return await provider();
      } catch (error) {
        throw new TargetError(
          `no AWS credentials to sign requests to ${baseUrl.host}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    };
    return {
      baseUrl,
      authorize: sigV4Authorizer({ region, credentials }),
      description: `the API at ${baseUrl.origin}`,
    };
  }
  const dataDir = localStackDataDir(options.dataDir, cwd);
  const endpoints = await readLocalEndpoints(dataDir);
  let baseUrl: URL;
  try {
    baseUrl = new URL(endpoints.apiUrl);
  } catch {
    throw new TargetError(
      `apiUrl "${endpoints.apiUrl}" in ${join(dataDir, ENDPOINTS_FILE_NAME)} is not a URL; restart the local stack`,
    );
  }
  return {
    baseUrl,
    authorize: bearerAuthorizer(endpoints.token),
    description: `the local stack at ${baseUrl.origin}`,
    unreachableHint: 'is `npm start` running?',
  };
}
