/**
 * What a run's end leads to, once its final status is recorded: the chained runs its job names
 * (`then`), for a backfill run the next slot of its lane, for a child of a fan-out its parent's count of
 * finished children, and the job's recorded health. The lifecycle calls
 * `afterRunEnded` with the run as recorded, every time it records a run in a final status itself.
 */

import { trackRunEnd } from '../health/tracker.ts';
import type { Job, Run } from '../jobs/model.ts';
import type { Logger } from '../logger.ts';
import { continueBackfill } from './backfill.ts';
import { startChainedRuns } from './chain.ts';
import { countFanOutChild } from './fan-out-count.ts';
import type { RunDeps } from './lifecycle.ts';

/** One consequence of a run's end. It must be safe to run again for the same run (a retried delivery). */
export type RunFollower = (deps: RunDeps, job: Job, run: Run, log: Logger) => Promise<void>;

const followers: readonly RunFollower[] = [
  startChainedRuns,
  continueBackfill,
  // A fan-out child counts on its parent (which may end the parent: then what follows the parent runs).
  (deps, job, run, log) => countFanOutChild(deps, job, run, log, afterRunEnded),
  // The job's health: consecutive failures and successes (counted once per run, whatever the retries).
  async (deps, job, run) => {
    if (deps.health !== undefined) await trackRunEnd(deps.health, job, run);
  },
];

/**
 * Runs every follower, even when one throws; the first error is rethrown after all of them ran, so the
 * delivery fails, Lambda delivers it again, and the repeated delivery runs them again (lifecycle.ts).
 */
export async function afterRunEnded(deps: RunDeps, job: Job, run: Run, log: Logger): Promise<void> {
  let failure: { readonly error: unknown } | undefined;
  for (const follow of followers) {
    try {
      await follow(deps, job, run, log);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== undefined) throw failure.error;
}
