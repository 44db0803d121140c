/**
 * The retry rule of a schedule's RetryPolicy and the timers of retries waiting for their time.
 */
import type { CancelTimer, TimerClock } from '../clock.ts';
import type { RetryPolicy } from './model.ts';

/**
 * Retry backoff: 1 s, 2 s, 4 s, ... capped at 5 minutes. The service documents exponential backoff
 * without numbers; with these, the default 185 attempts span about 15 hours, inside the default
 * 24-hour event age, so both limits matter as they do in the service.
 */
const RETRY_BASE_MS = 1000;
const RETRY_CAP_MS = 5 * 60_000;

export function retryDelayMs(attemptNumber: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** (attemptNumber - 1), RETRY_CAP_MS);
}

/**
 * Whether `nextAttempt` (2 = the first retry) may run at `at`: the policy allows that many retries,
 * and the event is not older than MaximumEventAgeInSeconds by then (counted from the first attempt).
 */
export function retryAllowed(
  policy: RetryPolicy,
  nextAttempt: number,
  at: number,
  firstAttemptAt: number,
): boolean {
  return (
    nextAttempt - 1 <= policy.maximumRetryAttempts &&
    at - firstAttemptAt <= policy.maximumEventAgeInSeconds * 1000
  );
}

/** Armed retry timers by schedule key, so deleting a schedule can cancel its retries. */
export class RetryTimers {
  readonly #clock: TimerClock;
  readonly #byKey = new Map<string, Set<CancelTimer>>();

  constructor(clock: TimerClock) {
    this.#clock = clock;
  }

  arm(key: string, delayMs: number, run: () => void): void {
    let timers = this.#byKey.get(key);
    if (timers === undefined) {
      timers = new Set();
      this.#byKey.set(key, timers);
    }
    const armed = timers;
    const cancel = this.#clock.setTimer(delayMs, () => {
      armed.delete(cancel);
      if (armed.size === 0 && this.#byKey.get(key) === armed) this.#byKey.delete(key);
      run();
    });
    armed.add(cancel);
  }

  /** Cancels the schedule's armed retries; returns how many there were. */
  cancel(key: string): number {
    const timers = this.#byKey.get(key);
    if (timers === undefined) return 0;
    this.#byKey.delete(key);
    for (const cancel of timers) cancel();
    return timers.size;
  }

  cancelAll(): void {
    for (const timers of this.#byKey.values()) for (const cancel of timers) cancel();
    this.#byKey.clear();
  }
}
