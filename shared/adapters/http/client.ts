/**
 * Outbound HTTP for job kinds: a POST with a timeout, to an address the outbound-safety guard has
 * checked. Redirects are not followed (a 3xx is just a non-2xx answer), so a receiver cannot bounce
 * the request to an address the guard would refuse.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { HttpAnswer, OutboundHttp, PostOptions } from '../../kinds/capabilities.ts';
import {
  type OutboundPolicy,
  type Resolver,
  systemResolver,
  type VettedTarget,
  vetTarget,
} from './outbound-safety.ts';

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

export interface SafeHttpClientOptions {
  /** Sent on every request unless the caller sets one, e.g. `tickwork/0.1.0`. */
  readonly userAgent?: string;
  /** @default the system resolver */
  readonly resolve?: Resolver;
}

export class SafeHttpClient implements OutboundHttp {
  private readonly resolve: Resolver;
  private readonly userAgent: string | undefined;

  constructor(
    private readonly policy: OutboundPolicy,
    options: SafeHttpClientOptions = {},
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
    const target = await vetTarget(url, this.policy, this.resolve);
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
    const sent = this.userAgent === undefined ? headers : { 'User-Agent': this.userAgent, ...headers };
    try {
      return await send(target, body, sent, signal);
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
