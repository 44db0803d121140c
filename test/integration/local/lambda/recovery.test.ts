/**
 * The runtime's asynchronous events across a crash. A "crash" is a runtime left as it is, without
 * close (its handler hanging or its module still loading, as when the process was killed), followed by
 * a new runtime on the same data directory: what the journal holds is all the new one knows.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../../local/clock.ts';
import { ASYNC_JOURNAL_FILE, AsyncEventJournal, LambdaRuntime } from '../../../../local/lambda/runtime.ts';
import { callsOf, resetCalls } from '../../../fixtures/local-recorder.ts';
import { captureLogs } from '../../../support/logs.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/${name}`, import.meta.url));
const FIXTURE = 'tickwork-local-fixture';
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms);

describe('LambdaRuntime events across a crash', () => {
  let dataDir: string;
  /** Every runtime a test made; the "crashed" ones are only closed after the test, with nothing pending. */
  const runtimes: LambdaRuntime[] = [];

  beforeEach(async () => {
    resetCalls();
    dataDir = await mkdtemp(join(tmpdir(), 'tickwork-events-'));
  });

  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.close(0);
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A runtime on the data directory's journal, its fixture function with a 5 s timeout. */
  async function runtimeAt(
    clock: ManualClock,
    asyncRetryDelaysMs: readonly number[],
    entry = 'local-lambda-handler.ts',
  ) {
    const { log, entries } = captureLogs('debug');
    const runtime = new LambdaRuntime({
      functions: { [FIXTURE]: { entry: fixture(entry), timeoutSeconds: 5, memorySize: 128 } },
      journal: await AsyncEventJournal.open(dataDir),
      asyncRetryDelaysMs,
      clock,
      log,
    });
    runtimes.push(runtime);
    return { runtime, logged: entries };
  }

  it('Given an event accepted and the process killed before its attempt started, When a runtime starts on the data directory, Then the event runs, with its request id', async () => {
    // Given an accepted event whose function was still loading (its cold start) when the process died
    const crashed = await runtimeAt(new ManualClock(at(0)), [], 'local-never-loads-handler.ts');
    const { awsRequestId } = await crashed.runtime.invokeAsync(
      FIXTURE,
      JSON.stringify({ action: 'result', result: 'late' }),
      'tickwork-local/nightly',
    );
    // (the journal held it before invokeAsync answered)
    expect(await readFile(join(dataDir, ASYNC_JOURNAL_FILE), 'utf8')).toContain(`"id":"${awsRequestId}"`);

    // When a runtime starts on the same data directory (the function loads this time)
    const { runtime, logged } = await runtimeAt(new ManualClock(at(1_000)), []);
    const summary = await runtime.recover();

    // Then the event runs once, with its request id and payload
    expect(summary).toEqual({ replayed: 1, crashedAttempts: 0, retriesRestored: 0, dropped: 0 });
    await vi.waitFor(() => expect(callsOf('lambda')).toHaveLength(1));
    expect(callsOf('lambda')[0]).toEqual({
      fixture: 'lambda',
      event: { action: 'result', result: 'late' },
      awsRequestId,
    });
    await vi.waitFor(() =>
      expect(logged).toContainEqual(
        expect.objectContaining({
          message: 'invoke',
          requestId: awsRequestId,
          attempt: 1,
          outcome: 'succeeded',
        }),
      ),
    );
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'events recovered', replayed: 1 }),
    );
  });

  it('Given an event accepted and the stack down for longer than the maximum event age, When a runtime starts, Then the event is dropped, as Lambda drops it, and not run', async () => {
    // Given an event that never started (its function was loading when the process died)
    const crashed = await runtimeAt(new ManualClock(at(0)), [], 'local-never-loads-handler.ts');
    const { awsRequestId } = await crashed.runtime.invokeAsync(FIXTURE, JSON.stringify({ action: 'result' }));

    // When a runtime starts on the data directory six hours and a second later
    const { runtime, logged } = await runtimeAt(new ManualClock(at(6 * 3_600_000 + 1_000)), []);
    const summary = await runtime.recover();

    // Then it is dropped with a line that says why, and the journal has it done
    expect(summary).toEqual({ replayed: 0, crashedAttempts: 0, retriesRestored: 0, dropped: 1 });
    expect(logged).toContainEqual(
      expect.objectContaining({
        message: 'event dropped, older than the maximum event age',
        requestId: awsRequestId,
        maxEventAgeSeconds: 21_600,
      }),
    );
    await vi.waitFor(async () =>
      expect(await readFile(join(dataDir, ASYNC_JOURNAL_FILE), 'utf8')).toContain('"outcome":"dropped"'),
    );
    expect(callsOf('lambda')).toHaveLength(0);
  });

  it.each([
    ['no wait', [0, 0], 6_000],
    ['a one-minute wait', [60_000], 61_000],
  ])(
    'Given an attempt running when the process was killed and retries with %s, When a runtime starts again, Then the next attempt runs after the crashed one’s deadline and the retry delay',
    async (_, delays, retryAt) => {
      // Given an attempt that started at T0 (deadline T0 + 5 s) and was running when the process died
      const crashed = await runtimeAt(new ManualClock(at(0)), delays);
      const { awsRequestId } = await crashed.runtime.invokeAsync(
        FIXTURE,
        JSON.stringify({ action: 'hang-times', key: 'crash', times: 1 }),
      );
      await vi.waitFor(() => expect(callsOf('lambda')).toHaveLength(1));

      // When a runtime starts on the data directory a second later
      const clock = new ManualClock(at(1_000));
      const { runtime, logged } = await runtimeAt(clock, delays);
      expect(await runtime.recover()).toEqual({
        replayed: 0,
        crashedAttempts: 1,
        retriesRestored: 0,
        dropped: 0,
      });

      // Then the crashed attempt counts as failed, and the next one waits for its deadline (plus the
      // margin for the run record's own) and for the retry delay
      expect(logged).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: 'invoke',
          requestId: awsRequestId,
          attempt: 1,
          outcome: 'retrying',
          error: 'the runtime stopped while the attempt ran (the process ended)',
          retryAt: at(retryAt).toISOString(),
        }),
      );
      expect(clock.nextTimerAt()).toEqual(at(retryAt));
      await clock.advanceTo(at(retryAt - 1));
      expect(callsOf('lambda')).toHaveLength(1);
      await clock.advanceTo(at(retryAt));
      await vi.waitFor(() =>
        expect(logged).toContainEqual(
          expect.objectContaining({
            message: 'invoke',
            requestId: awsRequestId,
            attempt: 2,
            outcome: 'succeeded',
          }),
        ),
      );
      expect(callsOf('lambda').map((call) => call.awsRequestId)).toEqual([awsRequestId, awsRequestId]);

      // And once done, a later start finds nothing left to do
      const later = await runtimeAt(new ManualClock(at(retryAt + 1_000)), delays);
      expect(await later.runtime.recover()).toEqual({
        replayed: 0,
        crashedAttempts: 0,
        retriesRestored: 0,
        dropped: 0,
      });
    },
  );

  it('Given an attempt running when the process was killed and no retry left, When a runtime starts again, Then the event is dropped and logged, and not run', async () => {
    const crashed = await runtimeAt(new ManualClock(at(0)), []);
    const { awsRequestId } = await crashed.runtime.invokeAsync(
      FIXTURE,
      JSON.stringify({ action: 'hang-times', key: 'last', times: 1 }),
    );
    await vi.waitFor(() => expect(callsOf('lambda')).toHaveLength(1));

    const clock = new ManualClock(at(10_000));
    const { runtime, logged } = await runtimeAt(clock, []);

    expect(await runtime.recover()).toEqual({
      replayed: 0,
      crashedAttempts: 0,
      retriesRestored: 0,
      dropped: 1,
    });
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'warn', requestId: awsRequestId, attempt: 1, outcome: 'dropped' }),
    );
    expect(clock.nextTimerAt()).toBeUndefined();
    const later = await runtimeAt(new ManualClock(at(20_000)), []);
    expect((await later.runtime.recover()).dropped).toBe(0);
    expect(callsOf('lambda')).toHaveLength(1);
  });

  it('Given a failed attempt whose retry is pending, When the runtime closes and another starts, Then the retry is kept and runs at its time', async () => {
    // Given a retry due one minute after the first attempt failed
    const first = await runtimeAt(new ManualClock(at(0)), [60_000]);
    const { awsRequestId } = await first.runtime.invokeAsync(
      FIXTURE,
      JSON.stringify({ action: 'fail-times', key: 'kept', times: 1 }),
    );
    await vi.waitFor(() =>
      expect(first.logged).toContainEqual(
        expect.objectContaining({ requestId: awsRequestId, outcome: 'retrying' }),
      ),
    );

    // When the runtime closes, and another starts on the data directory ten seconds later
    await first.runtime.close(0);
    expect(first.logged).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: 'pending retries left for the next start',
        count: 1,
      }),
    );
    const clock = new ManualClock(at(10_000));
    const { runtime, logged } = await runtimeAt(clock, [60_000]);
    expect(await runtime.recover()).toEqual({
      replayed: 0,
      crashedAttempts: 0,
      retriesRestored: 1,
      dropped: 0,
    });

    // Then the retry runs at its time, as the same request
    expect(clock.nextTimerAt()).toEqual(at(60_000));
    await clock.advanceTo(at(60_000));
    await vi.waitFor(() =>
      expect(logged).toContainEqual(
        expect.objectContaining({ requestId: awsRequestId, attempt: 2, outcome: 'succeeded' }),
      ),
    );
    expect(callsOf('lambda').map((call) => call.awsRequestId)).toEqual([awsRequestId, awsRequestId]);
  });

  it('Given an event that succeeded before the process was killed, When a runtime starts again, Then it does not run again', async () => {
    const crashed = await runtimeAt(new ManualClock(at(0)), []);
    const { awsRequestId } = await crashed.runtime.invokeAsync(FIXTURE, JSON.stringify({ action: 'result' }));
    await vi.waitFor(() =>
      expect(crashed.logged).toContainEqual(
        expect.objectContaining({ requestId: awsRequestId, outcome: 'succeeded' }),
      ),
    );

    const { runtime } = await runtimeAt(new ManualClock(at(1_000)), []);

    expect(await runtime.recover()).toEqual({
      replayed: 0,
      crashedAttempts: 0,
      retriesRestored: 0,
      dropped: 0,
    });
    expect(callsOf('lambda')).toHaveLength(1);
  });
});
