/**
 * Backfill: every slot of a job's schedule in `[from, to)` run as a run of its own (trigger `backfill`),
 * also slots before the job existed. The API starts the first slot of each lane (shared/jobs/backfill.ts);
 * a backfill run, when it ends, starts the slot `lanes` slots after its own (`continueBackfill`, one of
 * the lifecycle's followers): at most `lanes` backfill runs at once, with no coordinator.
 *
 * A backfill run's slot is its schedule slot plus the backfill's id (`<slot>#backfill#<id>`): it runs
 * whatever the slot's scheduled run did (a backfill is asked for to run those slots again), and a
 * repeated delivery of the run that starts the next one finds it instead of starting a second. It is
 * due at its schedule slot (`scheduledFor`), so a kind's work sees the slot it stands for (a telemetry
 * window, a prompt's `{{scheduledTime}}`). It runs through the job's overlap policy like every run:
 * under `skip` a backfill run that finds another run of the job holding the lease is recorded `skipped`,
 * and its lane goes on. An operator's cancel of a backfill run stops its lane.
 */
import type { Job, Run, RunBackfill } from '../jobs/model.ts';
import { fireBounds } from '../jobs/view.ts';
import type { Logger } from '../logger.ts';
import { nextFireTimes } from '../schedule/index.ts';
import type { RunDeps } from './lifecycle.ts';
import { startPendingRun } from './manual.ts';

/** The most slots one backfill may run. */
export const MAX_BACKFILL_SLOTS = 1_000;

/** The slot key of a backfill's run of schedule slot `slot`. */
export function backfillRunSlot(slot: string, backfillId: string): string {
  return `${slot}#backfill#${backfillId}`;
}

/**
 * The job's schedule slots at or after `from` (strictly after `after`, when given) and before `to`,
 * ascending, at most `limit`: the times Scheduler fires it, read in the job's time zone, over any range
 * (the job's own startDate and endDate do not bound a backfill: the operator names the range). A rate
 * keeps its phase: its slots before the job's first one are the same intervals counted backwards.
 */
export function scheduleSlots(
  job: Job,
  range: { readonly from?: Date; readonly after?: Date; readonly to: Date; readonly limit: number },
): Date[] {
  const afterMs = range.after?.getTime() ?? (range.from as Date).getTime() - 1;
  const toMs = range.to.getTime();
  if (afterMs >= toMs - 1 || range.limit <= 0) return [];
  let startDate: Date | undefined;
  if (job.schedule.type === 'rate') {
    const anchorMs = fireBounds(job).startDate?.getTime() ?? Date.parse(job.createdAt);
    // The rate's interval, as the engine fires it (a job function imports no job validation for it).
    const [first, second] = nextFireTimes(job.schedule, {
      after: new Date(anchorMs - 1),
      count: 2,
      startDate: new Date(anchorMs),
    });
    const intervalMs = (second?.getTime() ?? Number.NaN) - (first?.getTime() ?? Number.NaN);
    // The lattice point at or before the range's start: anchor + k·interval, k possibly negative.
    const steps = Math.ceil((anchorMs - (afterMs + 1)) / intervalMs);
    startDate = new Date(anchorMs - Math.max(0, steps) * intervalMs);
  }
  // An at() schedule ignores endDate (as EventBridge does): its one time is bounded here.
  return nextFireTimes(job.schedule, {
    after: new Date(afterMs),
    count: range.limit,
    ...(startDate === undefined ? {} : { startDate }),
    endDate: new Date(toMs - 1),
  }).filter((slot) => slot.getTime() < toMs);
}

/** The options that start a backfill's run of schedule slot `slot` (startPendingRun). */
export function backfillRunOptions(slot: Date, backfill: RunBackfill) {
  const scheduledFor = slot.toISOString();
  return {
    trigger: 'backfill' as const,
    slot: backfillRunSlot(scheduledFor, backfill.id),
    scheduledFor,
    backfill,
  };
}

/**
 * A backfill run ended: start its lane's next slot, `lanes` slots after its own, if it is before the
 * backfill's end. Safe to run again for the same run (the next run's slot is taken once). A cancelled
 * run stops its lane: that is how an operator stops a backfill.
 */
export async function continueBackfill(deps: RunDeps, job: Job, run: Run, log: Logger): Promise<void> {
  const backfill = run.backfill;
  // A catch-up of missed slots is a one-lane backfill of them (shared/health/catch-up.ts).
  const lane = run.trigger === 'backfill' || run.trigger === 'catch-up';
  if (!lane || backfill === undefined || run.status === 'cancelled') return;
  const next = scheduleSlots(job, {
    after: new Date(run.scheduledFor),
    to: new Date(backfill.to),
    limit: backfill.lanes,
  })[backfill.lanes - 1];
  if (next === undefined) return;
  const started = await startPendingRun(deps, job, {
    ...backfillRunOptions(next, backfill),
    trigger: run.trigger,
  });
  log.info('backfill continues', { backfill: backfill.id, slot: started.scheduledFor, runId: started.runId });
}
