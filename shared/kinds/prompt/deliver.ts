/**
 * The `prompt` kind's step function: resolve the signing secret, then POST the prompt to the webhook,
 * signed. A non-2xx answer or no answer in time fails the run (the lifecycle records and rethrows it).
 */

import type { HttpAnswer, OutboundHttp } from '../../adapters/http/client.ts';
import type { Clock } from '../../clock.ts';
import type { SecretSource } from '../../jobs/ports.ts';
import { DEFAULT_CANCEL_CHECK_INTERVAL_MS } from '../../runs/cancellation.ts';
import type { RunContext, RunWork } from '../../runs/lifecycle.ts';
import { parsePromptConfig } from './config.ts';
import { SIGNATURE_HEADER, signPayload } from './signature.ts';

export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;

/** The receiver answered, but not with a 2xx. */
export class WebhookRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly bodyExcerpt: string,
    target: string,
  ) {
    super(`webhook ${target} answered HTTP ${status}${bodyExcerpt === '' ? '' : `: ${bodyExcerpt}`}`);
    this.name = 'WebhookRejectedError';
  }
}

export interface PromptDeps {
  readonly secrets: SecretSource;
  readonly http: OutboundHttp;
  readonly clock: Clock;
  /** `tickwork/<version>`. */
  readonly userAgent: string;
  /** @default DEFAULT_DELIVERY_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /**
   * How often the run's cancel flag is read while the POST is in flight. The first read happens only
   * once a request has lasted this long, so a fast delivery costs no extra read.
   * @default DEFAULT_CANCEL_CHECK_INTERVAL_MS
   */
  readonly cancelWatchIntervalMs?: number;
}

/** The JSON body a webhook receives. */
export interface PromptDelivery {
  readonly job: string;
  readonly runId: string;
  readonly scheduledFor: string;
  readonly prompt: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export function createPromptWork(deps: PromptDeps): RunWork {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const watchIntervalMs = deps.cancelWatchIntervalMs ?? DEFAULT_CANCEL_CHECK_INTERVAL_MS;
  return async (job, run, context) => {
    // Stored configs were validated on write; parsing again types them and catches a hand-edited item.
    const config = parsePromptConfig(job.config);
    const secret = await deps.secrets.get(config.target.signingSecret);
    await context.checkpoint();
    const delivery: PromptDelivery = {
      job: job.name,
      runId: run.runId,
      scheduledFor: run.scheduledFor,
      prompt: config.prompt,
      metadata: config.metadata ?? {},
    };
    const body = JSON.stringify(delivery);
    const timestamp = Math.floor(deps.clock.now().getTime() / 1000);
    // The request can take up to timeoutMs: a cancel asked meanwhile aborts it (through context.signal)
    // instead of waiting for the next checkpoint, which comes only after the answer.
    const watch = watchForCancel(context, deps.clock, watchIntervalMs);
    let answer: HttpAnswer;
    try {
      answer = await deps.http.post(
        config.target.url,
        body,
        {
          'Content-Type': 'application/json',
          'User-Agent': deps.userAgent,
          // Stable across attempts of one run, so a receiver can drop a repeated delivery.
          'Idempotency-Key': run.runId,
          [SIGNATURE_HEADER]: signPayload(secret, timestamp, body),
        },
        { timeoutMs, signal: context.signal },
      );
    } finally {
      watch.stop();
    }
    const target = describeTarget(config.target.url);
    if (answer.status < 200 || answer.status > 299) {
      throw new WebhookRejectedError(answer.status, answer.bodyExcerpt, target);
    }
    return { webhook: target, httpStatus: answer.status, bytes: Buffer.byteLength(body) };
  };
}

/**
 * Reads the run's cancel flag every `intervalMs` until stopped; the token aborts `context.signal` once a
 * read sees a cancel request. Nothing is read before the first interval has passed.
 */
function watchForCancel(context: RunContext, clock: Clock, intervalMs: number): { stop(): void } {
  let stopped = false;
  const loop = async () => {
    while (!stopped && !context.signal.aborted) {
      await clock.sleep(intervalMs);
      if (stopped) return;
      try {
        await context.isCancelled();
      } catch (error) {
        // A failed read must not fail the delivery: the checkpoint after the answer reads again.
        context.log.warn('cancel check failed during delivery', {
          error: error instanceof Error ? error.name : 'UnknownError',
        });
      }
    }
  };
  void loop();
  return {
    stop() {
      stopped = true;
    },
  };
}

/** Origin and path only: query strings may carry tokens the receiver asked for. */
function describeTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
