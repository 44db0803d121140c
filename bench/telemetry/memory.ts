/**
 * Memory growth of one async operation in this process, measured two ways, each from the level right
 * after a full GC before it (so the garbage of the previous measure is not counted). Levels are
 * heapUsed + external (Buffers and other off-heap memory V8 tracks, arrayBuffers included).
 *
 * - `sampled`: `process.memoryUsage()` every few milliseconds. V8 collects lazily, so this peak counts
 *   garbage not collected yet: how much the process grew, not how much it had to hold. RSS is reported
 *   with it, but RSS rarely shrinks once pages are mapped, so it says more about the first large export
 *   than the next.
 * - `live`: a full GC, then the level, every few milliseconds: what the operation really held at that
 *   moment. The forced collections slow the operation down, so this is its own pass, never timed.
 *
 * A timer cannot fire inside a synchronous stretch (a JSON.parse of a large page): both peaks are the
 * highest level seen between such stretches, lower bounds of the true peak. Whatever stays live across
 * an await (a page kept while its chunks are sent, a chunk in flight) is seen.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** A full collection, without running the bench with --expose-gc (npm's tsx passes no node flags). */
const gc = runInNewContext('gc') as () => void;

export const SAMPLE_INTERVAL_MS = 2;
export const LIVE_INTERVAL_MS = 5;

export interface MemoryGrowth {
  /** Peak of heapUsed + external minus its level before, bytes. */
  readonly heap: number;
  /** Peak RSS minus RSS before, bytes (sampled mode). */
  readonly rss: number;
  readonly samples: number;
}

export type MemoryMode = 'sampled' | 'live';

const level = (usage: NodeJS.MemoryUsage) => usage.heapUsed + usage.external;

export async function measureMemory<T>(
  mode: MemoryMode,
  operation: () => Promise<T>,
): Promise<{ value: T; growth: MemoryGrowth }> {
  gc();
  const before = process.memoryUsage();
  let peakHeap = level(before);
  let peakRss = before.rss;
  let samples = 0;
  const sample = () => {
    if (mode === 'live') gc();
    const usage = process.memoryUsage();
    peakHeap = Math.max(peakHeap, level(usage));
    peakRss = Math.max(peakRss, usage.rss);
    samples++;
  };
  const timer = setInterval(sample, mode === 'live' ? LIVE_INTERVAL_MS : SAMPLE_INTERVAL_MS);
  try {
    const value = await operation();
    sample();
    return { value, growth: { heap: peakHeap - level(before), rss: peakRss - before.rss, samples } };
  } finally {
    clearInterval(timer);
  }
}
