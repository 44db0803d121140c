/**
 * The platform side of a flow: fetching the prompts to answer (a bounded, validated answer) and
 * submitting the answers (in bounded chunks, with an idempotency key each). Both through the outbound
 * guard, both retried on 429/5xx/timeouts.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { describeValue, problemsFromZod, utf8Length } from '../../validation.ts';
import type { OutboundHttp } from '../capabilities.ts';
import type { FlowId } from './config.ts';
import { PlatformAnswerError } from './errors.ts';
import { retryableStatus } from './retry.ts';

/**
 * Caps on what a platform may list, so a platform answering garbage fails the run with a message
 * instead of filling the function's memory: 8 MiB of answer, 1,000 prompts (MAX_PROMPTS_PER_FLOW), 32 KiB
 * of UTF-8 per prompt, ids of at most 256 characters.
 */
export const MAX_PROMPTS_ANSWER_BYTES = 8 * 1024 * 1024;
export const MAX_PROMPT_TEXT_BYTES = 32 * 1024;
export const MAX_ID_CHARS = 256;
/** One submit carries at most this many answers and this many bytes (a Lambda or ingest limit is 6 MB). */
export const MAX_SUBMIT_RESPONSES = 100;
export const MAX_SUBMIT_BYTES = 1024 * 1024;
/** Platform requests are small; a platform that takes longer is down. */
export const PLATFORM_TIMEOUT_MS = 10_000;

export interface CalibrationPrompt {
  readonly promptId: string;
  readonly text: string;
}

export interface FetchedPrompts {
  /** The responses flow's run id on the platform, sent back with the answers. */
  readonly calibrationRunId?: string;
  readonly prompts: readonly CalibrationPrompt[];
}

const id = z.lazy(() =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(MAX_ID_CHARS, { error: `must be at most ${MAX_ID_CHARS} characters` }),
    ),
);

const promptSchema = z.lazy(() =>
  z.object({
    promptId: id,
    text: z.string().check(
      z.minLength(1),
      z.refine((text) => utf8Length(text) <= MAX_PROMPT_TEXT_BYTES, {
        error: (issue) =>
          `must be at most ${MAX_PROMPT_TEXT_BYTES} bytes of UTF-8; got ${utf8Length(String(issue.input))} bytes`,
      }),
    ),
  }),
);

const answerSchemas: Record<FlowId, z.ZodMiniType<FetchedPrompts>> = {
  responses: z.object({ calibrationRunId: id, prompts: z.array(promptSchema) }),
  registry: z.object({ prompts: z.array(promptSchema) }),
};

export interface PromptsRequest {
  readonly flow: FlowId;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly maxPrompts: number;
  readonly signal: AbortSignal;
}

/** GETs a flow's prompts and checks the answer; PlatformAnswerError names what was wrong. */
export async function fetchPrompts(http: OutboundHttp, request: PromptsRequest): Promise<FetchedPrompts> {
  const where = describeUrl(request.url);
  const response = await http
    .request({
      method: 'GET',
      url: request.url,
      headers: { Accept: 'application/json', ...authorizationHeader(request.authorization) },
      timeoutMs: PLATFORM_TIMEOUT_MS,
      signal: request.signal,
      maxResponseBytes: MAX_PROMPTS_ANSWER_BYTES,
    })
    .catch((error: unknown) => {
      if (error instanceof Error && error.name === 'ResponseTooLargeError') {
        throw new PlatformAnswerError(
          request.flow,
          `the prompts answer of ${where} is larger than ${MAX_PROMPTS_ANSWER_BYTES} bytes (a run takes at most ${request.maxPrompts} prompts of at most ${MAX_PROMPT_TEXT_BYTES} bytes each)`,
          { cause: error },
        );
      }
      throw error;
    });
  if (response.status < 200 || response.status > 299) {
    throw new PlatformStatusError(
      request.flow,
      `GET ${where}`,
      response.status,
      response.body,
      response.headers,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    throw new PlatformAnswerError(
      request.flow,
      `the prompts answer of ${where} is not JSON: ${excerpt(response.body)}`,
    );
  }
  const prompts = (body as { prompts?: unknown } | null)?.prompts;
  // Counted before the shape is checked: 100,000 prompts are refused without validating each.
  if (Array.isArray(prompts) && prompts.length > request.maxPrompts) {
    throw new PlatformAnswerError(
      request.flow,
      `the prompts answer of ${where} lists ${prompts.length} prompts; a run takes at most ${request.maxPrompts}`,
    );
  }
  const parsed = answerSchemas[request.flow].safeParse(body, { reportInput: true });
  if (!parsed.success) {
    const problems = problemsFromZod(parsed.error, { what: 'the answer' }).slice(0, 3);
    throw new PlatformAnswerError(
      request.flow,
      `the prompts answer of ${where} has the wrong shape: ${problems.map((problem) => problem.message).join('; ')}`,
    );
  }
  const seen = new Set<string>();
  for (const prompt of parsed.data.prompts) {
    if (seen.has(prompt.promptId)) {
      throw new PlatformAnswerError(
        request.flow,
        `the prompts answer of ${where} lists promptId ${describeValue(prompt.promptId)} twice`,
      );
    }
    seen.add(prompt.promptId);
  }
  return parsed.data;
}

/** A platform answered a request with a non-2xx status. */
export class PlatformStatusError extends PlatformAnswerError {
  readonly retryable: boolean;
  /** The answer's `Retry-After` header, as sent. */
  readonly retryAfter: string | undefined;

  constructor(
    flow: FlowId,
    request: string,
    readonly status: number,
    body: string,
    headers: Readonly<Record<string, string>>,
  ) {
    super(flow, `${request} answered HTTP ${status}${body === '' ? '' : `: ${excerpt(body)}`}`);
    this.name = 'PlatformAnswerError';
    this.retryable = retryableStatus(status);
    this.retryAfter = headers['retry-after'];
  }
}

export interface SubmitRequest {
  readonly flow: FlowId;
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
}

/** POSTs one chunk of answers; PlatformStatusError on a non-2xx answer. */
export async function submitChunk(http: OutboundHttp, request: SubmitRequest): Promise<void> {
  const response = await http.request({
    method: 'POST',
    url: request.url,
    headers: { 'Content-Type': 'application/json', ...request.headers },
    body: request.body,
    timeoutMs: PLATFORM_TIMEOUT_MS,
    signal: request.signal,
    maxResponseBytes: 16 * 1024,
  });
  if (response.status < 200 || response.status > 299) {
    throw new PlatformStatusError(
      request.flow,
      `POST ${describeUrl(request.url)}`,
      response.status,
      response.body,
      response.headers,
    );
  }
}

/** Splits items into chunks of at most MAX_SUBMIT_RESPONSES items and about MAX_SUBMIT_BYTES of JSON. */
export function chunk<T>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = utf8Length(JSON.stringify(item)) + 1;
    if (current.length > 0 && (current.length >= MAX_SUBMIT_RESPONSES || bytes + size > MAX_SUBMIT_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** A stable key for one chunk: the same answers give the same key on every attempt. */
export function idempotencyKey(
  job: string,
  slot: string,
  flow: FlowId,
  responseIds: readonly string[],
): string {
  const hash = createHash('sha256')
    .update([job, slot, flow, ...responseIds].join('\u0000'))
    .digest('hex');
  return `calibration-${hash.slice(0, 40)}`;
}

/** The response id of an answer: the same (job, slot, flow, prompt) gives the same id on every attempt. */
export function responseIdOf(job: string, slot: string, flow: FlowId, promptId: string): string {
  const hash = createHash('sha256').update([job, slot, flow, promptId].join('\u0000')).digest('hex');
  return `resp_${hash.slice(0, 32)}`;
}

export function authorizationHeader(secret: string | undefined): Record<string, string> {
  return secret === undefined ? {} : { Authorization: `Bearer ${secret}` };
}

/** Origin and path only: query strings may carry tokens. */
export function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
