/**
 * A `missed` run: the record of a scheduled slot that did not run by its starting deadline, claimed at
 * the slot's own key with the lifecycle's conditional put, so a late delivery and the sweeper cannot
 * both record the slot (whichever claims it first decides).
 */
import type { Job, Run } from '../jobs/model.ts';
import { retentionExpiresAt } from './manual.ts';
import { newRunId } from './run-id.ts';

export function missedRun(
  job: Pick<Job, 'name'>,
  slot: string,
  now: Date,
  reason: string,
  options: { readonly retentionDays: number; readonly newRunId?: (now: Date) => string },
): Run {
  return {
    runId: (options.newRunId ?? newRunId)(now),
    job: job.name,
    slot,
    trigger: 'schedule',
    status: 'missed',
    scheduledFor: slot,
    finishedAt: now.toISOString(),
    durationMs: 0,
    attempt: 1,
    duplicatesSuppressed: 0,
    reason,
    expiresAt: retentionExpiresAt(now, options.retentionDays),
  };
}
