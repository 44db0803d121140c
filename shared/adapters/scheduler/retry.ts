/**
 * Backoff for EventBridge Scheduler calls. The SDK client is built with `maxAttempts: 1` so that these
 * retries are the only ones and they wait on the injected Clock (tests don't sleep, and the API
 * function's 29 s budget is spent where we decide).
 */
import type { Clock } from '../../clock.ts';
import { SchedulerQuotaExceededError, SchedulerRequestError, SchedulerThrottledError } from '../../errors.ts';

export interface SchedulerRetryOptions {
  /** Attempts in all, including the first. @default 5 */
  readonly maxAttempts?: number;
  /** Delay before the second attempt; doubles each time. @default 200 */
  readonly baseDelayMs?: number;
  /** Cap on one delay. @default 3000 */
  readonly maxDelayMs?: number;
  /** Returns [0, 1); spreads concurrent retries apart. @default Math.random */
  readonly random?: () => number;
}

const defaults = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 3_000 } as const;

/**
 * Error codes worth another attempt. ServiceQuotaExceededException is retried too: the quota that
 * trips under a burst is the request rate as often as the schedule count, and a later attempt is cheap.
 */
const RETRYABLE = new Set([
  'ThrottlingException',
  'ServiceQuotaExceededException',
  'InternalServerException',
]);

/** The error code of a failed SDK call (`name` of a service exception, or `code` of a network error). */
export function errorCode(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    if (error.name !== 'Error' && error.name !== '') return error.name;
    if (typeof code === 'string') return code;
  }
  return 'UnknownError';
}

function isServiceError(error: unknown): boolean {
  return error instanceof Error && '$metadata' in error && '$fault' in error;
}

/**
 * Runs `call`, retrying throttling and transient service errors with capped exponential backoff
 * (equal jitter). After the last attempt, throttling becomes SchedulerThrottledError, a quota
 * SchedulerQuotaExceededError, and anything else SchedulerRequestError naming the operation.
 */
export async function withSchedulerRetry<T>(
  clock: Clock,
  operation: string,
  subject: string,
  call: () => Promise<T>,
  options: SchedulerRetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? defaults.maxAttempts;
  const baseDelayMs = options.baseDelayMs ?? defaults.baseDelayMs;
  const maxDelayMs = options.maxDelayMs ?? defaults.maxDelayMs;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const code = errorCode(error);
      if (RETRYABLE.has(code) && attempt < maxAttempts) {
        const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        await clock.sleep(Math.round(ceiling / 2 + (random() * ceiling) / 2));
        continue;
      }
      throw translate(error, code, operation, subject, attempt, maxDelayMs);
    }
  }
}

function translate(
  error: unknown,
  code: string,
  operation: string,
  subject: string,
  attempts: number,
  maxDelayMs: number,
): Error {
  const detail = isServiceError(error) && error instanceof Error ? error.message : '';
  if (code === 'ThrottlingException') {
    return new SchedulerThrottledError(
      `EventBridge Scheduler is throttling ${operation} for ${subject} (still after ${attempts} attempts); retry later`,
      { cause: error, retryAfterSeconds: Math.max(1, Math.ceil((2 * maxDelayMs) / 1000)) },
    );
  }
  if (code === 'ServiceQuotaExceededException') {
    return new SchedulerQuotaExceededError(
      `EventBridge Scheduler refused ${operation} for ${subject}: a service quota is exceeded${detail ? ` (${detail})` : ''}`,
      { cause: error },
    );
  }
  if (isServiceError(error)) {
    return new SchedulerRequestError(
      operation,
      code,
      `EventBridge Scheduler refused ${operation} for ${subject}: ${code}${detail ? `: ${detail}` : ''}`,
      { cause: error },
    );
  }
  // Network failures and the like: the code only, not the endpoint or stack.
  return new SchedulerRequestError(
    operation,
    code,
    `EventBridge Scheduler could not be reached for ${operation} of ${subject} (${code})`,
    { cause: error },
  );
}
