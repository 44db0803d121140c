/**
 * Bounded concurrency, so that many jobs changing at once (a sweep finding a hundred late jobs, a
 * reminder pass with a backlog) become a steady trickle of sends instead of a burst that trips the
 * receiver's rate limit or the function's sockets.
 */

/** Runs at most `max` of the tasks given to it at once; the rest wait their turn, in order. */
export function createLimiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a whole number ≥ 1; got ${max}`);
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
