/**
 * Cancelling a run. A pending run (manual, not started yet) is cancelled at once and the job function
 * will not run it; a running run is asked to stop (`cancelRequested`): the answer says only that. The
 * run stops for certain if the request comes before its work's point of no return (the prompt's POST),
 * which always reads the flag; after it, the run's own record says what became of it (aborted where it
 * stood, or completed, with a reason saying the cancel came too late). A run waiting for Lambda's
 * retry is cancelled at once, and the retry, when it comes, finds it final. A fan-out parent waiting for
 * its children is flagged and its unfinished children cancelled (fan-out-cancel.ts); it ends `cancelled`
 * with its last child.
 */
import { RunConflictError, RunNotFoundError } from '../errors.ts';
import type { Run } from '../jobs/model.ts';
import { cancelChildren } from './fan-out-cancel.ts';
import { type SettleDeps, settleRun } from './settle.ts';

export type CancelDeps = SettleDeps;

/** A run can change state between our read and our write; re-read and decide again a few times. */
const MAX_ROUNDS = 3;

/**
 * Cancels run `runId`: pending or retrying → cancelled; running → `cancelRequested: true` (the status
 * becomes cancelled when the handler stops). Returns the updated run. Throws RunNotFoundError, or
 * RunConflictError when the run has already finished.
 */
export async function cancelRun(deps: CancelDeps, runId: string): Promise<Run> {
  const found = await deps.runs.getById(runId);
  if (found === undefined) throw new RunNotFoundError(runId);
  let run = await settleRun(deps, found);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let updated: Run | undefined;
    if (run.status === 'pending' || run.status === 'retrying') {
      updated = await deps.runs.transition(run.job, run.slot, [run.status], {
        status: 'cancelled',
        cancelRequested: true,
        reason:
          run.status === 'pending' ? 'cancelled before it started' : 'cancelled while waiting for a retry',
        finishedAt: deps.clock.now().toISOString(),
        nextAttemptAt: undefined,
        ...(run.status === 'pending' ? { durationMs: 0 } : {}),
      });
    } else if (run.status === 'running') {
      updated = await deps.runs.transition(run.job, run.slot, ['running'], { cancelRequested: true });
    } else if (run.status === 'waiting') {
      const flagged = await deps.runs.transition(run.job, run.slot, ['waiting'], { cancelRequested: true });
      // Ended here when no child was running; what follows a parent's end runs only in the lifecycle.
      if (flagged !== undefined) return cancelChildren(deps, flagged, undefined, undefined);
    } else {
      throw new RunConflictError(
        `run ${runId} is already ${run.status}; only a pending, running, retrying or waiting run can be cancelled`,
      );
    }
    if (updated !== undefined) return updated;
    const current = await deps.runs.get(run.job, run.slot);
    if (current === undefined) throw new RunNotFoundError(runId);
    run = await settleRun(deps, current);
  }
  throw new RunConflictError(`run ${runId} kept changing while it was being cancelled; try again`);
}
