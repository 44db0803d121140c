/**
 * How a delivery becomes a running attempt, or why it does not: a scheduled slot is claimed with a
 * conditional put (a repeated delivery finds the item), a manual run moves from `pending` to `running`,
 * and a slot already taken is either a retry of a failed or dead attempt or a duplicate.
 */
import { lateDeliveryRuns } from '../health/catch-up.ts';
import { flexibleDelayMs, healthSettings } from '../health/settings.ts';
import { trackSlot } from '../health/tracker.ts';
import type { Job, Run } from '../jobs/model.ts';
import type { JobEvent } from '../jobs/ports.ts';
import { afterRunEnded } from './ended.ts';
import { countFanOutChild } from './fan-out-count.ts';
import type { RunDeps, RunOutcome } from './lifecycle.ts';
import { JOB_DELETED_REASON, retentionExpiresAt } from './manual.ts';
import { missedRun } from './missed.ts';
import { newRunId } from './run-id.ts';

export type Started = { readonly started: Run; readonly job: Job } | { readonly done: RunOutcome };

export async function startScheduled(
  deps: RunDeps,
  event: JobEvent,
  job: Job | undefined,
  slot: string,
  now: Date,
): Promise<Started> {
  if (job === undefined) {
    // Deleted after Scheduler fired (or its schedule outlived it): a retry would not help.
    deps.log.warn('job not found; slot ignored', { job: event.job, slot });
    return { done: { outcome: 'ignored', reason: `job "${event.job}" does not exist` } };
  }
  const base: Run = {
    runId: (deps.newRunId ?? newRunId)(now),
    job: job.name,
    slot,
    trigger: 'schedule',
    status: 'running',
    scheduledFor: slot,
    startedAt: now.toISOString(),
    deadline: deadlineOf(deps, now),
    attempt: 1,
    duplicatesSuppressed: 0,
    expiresAt: retentionExpiresAt(now, deps.retentionDays),
    ...(event.executionId === undefined ? {} : { executionId: event.executionId }),
  };
  const notRunnable = notRunnableReason(job);
  if (notRunnable !== undefined) {
    const skipped: Run = {
      ...base,
      status: 'skipped',
      reason: notRunnable,
      finishedAt: now.toISOString(),
      durationMs: 0,
    };
    const claim = await deps.runs.claim(skipped);
    if (claim.claimed) {
      deps.log.info('run skipped', { job: job.name, runId: skipped.runId, slot, reason: notRunnable });
      return { done: { outcome: 'skipped', run: skipped } };
    }
    return { done: await duplicate(deps, claim.existing) };
  }
  const late = pastStartingDeadline(job, slot, now);
  if (late !== undefined && !late.runs) {
    const missed = missedRun(job, slot, now, late.reason, deps);
    const claim = await deps.runs.claim(missed);
    // A slot already taken is not this delivery's to judge: a retry of a failed attempt runs again.
    if (!claim.claimed) return resume(deps, event, job, claim.existing, now);
    deps.log.warn('slot missed: delivered past its starting deadline', {
      job: job.name,
      slot,
      reason: late.reason,
    });
    if (deps.health !== undefined) await trackSlot(deps.health, job, 'missed', late.reason);
    return { done: { outcome: 'missed', run: missed } };
  }
  // Past its deadline but within the catch-up's reach: it runs, as the catch-up of its slot.
  const run: Run = late === undefined ? base : { ...base, trigger: 'catch-up' };
  const claim = await deps.runs.claim(run);
  if (claim.claimed) return { started: run, job };
  return resume(deps, event, job, claim.existing, now);
}

/**
 * A delivery later than the job's starting deadline after its slot (Scheduler retries up to 24 h and
 * Lambda's async retries up to 6 h, so a delivery can come very late): why, and whether the job's
 * catch-up runs it anyway. Undefined for a delivery in time.
 */
function pastStartingDeadline(
  job: Job,
  slot: string,
  now: Date,
): { readonly reason: string; readonly runs: boolean } | undefined {
  const settings = healthSettings(job, new Date(slot));
  const lateMs = now.getTime() - Date.parse(slot) - flexibleDelayMs(job);
  if (lateMs <= settings.startingDeadlineSeconds * 1000) return undefined;
  return {
    reason: `delivered ${Math.round(lateMs / 1000)} s after its slot, past the starting deadline of ${settings.startingDeadlineSeconds} s`,
    runs: lateDeliveryRuns(job, settings, new Date(slot), now),
  };
}

/** Why a scheduled slot of `job` must not run, or undefined when it may. */
export function notRunnableReason(job: Job): string | undefined {
  if (!job.enabled) return 'job paused';
  if (job.oneTimeState === 'executed' || job.oneTimeState === 'cancelled') {
    return `one-time job already ${job.oneTimeState}`;
  }
  return undefined;
}

export async function startManual(
  deps: RunDeps,
  event: JobEvent,
  job: Job | undefined,
  slot: string,
  now: Date,
): Promise<Started> {
  if (job === undefined) {
    const gone = await deps.runs.transition(event.job, slot, ['pending'], {
      status: 'skipped',
      reason: JOB_DELETED_REASON,
      finishedAt: now.toISOString(),
    });
    deps.log.warn('job not found; manual run not started', { job: event.job, runId: event.runId });
    return gone === undefined
      ? { done: { outcome: 'ignored', reason: `job "${event.job}" does not exist` } }
      : { done: { outcome: 'skipped', run: gone } };
  }
  const started = await deps.runs.transition(event.job, slot, ['pending'], {
    status: 'running',
    startedAt: now.toISOString(),
    deadline: deadlineOf(deps, now),
    ...(event.executionId === undefined ? {} : { executionId: event.executionId }),
  });
  if (started !== undefined) return { started, job };
  const existing = await deps.runs.get(event.job, slot);
  if (existing === undefined) {
    deps.log.warn('manual run not found; nothing to do', { job: event.job, runId: event.runId });
    return { done: { outcome: 'ignored', reason: `run ${event.runId ?? ''} does not exist` } };
  }
  if (existing.status === 'cancelled') {
    deps.log.info('run was cancelled before it started', { job: event.job, runId: existing.runId });
    // A fan-out child cancelled before its lane reached it: counted, and its lane goes on.
    await countFanOutChild(deps, job, existing, deps.log, afterRunEnded);
    return { done: { outcome: 'cancelled', run: existing } };
  }
  // (Failed and timed-out runs are retried below, so only the ends no delivery changes.)
  if (existing.status === 'succeeded' || existing.status === 'skipped') {
    // A delivery of a fan-out child that already ended: its function may have died between the final
    // record and the count, so count it again (a no-op when it was counted) before suppressing it.
    await countFanOutChild(deps, job, existing, deps.log, afterRunEnded);
  }
  return resume(deps, event, job, existing, now);
}

/** Statuses a redelivery of the slot picks up as its next attempt. */
const RETRIED_STATUSES = ['failed', 'timed_out', 'retrying'] as const;

/** The slot is already taken: a retry of a failed or dead attempt runs again, anything else is a duplicate. */
async function resume(deps: RunDeps, event: JobEvent, job: Job, existing: Run, now: Date): Promise<Started> {
  const deadAttempt = existing.status === 'running' && pastDeadline(deps, existing, now);
  if (!(RETRIED_STATUSES as readonly string[]).includes(existing.status) && !deadAttempt) {
    return { done: await duplicate(deps, existing) };
  }
  if (existing.cancelRequested === true) {
    const cancelled = await deps.runs.transition(
      existing.job,
      existing.slot,
      [existing.status],
      { status: 'cancelled', reason: 'cancelled by request', finishedAt: now.toISOString() },
      { attempt: existing.attempt },
    );
    return { done: { outcome: 'cancelled', run: cancelled ?? existing } };
  }
  const retried = await deps.runs.transition(
    existing.job,
    existing.slot,
    [existing.status],
    {
      status: 'running',
      attempt: existing.attempt + 1,
      startedAt: now.toISOString(),
      deadline: deadlineOf(deps, now),
      executionId: event.executionId,
      finishedAt: undefined,
      durationMs: undefined,
      error: undefined,
      result: undefined,
      reason: undefined,
      nextAttemptAt: undefined,
      // A reader may have ended the attempt before (settle.ts): this one ends on its own.
      settled: undefined,
    },
    { attempt: existing.attempt },
  );
  if (retried === undefined) return { done: await duplicate(deps, existing) };
  deps.log.info('run retried', { job: retried.job, runId: retried.runId, attempt: retried.attempt });
  return { started: retried, job };
}

async function duplicate(deps: RunDeps, existing: Run): Promise<RunOutcome> {
  await deps.runs.recordDuplicate(existing.job, existing.slot);
  deps.log.info('duplicate delivery suppressed', {
    job: existing.job,
    runId: existing.runId,
    slot: existing.slot,
    status: existing.status,
  });
  return { outcome: 'duplicate', run: existing };
}

/** When an attempt starting at `start` must have ended: Lambda stops the function by then. */
export function deadlineOf(deps: Pick<RunDeps, 'leaseSeconds'>, start: Date): string {
  return new Date(start.getTime() + deps.leaseSeconds * 1000).toISOString();
}

function pastDeadline(deps: RunDeps, run: Run, now: Date): boolean {
  if (run.deadline !== undefined) return Date.parse(run.deadline) < now.getTime();
  // Records written before runs carried a deadline.
  return run.startedAt !== undefined && Date.parse(run.startedAt) + deps.leaseSeconds * 1000 < now.getTime();
}
