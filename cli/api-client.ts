/**
 * The CLI's HTTP client for the Tickwork API. It talks either to the local stack (address and bearer
 * token from `<data-dir>/endpoints.json`) or to a deployed API, signing each request with SigV4 for
 * `execute-api` and the caller's AWS credentials, as API Gateway's IAM authorization expects.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HttpMethod } from '../shared/api/routes.ts';
import type { AwsCredentials } from './sigv4.ts';
import { UsageError } from './usage-error.ts';

/** The API answered with an error (`{"error": {"type", "message"}}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No answer: connection refused, DNS, TLS, or a body that is not JSON. */
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

export class ApiClient {
  readonly #target: ApiTarget;
  readonly #fetch: typeof fetch;

  constructor(target: ApiTarget, fetchImpl: typeof fetch = fetch) {
    this.#target = target;
    this.#fetch = fetchImpl;
  }

  get target(): ApiTarget {
    return this.#target;
  }

  /** Sends the request; resolves with 2xx answers, throws ApiError or ApiUnreachableError otherwise. */
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
    const authorization = await this.#target.authorize(wire);
    let response: Response;
    try {
      response = await this.#fetch(wire.url, {
        method: wire.method,
        headers: { ...headers, ...authorization },
        ...(body === undefined ? {} : { body }),
      });
    } catch (error) {
      const hint = this.#target.unreachableHint === undefined ? '' : `; ${this.#target.unreachableHint}`;
      throw new ApiUnreachableError(
        `cannot reach ${this.#target.description}: ${networkReason(error)}${hint}`,
        {
          cause: error,
        },
      );
    }
    const text = await response.text();
    let parsed: unknown;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (response.ok) {
          throw new ApiUnreachableError(
            `${this.#target.description} answered ${response.status} with a body that is not JSON: ${excerpt(text)}`,
          );
        }
      }
    }
    if (!response.ok) throw errorFromAnswer(response.status, parsed, text);
    return { status: response.status, body: parsed as T };
  }
}

function errorFromAnswer(status: number, body: unknown, text: string): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error !== undefined && typeof error.message === 'string') {
    return new ApiError(status, typeof error.type === 'string' ? error.type : 'Error', error.message);
  }
  // API Gateway's own refusals (IAM, throttling) answer `{"message": "..."}`.
  if (isRecord(body) && typeof body.message === 'string') return new ApiError(status, 'Error', body.message);
  return new ApiError(status, 'Error', `HTTP ${status}${text === '' ? '' : `: ${excerpt(text)}`}`);
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
  /** Local stack data directory holding endpoints.json. */
  readonly dataDir: string;
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
  const path = join(dataDir, 'endpoints.json');
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
 * Chooses the target: `--url` (a deployed API, SigV4 with the default credential chain) or the
 * local stack described by endpoints.json.
 */
export async function resolveTarget(options: TargetOptions): Promise<ApiTarget> {
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
  const endpoints = await readLocalEndpoints(options.dataDir);
  let baseUrl: URL;
  try {
    baseUrl = new URL(endpoints.apiUrl);
  } catch {
    throw new TargetError(
      `apiUrl "${endpoints.apiUrl}" in ${join(options.dataDir, 'endpoints.json')} is not a URL; restart the local stack`,
    );
  }
  return {
    baseUrl,
    authorize: bearerAuthorizer(endpoints.token),
    description: `the local stack at ${baseUrl.origin}`,
    unreachableHint: 'is `npm start` running?',
  };
}
