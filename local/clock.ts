/**
 * Time for the local runtime: the shared Clock port plus cancellable timers. The Scheduler emulator
 * and the Lambda runtime never call `setTimeout` or `Date.now()` for their schedules and deadlines,
 * so tests drive firing and function timeouts with a ManualClock instead of sleeping.
 */
import type { Clock } from '../shared/clock.ts';

/** Cancels a timer; calling it after the timer ran, or twice, does nothing. */
export type CancelTimer = () => void;

/** A Clock that can also run a callback after a delay of its own time, and cancel it. */
export interface TimerClock extends Clock {
  setTimer(delayMs: number, callback: () => void): CancelTimer;
}

/**
 * Node's timers overflow above 2^31-1 ms (about 24.8 days) and then fire at once, so longer delays
 * are clamped; the caller re-arms when a clamped timer wakes up early.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** The machine's wall clock with real timers. */
export const systemTimerClock: TimerClock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(ms, 0), MAX_TIMER_DELAY_MS))),
  setTimer(delayMs, callback) {
    const handle = setTimeout(callback, Math.min(Math.max(delayMs, 0), MAX_TIMER_DELAY_MS));
    return () => clearTimeout(handle);
  },
};

interface ManualTimer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/**
 * A clock that only moves when told to. `advance` walks time forward timer by timer, so each timer
 * runs with `now()` equal to its own due time, and lets asynchronous work settle in between (the
 * emulator arms follow-up timers, such as retries, after awaiting I/O).
 */
export class ManualClock implements TimerClock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, ManualTimer>();

  constructor(start: Date) {
    this.#now = start.getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.setTimer(ms, resolve);
    });
  }

  setTimer(delayMs: number, callback: () => void): CancelTimer {
    const seq = this.#seq++;
    this.#timers.set(seq, { at: this.#now + Math.max(delayMs, 0), seq, callback });
    return () => {
      this.#timers.delete(seq);
    };
  }

  /** When the earliest pending timer is due, if any. */
  nextTimerAt(): Date | undefined {
    const next = this.#earliest();
    return next === undefined ? undefined : new Date(next.at);
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due on the way in order. After each
   * timer, and at the end, `settle` is awaited; by default it lets pending I/O callbacks run.
   */
  async advance(ms: number, settle: () => Promise<void> = defaultSettle): Promise<void> {
    await this.advanceTo(new Date(this.#now + ms), settle);
  }

  /** Like `advance`, to an absolute instant (which must not be in this clock's past). */
  async advanceTo(target: Date, settle: () => Promise<void> = defaultSettle): Promise<void> {
    const end = target.getTime();
    if (end < this.#now) {
      throw new RangeError(
        `ManualClock cannot go back in time: now is ${new Date(this.#now).toISOString()}, asked for ${target.toISOString()}`,
      );
    }
    await settle();
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.at > end) break;
      this.#timers.delete(next.seq);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
      await settle();
    }
    this.#now = end;
    await settle();
  }

  #earliest(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq))
        best = timer;
    }
    return best;
  }
}

async function defaultSettle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
