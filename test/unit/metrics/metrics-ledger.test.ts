/**
 * The metered ledger (shared/metrics-ledger.ts) over the in-memory ledger, with a metrics port that
 * records its calls: which writes count a run's end, and that a metric never fails a write.
 */
import { describe, expect, it } from 'vitest';
import { MemoryRunLedger } from '../../../shared/adapters/memory/run-ledger.ts';
import { reportCalibrationUsage } from '../../../shared/kinds/calibration/usage-metrics.ts';
import type { Metrics } from '../../../shared/metrics.ts';
import { meteredRunLedger } from '../../../shared/metrics-ledger.ts';
import { newManualRun } from '../../../shared/runs/manual.ts';
import { promptJob } from '../../support/jobs.ts';
import { captureLogs } from '../../support/logs.ts';
import { ManualClock } from '../../support/manual-clock.ts';

/** A metrics port that keeps each call as [method, argument]. */
function recordingMetrics(): { metrics: Metrics; calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  const record =
    (method: string) =>
    (argument: unknown): void => {
      calls.push([method, argument]);
    };
  return {
    calls,
    metrics: {
      runStarted: record('runStarted'),
      runEnded: record('runEnded'),
      duplicateSuppressed: record('duplicateSuppressed'),
      slotMissed: record('slotMissed'),
      jobsLate: record('jobsLate'),
      calibrationUsage: record('calibrationUsage'),
    },
  };
}

function setup(kindOf: (job: string) => string | undefined | Promise<string | undefined>) {
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  const { metrics, calls } = recordingMetrics();
  const logs = captureLogs();
  const runs = meteredRunLedger(new MemoryRunLedger(clock), metrics, kindOf, logs.log);
  const { run } = newManualRun(promptJob('metered'), clock.now(), { retentionDays: 30 });
  return { clock, runs, run, calls, logs };
}

describe('meteredRunLedger', () => {
  it('Given a pending run cancelled, and then a note on the ended run, Then its end is counted once', async () => {
    const { runs, run, calls } = setup(() => 'prompt');
    await runs.claim(run);
    await runs.transition(run.job, run.slot, ['pending'], { status: 'cancelled', reason: 'by request' });
    await runs.transition(run.job, run.slot, ['cancelled'], { reason: 'noted later' });
    expect(calls).toEqual([['runEnded', { kind: 'prompt', runId: run.runId, outcome: 'cancelled' }]]);
  });

  it('Given a slot claimed as a missed run, Then its end and the missed slot are counted, once each', async () => {
    const { runs, run, calls } = setup(() => 'prompt');
    const missed = { ...run, status: 'missed' as const, reason: 'no run by the starting deadline' };
    await runs.claim(missed);
    await runs.claim(missed);
    expect(calls).toEqual([
      ['runEnded', { kind: 'prompt', runId: run.runId, outcome: 'missed' }],
      ['slotMissed', { kind: 'prompt', runId: run.runId }],
    ]);
  });

  it('Given a manual run claimed pending, Then no start lag is counted (only a scheduled run has a slot to lag)', async () => {
    const { runs, run, calls } = setup(() => 'prompt');
    await runs.claim({ ...run, status: 'running', startedAt: '2026-03-01T12:00:05.000Z' });
    expect(calls).toEqual([]);
  });

  it('Given a job whose kind cannot be read, Then the write still succeeds, is not counted, and a warning names the run', async () => {
    const { runs, run, calls, logs } = setup(async () => {
      throw new Error('jobs table unavailable');
    });
    await runs.claim(run);
    const ended = await runs.transition(run.job, run.slot, ['pending'], {
      status: 'skipped',
      reason: 'paused',
    });
    expect(ended?.status).toBe('skipped');
    expect(calls).toEqual([]);
    expect(logs.entries).toEqual([
      expect.objectContaining({ level: 'warn', job: run.job, runId: run.runId }),
    ]);
  });

  it('Given a deleted job (no kind), Then its run is not counted', async () => {
    const { runs, run, calls } = setup(() => undefined);
    await runs.claim(run);
    await runs.transition(run.job, run.slot, ['pending'], { status: 'skipped', reason: 'job deleted' });
    expect(calls).toEqual([]);
  });
});

describe('calibration usage as metrics', () => {
  it.each([
    [
      { usage: { inputTokens: 900, outputTokens: 300 }, costUsd: 0.0042 },
      [{ runId: 'r1', tokens: 1_200, costUsd: 0.0042 }],
    ],
    [{ usage: { inputTokens: 10, outputTokens: 5 } }, [{ runId: 'r1', tokens: 15, costUsd: 0 }]],
    [{ flows: {} }, []],
  ])('Given the result %j, Then it reports %j', (result, expected) => {
    const { metrics, calls } = recordingMetrics();
    reportCalibrationUsage(metrics, { runId: 'r1' }, result);
    expect(calls.map(([, argument]) => argument)).toEqual(expected);
  });
});
