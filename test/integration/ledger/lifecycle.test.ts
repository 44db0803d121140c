import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunConflictError, RunNotFoundError } from '../../../shared/errors.ts';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import type { JobEvent } from '../../../shared/jobs/ports.ts';
import { cancelRun } from '../../../shared/runs/cancel.ts';
import { executeRun, type RunDeps, type RunOutcome, type RunWork } from '../../../shared/runs/lifecycle.ts';
import { newManualRun } from '../../../shared/runs/manual.ts';
import { newRunId } from '../../../shared/runs/run-id.ts';
import {
  captureLog,
  ENGINE_START_TIMEOUT_MS,
  type Engine,
  engineKinds,
  ManualClock,
  promptJob,
  startEngine,
  stores,
} from './support.ts';

const LEASE_SECONDS = 60;

let jobCounter = 0;
async function givenJob(deps: RunDeps, overrides: Partial<Job> = {}): Promise<Job> {
  jobCounter++;
  const job = promptJob(`life-${jobCounter}`, overrides);
  await deps.jobs.create(job);
  return job;
}

function slotEvent(job: Job, scheduledTime: string, executionId = `exec-${Math.random()}`): JobEvent {
  return { job: job.name, scheduledTime, executionId, attempt: '1', trigger: 'schedule' };
}

function deferred<T = void>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const ok: RunWork = async () => ({ delivered: true });

/** Starts a run whose work never ends until released (as if Lambda had stopped it mid-way). */
async function startStuckRun(deps: RunDeps, job: Job, scheduledTime: string) {
  const started = deferred();
  const never = deferred();
  const run = executeRun(deps, slotEvent(job, scheduledTime), async () => {
    started.resolve();
    await never.promise;
    return {};
  });
  await started.promise;
  return {
    release: async () => {
      never.resolve();
      await run;
    },
  };
}

async function allRuns(deps: RunDeps, job: Job): Promise<Run[]> {
  return (await deps.runs.list({ job: job.name, limit: 100 })).items;
}

describe.each(engineKinds)('on %s', (kind) => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await startEngine(kind);
  }, ENGINE_START_TIMEOUT_MS);
  afterAll(async () => {
    await engine?.close();
  });

  function setup(start = '2026-03-01T12:00:00.000Z') {
    const clock = new ManualClock(start);
    const log = captureLog();
    const { jobs, runs } = stores(engine, clock);
    const deps: RunDeps = {
      jobs,
      runs,
      clock,
      log: log.logger,
      retentionDays: 30,
      leaseSeconds: LEASE_SECONDS,
    };
    return { clock, log, jobs, runs, deps };
  }

  describe('executeRun: one run per slot', () => {
    it('turns 10 concurrent deliveries of one slot into exactly one run and 9 suppressed duplicates', async () => {
      // Given
      const { deps } = setup();
      const job = await givenJob(deps);
      let calls = 0;
      const work: RunWork = async () => {
        calls++;
        return { delivered: true };
      };
      // When the same scheduled time arrives 10 times, each with its own execution id
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z', `exec-${i}`), work),
        ),
      );
      // Then
      expect(calls).toBe(1);
      expect(outcomes.filter((o) => o.outcome === 'succeeded')).toHaveLength(1);
      expect(outcomes.filter((o) => o.outcome === 'duplicate')).toHaveLength(9);
      const runs = await allRuns(deps, job);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        slot: '2026-03-01T12:00:00.000Z',
        scheduledFor: '2026-03-01T12:00:00.000Z',
        status: 'succeeded',
        duplicatesSuppressed: 9,
        attempt: 1,
        trigger: 'schedule',
        result: { delivered: true },
      });
    });

    it('treats "...:00Z" and "...:00.000Z" as the same slot', async () => {
      const { deps } = setup();
      const job = await givenJob(deps);
      const first = await executeRun(deps, slotEvent(job, '2026-03-01T12:05:00Z'), ok);
      const second = await executeRun(deps, slotEvent(job, '2026-03-01T12:05:00.000Z'), ok);
      expect([first.outcome, second.outcome]).toEqual(['succeeded', 'duplicate']);
    });
  });

  describe('executeRun: overlap', () => {
    it('skips a slot while a run of the job is in progress (policy skip), then runs again once it is final', async () => {
      // Given a slow first run
      const { deps, clock } = setup();
      const job = await givenJob(deps, { overlap: 'skip' });
      const started = deferred();
      const release = deferred();
      const slow: RunWork = async () => {
        started.resolve();
        await release.promise;
        return { slow: true };
      };
      const first = executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), slow);
      await started.promise;
      // When the next slot arrives while it runs
      clock.advance(10_000);
      const second = await executeRun(deps, slotEvent(job, '2026-03-01T12:00:10Z'), ok);
      // Then it is recorded as skipped, with the reason
      expect(second.outcome).toBe('skipped');
      const firstRunId = (await deps.runs.get(job.name, '2026-03-01T12:00:00.000Z'))?.runId ?? 'missing';
      expect(second.outcome === 'skipped' && second.run).toMatchObject({
        status: 'skipped',
        reason: expect.stringContaining(`run ${firstRunId} of this job is still in progress`),
      });
      // And once the first run is final, the next slot takes the lease over and runs
      release.resolve();
      expect((await first).outcome).toBe('succeeded');
      clock.advance(10_000);
      const third = await executeRun(deps, slotEvent(job, '2026-03-01T12:00:20Z'), ok);
      expect(third.outcome).toBe('succeeded');
      expect((await deps.jobs.get(job.name))?.lease?.slot).toBe('2026-03-01T12:00:20.000Z');
    });

    it('runs slots side by side under policy allow', async () => {
      const { deps, clock } = setup();
      const job = await givenJob(deps, { overlap: 'allow' });
      const release = deferred();
      const started = deferred();
      let running = 0;
      let maxRunning = 0;
      const slow: RunWork = async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (running === 2) started.resolve();
        await release.promise;
        running--;
        return {};
      };
      const first = executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), slow);
      clock.advance(10_000);
      const second = executeRun(deps, slotEvent(job, '2026-03-01T12:00:10Z'), slow);
      await started.promise;
      release.resolve();
      expect([(await first).outcome, (await second).outcome]).toEqual(['succeeded', 'succeeded']);
      expect(maxRunning).toBe(2);
      expect((await deps.jobs.get(job.name))?.lease).toBeUndefined();
    });

    it('marks a run whose lease expired as timed_out, and the job runs at its next slot', async () => {
      // Given a run that never finishes (the function was stopped)
      const { deps, clock, log } = setup();
      const job = await givenJob(deps, { overlap: 'skip' });
      const stuck = await startStuckRun(deps, job, '2026-03-01T12:00:00Z');
      // When the next slot comes after the lease (the function timeout) has passed
      clock.advance((LEASE_SECONDS + 1) * 1000);
      const next = await executeRun(deps, slotEvent(job, '2026-03-01T12:01:01Z'), ok);
      // Then the next slot runs and the stale run is timed_out
      expect(next.outcome).toBe('succeeded');
      const stale = await deps.runs.get(job.name, '2026-03-01T12:00:00.000Z');
      expect(stale).toMatchObject({
        status: 'timed_out',
        reason: expect.stringContaining('function timeout of 60 s'),
      });
      // And if the stale attempt wakes up after all, it cannot overwrite that
      await stuck.release();
      expect((await deps.runs.get(job.name, '2026-03-01T12:00:00.000Z'))?.status).toBe('timed_out');
      expect(log.lines.some((line) => line.includes('no longer running this attempt'))).toBe(true);
    });
  });

  describe('executeRun: stale attempts', () => {
    it('takes an expired lease without reading the previous run (1 read + 3 writes on the steady path)', async () => {
      // Given a skip job whose previous run finished and whose lease has since expired
      const { deps, clock } = setup();
      const job = await givenJob(deps, { overlap: 'skip' });
      await executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), ok);
      clock.advance((LEASE_SECONDS + 240) * 1000);
      // When the next slot runs, counting the ledger's reads
      let ledgerReads = 0;
      const runs = deps.runs;
      const counting: RunDeps = {
        ...deps,
        runs: Object.assign(Object.create(runs) as typeof runs, {
          get: (jobName: string, slot: string) => {
            ledgerReads++;
            return runs.get(jobName, slot);
          },
        }),
      };
      const next = await executeRun(counting, slotEvent(job, '2026-03-01T12:05:00Z'), ok);
      // Then it succeeds without looking at the previous run
      expect(next.outcome).toBe('succeeded');
      expect(ledgerReads).toBe(0);
      expect((await deps.jobs.get(job.name))?.lease?.runId).toBe('run' in next ? next.run.runId : undefined);
    });

    it('records a run whose last attempt died as timed_out when it is read, and drops it from running listings', async () => {
      // Given an allow job whose attempt never reports an outcome (Lambda stopped it)
      const { deps, clock } = setup();
      const job = await givenJob(deps, { overlap: 'allow' });
      const stuck = await startStuckRun(deps, job, '2026-03-01T12:00:00Z');
      expect((await deps.runs.list({ job: job.name, status: 'running', limit: 10 })).items).toHaveLength(1);
      // When its deadline passes and someone lists what is running
      clock.advance((LEASE_SECONDS + 1) * 1000);
      const running = await deps.runs.list({ job: job.name, status: 'running', limit: 10 });
      // Then it is no longer running, and its record says timed_out with the reason
      expect(running.items).toEqual([]);
      const record = await deps.runs.get(job.name, '2026-03-01T12:00:00.000Z');
      expect(record).toMatchObject({
        status: 'timed_out',
        reason: expect.stringContaining('function timeout of 60 s'),
      });
      await stuck.release();
      expect((await deps.runs.get(job.name, '2026-03-01T12:00:00.000Z'))?.status).toBe('timed_out');
    });
    it('lists a stopped attempt under status=timed_out even if nothing read it before', async () => {
      // Given an allow job whose attempt never reports an outcome
      const { deps, clock } = setup();
      const job = await givenJob(deps, { overlap: 'allow' });
      const stuck = await startStuckRun(deps, job, '2026-03-01T12:00:00Z');
      // When its deadline passes and the first thing anyone asks for is the timed_out runs
      clock.advance((LEASE_SECONDS + 1) * 1000);
      const timedOut = await deps.runs.list({ job: job.name, status: 'timed_out', limit: 10 });
      // Then it is there
      expect(timedOut.items.map((run) => run.slot)).toEqual(['2026-03-01T12:00:00.000Z']);
      await stuck.release();
    });
  });

  describe('executeRun: failures and retries', () => {
    it('records a failure and rethrows it; a retry of the slot is attempt 2 of the same run', async () => {
      // Given
      const { deps, clock } = setup();
      const job = await givenJob(deps);
      let calls = 0;
      const flaky: RunWork = async () => {
        calls++;
        if (calls === 1) throw new TypeError('receiver said no');
        return { delivered: true };
      };
      // When the first attempt fails
      await expect(executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z', 'exec-1'), flaky)).rejects.toThrow(
        'receiver said no',
      );
      const failed = await deps.runs.get(job.name, '2026-03-01T12:00:00.000Z');
      expect(failed).toMatchObject({
        status: 'failed',
        attempt: 1,
        error: { type: 'TypeError', message: 'receiver said no' },
      });
      // And the platform retries the same slot
      clock.advance(30_000);
      const retried = await executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z', 'exec-2'), flaky);
      // Then the same run succeeds as attempt 2
      expect(retried.outcome).toBe('succeeded');
      const runs = await allRuns(deps, job);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        runId: failed?.runId,
        status: 'succeeded',
        attempt: 2,
        executionId: 'exec-2',
      });
      expect(runs[0]?.error).toBeUndefined();
      // And a further delivery is a duplicate
      expect((await executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z', 'exec-3'), flaky)).outcome).toBe(
        'duplicate',
      );
    });

    it('takes over a slot whose running attempt died (redelivered after the function timeout)', async () => {
      const { deps, clock } = setup();
      const job = await givenJob(deps, { overlap: 'skip' });
      const started = deferred();
      void executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), async () => {
        started.resolve();
        return new Promise(() => undefined);
      });
      await started.promise;
      clock.advance((LEASE_SECONDS + 5) * 1000);
      const retried = await executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), ok);
      expect(retried.outcome).toBe('succeeded');
      expect(retried.outcome === 'succeeded' && retried.run).toMatchObject({
        attempt: 2,
        status: 'succeeded',
      });
    });
  });

  describe('executeRun: paused, deleted and one-time jobs', () => {
    it("records a paused job's slot as skipped without running it", async () => {
      const { deps } = setup();
      const job = await givenJob(deps, { enabled: false });
      let called = false;
      const outcome = await executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), async () => {
        called = true;
        return {};
      });
      expect(called).toBe(false);
      expect(outcome.outcome === 'skipped' && outcome.run).toMatchObject({
        status: 'skipped',
        reason: 'job paused',
      });
    });

    it('ignores the slot of a deleted job without recording or throwing', async () => {
      const { deps, log } = setup();
      const outcome = await executeRun(
        deps,
        { job: 'deleted-job', scheduledTime: '2026-03-01T12:00:00Z' },
        ok,
      );
      expect(outcome).toEqual({ outcome: 'ignored', reason: 'job "deleted-job" does not exist' });
      expect((await deps.runs.list({ job: 'deleted-job', limit: 10 })).items).toEqual([]);
      expect(log.lines.some((line) => line.includes('job not found'))).toBe(true);
    });

    it('marks a one-time job executed after its successful run, with a purge time', async () => {
      const { deps, clock } = setup();
      const job = await givenJob(deps, { oneTimeState: 'scheduled' });
      await executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), ok);
      const stored = await deps.jobs.get(job.name);
      expect(stored?.oneTimeState).toBe('executed');
      expect(stored?.expiresAt).toBe(Math.floor(clock.now().getTime() / 1000) + 30 * 86_400);
    });
  });

  describe('manual runs and cancellation', () => {
    async function pendingRun(deps: RunDeps, job: Job, clock: ManualClock) {
      const manual = newManualRun(job, clock.now(), { retentionDays: 30 });
      expect(await deps.runs.claim(manual.run)).toEqual({ claimed: true });
      return manual;
    }

    it('runs a pending manual run once; a repeated invoke is a duplicate', async () => {
      const { deps, clock } = setup();
      const job = await givenJob(deps, { enabled: false });
      const { run, event } = await pendingRun(deps, job, clock);
      const first = await executeRun(deps, event, ok);
      const second = await executeRun(deps, event, ok);
      expect(first.outcome === 'succeeded' && first.run).toMatchObject({
        runId: run.runId,
        trigger: 'manual',
        status: 'succeeded',
        attempt: 1,
      });
      expect(second.outcome).toBe('duplicate');
    });

    it('cancels a pending run; the function then does nothing', async () => {
      const { deps, clock } = setup();
      const job = await givenJob(deps);
      const { run, event } = await pendingRun(deps, job, clock);
      const cancelled = await cancelRun(deps, run.runId);
      expect(cancelled).toMatchObject({ status: 'cancelled', runId: run.runId });
      let called = false;
      const outcome = await executeRun(deps, event, async () => {
        called = true;
        return {};
      });
      expect(called).toBe(false);
      expect(outcome.outcome).toBe('cancelled');
    });

    it('asks a running run to stop; it stops at its next check', async () => {
      // Given a run between two steps
      const { deps, clock } = setup();
      const job = await givenJob(deps);
      const { run, event } = await pendingRun(deps, job, clock);
      const firstStepDone = deferred();
      const goOn = deferred();
      let secondStep = false;
      const running: Promise<RunOutcome> = executeRun(deps, event, async (_job, _run, context) => {
        await context.checkpoint();
        firstStepDone.resolve();
        await goOn.promise;
        await context.checkpoint();
        secondStep = true;
        return {};
      });
      await firstStepDone.promise;
      // When it is cancelled
      const requested = await cancelRun(deps, run.runId);
      expect(requested).toMatchObject({ status: 'running', cancelRequested: true });
      clock.advance(5_000);
      goOn.resolve();
      // Then it stops at the next check
      const outcome = await running;
      expect(secondStep).toBe(false);
      expect(outcome.outcome === 'cancelled' && outcome.run).toMatchObject({
        status: 'cancelled',
        reason: 'cancelled by request',
      });
    });

    it('refuses to cancel a finished run, and an unknown run', async () => {
      const { deps } = setup();
      const job = await givenJob(deps);
      const done = await executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), ok);
      if (done.outcome !== 'succeeded') throw new Error(`expected success, got ${done.outcome}`);
      await expect(cancelRun(deps, done.run.runId)).rejects.toBeInstanceOf(RunConflictError);
      await expect(cancelRun(deps, done.run.runId)).rejects.toThrow('already succeeded');
      await expect(cancelRun(deps, newRunId(new Date()))).rejects.toBeInstanceOf(RunNotFoundError);
    });
  });
});
