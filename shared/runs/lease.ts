/**
 * The job's run lease: every run records itself on the job's run state when it starts (the lease names
 * the job's latest run, which is how a status page finds it), and under overlap `skip` only a free lease
 * can be taken, which keeps a second run of the job from starting while one is in progress.
 *
 * The lease is never released by a write of its own (that would be one more write per run): a finished
 * run leaves it behind, and it expires with the function's timeout.
 * - No lease, or an expired one: one conditional write takes it; nothing is read about the previous
 *   holder: it either finished or was stopped by Lambda at its deadline; in the second case its record
 *   is still `running` past its deadline, and readers settle it (shared/runs/settle.ts). This is the steady
 *   path of every job whose slots are further apart than the function timeout.
 * - A lease that has not expired: the refused write tells who holds it, and only the holder's record says
 *   whether it is still going, so it is read (on this contended path only). Final or gone: the lease is
 *   taken over (`replaceRunId`); still running: this run is skipped.
 * - Refused because the job was deleted, or deleted and created again, since the run read it: the
 *   skipped run's reason says which.
 * - Overlap `allow`: the lease is recorded whatever stands (a shared write), refused only for a job that
 *   is gone or another job.
 */
import { FINAL_RUN_STATUSES, type Job, type Run, type RunLease } from '../jobs/model.ts';
import type { LeaseRefusal } from '../jobs/ports.ts';
import type { RunDeps } from './lifecycle.ts';
import { deadlineOf } from './start.ts';

/**
 * Returned when the run holds a copy of the job (`version`) that is not the stored one: the caller reads
 * the job and takes the lease again without a version.
 */
export const STALE_COPY = Symbol('stale copy of the job');

/**
 * Takes the job's lease for `run`; returns why the run must be skipped, or undefined when it holds it.
 * `version`: the run works from its schedule's copy of the job, which must still be the stored version.
 */
export async function takeLease(
  deps: RunDeps,
  job: Job,
  run: Run,
  now: Date,
  version?: number,
): Promise<string | undefined | typeof STALE_COPY> {
  const lease: RunLease = { runId: run.runId, slot: run.slot, expiresAt: deadlineOf(deps, now) };
  const checked = version === undefined ? {} : { version };
  if (job.overlap === 'allow') {
    const shared = await deps.jobs.acquireLease(job, lease, now, { shared: true, ...checked });
    return shared.acquired ? undefined : refusalReason(shared);
  }
  const first = await deps.jobs.acquireLease(job, lease, now, checked);
  if (first.acquired) return undefined;
  if (first.reason !== 'held' || first.holder === undefined) return refusalReason(first);
  const held = first.holder;
  // A retry of this run finds the lease of its own earlier attempt: it takes it over.
  if (held.runId !== run.runId && (await holderLive(deps, job, held))) {
    return `run ${held.runId} of this job is still in progress (slot ${held.slot})`;
  }
  const second = await deps.jobs.acquireLease(job, lease, now, { replaceRunId: held.runId, ...checked });
  return second.acquired ? undefined : refusalReason(second);
}

/** Whether the run holding an unexpired lease is still going, by its record. */
async function holderLive(deps: RunDeps, job: Job, held: RunLease): Promise<boolean> {
  const holder = await deps.runs.get(job.name, held.slot);
  return (
    holder !== undefined &&
    holder.runId === held.runId &&
    holder.status !== 'retrying' &&
    !FINAL_RUN_STATUSES.includes(holder.status)
  );
}

function refusalReason(refusal: LeaseRefusal): string | typeof STALE_COPY {
  switch (refusal.reason) {
    case 'stale':
      return STALE_COPY;
    case 'held':
      return refusal.holder === undefined
        ? 'another run of this job started at the same time and holds the lease'
        : `run ${refusal.holder.runId} of this job started at the same time and holds the lease (slot ${refusal.holder.slot})`;
    case 'deleted':
      return 'the job was deleted after this slot fired';
    case 'recreated':
      return 'the job was deleted and created again after this slot fired; the new job runs on its own schedule';
  }
}
