/**
 * The run control's checks (shared/runs/control.ts) on the in-memory ledger (it passes the RunLedger
 * contract) and a manual clock: `checkpoint()` answers from what is known for an interval, but the
 * point of no return always reads, and what a cancel seen after it is recorded as.
 */
import { describe, expect, it } from 'vitest';
import { MemoryRunLedger } from '../../../shared/adapters/memory/index.ts';
import type { Run } from '../../../shared/jobs/model.ts';
import type { RunLedger, RunState } from '../../../shared/jobs/ports.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { cancelledReason, RunCancelledError, startRunControl } from '../../../shared/runs/control.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const START = '2026-03-01T12:00:00.000Z';

const running: Run = {
  runId: '01KJMM0000000000000000RUN1',
  job: 'control-job',
  slot: START,
  trigger: 'schedule',
  status: 'running',
  scheduledFor: START,
  startedAt: START,
  attempt: 1,
  duplicatesSuppressed: 0,
  expiresAt: Date.parse(START) / 1000 + 86_400,
};

/** The ledger holding the running run, counting state reads; `before` runs ahead of each read. */
async function given(before?: () => Promise<void>) {
  const clock = new ManualClock(START);
  const ledger = new MemoryRunLedger(clock);
  await ledger.claim(running);
  let reads = 0;
  const runs: RunLedger = Object.assign(Object.create(ledger) as RunLedger, {
    getState: async (job: string, slot: string): Promise<RunState | undefined> => {
      reads++;
      const state = await ledger.getState(job, slot);
      await before?.();
      return state;
    },
  });
  const control = startRunControl({
    runs,
    clock,
    log: silentLogger,
    run: running,
    remainingTimeMs: () => 60_000,
    timeoutSeconds: 60,
  });
  const cancel = () => ledger.transition(running.job, running.slot, ['running'], { cancelRequested: true });
  return { clock, ledger, control, cancel, reads: () => reads };
}

describe('the point of no return', () => {
  it("Given a cancel accepted in the run's first second, When the work checks, Then checkpoint() does not see it and the point of no return does", async () => {
    // Given
    const { control, cancel, reads } = await given();
    await cancel();
    // When / Then: a checkpoint answers from the start's knowledge, without a read
    await expect(control.checkpoint()).resolves.toBeUndefined();
    expect(reads()).toBe(0);
    // the point of no return reads, once, and stops the run
    const error = await control.pointOfNoReturn('the webhook delivery').catch((caught: unknown) => caught);
    expect(reads()).toBe(1);
    expect(error).toBeInstanceOf(RunCancelledError);
    expect(error).toMatchObject({ reason: 'cancelled by request' });
    expect(control.signal.aborted).toBe(true);
    expect(control.effectStarted()).toBeUndefined();
    control.stop();
  });

  it('Given no cancel, When the work passes its point of no return, Then the effect counts as started and a later cancel says it came after it', async () => {
    // Given
    const { clock, control, cancel } = await given();
    // When
    await control.pointOfNoReturn('the webhook delivery');
    expect(control.effectStarted()).toBe('the webhook delivery');
    // And a cancel comes while the effect is under way, seen by the watcher one interval later
    await cancel();
    clock.advance(1_000);
    await new Promise<void>((resolve) =>
      control.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    // Then
    expect(control.signal.reason).toMatchObject({ reason: cancelledReason('the webhook delivery') });
    expect(cancelledReason('the webhook delivery')).toContain('after the webhook delivery had started');
    control.stop();
  });

  it('Given a watcher read under way that started before the cancel, When the work reaches its point of no return, Then it reads again and sees the cancel', async () => {
    // Given the watcher's read, holding the state it read before the cancel
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let first = true;
    const { clock, control, cancel, reads } = await given(async () => {
      if (first) {
        first = false;
        await held;
      }
    });
    clock.advance(1_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads()).toBe(1);
    // When the cancel is accepted, then the work reaches its point of no return and the old read ends
    await cancel();
    const check = control.pointOfNoReturn('the webhook delivery');
    release();
    // Then
    await expect(check).rejects.toBeInstanceOf(RunCancelledError);
    expect(reads()).toBe(2);
    control.stop();
  });

  it('Given the state cannot be read, When the work reaches its point of no return, Then it throws and the effect does not start', async () => {
    const { control } = await given(async () => {
      throw new Error('ProvisionedThroughputExceededException');
    });
    await expect(control.pointOfNoReturn('the webhook delivery')).rejects.toThrow(
      'ProvisionedThroughputExceededException',
    );
    expect(control.effectStarted()).toBeUndefined();
    control.stop();
  });
});
