/**
 * Outbound HTTP for job kinds: a POST with a timeout, to an address the outbound-safety guard has
 * checked. Redirects are not followed (a 3xx is just a non-2xx answer), so a receiver cannot bounce
 * the request to an address the guard would refuse.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  type OutboundPolicy,
  type Resolver,
  systemResolver,
  type VettedTarget,
  vetTarget,
} from './outbound-safety.ts';

export interface HttpAnswer {
  readonly status: number;
  /** The start of the response body as text (at most `EXCERPT_CHARS`). */
  readonly bodyExcerpt: string;
}

export interface PostOptions {
  readonly timeoutMs: number;
  /** Aborts the request (e.g. the run was cancelled). */
  readonly signal?: AbortSignal;
}

/** The port job kinds use to reach the outside. */
export interface OutboundHttp {
  post(
    url: string,
    body: string,
    headers: Readonly<Record<string, string>>,
    options: PostOptions,
  ): Promise<HttpAnswer>;
}

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
/** Read no more of an answer than this: only an excerpt is kept. */
const MAX_BODY_BYTES = 16 * 1024;

export class SafeHttpClient implements OutboundHttp {
  constructor(
    private readonly policy: OutboundPolicy,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  async post(
    url: string,
    body: string,
    headers: Readonly<Record<string, string>>,
    options: PostOptions,
  ): Promise<HttpAnswer> {
    const target = await vetTarget(url, this.policy, this.resolve);
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
    try {
      return await send(target, body, headers, signal);
    } catch (error) {
      const where = `${target.url.protocol}//${target.url.host}`;
      if (timeout.aborted) {
        throw new OutboundRequestError(`no answer from ${where} within ${options.timeoutMs / 1000} s`, true);
      }
      if (options.signal?.aborted === true) throw options.signal.reason ?? error;
      const detail = error instanceof Error ? error.message : String(error);
      throw new OutboundRequestError(`request to ${where} failed: ${detail}`, false, { cause: error });
    }
  }
}

function send(
  target: VettedTarget,
  body: string,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
): Promise<HttpAnswer> {
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
  return new Promise<HttpAnswer>((resolve, reject) => {
    const request = transport.request(
      target.url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        lookup: pinned,
        // A fresh connection per delivery: no pooled socket outlives the invocation.
        agent: false,
        signal,
      },
      (response) => {
        readExcerpt(response).then(
          (bodyExcerpt) => resolve({ status: response.statusCode ?? 0, bodyExcerpt }),
          reject,
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function readExcerpt(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size >= MAX_BODY_BYTES) {
      response.destroy();
      break;
    }
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length > EXCERPT_CHARS ? text.slice(0, EXCERPT_CHARS) : text;
}
