/**
 * The sweeper: finds slots that did not run, over the index of next expected slots (HealthStore.due),
 * so a sweep costs a Query of the entries due by now plus a few reads and writes per due entry,
 * whatever the number of jobs. For each due entry:
 *
 * - the job is gone, created again, paused or done: its entry leaves the index;
 * - the slot has a run: the entry moves to the job's next slot, once the run has ended. A run still open
 *   is settled if it can be (an attempt past its deadline, a retry past its grace: shared/runs/settle.ts);
 *   one still in time holds the entry at the `open` stage until it must have ended, then is looked at
 *   again. A run ended by a reader, not by its own attempt (`settled`), is counted on the job's health
 *   here: no lifecycle counted it (a job whose function times out on every run turns `failing`). The
 *   next slot is looked at once the entry moves on, at most the run's function timeout (or its retry's
 *   wait) later;
 * - `late` stage (slot + grace) and no run: the job turns `late`, the entry waits for slot + deadline
 *   (an entry first read after that deadline, as at the start of a stack that was down, goes on to:);
 * - `missed` stage (slot + starting deadline) and no run: the slot, and every later slot whose deadline
 *   has passed too (a stack that was down), is recorded as a `missed` run, claimed with the lifecycle's
 *   conditional put (a late delivery and the sweep cannot both win), the job turns `missed`, its
 *   catch-up starts (shared/health/catch-up.ts), and the entry moves to the first slot still ahead.
 *
 * Every move of an entry is conditional on the entry the sweep read, so two sweeps at once, or a sweep
 * and a write of the job, do not undo each other; an entry a sweep failed to move is simply due again.
 */
import type { Clock } from '../clock.ts';
import type { RetryPolicy } from '../config.ts';
import type { Job, Run } from '../jobs/model.ts';
import type { JobStore, RunLedger } from '../jobs/ports.ts';
import type { Logger } from '../logger.ts';
import { scheduleSlots } from '../runs/backfill.ts';
import type { PendingRunDeps } from '../runs/manual.ts';
import { missedRun } from '../runs/missed.ts';
import { RETRY_GRACE_MS, type SettleDeps, settleRun } from '../runs/settle.ts';
import { notRunnableReason } from '../runs/start.ts';
import { catchUpSlots, startCatchUp } from './catch-up.ts';
import { firstDue, missedStage } from './due.ts';
import type { DueEntry, DueSlot } from './ports.ts';
import { flexibleDelayMs, healthSettings } from './settings.ts';
import { type HealthDeps, trackRunEnd, trackSlot } from './tracker.ts';

export interface SweepDeps {
  readonly jobs: JobStore;
  readonly runs: RunLedger;
  readonly health: HealthDeps;
  /** Starts catch-up runs (the kind's function, invoked asynchronously). */
  readonly pending: PendingRunDeps;
  readonly clock: Clock;
  readonly log: Logger;
  readonly retentionDays: number;
  /** To settle a slot's run whose attempt ended without a word (whether a retry is still due). */
  readonly retryPolicy: RetryPolicy;
}

export interface SweepReport {
  /** Due entries read. */
  readonly due: number;
  /** Jobs found late, slots recorded missed, catch-up runs started, entries moved on past a run. */
  readonly late: number;
  readonly missed: number;
  readonly caughtUp: number;
  readonly ran: number;
}

/** Entries one sweep handles; the rest are due at the next (a minute later in AWS). */
export const SWEEP_LIMIT = 500;
/** Missed slots one entry records at most (a minutely job down for a week has 10,080): the latest. */
export const MAX_MISSED_PER_JOB = 100;
/** Moves of one job's entry in one sweep (each past a slot that ran, or to a due stage). */
const MAX_STEPS_PER_ENTRY = 10;
/** Slots computed to find them (a bound on the schedule engine's work). */
const MAX_SLOTS_COMPUTED = 100_000;

export async function sweep(deps: SweepDeps, limit = SWEEP_LIMIT): Promise<SweepReport> {
  const now = deps.clock.now();
  const entries = await deps.health.store.due(now, limit);
  const report = { due: entries.length, late: 0, missed: 0, caughtUp: 0, ran: 0 };
  for (const entry of entries) {
    try {
      // An entry moved to a slot already due (a run came, or slots passed while a stack was down) is
      // looked at again in this sweep, a bounded number of times.
      let next: DueEntry | undefined = entry;
      for (let step = 0; next !== undefined && step < MAX_STEPS_PER_ENTRY; step++) {
        next = await sweepEntry(deps, next, now, report);
      }
    } catch (error) {
      // One job's trouble must not stop the others: its entry stays due, the next sweep tries again.
      deps.log.error('sweep of a job failed', {
        job: entry.job,
        slot: entry.slot,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  if (entries.length > 0) deps.log.info('sweep', { ...report });
  return report;
}

type Counts = { late: number; missed: number; caughtUp: number; ran: number };

/** Handles one due entry; answers the entry it moved to when that one is due by `now` too. */
async function sweepEntry(
  deps: SweepDeps,
  entry: DueEntry,
  now: Date,
  report: Counts,
): Promise<DueEntry | undefined> {
  const store = deps.health.store;
  const job = await deps.jobs.get(entry.job);
  if (job === undefined || job.createdAt !== entry.jobCreatedAt || notRunnableReason(job) !== undefined) {
    await store.moveDue(entry, undefined);
    return undefined;
  }
  const run = await deps.runs.get(job.name, entry.slot);
  if (run !== undefined || entry.stage === 'open') {
    const open = run === undefined ? undefined : await followSlotRun(deps, job, run);
    if (open !== undefined) {
      await store.moveDue(entry, open);
      return undefined;
    }
    if (entry.stage !== 'open') report.ran++;
    return moveOn(deps, entry, firstDue(job, new Date(entry.slot)), now);
  }
  const settings = healthSettings(job, new Date(entry.slot));
  // A slot first seen after its deadline (a stack that was down) is missed at once, not late first.
  const pastDeadline = now.getTime() >= Date.parse(missedStage(job, entry.slot).dueAt);
  if (entry.stage === 'late' && !pastDeadline) {
    if (!(await store.moveDue(entry, missedStage(job, entry.slot)))) return undefined;
    report.late++;
    await trackSlot(
      deps.health,
      job,
      'late',
      `slot ${entry.slot} has no run ${settings.graceSeconds} s after it (grace)`,
    );
    return undefined;
  }
  const missed = await recordMissed(deps, job, entry, now);
  report.missed += missed.length;
  if (missed.length > 0) {
    const first = missed[0]?.toISOString();
    const last = missed.at(-1)?.toISOString();
    await trackSlot(
      deps.health,
      job,
      'missed',
      missed.length === 1
        ? `slot ${first} had no run by its starting deadline (${settings.startingDeadlineSeconds} s)`
        : `${missed.length} slots from ${first} to ${last} had no run by their starting deadline (${settings.startingDeadlineSeconds} s)`,
    );
    const chosen = catchUpSlots(settings, missed, now);
    const started = await startCatchUp(deps.pending, job, chosen);
    if (started !== undefined) {
      report.caughtUp++;
      deps.log.info('catch-up started', {
        job: job.name,
        policy: settings.catchup.policy,
        slots: chosen.length,
        first: chosen[0]?.toISOString(),
        runId: started.runId,
      });
    }
  }
  // The first slot whose deadline has not passed yet: it may still be delivered.
  const lastMissed = missed.at(-1)?.getTime() ?? Date.parse(entry.slot);
  return moveOn(deps, entry, firstDue(job, new Date(lastMissed)), now);
}

/**
 * A slot's run as the sweep finds it: settled first when its attempt ended without a word; counted on
 * the job's health when a reader (this sweep or another) ended it. Answers the `open` stage when it has
 * not ended yet (the sweep looks again when it must have), undefined when the entry may move on.
 */
async function followSlotRun(deps: SweepDeps, job: Job, found: Run): Promise<DueSlot | undefined> {
  const run = OPEN_STATUSES.has(found.status) ? await settleRun(settleDeps(deps), found) : found;
  if (run.settled === true) await trackRunEnd(deps.health, job, run);
  const endsBy =
    run.status === 'running' && run.deadline !== undefined
      ? Date.parse(run.deadline)
      : run.status === 'retrying' && run.nextAttemptAt !== undefined
        ? Date.parse(run.nextAttemptAt) + RETRY_GRACE_MS
        : undefined;
  return endsBy === undefined
    ? undefined
    : { slot: run.slot, stage: 'open', dueAt: new Date(endsBy + OPEN_MARGIN_MS).toISOString() };
}

/** The statuses a run may be settled out of (a `waiting` fan-out parent ends with its children). */
const OPEN_STATUSES: ReadonlySet<Run['status']> = new Set(['pending', 'running', 'retrying']);
/** After a run's deadline: its own attempt records its outcome first when it ends right at it. */
const OPEN_MARGIN_MS = 5_000;

function settleDeps(deps: SweepDeps): SettleDeps {
  return {
    runs: deps.runs,
    clock: deps.clock,
    retryPolicy: deps.retryPolicy,
    jobs: deps.jobs,
    invoker: deps.pending.invoker,
    runRetentionDays: deps.retentionDays,
    log: deps.log,
  };
}

/** Moves the entry to `next`; answers it when it is due by `now` (and this sweep moved it). */
async function moveOn(
  deps: SweepDeps,
  entry: DueEntry,
  next: DueSlot | undefined,
  now: Date,
): Promise<DueEntry | undefined> {
  const moved = await deps.health.store.moveDue(entry, next);
  if (!moved || next === undefined || Date.parse(next.dueAt) > now.getTime()) return undefined;
  return { ...next, job: entry.job, jobCreatedAt: entry.jobCreatedAt };
}

/**
 * Records `entry.slot` and the later slots whose deadline has passed as missed runs (the latest
 * MAX_MISSED_PER_JOB), and answers the slots that are missed (those this sweep claimed, and those a
 * sweep that stopped before moving the entry claimed), ascending and consecutive in the schedule.
 */
async function recordMissed(deps: SweepDeps, job: Job, entry: DueEntry, now: Date): Promise<Date[]> {
  const { startingDeadlineSeconds } = healthSettings(job, new Date(entry.slot));
  const slots = scheduleSlots(job, {
    from: new Date(entry.slot),
    to: new Date(now.getTime() - flexibleDelayMs(job) - startingDeadlineSeconds * 1000 + 1),
    limit: MAX_SLOTS_COMPUTED,
  });
  if (slots.length === 0) slots.push(new Date(entry.slot));
  const recorded = slots.slice(-MAX_MISSED_PER_JOB);
  if (slots.length > recorded.length) {
    deps.log.warn('missed slots beyond the record bound were not recorded', {
      job: job.name,
      from: entry.slot,
      notRecorded: slots.length - recorded.length,
    });
  }
  const missed: Date[] = [];
  for (const slot of recorded) {
    const iso = slot.toISOString();
    const reason = `no run by the starting deadline (${startingDeadlineSeconds} s after the slot); recorded by the sweeper`;
    const claim = await deps.runs.claim(
      missedRun(job, iso, now, reason, { retentionDays: deps.retentionDays }),
    );
    if (claim.claimed || claim.existing.status === 'missed') missed.push(slot);
  }
  return missed;
}
