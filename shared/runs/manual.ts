/**
 * Runs created `pending` before their function runs them: manual runs (the API), chained runs (the end
 * of an upstream run) and the children of a fan-out. Whoever starts one records it `pending` (so it is
 * visible and cancellable at once), then invokes the job function with the returned event; the
 * function's lifecycle moves it to `running`.
 */

import type { Clock } from '../clock.ts';
import { JobInvokeError } from '../errors.ts';
import type { FanOutContext, Job, Run, RunBackfill, RunTrigger, UpstreamRun } from '../jobs/model.ts';
import type { JobEvent, JobInvoker, RunLedger } from '../jobs/ports.ts';
import { manualSlot } from './event.ts';
import { newRunId } from './run-id.ts';

/** Why a pending run whose job is gone is recorded `skipped` (by its delivery, or by its fan-out parent's recount). */
export const JOB_DELETED_REASON = 'job deleted before the run started';

/** Epoch seconds at which a record written now is purged (TTL attribute `expiresAt`). */
export function retentionExpiresAt(now: Date, retentionDays: number): number {
  return Math.floor(now.getTime() / 1000) + retentionDays * 86_400;
}

export interface ManualRunOptions {
  /** Run retention (config `runRetentionDays`). */
  readonly retentionDays: number;
  /** Ids for tests; ULID from the time by default. */
  readonly newRunId?: (now: Date) => string;
  /** The run's parameters, already validated against the job's kind. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** @default 'manual' */
  readonly trigger?: Exclude<RunTrigger, 'schedule'>;
  /**
   * The run's slot when it is not a manual slot of its own: a slot that names the run by what started it
   * (a fan-out child: its parent's slot and key), so starting it twice finds the first one.
   */
  readonly slot?: string;
  /** When the run is due. @default now */
  readonly scheduledFor?: string;
  readonly parentRunId?: string;
  readonly context?: FanOutContext;
  readonly upstream?: UpstreamRun;
  readonly backfill?: RunBackfill;
}

/**
 * The pending run for a trigger of `job` and the event that makes the job function run it.
 * Store the run with `RunLedger.claim(run)`, then `JobInvoker.invoke(job.kind, event)` (startPendingRun).
 */
export function newManualRun(job: Job, now: Date, options: ManualRunOptions): { run: Run; event: JobEvent } {
  const runId = (options.newRunId ?? newRunId)(now);
  const scheduledFor = options.scheduledFor ?? now.toISOString();
  const trigger = options.trigger ?? 'manual';
  const slot = options.slot ?? manualSlot(scheduledFor, runId);
  const run: Run = {
    runId,
    job: job.name,
    slot,
    trigger,
    status: 'pending',
    scheduledFor,
    attempt: 1,
    duplicatesSuppressed: 0,
    expiresAt: retentionExpiresAt(now, options.retentionDays),
    ...(options.params === undefined || Object.keys(options.params).length === 0
      ? {}
      : { params: options.params }),
    ...(options.parentRunId === undefined ? {} : { parentRunId: options.parentRunId }),
    ...(options.context === undefined ? {} : { context: options.context }),
    ...(options.upstream === undefined ? {} : { upstream: options.upstream }),
    ...(options.backfill === undefined ? {} : { backfill: options.backfill }),
  };
  return { run, event: runEvent(run) };
}

/** The event that makes a job function run the pending run `run`. */
export function runEvent(run: Run): JobEvent {
  const manual = run.slot === manualSlot(run.scheduledFor, run.runId);
  return {
    job: run.job,
    scheduledTime: run.scheduledFor,
    runId: run.runId,
    trigger: run.trigger,
    ...(manual ? {} : { slot: run.slot }),
  };
}

export interface PendingRunDeps {
  readonly runs: RunLedger;
  readonly invoker: JobInvoker;
  readonly clock: Clock;
  readonly retentionDays: number;
  readonly newRunId?: (now: Date) => string;
}

/**
 * Records a `pending` run of `job`, then invokes the kind's function asynchronously with it. If the
 * invoke fails, the run is marked `failed` and JobInvokeError raised. A slot already taken (a run started
 * twice by the same cause) answers the run that holds it, invoking nothing.
 */
export async function startPendingRun(
  deps: PendingRunDeps,
  job: Job,
  options: Omit<ManualRunOptions, 'retentionDays' | 'newRunId'> = {},
): Promise<Run> {
  const { run, event } = newManualRun(job, deps.clock.now(), {
    ...options,
    retentionDays: deps.retentionDays,
    ...(deps.newRunId === undefined ? {} : { newRunId: deps.newRunId }),
  });
  const claim = await deps.runs.claim(run);
  if (!claim.claimed) return claim.existing;
  try {
    await deps.invoker.invoke(job.kind, event);
  } catch (error) {
    const message = error instanceof JobInvokeError ? error.message : 'the job function could not be invoked';
    await deps.runs.transition(run.job, run.slot, ['pending'], {
      status: 'failed',
      finishedAt: deps.clock.now().toISOString(),
      durationMs: 0,
      error: { type: 'JobInvokeError', message },
    });
    throw error instanceof JobInvokeError ? error : new JobInvokeError(message, { cause: error });
  }
  return run;
}
