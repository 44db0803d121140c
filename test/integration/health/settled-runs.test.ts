/**
 * Runs that end without their own word, counted on the job's health by the sweeper (shared/health/sweep.ts),
 * on dynalite with the real lifecycle, stores and sweep. An attempt Lambda stops (its timeout, a crash)
 * leaves its run `running` past its deadline: the function that would have counted it on the job's
 * health is gone, so the sweeper, which looks at every slot, settles it `timed_out` once its deadline
 * has passed and counts it. A run a reader ended first (the API's `GET /runs/{id}`) is counted the same
 * way, once; a run its own attempt ended is not counted again.
 */
import { describe, expect, it } from 'vitest';
import { DynamoHealthStore } from '../../../shared/adapters/dynamodb/health-store.ts';
import { LoggedHealthAlerts } from '../../../shared/health/log-alerts.ts';
import type { DueEntry } from '../../../shared/health/ports.ts';
import { type SweepDeps, sweep } from '../../../shared/health/sweep.ts';
import type { HealthDeps } from '../../../shared/health/tracker.ts';
import type { RunLedger } from '../../../shared/jobs/ports.ts';
import { getRun } from '../../../shared/jobs/runs.ts';
import { executeRun, type RunWork } from '../../../shared/runs/lifecycle.ts';
import { RETRY_GRACE_MS } from '../../../shared/runs/settle.ts';
import { faulty } from '../../support/faults.ts';
import { scheduledEvent } from '../../support/scheduled-event.ts';
import { unusedJobInvoker } from '../../support/unused-invoker.ts';
import { captureLog, ManualClock, promptJob, runDeps, useEngine } from '../ledger/support.ts';
import { EVERY_5 } from './support.ts';

const engine = useEngine('dynalite');
/** EVERY_5 (support.ts): slots at 12:05, 12:10, …; function timeout 60 s (runDeps). */
const SLOT = '2026-03-01T12:05:00.000Z';
const at = (iso: string, plusSeconds: number) => new Date(Date.parse(iso) + plusSeconds * 1000);

let jobs = 0;

async function world(retryDelaysMs: readonly number[] = []) {
  const clock = new ManualClock('2026-03-01T12:02:00.000Z');
  const { logger, lines } = captureLog();
  const base = runDeps(engine(), clock, logger, { retryPolicy: { delaysMs: [...retryDelaysMs] } });
  const ledger = faulty<RunLedger>(base.runs);
  const store = new DynamoHealthStore(engine().doc, engine().tables.jobs);
  const health: HealthDeps = { store, alerts: new LoggedHealthAlerts(logger), clock, log: logger };
  const deps = { ...base, runs: ledger.port, health };
  const sweepDeps: SweepDeps = {
    jobs: base.jobs,
    runs: base.runs,
    health,
    pending: { runs: base.runs, invoker: unusedJobInvoker(), clock, retentionDays: 30 },
    clock,
    log: logger,
    retentionDays: 30,
    retryPolicy: base.retryPolicy,
  };
  const job = promptJob(`settled-${++jobs}`, EVERY_5);
  await base.jobs.create(job);
  return { clock, deps, ledger, store, lines, job, sweepAt: sweepAtOf(clock, sweepDeps) };
}

function sweepAtOf(clock: ManualClock, deps: SweepDeps) {
  return async (when: Date) => {
    clock.set(when);
    return sweep(deps);
  };
}

const succeeds: RunWork = async () => ({ result: { ok: true } });

/** The attempt's function stops after its work, before its outcome is written: the run stays running. */
async function attemptStopped(w: Awaited<ReturnType<typeof world>>, slot: string): Promise<string> {
  w.clock.set(at(slot, 2));
  w.ledger.failNext('transition', new Error('the function was stopped'));
  await expect(executeRun(w.deps, scheduledEvent(w.job, slot), succeeds)).rejects.toThrow('stopped');
  const run = await w.deps.runs.get(w.job.name, slot);
  expect(run).toMatchObject({ status: 'running' });
  return run?.runId ?? '';
}

async function entryOf(w: Awaited<ReturnType<typeof world>>): Promise<DueEntry | undefined> {
  return (await w.store.due(new Date('2030-01-01T00:00:00.000Z'), 500)).find(
    (entry) => entry.job === w.job.name,
  );
}

describe('runs ended without their own word', () => {
  it('Given an attempt stopped before its outcome, When the sweeper looks at its slot, Then it waits for the deadline, settles it timed_out and the job turns failing', async () => {
    const w = await world();
    await attemptStopped(w, SLOT);

    // At slot + grace the run is still in time (deadline: its start + 60 s): the entry waits for it.
    await w.sweepAt(at(SLOT, 61));
    expect(await entryOf(w)).toMatchObject({
      slot: SLOT,
      stage: 'open',
      dueAt: at(SLOT, 2 + 60 + 5).toISOString(),
    });
    expect((await w.store.health(w.job))?.health ?? 'ok').toBe('ok');

    // Once the deadline has passed: settled timed_out, counted, failing; the entry moves on.
    await w.sweepAt(at(SLOT, 2 + 60 + 5));
    expect(await w.deps.runs.get(w.job.name, SLOT)).toMatchObject({ status: 'timed_out', settled: true });
    expect(await w.store.health(w.job)).toMatchObject({ health: 'failing', failures: 1 });
    expect(w.lines.some((line) => line.includes('"failing"'))).toBe(true);
    expect(await entryOf(w)).toMatchObject({ slot: '2026-03-01T12:10:00.000Z', stage: 'late' });

    // A later sweep counts nothing twice.
    await w.sweepAt(at(SLOT, 200));
    expect(await w.store.health(w.job)).toMatchObject({ health: 'failing', failures: 1 });
  });

  it('Given a stopped attempt a reader settled first, When the sweeper looks at its slot, Then it counts it once', async () => {
    const w = await world();
    const runId = await attemptStopped(w, SLOT);
    await w.sweepAt(at(SLOT, 61));

    w.clock.set(at(SLOT, 63));
    expect(await getRun(w.deps, runId)).toMatchObject({ status: 'timed_out' });
    expect((await w.store.health(w.job))?.failures ?? 0).toBe(0);

    await w.sweepAt(at(SLOT, 2 + 60 + 5));
    expect(await w.store.health(w.job)).toMatchObject({ health: 'failing', failures: 1 });
    await w.sweepAt(at(SLOT, 200));
    expect(await w.store.health(w.job)).toMatchObject({ failures: 1 });
  });

  it('Given a run its own attempt ended, When the sweeper looks at its slot, Then it is counted once, by the lifecycle', async () => {
    const w = await world();
    w.clock.set(at(SLOT, 2));
    const failing: RunWork = async () => {
      throw new Error('the target refused');
    };
    // (The attempt's error reaches Lambda, which would retry it; none is configured here.)
    await expect(executeRun(w.deps, scheduledEvent(w.job, SLOT), failing)).rejects.toThrow('refused');
    expect(await w.deps.runs.get(w.job.name, SLOT)).toMatchObject({ status: 'failed' });
    expect(await w.store.health(w.job)).toMatchObject({ health: 'failing', failures: 1 });

    await w.sweepAt(at(SLOT, 61));
    expect(await w.store.health(w.job)).toMatchObject({ failures: 1 });
    expect(await entryOf(w)).toMatchObject({ slot: '2026-03-01T12:10:00.000Z', stage: 'late' });
  });

  it('Given an attempt that failed and whose retry never came, When the sweeper looks at its slot, Then it waits for the retry and its grace, then records it failed and counts it', async () => {
    const w = await world([60_000]);
    w.clock.set(at(SLOT, 2));
    const failing: RunWork = async () => {
      throw new Error('the target is down');
    };
    await expect(executeRun(w.deps, scheduledEvent(w.job, SLOT), failing)).rejects.toThrow('down');
    expect(await w.deps.runs.get(w.job.name, SLOT)).toMatchObject({ status: 'retrying' });

    const retryDue = at(SLOT, 2 + 60).getTime();
    await w.sweepAt(at(SLOT, 61));
    expect(await entryOf(w)).toMatchObject({
      slot: SLOT,
      stage: 'open',
      dueAt: new Date(retryDue + RETRY_GRACE_MS + 5_000).toISOString(),
    });
    expect((await w.store.health(w.job))?.failures ?? 0).toBe(0);

    await w.sweepAt(new Date(retryDue + RETRY_GRACE_MS + 5_000));
    expect(await w.deps.runs.get(w.job.name, SLOT)).toMatchObject({ status: 'failed', settled: true });
    expect(await w.store.health(w.job)).toMatchObject({ health: 'failing', failures: 1 });
  });

  it('Given a run a reader ended timed_out, When Lambda delivers its slot once more and the attempt succeeds, Then the run no longer reads as ended by a reader and the success is counted', async () => {
    const w = await world();
    await attemptStopped(w, SLOT);
    await w.sweepAt(at(SLOT, 2 + 60 + 5));
    expect(await w.store.health(w.job)).toMatchObject({ health: 'failing', failures: 1 });

    expect((await executeRun(w.deps, scheduledEvent(w.job, SLOT), succeeds)).outcome).toBe('succeeded');
    const run = await w.deps.runs.get(w.job.name, SLOT);
    expect(run).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(run?.settled).toBeUndefined();
    expect(await w.store.health(w.job)).toMatchObject({ health: 'ok', successes: 1 });
  });
});
