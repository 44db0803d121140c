/**
 * How a calibration run stops early, through the real lifecycle on dynalite: at its deadline (what was
 * answered is submitted, the next run answers the rest, none twice), on cancel (between prompts, and
 * aborting the calls in flight; nothing submitted), and at a budget (BudgetExceeded naming it, answers
 * submitted, counters shared across runs in the jobs table).
 */
import { describe, expect, it } from 'vitest';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import { cancelRun } from '../../../shared/runs/cancel.ts';
import { executeRun, type RunDeps } from '../../../shared/runs/lifecycle.ts';
import { givenCalibrationJob, prompts, START, scheduled, setup, useCalibrationWorld } from './support.ts';

const world = useCalibrationWorld();

const NEXT = '2026-03-02T10:00:00.000Z';

async function runOf(deps: RunDeps, job: Job, slot = START): Promise<Run> {
  const run = await deps.runs.get(job.name, slot);
  if (run === undefined) throw new Error('no run recorded');
  return run;
}

describe('a calibration run at its deadline', () => {
  it('submits what it answered, fails saying so, and the next run answers the rest, none twice', async () => {
    // Given 5 prompts, and a run with time for two model calls: each call takes 3 s of the run's
    // 100 s, and a call is started only while its 60 s timeout and the submit's reserve still fit
    const { deps, work, clock } = setup(world.engine, world.secretsDir);
    world.platform.prompts = prompts(5);
    world.platform.onModelCall = async () => clock.advance(3_000);
    const job = await givenCalibrationJob(deps, world.platform, { concurrency: 1 });
    const end = clock.now().getTime() + 100_000;
    // When it runs
    await expect(
      executeRun(deps, scheduled(job), work, { remainingTimeMs: () => end - clock.now().getTime() }),
    ).rejects.toThrow(
      'reached its deadline before answering every prompt (responses: 2 of 5 answered, 3 left)',
    );
    // Then the two answers were submitted and the run failed with the reason
    expect(world.platform.modelCalls).toBe(2);
    expect([...world.platform.answered.keys()]).toEqual(['p-1', 'p-2']);
    expect((await runOf(deps, job)).error?.type).toBe('CalibrationIncompleteError');

    // When the next run has its full time
    await executeRun(deps, scheduled(job, NEXT), work);
    // Then it answered only the three left, and every prompt has exactly one answer
    expect(world.platform.modelCalls).toBe(5);
    expect([...world.platform.answered.keys()].sort()).toEqual(['p-1', 'p-2', 'p-3', 'p-4', 'p-5']);
    expect((await runOf(deps, job, NEXT)).result).toMatchObject({
      flows: { responses: { prompts: 3, answered: 3, failed: 0, left: 0 } },
    });
  });

  it('does not retry a throttled call when the wait would cross the deadline', async () => {
    const { deps, work, clock } = setup(world.engine, world.secretsDir);
    world.platform.prompts = prompts(1);
    world.platform.script.set('/v1/chat/completions', [
      { status: 429, body: 'busy', headers: { 'retry-after': '20' } },
    ]);
    const job = await givenCalibrationJob(deps, world.platform);
    const end = clock.now().getTime() + 110_000;
    await expect(
      executeRun(deps, scheduled(job), work, { remainingTimeMs: () => end - clock.now().getTime() }),
    ).rejects.toThrow('reached its deadline');
    // No wait was made: 20 s plus another 60 s call would not leave the submit its time
    expect(clock.waits).toEqual([]);
    expect(world.platform.modelCalls).toBe(1);
  });
});

describe('cancelling a calibration run', () => {
  it('stops between prompts and submits nothing', async () => {
    // Given a run whose second model call is answered after the run was cancelled
    const { deps, work, clock } = setup(world.engine, world.secretsDir, { cancels: true });
    world.platform.prompts = prompts(5);
    const job = await givenCalibrationJob(deps, world.platform, { concurrency: 1 });
    world.platform.onModelCall = async () => {
      if (world.platform.modelCalls === 2) await cancelRun(deps, (await runOf(deps, job)).runId);
      // Each call takes 2 s: the run's next check reads the record again.
      clock.advance(2_000);
    };
    // When it runs
    const outcome = await executeRun(deps, scheduled(job), work);
    // Then no third prompt was asked and nothing was submitted
    expect(outcome.outcome).toBe('cancelled');
    expect(world.platform.modelCalls).toBe(2);
    expect(world.platform.answered.size).toBe(0);
  });

  it('aborts the model calls in flight', async () => {
    // Given two calls in flight: one the model never answers, one answered after the cancel
    const { deps, work, clock } = setup(world.engine, world.secretsDir, { cancels: true });
    world.platform.prompts = prompts(2);
    const job = await givenCalibrationJob(deps, world.platform, { concurrency: 2 });
    let cancelled = false;
    world.platform.onModelCall = async (prompt) => {
      if (prompt.endsWith(' 1')) return new Promise<void>(() => {});
      await cancelRun(deps, (await runOf(deps, job)).runId);
      cancelled = true;
      clock.advance(2_000);
    };
    // When the run runs, Then it ends cancelled without waiting for the hanging call's 60 s timeout
    const outcome = await executeRun(deps, scheduled(job), work);
    expect(cancelled).toBe(true);
    expect(outcome.outcome).toBe('cancelled');
    expect(world.platform.answered.size).toBe(0);
  });
});

describe('calibration budgets', () => {
  it('stops at the run token budget with BudgetExceeded naming it, after submitting what was answered', async () => {
    // Given a budget of 60 tokens per run: each call reserves 17 bytes of prompt + 20 max tokens = 37,
    // and uses 3 + 5 = 8, so the settled counter allows the calls while the next reservation fits
    const { deps, work } = setup(world.engine, world.secretsDir);
    world.platform.prompts = prompts(10);
    const job = await givenCalibrationJob(deps, world.platform, {
      concurrency: 1,
      budget: { perRunTokens: 60 },
    });
    // When it runs, it ends failed without throwing: Lambda must not retry a run against its own budget
    const outcome = await executeRun(deps, scheduled(job), work);
    expect(outcome).toMatchObject({ outcome: 'failed', run: { status: 'failed', attempt: 1 } });
    expect(outcome.outcome === 'failed' && outcome.run.error?.message).toContain('budget perRunTokens (60)');
    // Then it answered 3 (24 tokens used; a 4th would reserve 37 more: 61 > 60) and submitted them
    const run = await runOf(deps, job);
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({
      type: 'BudgetExceeded',
      message: expect.stringContaining(
        "the run's budget perRunTokens (60) would be crossed by the next model call",
      ),
    });
    expect(world.platform.modelCalls).toBe(3);
    expect(world.platform.answered.size).toBe(3);
  });

  it('shares the day budget between runs: the second run is refused what the first used', async () => {
    // Given a day budget in USD that covers a little more than one run of three prompts
    const { deps, work } = setup(world.engine, world.secretsDir);
    world.platform.prompts = prompts(3);
    const config = {
      concurrency: 1,
      pricing: { inputPerMillionTokens: 1_000, outputPerMillionTokens: 1_000 },
      budget: { perDayUsd: 0.06 },
    };
    const job = await givenCalibrationJob(deps, world.platform, config);
    // When the first run runs, it answers all three (8 tokens each = 0.008 USD; 0.037 reserved per call)
    await executeRun(deps, scheduled(job), work);
    expect((await runOf(deps, job)).result).toMatchObject({
      usage: { inputTokens: 9, outputTokens: 15 },
      costUsd: 0.024,
      budget: { perDayUsd: { limit: 0.06, used: 0.024, left: 0.036 } },
    });
    // Then a second run the same day with three new prompts can reserve none: 0.024 + 0.037 > 0.06
    world.platform.prompts = prompts(3, 'q');
    const second = await executeRun(deps, scheduled(job, NEXT), work);
    expect(second.outcome === 'failed' && second.run.error?.message).toContain(
      "the day's budget perDayUsd (0.06)",
    );
    expect(world.platform.modelCalls).toBe(3);
    expect((await runOf(deps, job, NEXT)).error?.type).toBe('BudgetExceeded');
  });
});
