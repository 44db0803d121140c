/**
 * Capabilities: what a job kind's work may use beyond the run itself. Each is a port owned by the
 * domain; a kind declares the ones it needs, its function's composition root builds exactly those
 * (`functions/commons/`), the stack maps each to its environment and IAM grants once (`infra/`), and the
 * local runtime maps each to its local values once (`local/lambda/`). Adding a capability means adding
 * it here, then the compiler asks for it in each of those maps.
 */
import type { SecretSource } from '../jobs/ports.ts';

export interface HttpAnswer {
  readonly status: number;
  /** The start of the response body as text (a bounded excerpt). */
  readonly bodyExcerpt: string;
}

export interface PostOptions {
  readonly timeoutMs: number;
  /** Aborts the request (the run was cancelled or is out of time). */
  readonly signal?: AbortSignal;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  /** Aborts the request (the run was cancelled or is out of time). */
  readonly signal?: AbortSignal;
  /**
   * The most of the answer's body that is read; a longer body fails the request with
   * ResponseTooLargeError, so a platform answering a 10 MB page cannot fill the function's memory.
   */
  readonly maxResponseBytes: number;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case names; a repeated header's values joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** The whole body, decoded as UTF-8. */
  readonly body: string;
}

/** Outbound HTTP, through the guard against private and metadata addresses. */
export interface OutboundHttp {
  /** A POST whose answer matters only by its status (and an excerpt for the error message). */
  post(
    url: string,
    body: string,
    headers: Readonly<Record<string, string>>,
    options: PostOptions,
  ): Promise<HttpAnswer>;
  /** A request whose answer is read whole (up to `maxResponseBytes`): an API's JSON, a page of rows. */
  request(request: HttpRequest): Promise<HttpResponse>;
}

/** Every capability a kind may declare, by id. */
export interface Capabilities {
  /** Secret values by name (Secrets Manager under the stage's prefix; locally secrets.json). */
  readonly secrets: SecretSource;
  /** Outbound HTTP to the targets job configs name. */
  readonly http: OutboundHttp;
}

export type CapabilityId = keyof Capabilities;

/** Every capability id, for the maps that must cover each one. */
export const CAPABILITY_IDS = ['secrets', 'http'] as const satisfies readonly CapabilityId[];
