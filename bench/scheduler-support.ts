/**
 * What the phases of the scheduler benchmark share (bench/scheduler.bench.ts, bench/scheduler-lag.ts):
 * the credentials and ARNs, a temporary data directory, in-process seeding of many schedules, the
 * project's logger at the level `tickwork local` runs at, and small statistics.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { SchedulerEmulator, TargetInvoker } from '../local/scheduler/index.ts';
import { createLogger, type Logger } from '../shared/logger.ts';

// The emulator accepts only requests signed with the credentials it was started with.
export const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
export const ROLE_ARN = 'arn:aws:iam::000000000000:role/bench';
export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:bench';

setFlagsFromString('--expose-gc');
/** A full garbage collection, between measurements (never inside one). */
export const gc = runInNewContext('gc') as () => void;

export const noopInvoker: TargetInvoker = { invoke: async () => undefined };

/**
 * The project's logger at the level `tickwork local` runs at (info), counting the bytes of the lines
 * it renders instead of writing them, so its cost is paid without terminal output.
 */
export function countingLogger(): { log: Logger; bytes: () => number } {
  let bytes = 0;
  return {
    log: createLogger({
      level: 'info',
      write: (line) => {
        bytes += line.length;
      },
    }),
    bytes: () => bytes,
  };
}

export async function withDataDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'tickwork-bench-scheduler-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function createMany(
  emulator: SchedulerEmulator,
  count: number,
  body: (index: number) => Record<string, unknown>,
): Promise<void> {
  const batch = 2000;
  for (let start = 0; start < count; start += batch) {
    const work: Promise<string>[] = [];
    for (let index = start; index < Math.min(count, start + batch); index++) {
      work.push(emulator.store.schedules.create(`s-${index}`, body(index)));
    }
    await Promise.all(work);
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
