/**
 * Manual runs: the API creates the run as `pending` (so it is visible and cancellable at once), then
 * invokes the job function with the returned event; the function moves it to `running`.
 */
import type { Job, Run } from '../jobs/model.ts';
import type { JobEvent } from '../jobs/ports.ts';
import { manualSlot } from './event.ts';
import { newRunId } from './run-id.ts';

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
}

/**
 * The pending run for a manual trigger of `job` and the event that makes the job function run it.
 * Store the run with `RunLedger.claim(run)`, then `JobInvoker.invoke(job.kind, event)`.
 */
export function newManualRun(job: Job, now: Date, options: ManualRunOptions): { run: Run; event: JobEvent } {
  const runId = (options.newRunId ?? newRunId)(now);
  const scheduledFor = now.toISOString();
  const run: Run = {
    runId,
    job: job.name,
    slot: manualSlot(scheduledFor, runId),
    trigger: 'manual',
    status: 'pending',
    scheduledFor,
    attempt: 1,
    duplicatesSuppressed: 0,
    expiresAt: retentionExpiresAt(now, options.retentionDays),
    ...(options.params === undefined || Object.keys(options.params).length === 0
      ? {}
      : { params: options.params }),
  };
  return { run, event: { job: job.name, scheduledTime: scheduledFor, runId, trigger: 'manual' } };
}
