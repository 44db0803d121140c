import { describe, expect, it } from 'vitest';
import { FinalRunError, RunConflictError, RunNotFoundError } from '../../../shared/errors.ts';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import type { JobEvent } from '../../../shared/jobs/ports.ts';
import { listRuns } from '../../../shared/jobs/runs.ts';
import { cancelRun } from '../../../shared/runs/cancel.ts';
import { DeadlineReachedError } from '../../../shared/runs/deadline.ts';
import { executeRun, type RunDeps, type RunOutcome, type RunWork } from '../../../shared/runs/lifecycle.ts';
import { newManualRun } from '../../../shared/runs/manual.ts';
import { newRunId } from '../../../shared/runs/run-id.ts';
import { RETRY_GRACE_MS, settleRun } from '../../../shared/runs/settle.ts';
import {
  captureLog,
  engineKinds,
  type LedgerDeps,
  ManualClock,
  promptJob,
  runDeps,
  useEngine,
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

/** The run of a slot as a reader sees it: settled (shared/runs/settle.ts). */
async function readSettled(deps: LedgerDeps, job: Job, slot: string): Promise<Run | undefined> {
  const run = await deps.runs.get(job.name, slot);
  return run === undefined ? undefined : settleRun(deps, run);
}

describe.each(engineKinds)('on %s', (kind) => {
  const engine = useEngine(kind);

  /** Without `delaysMs`, Lambda retries nothing: a failed attempt is final. */
  function setup(start = '2026-03-01T12:00:00.000Z', delaysMs: readonly number[] = []) {
    const clock = new ManualClock(start);
    const log = captureLog();
    const deps = runDeps(engine(), clock, log.logger, {
      leaseSeconds: LEASE_SECONDS,
      retryPolicy: { delaysMs },
    });
    return { clock, log, jobs: deps.jobs, runs: deps.runs, deps };
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

    it('records a run failed at once, and returns, when its work fails in a way no retry can help', async () => {
      // Given Lambda would retry a failed attempt twice
      const { deps } = setup('2026-03-01T12:00:00.000Z', [60_000, 120_000]);
      const job = await givenJob(deps);
      class BudgetReached extends FinalRunError {
        constructor() {
          super('the day budget is spent');
          this.name = 'BudgetReached';
        }
      }
      // When the work throws a FinalRunError
      const outcome = await executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), async () => {
        throw new BudgetReached();
      });
      // Then nothing is thrown for Lambda to retry, and the run is failed, not retrying
      expect(outcome).toMatchObject({
        outcome: 'failed',
        run: {
          status: 'failed',
          attempt: 1,
          error: { type: 'BudgetReached', message: 'the day budget is spent' },
        },
      });
      expect((await allRuns(deps, job)).map((run) => run.status)).toEqual(['failed']);
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
      expect((await deps.jobs.runStates([job.name])).get(job.name)?.lease?.slot).toBe(
        '2026-03-01T12:00:20.000Z',
      );
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
      // Each run recorded itself as the job's latest (a shared lease): the second one stands
      const secondRunId = (await deps.runs.get(job.name, '2026-03-01T12:00:10.000Z'))?.runId;
      expect((await deps.jobs.runStates([job.name])).get(job.name)?.lease?.runId).toBe(secondRunId);
    });

    it('marks a run whose lease expired as timed_out, and the job runs at its next slot', async () => {
      // Given a run that never finishes (the function was stopped)
      const { deps, clock, log } = setup();
      const job = await givenJob(deps, { overlap: 'skip' });
      const stuck = await startStuckRun(deps, job, '2026-03-01T12:00:00Z');
      // When the next slot comes after the lease (the function timeout) has passed
      clock.advance((LEASE_SECONDS + 1) * 1000);
      const next = await executeRun(deps, slotEvent(job, '2026-03-01T12:01:01Z'), ok);
      // Then the next slot runs and the stale run reads as timed_out
      expect(next.outcome).toBe('succeeded');
      const stale = await readSettled(deps, job, '2026-03-01T12:00:00.000Z');
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
      expect((await deps.jobs.runStates([job.name])).get(job.name)?.lease?.runId).toBe(
        'run' in next ? next.run.runId : undefined,
      );
    });

    it('records a run whose last attempt died as timed_out when it is read, and drops it from running listings', async () => {
      // Given an allow job whose attempt never reports an outcome (Lambda stopped it)
      const { deps, clock } = setup();
      const job = await givenJob(deps, { overlap: 'allow' });
      const stuck = await startStuckRun(deps, job, '2026-03-01T12:00:00Z');
      expect((await listRuns(deps, { job: job.name, status: 'running', limit: 10 })).items).toHaveLength(1);
      // When its deadline passes and someone lists what is running
      clock.advance((LEASE_SECONDS + 1) * 1000);
      const running = await listRuns(deps, { job: job.name, status: 'running', limit: 10 });
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
      const timedOut = await listRuns(deps, { job: job.name, status: 'timed_out', limit: 10 });
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

  describe('executeRun: attempts Lambda will retry', () => {
    const delaysMs = [60_000, 120_000];

    it('records a failed attempt as retrying with its next attempt, and the last one as failed', async () => {
      // Given a job whose work always fails, under Lambda's two retries
      const { deps, clock } = setup('2026-03-01T12:00:00.000Z', delaysMs);
      const job = await givenJob(deps);
      const failing: RunWork = async () => {
        throw new RangeError('receiver is down');
      };
      const slot = '2026-03-01T12:00:00.000Z';
      // When the first attempt fails
      await expect(executeRun(deps, slotEvent(job, slot), failing)).rejects.toThrow('receiver is down');
      // Then the run waits for the retry, saying when it is due
      expect(await deps.runs.get(job.name, slot)).toMatchObject({
        status: 'retrying',
        attempt: 1,
        error: { type: 'RangeError', message: 'receiver is down' },
        nextAttemptAt: '2026-03-01T12:01:00.000Z',
      });
      // When Lambda retries it twice and both fail
      clock.advance(60_000);
      await expect(executeRun(deps, slotEvent(job, slot), failing)).rejects.toThrow();
      expect(await deps.runs.get(job.name, slot)).toMatchObject({
        status: 'retrying',
        attempt: 2,
        nextAttemptAt: '2026-03-01T12:03:00.000Z',
      });
      clock.advance(120_000);
      await expect(executeRun(deps, slotEvent(job, slot), failing)).rejects.toThrow();
      // Then the third attempt is the last: the run failed
      const last = await deps.runs.get(job.name, slot);
      expect(last).toMatchObject({ status: 'failed', attempt: 3 });
      expect(last?.nextAttemptAt).toBeUndefined();
    });

    it('reads a stopped attempt with a retry left as retrying, and an overdue retry as failed', async () => {
      // Given an attempt that Lambda stopped at its timeout, with retries left
      const { deps, clock } = setup('2026-03-01T12:00:00.000Z', delaysMs);
      const job = await givenJob(deps, { overlap: 'allow' });
      const stuck = await startStuckRun(deps, job, '2026-03-01T12:00:00Z');
      const slot = '2026-03-01T12:00:00.000Z';
      // When it is read after its deadline
      clock.advance((LEASE_SECONDS + 1) * 1000);
      // Then it is waiting for Lambda's retry, one minute after the deadline
      expect(await readSettled(deps, job, slot)).toMatchObject({
        status: 'retrying',
        error: { type: 'FunctionTimeout' },
        nextAttemptAt: '2026-03-01T12:02:00.000Z',
      });
      // When the retry never comes, and the grace after its due time passes
      clock.set(new Date(Date.parse('2026-03-01T12:02:00.000Z') + RETRY_GRACE_MS + 1_000));
      // Then a listing of failed runs includes it (read as retrying, settled as it is read), saying so
      expect((await listRuns(deps, { job: job.name, status: 'failed', limit: 10 })).items).toMatchObject([
        { slot, status: 'failed', reason: expect.stringContaining('did not arrive') },
      ]);
      expect(await deps.runs.get(job.name, slot)).toMatchObject({
        status: 'failed',
        reason: expect.stringContaining('did not arrive'),
      });
      await stuck.release();
    });

    it('reads a manual run that never started, past the maximum event age, as failed: its invocation was lost', async () => {
      // Given a manual run written pending whose Invoke never happened (the API died between the two)
      const { deps, clock } = setup('2026-03-01T12:00:00.000Z', delaysMs);
      const job = await givenJob(deps);
      const manual = newManualRun(job, clock.now(), { retentionDays: 30 });
      await deps.runs.claim(manual.run);
      // When it is read while Lambda could still deliver its event, it stays pending
      clock.advance(6 * 3_600_000);
      expect(await readSettled(deps, job, manual.run.slot)).toMatchObject({ status: 'pending' });
      // When it is read past the maximum event age and the grace
      clock.advance(RETRY_GRACE_MS + 1_000);
      // Then it is failed, saying why
      expect(await readSettled(deps, job, manual.run.slot)).toMatchObject({
        status: 'failed',
        error: { type: 'InvocationLost', message: expect.stringContaining('never started') },
      });
    });

    it('reads a backfill run of a slot days old, pending since a moment ago, as pending: its age counts from when it was requested', async () => {
      // Given a backfill run of a slot two days back, written pending now (its function not started yet)
      const { deps, clock } = setup('2026-03-01T12:00:00.000Z', delaysMs);
      const job = await givenJob(deps);
      const scheduledFor = '2026-02-27T12:00:00.000Z';
      const backfill = newManualRun(job, clock.now(), {
        retentionDays: 30,
        trigger: 'backfill',
        scheduledFor,
        slot: `${scheduledFor}#backfill#b1`,
      });
      await deps.runs.claim(backfill.run);
      // When it is read a second later, and again just before the maximum event age and grace have passed
      clock.advance(1_000);
      expect(await readSettled(deps, job, backfill.run.slot)).toMatchObject({ status: 'pending' });
      clock.advance(6 * 3_600_000 + RETRY_GRACE_MS - 2_000);
      expect(await readSettled(deps, job, backfill.run.slot)).toMatchObject({ status: 'pending' });
      // Then only past them is its invocation lost
      clock.advance(2_000);
      expect(await readSettled(deps, job, backfill.run.slot)).toMatchObject({
        status: 'failed',
        error: { type: 'InvocationLost' },
      });
    });

    it('runs a retrying run again as its next attempt when the retry arrives', async () => {
      const { deps, clock } = setup('2026-03-01T12:00:00.000Z', delaysMs);
      const job = await givenJob(deps);
      let calls = 0;
      const flaky: RunWork = async () => {
        calls++;
        if (calls === 1) throw new Error('first attempt fails');
        return { delivered: true };
      };
      await expect(executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), flaky)).rejects.toThrow();
      clock.advance(61_000);
      const retried = await executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), flaky);
      expect(retried.outcome === 'succeeded' && retried.run).toMatchObject({
        status: 'succeeded',
        attempt: 2,
      });
      expect(retried.outcome === 'succeeded' && retried.run.nextAttemptAt).toBeUndefined();
    });

    it('cancels a retrying run at once; the retry then finds it cancelled and does nothing', async () => {
      const { deps, clock } = setup('2026-03-01T12:00:00.000Z', delaysMs);
      const job = await givenJob(deps);
      await expect(
        executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), async () => {
          throw new Error('no');
        }),
      ).rejects.toThrow();
      const waiting = await deps.runs.get(job.name, '2026-03-01T12:00:00.000Z');
      const cancelled = await cancelRun(deps, waiting?.runId ?? '');
      expect(cancelled).toMatchObject({ status: 'cancelled', reason: 'cancelled while waiting for a retry' });
      clock.advance(60_000);
      let called = false;
      const outcome = await executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), async () => {
        called = true;
        return {};
      });
      expect(called).toBe(false);
      expect(outcome.outcome).toBe('duplicate');
    });
  });

  describe('executeRun: the run context', () => {
    it('gives the work the time left, and aborts its signal shortly before the deadline', async () => {
      // Given a run whose work waits on the clock for longer than the function may run
      const { deps, clock } = setup();
      const job = await givenJob(deps);
      let remainingAtStart = -1;
      let reason: unknown;
      const started = deferred();
      const outcome = executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), async (context) => {
        remainingAtStart = context.remainingTimeMs();
        started.resolve();
        await context.clock.sleep(10 * 60_000, context.signal);
        reason = context.signal.reason;
        await context.checkpoint();
        return {};
      });
      await started.promise;
      // When the clock reaches the margin before the deadline (60 s timeout, 5 s margin)
      clock.advance(54_000);
      expect(reason).toBeUndefined();
      clock.advance(1_000);
      // Then the signal aborts with a DeadlineReachedError, and the run fails with it (no retry left)
      await expect(outcome).rejects.toBeInstanceOf(DeadlineReachedError);
      expect(remainingAtStart).toBe(LEASE_SECONDS * 1000);
      expect(reason).toBeInstanceOf(DeadlineReachedError);
      expect(await deps.runs.get(job.name, '2026-03-01T12:00:00.000Z')).toMatchObject({
        status: 'failed',
        error: { type: 'DeadlineReachedError' },
      });
    });

    it('aborts the signal when a cancel is requested, without waiting for a checkpoint', async () => {
      const { deps, clock } = setup();
      const job = await givenJob(deps);
      const manual = newManualRun(job, clock.now(), { retentionDays: 30 });
      await deps.runs.claim(manual.run);
      const started = deferred();
      const outcome = executeRun(deps, manual.event, async (context) => {
        started.resolve();
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
        throw context.signal.reason;
      });
      await started.promise;
      await cancelRun(deps, manual.run.runId);
      // The watcher reads the cancel flag one interval after the start.
      clock.advance(1_000);
      const result = await outcome;
      expect(result.outcome === 'cancelled' && result.run).toMatchObject({
        status: 'cancelled',
        reason: 'cancelled by request',
      });
    });

    it('logs each line of a run with its job, run id and attempt', async () => {
      const { deps, log } = setup();
      const job = await givenJob(deps);
      await executeRun(deps, slotEvent(job, '2026-03-01T12:00:00Z'), async (context) => {
        context.log.info('step done', { step: 1 });
        return {};
      });
      const line = log.lines.map((text) => JSON.parse(text)).find((entry) => entry.message === 'step done');
      expect(line).toMatchObject({ job: job.name, runId: expect.any(String), attempt: 1, step: 1 });
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
      const job = await givenJob(deps, {
        schedule: {
          input: 'at(2026-03-01T12:00:00)',
          expression: 'at(2026-03-01T12:00:00)',
          timezone: 'UTC',
          description: 'once',
          type: 'at',
        },
        oneTimeState: 'scheduled',
      });
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
      const running: Promise<RunOutcome> = executeRun(deps, event, async (context) => {
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
