/**
 * Peak memory growth of one async operation in this process: `process.memoryUsage()` sampled every
 * few milliseconds while it runs, minus the level right before it (after a full GC, so the garbage of
 * the previous measure is not counted). The heap figure is heapUsed + external (Buffers and other
 * off-heap memory V8 tracks, arrayBuffers included): what the operation holds. RSS is reported too, but
 * it rarely shrinks once pages are mapped, so it says more about the first large operation than the next.
 *
 * A sample cannot run inside a synchronous stretch (a JSON.parse of a large page): the peak is the
 * highest level seen between such stretches, a lower bound of the true peak. Whatever stays live across
 * an await (a page held while its chunks are sent) is seen.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** A full collection, without running the bench with --expose-gc (tsx passes no node flags from npm). */
const gc = runInNewContext('gc') as () => void;

export const SAMPLE_INTERVAL_MS = 2;

export interface MemoryGrowth {
  /** Peak of heapUsed + external, minus its level before, bytes. */
  readonly heap: number;
  /** Peak RSS minus RSS before, bytes. */
  readonly rss: number;
  readonly samples: number;
}

export async function measureMemory<T>(
  operation: () => Promise<T>,
): Promise<{ value: T; growth: MemoryGrowth }> {
  gc();
  const before = process.memoryUsage();
  const level = (usage: NodeJS.MemoryUsage) => usage.heapUsed + usage.external;
  let peakHeap = level(before);
  let peakRss = before.rss;
  let samples = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peakHeap = Math.max(peakHeap, level(usage));
    peakRss = Math.max(peakRss, usage.rss);
    samples++;
  };
  const timer = setInterval(sample, SAMPLE_INTERVAL_MS);
  try {
    const value = await operation();
    sample();
    return {
      value,
      growth: { heap: peakHeap - level(before), rss: peakRss - before.rss, samples },
    };
  } finally {
    clearInterval(timer);
  }
}
