/**
 * One lifecycle for every run, scheduled or manual:
 *
 *   claim the slot → take the job's lease (overlap `skip`) → do the work → record the outcome
 *
 * Delivery is at least once (Scheduler and Lambda both retry, with a new execution id per attempt but
 * the same scheduled time), so the slot claim, a conditional write keyed by (job, slot), is what makes
 * a repeated delivery harmless. Success path of a scheduled run: 1 read (the job) and 3 writes (claim,
 * lease, outcome); 1 more read only when the previous run's lease has not expired yet (see takeLease).
 */
import type { Clock } from '../clock.ts';
import type { RetryPolicy } from '../config.ts';
import { FINAL_RUN_STATUSES, type Job, type Run, type RunError, type RunLease } from '../jobs/model.ts';
import type { JobEvent, JobStore, RunLedger } from '../jobs/ports.ts';
import type { Logger } from '../logger.ts';
import type { BaseRunContext, RunResult } from './context.ts';
import { RunCancelledError, startRunControl } from './control.ts';
import { manualSlot, normalizeInstant } from './event.ts';
import { retentionExpiresAt } from './manual.ts';
import { newRunId } from './run-id.ts';
import { nextAttemptAt } from './settle.ts';

export interface RunDeps {
  readonly jobs: JobStore;
  readonly runs: RunLedger;
  readonly clock: Clock;
  readonly log: Logger;
  /** How long run records stay (config `runRetentionDays`); one-time jobs stay as long once executed. */
  readonly retentionDays: number;
  /**
   * The job function's timeout in seconds. Lambda stops the function by then, so a lease older than
   * this, or a `running` attempt older than this, belongs to a run that will never finish.
   */
  readonly leaseSeconds: number;
  /** Lambda's retries of a failed invocation: a failed attempt with a retry left is recorded `retrying`. */
  readonly retryPolicy: RetryPolicy;
  /** @default a ULID of the current time */
  readonly newRunId?: (now: Date) => string;
  /** @default DEFAULT_CANCEL_CHECK_INTERVAL_MS */
  readonly cancelCheckIntervalMs?: number;
}

/** The work of a run, given what the lifecycle provides (the kind's function adds its config and capabilities). */
export type RunWork = (context: BaseRunContext) => Promise<RunResult>;

export interface ExecuteOptions {
  /** Time left before the platform stops the function (Lambda's `getRemainingTimeInMillis`). @default the timeout */
  readonly remainingTimeMs?: () => number;
}

export type RunOutcome =
  | { readonly outcome: 'succeeded' | 'skipped' | 'cancelled' | 'duplicate'; readonly run: Run }
  /** Nothing was recorded: the job no longer exists, or the manual run is gone. */
  | { readonly outcome: 'ignored'; readonly reason: string };

type Started = { readonly started: Run; readonly job: Job } | { readonly done: RunOutcome };

const MAX_ERROR_MESSAGE = 1_000;

/**
 * Runs one delivery of a job event. Failures of the work are recorded on the run (`retrying` while
 * Lambda has a retry left, else `failed`) and rethrown, so the platform's retries and dead-letter
 * queues act; a retry of the same slot becomes attempt n+1 of the same run. Everything that is not
 * worth a retry (duplicate, skipped, cancelled, job gone) returns.
 */
export async function executeRun(
  deps: RunDeps,
  event: JobEvent,
  work: RunWork,
  options: ExecuteOptions = {},
): Promise<RunOutcome> {
  const now = deps.clock.now();
  const remainingTimeMs =
    options.remainingTimeMs ??
    (() => Math.max(0, now.getTime() + deps.leaseSeconds * 1000 - deps.clock.now().getTime()));
  const scheduledFor = normalizeInstant(event.scheduledTime, 'event.scheduledTime');
  const found = await deps.jobs.get(event.job);
  const begin =
    event.trigger === 'manual' && event.runId !== undefined
      ? await startManual(deps, event, found, manualSlot(scheduledFor, event.runId), now)
      : await startScheduled(deps, event, found, scheduledFor, now);
  if ('done' in begin) return begin.done;
  const job = begin.job;
  let run = begin.started;
  const log = deps.log.child({ job: run.job, runId: run.runId, attempt: run.attempt });

  if (job.overlap === 'skip') {
    // A one-time job's scheduled slot is its only one: no later slot can overlap it, so it honours a
    // manual run holding the lease but takes none itself (its `executed` mark is the third write).
    const oneTimeSlot = run.trigger === 'schedule' && job.oneTimeState === 'scheduled';
    const busy = oneTimeSlot
      ? await leaseHolderBusy(deps, job, run, now)
      : await takeLease(deps, job, run, now);
    if (busy !== undefined) {
      const skipped = await finish(deps, run, { status: 'skipped', reason: busy });
      log.info('run skipped', { slot: run.slot, reason: busy });
      return { outcome: 'skipped', run: skipped ?? run };
    }
  }

  const control = startRunControl({
    runs: deps.runs,
    clock: deps.clock,
    log,
    run,
    remainingTimeMs,
    timeoutSeconds: deps.leaseSeconds,
    ...(deps.cancelCheckIntervalMs === undefined ? {} : { checkIntervalMs: deps.cancelCheckIntervalMs }),
  });
  let result: RunResult;
  try {
    result = await work({
      job,
      run,
      log,
      clock: deps.clock,
      signal: control.signal,
      remainingTimeMs: control.remainingTimeMs,
      checkpoint: control.checkpoint,
    });
  } catch (thrown) {
    // Work that was stopped may throw its own wrapper of the abort; the signal's reason is the cause.
    const error = control.signal.aborted ? (control.signal.reason as unknown) : thrown;
    if (error instanceof RunCancelledError) {
      const cancelled = await finish(deps, run, { status: 'cancelled', reason: error.reason });
      log.info('run cancelled', { reason: error.reason });
      return { outcome: 'cancelled', run: cancelled ?? run };
    }
    const runError = describeError(error);
    const retryAt = nextAttemptAt(deps.retryPolicy, run.attempt, deps.clock.now());
    await finish(
      deps,
      run,
      retryAt === undefined
        ? { status: 'failed', error: runError }
        : { status: 'retrying', error: runError, nextAttemptAt: retryAt },
    );
    log.error(retryAt === undefined ? 'run failed' : 'run attempt failed; Lambda retries it', {
      error: runError,
      ...(retryAt === undefined ? {} : { nextAttemptAt: retryAt }),
    });
    throw error;
  } finally {
    control.stop();
  }
  const succeeded = await finish(deps, run, { status: 'succeeded', result });
  if (succeeded === undefined) {
    // Our record moved on while we worked (a reader settled it after the deadline, or a retry took it over).
    log.warn('run finished but its record was no longer running this attempt');
  } else {
    run = succeeded;
  }
  if (run.trigger === 'schedule' && job.oneTimeState === 'scheduled') {
    const finishedAt = deps.clock.now();
    await deps.jobs.markOneTime(
      job.name,
      'executed',
      retentionExpiresAt(finishedAt, deps.retentionDays),
      finishedAt,
    );
  }
  log.info('run succeeded', { durationMs: run.durationMs });
  return { outcome: 'succeeded', run };
}

async function startScheduled(
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
  const notRunnable = !job.enabled
    ? 'job paused'
    : job.oneTimeState === 'executed' || job.oneTimeState === 'cancelled'
      ? `one-time job already ${job.oneTimeState}`
      : undefined;
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
  const claim = await deps.runs.claim(base);
  if (claim.claimed) return { started: base, job };
  return resume(deps, event, job, claim.existing, now);
}

async function startManual(
  deps: RunDeps,
  event: JobEvent,
  job: Job | undefined,
  slot: string,
  now: Date,
): Promise<Started> {
  if (job === undefined) {
    const gone = await deps.runs.transition(event.job, slot, ['pending'], {
      status: 'skipped',
      reason: 'job deleted before the run started',
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
    return { done: { outcome: 'cancelled', run: existing } };
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

/**
 * Takes the job's lease for `run`; returns why the run must be skipped, or undefined when it holds
 * the lease.
 *
 * The lease is never released by a write of its own (that would be a 4th write per run): a finished
 * run leaves it behind, and it expires with the function's timeout.
 * - No lease, or an expired one: the lease is taken. Nothing is read about the previous holder: it
 *   either finished or was stopped by Lambda at its deadline; in the second case its record is still
 *   `running` past its deadline, and readers settle it (shared/runs/settle.ts). This is the steady path
 *   of every job whose slots are further apart than the function timeout: 1 read and 3 writes per run.
 * - A lease that has not expired: only the holder's record says whether it is still going, so it is
 *   read (the one extra read, on this contended path only). Final or gone: the lease is taken over
 *   (`replaceRunId`); still running: this run is skipped.
 */
async function takeLease(deps: RunDeps, job: Job, run: Run, now: Date): Promise<string | undefined> {
  const busy = await leaseHolderBusy(deps, job, run, now);
  if (busy !== undefined) return busy;
  const lease: RunLease = { runId: run.runId, slot: run.slot, expiresAt: deadlineOf(deps, now) };
  const acquired = await deps.jobs.acquireLease(job.name, lease, now, job.lease?.runId);
  if (!acquired) return 'another run of this job started at the same time and holds the lease';
  return undefined;
}

/** Why the lease the job carries still stands in the way of `run`, or undefined if it does not. */
async function leaseHolderBusy(deps: RunDeps, job: Job, run: Run, now: Date): Promise<string | undefined> {
  const held = job.lease;
  if (held === undefined || held.runId === run.runId || Date.parse(held.expiresAt) < now.getTime()) {
    return undefined;
  }
  const holder = await deps.runs.get(job.name, held.slot);
  const holderLive =
    holder !== undefined &&
    holder.runId === held.runId &&
    holder.status !== 'retrying' &&
    !FINAL_RUN_STATUSES.includes(holder.status);
  return holderLive ? `run ${held.runId} of this job is still in progress (slot ${held.slot})` : undefined;
}

/** When an attempt starting at `start` must have ended: Lambda stops the function by then. */
function deadlineOf(deps: RunDeps, start: Date): string {
  return new Date(start.getTime() + deps.leaseSeconds * 1000).toISOString();
}

function pastDeadline(deps: RunDeps, run: Run, now: Date): boolean {
  if (run.deadline !== undefined) return Date.parse(run.deadline) < now.getTime();
  // Records written before runs carried a deadline.
  return run.startedAt !== undefined && Date.parse(run.startedAt) + deps.leaseSeconds * 1000 < now.getTime();
}

/** Records the outcome of this attempt, if the record is still this attempt's. */
function finish(
  deps: RunDeps,
  run: Run,
  outcome: Pick<Run, 'status'> & Partial<Pick<Run, 'result' | 'error' | 'reason' | 'nextAttemptAt'>>,
): Promise<Run | undefined> {
  const finishedAt = deps.clock.now();
  const started = run.startedAt === undefined ? finishedAt.getTime() : Date.parse(run.startedAt);
  return deps.runs.transition(
    run.job,
    run.slot,
    ['running'],
    {
      ...outcome,
      finishedAt: finishedAt.toISOString(),
      durationMs: Math.max(0, finishedAt.getTime() - started),
    },
    { attempt: run.attempt },
  );
}

function describeError(error: unknown): RunError {
  if (error instanceof Error) {
    return { type: error.name, message: truncate(error.message) };
  }
  return { type: 'Error', message: truncate(String(error)) };
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_MESSAGE ? `${text.slice(0, MAX_ERROR_MESSAGE)}…` : text;
}
