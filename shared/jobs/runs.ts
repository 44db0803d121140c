/**
 * Run use cases of the API: run a job now, list and read runs, cancel a run. The run lifecycle itself
 * (claiming slots, leases, outcomes) is in shared/runs; the API creates pending manual runs, and every
 * run it shows is settled first (an attempt that ended without a word is recorded as such).
 */
import * as z from 'zod/mini';
import { RunNotFoundError } from '../errors.ts';
import { parseRunParams } from '../kinds/config.ts';
import { kindDefinition } from '../kinds/registry.ts';
import { cancelRun as cancelLedgerRun } from '../runs/cancel.ts';
import { type SettleDeps, settleRun, settleRuns } from '../runs/settle.ts';
import { parseWith } from '../validation.ts';
import type { Run, RunStatus } from './model.ts';
import type { Page } from './ports.ts';
import { type JobServiceDeps, requireLiveJob, startManualRun } from './service.ts';

/**
 * `POST /jobs/{name}/runs`: records a `pending` manual run, then invokes the kind's function
 * asynchronously with it. If the invoke fails, the run is marked `failed` and the error raised.
 * Paused jobs can be run by hand: pausing stops the schedule, not the operator. The body is optional:
 * `{"params": {...}}`, checked against the kind's parameters before anything is written.
 */
export async function runJobNow(deps: JobServiceDeps, name: string, body?: unknown): Promise<Run> {
  const job = await requireLiveJob(deps, name, 'run');
  const params = parseRunParams(kindDefinition(job.kind), runRequestParams(body), job.config) as Record<
    string,
    unknown
  >;
  return startManualRun(deps, job, params);
}

/** The body of a run request: `{"params"}` only, its content checked against the kind afterwards. */
export const runRequestSchema = z.lazy(() => z.strictObject({ params: z.optional(z.unknown()) }));

function runRequestParams(body: unknown): unknown {
  if (body === undefined) return {};
  return parseWith(runRequestSchema, body, { what: 'the run request' }).params ?? {};
}

export interface RunListQuery {
  readonly job?: string;
  readonly status?: RunStatus;
  readonly limit: number;
  readonly cursor?: string;
}

/**
 * The open statuses a run can be settled out of into each status (shared/runs/settle.ts): a run's
 * status changes when it is read, so a listing of a status reads these too and keeps what settles into it.
 */
const SETTLED_FROM: Partial<Record<RunStatus, readonly RunStatus[]>> = {
  timed_out: ['running'],
  retrying: ['running'],
  failed: ['retrying', 'pending', 'waiting'],
  // A stalled fan-out parent is recounted by its reader (settle.ts).
  succeeded: ['waiting'],
  cancelled: ['waiting'],
};

/** Newest first; `status: 'running'` answers "what is executing now". */
export async function listRuns(deps: SettleDeps, query: RunListQuery): Promise<Page<Run>> {
  const wanted = query.status;
  const statuses = wanted === undefined ? undefined : [wanted, ...(SETTLED_FROM[wanted] ?? [])];
  const page = await deps.runs.list({
    limit: query.limit,
    ...(query.job === undefined ? {} : { job: query.job }),
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    ...(statuses === undefined ? {} : { statuses }),
  });
  const settled = await settleRuns(deps, page.items);
  // Runs read in another status than the one asked for are those that may have settled into it.
  const items = wanted === undefined ? settled : settled.filter((run) => run.status === wanted);
  return { ...page, items };
}

export async function getRun(deps: SettleDeps, runId: string): Promise<Run> {
  const run = await deps.runs.getById(runId);
  if (run === undefined) throw new RunNotFoundError(runId);
  return settleRun(deps, run);
}

/**
 * `POST /runs/{runId}/cancel`: pending or retrying → cancelled, running → asked to stop;
 * RunConflictError when finished.
 */
export function cancelRun(deps: SettleDeps, runId: string): Promise<Run> {
  return cancelLedgerRun(deps, runId);
}

/** `GET /runs/{runId}/children`: a fan-out parent's children by slot, settled as they are read. */
export async function listChildRuns(
  deps: SettleDeps,
  runId: string,
  query: { readonly limit: number; readonly cursor?: string },
): Promise<Page<Run>> {
  const parent = await deps.runs.getById(runId);
  if (parent === undefined) throw new RunNotFoundError(runId);
  const page = await deps.runs.listChildren({
    parent,
    limit: query.limit,
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  });
  return { ...page, items: await settleRuns(deps, page.items) };
}
