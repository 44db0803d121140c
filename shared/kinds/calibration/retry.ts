/**
 * Retries of one call (a model call, a platform request): on what the call's error says is worth
 * another try (429, 5xx, no answer in time), after a backoff that honours the provider's `Retry-After`,
 * and never when the wait plus another call would cross the run's deadline.
 */
import type { Clock } from '../../clock.ts';

export const MAX_ATTEMPTS = 4;
const BASE_DELAY_MS = 500;
const MAX_BACKOFF_MS = 8_000;
/** The longest `Retry-After` a run waits for; a provider asking for more fails that call. */
export const MAX_RETRY_AFTER_MS = 30_000;

/** How a failed call reads: whether to try again, and after how long the provider asked. */
export interface FailureReading {
  readonly retryable: boolean;
  readonly retryAfterMs?: number | undefined;
}

export interface RetryOptions {
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Whether `ms` more (a wait and a call) still fit before the run must stop starting calls. */
  readonly fits: (ms: number) => boolean;
  /** The longest one call may take. */
  readonly callTimeoutMs: number;
  readonly read: (error: unknown) => FailureReading;
}

/** The call ran out of room before the deadline: nothing failed, it is left to the next attempt. */
export class NoTimeLeftError extends Error {
  constructor(readonly lastError?: unknown) {
    super('no time left before the deadline for another call');
    this.name = 'NoTimeLeftError';
  }
}

/**
 * Runs `call` until it succeeds, fails for good (its last error is thrown), or another try would cross
 * the deadline (NoTimeLeftError). The signal's abort ends the waits and is rethrown as its reason.
 */
export async function withRetries<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (!options.fits(options.callTimeoutMs)) throw new NoTimeLeftError();
    try {
      return await call(attempt);
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      const reading = options.read(error);
      if (!reading.retryable || attempt >= MAX_ATTEMPTS) throw error;
      if (reading.retryAfterMs !== undefined && reading.retryAfterMs > MAX_RETRY_AFTER_MS) throw error;
      // Without jitter: concurrency is bounded by the config, and a provider that throttles says when.
      const delay = reading.retryAfterMs ?? Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
      if (!options.fits(delay + options.callTimeoutMs)) throw new NoTimeLeftError(error);
      await options.clock.sleep(delay, options.signal);
      if (options.signal.aborted) throw options.signal.reason;
    }
  }
}

/**
 * `Retry-After` in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when
 * absent or unreadable.
 */
export function retryAfterMs(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** HTTP statuses worth another try: timeouts, throttling, the server's own failures. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
