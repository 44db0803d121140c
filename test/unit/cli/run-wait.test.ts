import { describe, expect, it } from 'vitest';
import { pollDelayMs, waitForRun } from '../../../cli/commands/run.ts';
import type { Clock } from '../../../shared/clock.ts';

/** A clock whose sleeps move time forward at once and are recorded. */
function steppingClock(start = 0): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => new Date(now),
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

/** Answers the given statuses in turn, then keeps answering the last one. */
function statuses(...sequence: string[]): {
  read: () => Promise<Record<string, unknown>>;
  reads: () => number;
} {
  let count = 0;
  return {
    read: async () => {
      const status = sequence[Math.min(count, sequence.length - 1)];
      count++;
      return { runId: 'r1', status };
    },
    reads: () => count,
  };
}

describe('pollDelayMs', () => {
  it.each([
    [0, 250],
    [1, 500],
    [2, 1000],
    [3, 2000],
    [10, 2000],
  ])('Given poll %i, When asked, Then it waits %i ms', (poll, delay) => {
    expect(pollDelayMs(poll)).toBe(delay);
  });
});

describe('waitForRun', () => {
  it.each(['succeeded', 'failed', 'cancelled', 'skipped', 'timed_out'])(
    'Given a run that ends %s, When waited for, Then it stops polling at the final status',
    async (final) => {
      const clock = steppingClock();
      const run = statuses('pending', 'running', 'running', final);

      const outcome = await waitForRun(run.read, 120_000, clock);

      expect(outcome).toEqual({ final: true, run: { runId: 'r1', status: final } });
      expect(run.reads()).toBe(4);
      expect(clock.slept).toEqual([250, 500, 1000]);
    },
  );

  it('Given a run that never finishes, When the timeout passes, Then the last read is at the deadline and it is not final', async () => {
    const clock = steppingClock();
    const run = statuses('running');

    const outcome = await waitForRun(run.read, 5_000, clock);

    expect(outcome).toEqual({ final: false, run: { runId: 'r1', status: 'running' } });
    // 250 + 500 + 1000 + 2000 = 3750; the last sleep is cut to the 1250 ms left.
    expect(clock.slept).toEqual([250, 500, 1000, 2000, 1250]);
    expect(clock.now().getTime()).toBe(5_000);
    expect(run.reads()).toBe(6);
  });
});
