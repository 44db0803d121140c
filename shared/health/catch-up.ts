/**
 * Catch-up: which missed slots run again (pure), and starting them. A catch-up is a one-lane backfill
 * of the chosen slots (shared/runs/backfill.ts) with trigger `catch-up`: the first chosen slot starts
 * now, and each run starts the next chosen slot when it ends, through the job's overlap policy like
 * every run. Its id is derived from its first slot, so a sweep repeated after a crash finds the run it
 * started instead of starting a second.
 *
 * - `skip`: nothing runs (the missed slots are recorded, that is all);
 * - `latest` (default): the most recent missed slot, if it is within the window, once;
 * - `all`: every missed slot within the window, in order, at most `max` (the most recent ones).
 *
 * The window counts from when a slot became missed (slot + starting deadline), not from the slot: with
 * the defaults (deadline and window both one period) a window counted from the slot would close the
 * moment the slot is missed, and nothing would ever be caught up. A slot missed while the stack was
 * down longer than the window is recorded and not run.
 */
import type { Job, Run, RunBackfill } from '../jobs/model.ts';
import { backfillRunOptions } from '../runs/backfill.ts';
import { type PendingRunDeps, startPendingRun } from '../runs/manual.ts';
import { nextFireTime } from '../schedule/index.ts';
import type { HealthSettings } from './settings.ts';

/** The missed slots (ascending) that catch-up runs, ascending. */
export function catchUpSlots(settings: HealthSettings, missed: readonly Date[], now: Date): Date[] {
  const windowStart =
    now.getTime() - (settings.catchup.windowSeconds + settings.startingDeadlineSeconds) * 1000;
  const within = missed.filter((slot) => slot.getTime() >= windowStart);
  switch (settings.catchup.policy) {
    case 'skip':
      return [];
    case 'latest': {
      const last = missed.at(-1);
      return last !== undefined && last.getTime() >= windowStart ? [last] : [];
    }
    case 'all':
      return within.slice(-(settings.catchup.max ?? within.length));
  }
}

/**
 * Whether a delivery of `slot` that came after its starting deadline runs anyway (as a catch-up): not
 * under `skip`; under `latest` only when no later slot has come since and it is within the window;
 * under `all` when it is within the window.
 */
export function lateDeliveryRuns(job: Job, settings: HealthSettings, slot: Date, now: Date): boolean {
  const windowMs = (settings.catchup.windowSeconds + settings.startingDeadlineSeconds) * 1000;
  if (now.getTime() - slot.getTime() > windowMs) return false;
  switch (settings.catchup.policy) {
    case 'skip':
      return false;
    case 'latest': {
      const next = nextFireTime(job.schedule, slot);
      return next === undefined || next.getTime() > now.getTime();
    }
    case 'all':
      return true;
  }
}

/** Starts the catch-up of `slots` (ascending, consecutive missed slots): the first now, the others in its lane. */
export async function startCatchUp(
  deps: PendingRunDeps,
  job: Job,
  slots: readonly Date[],
): Promise<Run | undefined> {
  const [first, last] = [slots[0], slots.at(-1)];
  if (first === undefined || last === undefined) return undefined;
  const lane: RunBackfill = {
    id: `catch-up-${first.toISOString()}`,
    from: first.toISOString(),
    to: new Date(last.getTime() + 1).toISOString(),
    lanes: 1,
  };
  return startPendingRun(deps, job, { ...backfillRunOptions(first, lane), trigger: 'catch-up' });
}
