/**
 * The clock port: everything that asks "what time is it" or waits takes a Clock,
 * so scheduling logic is tested without sleeping.
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
  /**
   * Resolves after `ms` milliseconds of this clock's time, or as soon as `signal` aborts (it never
   * rejects): a wait that is no longer needed does not hold a timer.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock of the machine. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted === true) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};
