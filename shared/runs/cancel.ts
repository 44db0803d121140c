/**
 * Cancelling a run. A pending run (manual, not started yet) is cancelled at once and the job function
 * will not run it; a running run is asked to stop (`cancelRequested`) and stops at its next check.
 */
import type { Clock } from '../clock.ts';
import { RunConflictError, RunNotFoundError } from '../errors.ts';
import type { Run } from '../jobs/model.ts';
import type { RunLedger } from '../jobs/ports.ts';

export interface CancelDeps {
  readonly runs: RunLedger;
  readonly clock: Clock;
}

/** A run can change state between our read and our write; re-read and decide again a few times. */
const MAX_ROUNDS = 3;

/**
 * Cancels run `runId`: pending → cancelled; running → `cancelRequested: true` (the status becomes
 * cancelled when the handler stops). Returns the updated run. Throws RunNotFoundError, or
 * RunConflictError when the run has already finished.
 */
export async function cancelRun(deps: CancelDeps, runId: string): Promise<Run> {
  let run = await deps.runs.getById(runId);
  if (run === undefined) throw new RunNotFoundError(runId);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let updated: Run | undefined;
    if (run.status === 'pending') {
      updated = await deps.runs.transition(run.job, run.slot, ['pending'], {
        status: 'cancelled',
        cancelRequested: true,
        reason: 'cancelled before it started',
        finishedAt: deps.clock.now().toISOString(),
        durationMs: 0,
      });
    } else if (run.status === 'running') {
      updated = await deps.runs.transition(run.job, run.slot, ['running'], { cancelRequested: true });
    } else {
      throw new RunConflictError(
        `run ${runId} is already ${run.status}; only a pending or running run can be cancelled`,
      );
    }
    if (updated !== undefined) return updated;
    const current = await deps.runs.get(run.job, run.slot);
    if (current === undefined) throw new RunNotFoundError(runId);
    run = current;
  }
  throw new RunConflictError(`run ${runId} kept changing while it was being cancelled; try again`);
}
