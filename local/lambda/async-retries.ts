/**
 * Lambda's own retries of a failed asynchronous (Event) invocation: a fixed number of retries at
 * fixed delays (two, one and two minutes apart, in the service), with the same request id. Their
 * timers run on the runtime's clock, so a test drives them with a ManualClock. The retries themselves
 * are in the event journal (async-journal.ts); these are only their timers.
 */
import { ASYNC_RETRY_DELAYS_SECONDS } from '../../shared/config.ts';
import type { CancelTimer, TimerClock } from '../clock.ts';

/** Lambda's (the stack configures its job functions with the same; the run lifecycle reads it too). */
export const DEFAULT_ASYNC_RETRY_DELAYS_MS: readonly number[] = ASYNC_RETRY_DELAYS_SECONDS.map(
  (seconds) => seconds * 1000,
);

export class AsyncRetries {
  readonly #delaysMs: readonly number[];
  readonly #clock: TimerClock;
  /** Armed retry timers by request id, so a closing runtime can cancel them. */
  readonly #armed = new Map<string, CancelTimer>();

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

  /** Runs `retry` at `due` (epoch ms, by the clock; at once if that has passed), unless cancelled first. */
  arm(requestId: string, due: number, retry: () => void): void {
    const cancel = this.#clock.setTimer(due - this.#clock.now().getTime(), () => {
      this.#armed.delete(requestId);
      retry();
    });
    this.#armed.set(requestId, cancel);
  }

  /** Cancels every armed timer (the retries stay in the journal); returns how many there were. */
  cancelAll(): number {
    const count = this.#armed.size;
    for (const cancel of this.#armed.values()) cancel();
    this.#armed.clear();
    return count;
  }
}
