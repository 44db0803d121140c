import { describe, expect, it } from 'vitest';
import {
  followRun,
  type ProgressStream,
  pollDelayMs,
  progressLine,
  waitForRun,
} from '../../../cli/commands/run.ts';
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

/** Answers the given runs in turn, then keeps answering the last one. */
function script(...runs: Array<Record<string, unknown>>): () => Promise<Record<string, unknown>> {
  let count = 0;
  return async () => {
    const run = runs[Math.min(count, runs.length - 1)] ?? {};
    count++;
    return { runId: 'R1', job: 'nightly', ...run };
  };
}

/** A stream that records what is written, as a terminal (TTY) or as a pipe or file. */
function recorder(isTTY: boolean, columns = 200): ProgressStream & { text: () => string } {
  let text = '';
  return {
    isTTY,
    columns,
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
    text: () => text,
  };
}

const failedAttempt = { type: 'WebhookError', message: 'answered 500' };
/** A run that failed twice and will be retried, then succeeds on its third attempt (clock starts at 0). */
const retriedThenSucceeded = [
  { status: 'pending', attempt: 0 },
  { status: 'running', attempt: 1 },
  { status: 'retrying', attempt: 1, error: failedAttempt, nextAttemptAt: '1970-01-01T00:01:00.000Z' },
  { status: 'retrying', attempt: 1, error: failedAttempt, nextAttemptAt: '1970-01-01T00:01:00.000Z' },
  { status: 'running', attempt: 2 },
  { status: 'retrying', attempt: 2, error: failedAttempt, nextAttemptAt: '1970-01-01T00:03:00.000Z' },
  { status: 'running', attempt: 3 },
  { status: 'succeeded', attempt: 3, durationMs: 1200 },
];

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

describe('waiting through retries', () => {
  it('Given a run that is retrying, When waited for, Then retrying is not final and the wait goes on to the outcome', async () => {
    const clock = steppingClock();
    const seen: Array<[unknown, number]> = [];

    const outcome = await waitForRun(script(...retriedThenSucceeded), 600_000, clock, (run, elapsed) =>
      seen.push([run.status, elapsed]),
    );

    expect(outcome).toMatchObject({ final: true, run: { status: 'succeeded', attempt: 3 } });
    expect(seen.map(([status]) => status)).toEqual(retriedThenSucceeded.map((run) => run.status));
    expect(seen.map(([, elapsed]) => elapsed)).toEqual([0, 250, 750, 1750, 3750, 5750, 7750, 9750]);
  });

  it.each<[string, Record<string, unknown>, number, string]>([
    ['pending', { runId: 'R1', status: 'pending' }, 400, 'run R1 pending, waited 0 s'],
    [
      'running',
      { runId: 'R1', status: 'running', attempt: 2 },
      65_000,
      'run R1 running (attempt 2), waited 1m 05s',
    ],
    [
      'retrying, the next attempt ahead',
      {
        runId: 'R1',
        status: 'retrying',
        attempt: 1,
        error: { type: 'WebhookError', message: 'answered\n500' },
        nextAttemptAt: '1970-01-01T00:01:00.000Z',
      },
      12_000,
      'run R1 retrying: attempt 1 failed (WebhookError: answered 500); next attempt around 1970-01-01 00:01:00Z (in 48 s), waited 12 s',
    ],
    [
      'retrying, the next attempt overdue',
      { runId: 'R1', status: 'retrying', attempt: 2, nextAttemptAt: '1970-01-01T00:00:05.000Z' },
      12_000,
      'run R1 retrying: attempt 2 failed; next attempt due since 1970-01-01 00:00:05Z, waited 12 s',
    ],
    [
      'retrying without an estimate',
      { runId: 'R1', status: 'retrying' },
      3_000,
      'run R1 retrying: an attempt failed; next attempt soon, waited 3 s',
    ],
  ])('Given a run %s, When shown while waiting, Then one line says where it is', (_, run, elapsed, line) => {
    expect(progressLine(run, elapsed, new Date(elapsed))).toBe(line);
  });

  it('Given a retried run, When followed to a pipe, Then one progress line per change on it and the outcome on stdout, exit 0', async () => {
    const progress = recorder(false);
    const out: string[] = [];

    const code = await followRun({
      runId: 'R1',
      read: script(...retriedThenSucceeded),
      timeoutMs: 600_000,
      json: false,
      write: (text) => out.push(text),
      progress,
      clock: steppingClock(),
    });

    expect(code).toBe(0);
    expect(progress.text().split('\n')).toEqual([
      'run R1 pending, waited 0 s',
      'run R1 running (attempt 1), waited 0 s',
      'run R1 retrying: attempt 1 failed (WebhookError: answered 500); next attempt around 1970-01-01 00:01:00Z (in 59 s), waited 1 s',
      'run R1 running (attempt 2), waited 4 s',
      'run R1 retrying: attempt 2 failed (WebhookError: answered 500); next attempt around 1970-01-01 00:03:00Z (in 2m 54s), waited 6 s',
      'run R1 running (attempt 3), waited 8 s',
      'run R1 succeeded (attempt 3), waited 10 s',
      '',
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^run R1 succeeded in 1\.2 s after 3 attempts\nrun: +R1\n/);
  });

  it('Given a terminal, When followed, Then one line is rewritten in place and cleared before the outcome', async () => {
    const progress = recorder(true, 60);

    await followRun({
      runId: 'R1',
      read: script(
        { status: 'running', attempt: 1 },
        { status: 'running', attempt: 1 },
        { status: 'failed', attempt: 1 },
      ),
      timeoutMs: 600_000,
      json: false,
      write: () => {},
      progress,
      clock: steppingClock(),
    });

    const updates = progress.text().split('\r\x1b[2K');
    expect(updates).toEqual([
      '',
      'run R1 running (attempt 1), waited 0 s',
      'run R1 running (attempt 1), waited 0 s',
      'run R1 failed (attempt 1), waited 1 s',
      '',
    ]);
    expect(progress.text()).not.toContain('\n');
  });

  it('Given a terminal narrower than the line, When shown, Then the line is cut to fit (a wrapped line cannot be rewritten)', async () => {
    const progress = recorder(true, 40);

    await followRun({
      runId: 'R1',
      read: script({ status: 'retrying', attempt: 1, error: failedAttempt }, { status: 'failed' }),
      timeoutMs: 600_000,
      json: false,
      write: () => {},
      progress,
      clock: steppingClock(),
    });

    const [, first] = progress.text().split('\r\x1b[2K');
    expect(first).toBe('run R1 retrying: attempt 1 failed (Web…');
    expect(first).toHaveLength(39);
  });

  it.each<[string, Record<string, unknown>, number]>([
    ['failed after its retries', { status: 'failed', attempt: 3, error: failedAttempt }, 1],
    ['timed out', { status: 'timed_out', attempt: 1 }, 1],
    ['cancelled', { status: 'cancelled', attempt: 1 }, 1],
    ['skipped', { status: 'skipped', attempt: 0 }, 1],
    ['succeeded', { status: 'succeeded', attempt: 1 }, 0],
  ])('Given a run that ends %s, When followed, Then exit %i', async (_, final, code) => {
    const exit = await followRun({
      runId: 'R1',
      read: script({ status: 'retrying', attempt: 1, error: failedAttempt }, final),
      timeoutMs: 600_000,
      json: false,
      write: () => {},
      progress: recorder(false),
      clock: steppingClock(),
    });

    expect(exit).toBe(code);
  });

  it('Given a run still retrying at the timeout, When followed, Then exit 5 and it says how to follow it', async () => {
    const progress = recorder(false);
    const out: string[] = [];

    const code = await followRun({
      runId: 'R1',
      read: script({ status: 'retrying', attempt: 1, error: failedAttempt }),
      timeoutMs: 5_000,
      json: true,
      write: (text) => out.push(text),
      progress,
      clock: steppingClock(),
    });

    expect(code).toBe(5);
    expect(JSON.parse(out[0] ?? '')).toMatchObject({ runId: 'R1', status: 'retrying' });
    expect(progress.text().trimEnd().split('\n').at(-1)).toBe(
      'tickwork run: run R1 is still retrying after 5 s; follow it with `tickwork runs R1`',
    );
  });
});
