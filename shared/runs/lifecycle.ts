/**
 * One lifecycle for every run, scheduled or manual:
 *
 *   claim the slot → take the job's lease → do the work → record the outcome
 *
 * Delivery is at least once (Scheduler and Lambda both retry, with a new execution id per attempt but
 * the same scheduled time), so the slot claim, a conditional write keyed by (job, slot), is what makes
 * a repeated delivery harmless. Success path of a scheduled run: 1 read (the job) and 3 writes (claim,
 * lease, outcome; a one-time job's `executed` mark is a 4th); 1 more read only when the previous run's
 * lease has not expired yet (see lease.ts), and 1 projected read of the run's state when the work
 * reaches its point of no return (control.ts). Bench figures: bench/README-ledger.md, README-capacity.md.
 *
 * The parts: starting an attempt (start.ts), the lease (lease.ts), what stops the work (control.ts).
 */
import type { Clock } from '../clock.ts';
import type { RetryPolicy } from '../config.ts';
import { FinalRunError } from '../errors.ts';
import type { HealthDeps } from '../health/tracker.ts';
import { FINAL_RUN_STATUSES, type Job, type Run, type RunError } from '../jobs/model.ts';
import type { JobEvent, JobInvoker, JobStore, RunLedger } from '../jobs/ports.ts';
import type { Logger } from '../logger.ts';
import { nextFireTime } from '../schedule/index.ts';
import type { BaseRunContext, RunResult } from './context.ts';
import { lateCancelReason, RunCancelledError, type RunControl, startRunControl } from './control.ts';
import { afterRunEnded } from './ended.ts';
import { eventSlot, normalizeInstant } from './event.ts';
import { awaitChildren, type ContextSource, isFanOutParent, spawnChildren } from './fan-out.ts';
import { STALE_COPY, takeLease } from './lease.ts';
import { retentionExpiresAt } from './manual.ts';
import { nextAttemptAt } from './settle.ts';
import { notRunnableReason, startManual, startScheduled } from './start.ts';

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
  /** Starts the runs a run's end leads to: chained runs of other jobs, the children of a fan-out. */
  readonly invoker: JobInvoker;
  /**
   * Where a fan-out parent's contexts come from (shared/runs/fan-out.ts). Every job function has one;
   * absent (test worlds that run no fan-out), a job with `expand` fails its parent run with a clear error.
   */
  readonly contexts?: ContextSource;
  /** @default a ULID of the current time */
  readonly newRunId?: (now: Date) => string;
  /**
   * The health tracker (shared/health/tracker.ts): counts each run's end and records the job's health.
   * Every job function has one; absent (test worlds about other things), health is not recorded.
   */
  readonly health?: HealthDeps;
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
  | { readonly outcome: 'succeeded' | 'skipped' | 'cancelled' | 'duplicate' | 'missed'; readonly run: Run }
  /** A fan-out parent recorded its children and waits for them (it ends with the last one). */
  | { readonly outcome: 'waiting'; readonly run: Run }
  /** The work failed with a FinalRunError: recorded failed, not rethrown, so Lambda does not retry it. */
  | { readonly outcome: 'failed'; readonly run: Run }
  /** Nothing was recorded: the job no longer exists, or the manual run is gone. */
  | { readonly outcome: 'ignored'; readonly reason: string };

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
  // Every run but a scheduled one was created `pending` by whoever started it, and names it.
  const manual = event.trigger !== 'schedule' && event.runId !== undefined;
  // A scheduled run works from its schedule's copy of the job, checked when it takes the lease. A copy
  // that says the job cannot run is read again: the refusal must come from the job as it is.
  const copy =
    !manual && event.definition !== undefined && notRunnableReason(event.definition) === undefined
      ? event.definition
      : undefined;
  const found = copy ?? (await deps.jobs.get(event.job));
  const begin = manual
    ? await startManual(deps, event, found, eventSlot(event, scheduledFor), now)
    : await startScheduled(deps, event, found, scheduledFor, now);
  if ('done' in begin) {
    const { done } = begin;
    // A repeated delivery of a run that ended: what its end leads to runs again, in case the delivery
    // that ended it stopped or failed before that was done (each follower is safe to repeat).
    if (done.outcome === 'duplicate' && found !== undefined && FINAL_RUN_STATUSES.includes(done.run.status)) {
      const { job, runId, attempt } = done.run;
      await afterRunEnded(deps, found, done.run, deps.log.child({ job, runId, attempt }));
    }
    return done;
  }
  let job = begin.job;
  let run = begin.started;
  const log = deps.log.child({ job: run.job, runId: run.runId, attempt: run.attempt });

  // A fan-out child takes no lease: it is one of many parts of its parent's run, which took the lease
  // (overlap is decided once, for the parent), and thousands of children would all write the run state.
  let busy = run.parentRunId === undefined ? await takeLease(deps, job, run, now, copy?.version) : undefined;
  if (busy === STALE_COPY) {
    // The job changed since its schedule was written (or is being changed): the run reads it.
    const current = await deps.jobs.get(job.name);
    busy =
      current === undefined
        ? 'the job was deleted after this slot fired'
        : current.createdAt !== job.createdAt
          ? 'the job was deleted and created again after this slot fired; the new job runs on its own schedule'
          : notRunnableReason(current);
    if (current !== undefined && busy === undefined) {
      job = current;
      const second = await takeLease(deps, job, run, now);
      // Without a version the lease is never refused as stale.
      busy = second === STALE_COPY ? 'the job changed while this run started' : second;
    }
  }
  if (busy !== undefined) {
    const skipped = await finish(deps, run, { status: 'skipped', reason: busy });
    log.info('run skipped', { slot: run.slot, reason: busy });
    if (skipped !== undefined) await afterRunEnded(deps, job, skipped, log);
    return { outcome: 'skipped', run: skipped ?? run };
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
  let result: RunResult = {};
  let children: Run[] | undefined;
  try {
    const context = {
      job,
      run,
      log,
      clock: deps.clock,
      signal: control.signal,
      remainingTimeMs: control.remainingTimeMs,
      checkpoint: control.checkpoint,
      pointOfNoReturn: control.pointOfNoReturn,
    };
    // A fan-out parent's work is its children: it expands instead of doing the kind's work.
    if (isFanOutParent(job, run)) children = await spawnChildren(deps, context);
    else result = await work(context);
  } catch (thrown) {
    // Work that was stopped may throw its own wrapper of the abort; the signal's reason is the cause.
    const error = control.signal.aborted ? (control.signal.reason as unknown) : thrown;
    if (error instanceof RunCancelledError) {
      const cancelled = await finish(deps, run, { status: 'cancelled', reason: error.reason });
      log.info('run cancelled', { reason: error.reason });
      if (cancelled !== undefined) await afterRunEnded(deps, job, cancelled, log);
      return { outcome: 'cancelled', run: cancelled ?? run };
    }
    const runError = describeError(error);
    if (error instanceof FinalRunError) {
      const failed = await finish(deps, run, { status: 'failed', error: runError });
      log.error('run failed; no retry can help it', { error: runError });
      if (failed !== undefined) await afterRunEnded(deps, job, failed, log);
      return { outcome: 'failed', run: failed ?? run };
    }
    const retryAt = nextAttemptAt(deps.retryPolicy, run.attempt, deps.clock.now());
    const recorded = await finish(
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
    // Failed for good: what follows a failure starts now (Lambda's last retry of this event has run).
    if (recorded !== undefined && retryAt === undefined) await afterRunEnded(deps, job, recorded, log);
    throw error;
  } finally {
    control.stop();
  }
  if (children !== undefined) return awaitChildren(deps, job, run, children, log, afterRunEnded);
  const succeeded = await finish(deps, run, { status: 'succeeded', result });
  if (succeeded === undefined) {
    // Our record moved on while we worked (a reader settled it after the deadline, or a retry took it over).
    log.warn('run finished but its record was no longer running this attempt');
  } else {
    run = await noteLateCancel(deps, succeeded, control);
  }
  if (run.trigger === 'schedule' && job.oneTimeState === 'scheduled') {
    await markExecuted(deps, job, run, log);
  }
  log.info('run succeeded', { durationMs: run.durationMs });
  if (succeeded !== undefined) await afterRunEnded(deps, job, run, log);
  return { outcome: 'succeeded', run };
}

/**
 * A cancel the work never saw (it came after its point of no return, or after its last check): the run
 * completed, and its record says the cancel came too late, so `cancelRequested` on a succeeded run does
 * not read as if it had stopped something. One more write, on this rare path only.
 */
async function noteLateCancel(deps: RunDeps, run: Run, control: RunControl): Promise<Run> {
  if (run.cancelRequested !== true) return run;
  const noted = await deps.runs.transition(
    run.job,
    run.slot,
    ['succeeded'],
    { reason: lateCancelReason(control.effectStarted()) },
    { attempt: run.attempt },
  );
  return noted ?? run;
}

/**
 * Marks a one-time job executed after its slot's run, with its purge time, unless the job changed while
 * the run was in flight: given a new schedule (a new `at()` or a recurring one), or deleted and created
 * again. Those have their own slots to come; the store's condition leaves them as they are. Nor is it
 * marked by the run of another slot: a Lambda retry of the old slot, delivered after the job was given
 * a new `at()`, reads the new definition, whose slot is still to come.
 */
async function markExecuted(deps: RunDeps, job: Job, run: Run, log: Logger): Promise<void> {
  if (nextFireTime(job.schedule, new Date(0))?.toISOString() !== run.slot) {
    log.info('one-time job not marked executed: its slot is no longer the one this run executed', {
      schedule: job.schedule.expression,
      slot: run.slot,
    });
    return;
  }
  const finishedAt = deps.clock.now();
  const marked = await deps.jobs.markOneTime(
    job,
    'executed',
    retentionExpiresAt(finishedAt, deps.retentionDays),
    finishedAt,
  );
  if (!marked) {
    log.info('one-time job not marked executed: it was changed, deleted or created again during its run', {
      schedule: job.schedule.expression,
    });
  }
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
