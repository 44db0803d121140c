/**
 * The job's run lease (overlap policy `skip`): at most one live run of a job at a time.
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
 * - The conditional write refused (another run took the lease meanwhile, or the job was deleted, or
 *   deleted and created again, since the run read it): the store reads the job once to say which, and
 *   the skipped run's reason names it.
 */
import { FINAL_RUN_STATUSES, type Job, type Run, type RunLease } from '../jobs/model.ts';
import type { LeaseRefusal } from '../jobs/ports.ts';
import type { RunDeps } from './lifecycle.ts';
import { deadlineOf } from './start.ts';

/** Takes the job's lease for `run`; returns why the run must be skipped, or undefined when it holds it. */
export async function takeLease(deps: RunDeps, job: Job, run: Run, now: Date): Promise<string | undefined> {
  const busy = await leaseHolderBusy(deps, job, run, now);
  if (busy !== undefined) return busy;
  const lease: RunLease = { runId: run.runId, slot: run.slot, expiresAt: deadlineOf(deps, now) };
  const outcome = await deps.jobs.acquireLease(job, lease, now, job.lease?.runId);
  return outcome.acquired ? undefined : refusalReason(outcome);
}

/** Why the lease the job carries still stands in the way of `run`, or undefined if it does not. */
export async function leaseHolderBusy(
  deps: RunDeps,
  job: Job,
  run: Run,
  now: Date,
): Promise<string | undefined> {
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

function refusalReason(refusal: LeaseRefusal): string {
  switch (refusal.reason) {
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
