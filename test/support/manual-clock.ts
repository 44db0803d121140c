/** A Clock for tests that moves only when the test says so. */
import type { Clock } from '../../shared/clock.ts';

/** A clock that only moves when the test says so; `sleep` resolves once the clock has passed its end. */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: { until: number; resolve: () => void }[] = [];

  constructor(start: string | Date) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true) return resolve();
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((other) => other !== sleeper);
        resolve();
      };
      // A sleep that ends on time drops its listener: a long-lived signal (a run's) must not collect one per wait.
      const sleeper = {
        until: this.current + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.wake();
    });
  }

  /** Sleeps not yet due (a test can wait for the code under test to reach its next wait). */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  advance(ms: number): void {
    this.current += ms;
    this.wake();
  }

  set(instant: string | Date): void {
    this.current = new Date(instant).getTime();
    this.wake();
  }

  private wake(): void {
    const due = this.sleepers.filter((sleeper) => sleeper.until <= this.current);
    this.sleepers = this.sleepers.filter((sleeper) => sleeper.until > this.current);
    for (const sleeper of due) sleeper.resolve();
  }
}
