/**
 * Run use cases of the API: run a job now, list and read runs, cancel a run. The run lifecycle itself
 * (claiming slots, leases, outcomes) is in shared/runs; the API only creates pending manual runs.
 */
import { RunNotFoundError } from '../errors.ts';
import { cancelRun as cancelLedgerRun } from '../runs/index.ts';
import type { Run, RunStatus } from './model.ts';
import type { Page } from './ports.ts';
import { type JobServiceDeps, requireLiveJob, startManualRun } from './service.ts';

/**
 * `POST /jobs/{name}/runs`: records a `pending` manual run, then invokes the kind's function
 * asynchronously with it. If the invoke fails, the run is marked `failed` and the error raised.
 * Paused jobs can be run by hand: pausing stops the schedule, not the operator.
 */
export async function runJobNow(deps: JobServiceDeps, name: string): Promise<Run> {
  return startManualRun(deps, await requireLiveJob(deps, name, 'run'));
}

export interface RunListQuery {
  readonly job?: string;
  readonly status?: RunStatus;
  readonly limit: number;
  readonly cursor?: string;
}

/** Newest first; `status: 'running'` answers "what is executing now". */
export function listRuns(deps: Pick<JobServiceDeps, 'runs'>, query: RunListQuery): Promise<Page<Run>> {
  return deps.runs.list(query);
}

export async function getRun(deps: Pick<JobServiceDeps, 'runs'>, runId: string): Promise<Run> {
  const run = await deps.runs.getById(runId);
  if (run === undefined) throw new RunNotFoundError(runId);
  return run;
}

/** `POST /runs/{runId}/cancel`: pending → cancelled, running → asked to stop; RunConflictError when finished. */
export function cancelRun(deps: Pick<JobServiceDeps, 'runs' | 'clock'>, runId: string): Promise<Run> {
  return cancelLedgerRun(deps, runId);
}
