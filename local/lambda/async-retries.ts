/**
 * Lambda's own retries of a failed asynchronous (Event) invocation: a fixed number of retries at
 * fixed delays (two, one and two minutes apart, in the service), with the same request id. Their
 * timers run on the runtime's clock, so a test drives them with a ManualClock.
 */
import { ASYNC_RETRY_DELAYS_SECONDS } from '../../shared/config.ts';
import type { CancelTimer, TimerClock } from '../clock.ts';

/** Lambda's (the stack configures its job functions with the same; the run lifecycle reads it too). */
export const DEFAULT_ASYNC_RETRY_DELAYS_MS: readonly number[] = ASYNC_RETRY_DELAYS_SECONDS.map(
  (seconds) => seconds * 1000,
);

/** Which event a retry is for: the request id stays the same across Lambda's retries. */
export interface RetriedEvent {
  readonly functionName: string;
  readonly awsRequestId: string;
  /** What sent the event, e.g. the schedule `group/name`. */
  readonly origin: string | undefined;
}

export class AsyncRetries {
  readonly #delaysMs: readonly number[];
  readonly #clock: TimerClock;
  /** Armed retries, so a closing runtime can drop them. */
  readonly #pending = new Map<RetriedEvent, CancelTimer>();

  constructor(delaysMs: readonly number[], clock: TimerClock) {
    this.#delaysMs = delaysMs;
    this.#clock = clock;
  }

  /** Attempts an event gets in all: the first and its retries. */
  get attempts(): number {
    return this.#delaysMs.length + 1;
  }

  /** The wait before the attempt after `attempt` failed, or undefined when that was the last. */
  delayAfter(attempt: number): number | undefined {
    return this.#delaysMs[attempt - 1];
  }

  /** Runs `retry` after `delayMs` of the clock, unless dropped first. */
  arm(event: RetriedEvent, delayMs: number, retry: () => void): void {
    const cancel = this.#clock.setTimer(delayMs, () => {
      this.#pending.delete(event);
      retry();
    });
    this.#pending.set(event, cancel);
  }

  /** Cancels every armed retry; returns the events that will not be retried. */
  dropAll(): RetriedEvent[] {
    const dropped = [...this.#pending.keys()];
    for (const cancel of this.#pending.values()) cancel();
    this.#pending.clear();
    return dropped;
  }
}
