/**
 * One translation per route: read path parameters, query and body, call a use case, map the result.
 * No business rule lives here (shared/jobs has them); errors go to the boundary untouched.
 */
import type { RouteKey } from '../../shared/api/routes.ts';
import { ValidationError } from '../../shared/errors.ts';
import { backfillJob } from '../../shared/jobs/backfill.ts';
import { type CheckpointDeps, listCheckpoints, resetCheckpoint } from '../../shared/jobs/checkpoints.ts';
import type { Job, Run } from '../../shared/jobs/model.ts';
import { checkJobName } from '../../shared/jobs/name.ts';
import type { Page } from '../../shared/jobs/ports.ts';
import { previewSchedule } from '../../shared/jobs/preview.ts';
import { reconcile } from '../../shared/jobs/reconcile.ts';
import { cancelRun, getRun, listChildRuns, listRuns, runJobNow } from '../../shared/jobs/runs.ts';
import {
  createJob,
  deleteJob,
  getJob,
  type JobServiceDeps,
  listJobs,
  patchJob,
  pauseJob,
  replaceJob,
  resumeJob,
  type WrittenJob,
} from '../../shared/jobs/service.ts';
import { getStatus } from '../../shared/jobs/status.ts';
import { toJobView, toRunView } from '../../shared/jobs/view.ts';
import { isRunId } from '../../shared/runs/run-id.ts';
import { describeValue } from '../../shared/validation.ts';
import { type ApiEvent, type ApiResult, emptyResponse, jsonResponse } from './http.ts';
import { parseQuery, querySchemas } from './query.ts';

/** The job service's dependencies, and the keyed checkpoints the checkpoints routes read and reset. */
export type ApiDeps = JobServiceDeps & Pick<CheckpointDeps, 'checkpoints'>;

type RouteHandler = (deps: ApiDeps, event: ApiEvent) => Promise<ApiResult>;

/** Routes whose body is a JSON object (checked by the json-body middleware). */
export const BODY_ROUTES: ReadonlySet<RouteKey> = new Set<RouteKey>([
  'POST /jobs',
  'PUT /jobs/{name}',
  'PATCH /jobs/{name}',
  'POST /jobs/{name}/runs',
  'POST /jobs/{name}/backfill',
  'POST /jobs/{name}/pause',
]);

/** Body routes whose body may be left out (a run request without parameters, a pause without a note). */
export const OPTIONAL_BODY_ROUTES: ReadonlySet<RouteKey> = new Set<RouteKey>([
  'POST /jobs/{name}/runs',
  'POST /jobs/{name}/pause',
]);

export { MAX_BODY_BYTES } from './limits.ts';

export const routeHandlers: Readonly<Record<RouteKey, RouteHandler>> = {
  'POST /jobs': async (deps, event) => {
    noQuery(event);
    const written = await createJob(deps, event.tickworkBody);
    return jsonResponse(201, writtenView(deps, written), {
      location: `/jobs/${encodeURIComponent(written.job.name)}`,
    });
  },
  'GET /jobs': async (deps, event) => {
    const query = parseQuery(event.queryStringParameters, querySchemas.listJobs);
    const page = await listJobs(deps, query);
    return jsonResponse(200, { jobs: page.items.map((job) => jobView(deps, job)), nextCursor: next(page) });
  },
  'GET /jobs/{name}': async (deps, event) => {
    noQuery(event);
    return jsonResponse(200, jobView(deps, await getJob(deps, jobName(event))));
  },
  'PUT /jobs/{name}': async (deps, event) => {
    noQuery(event);
    const name = jobName(event);
    const written = await replaceJob(deps, name, event.tickworkBody);
    return jsonResponse(
      written.created ? 201 : 200,
      writtenView(deps, written),
      written.created ? { location: `/jobs/${encodeURIComponent(name)}` } : {},
    );
  },
  'PATCH /jobs/{name}': async (deps, event) => {
    noQuery(event);
    return jsonResponse(200, writtenView(deps, await patchJob(deps, jobName(event), event.tickworkBody)));
  },
  'DELETE /jobs/{name}': async (deps, event) => {
    const query = parseQuery(event.queryStringParameters, querySchemas.deleteJob);
    await deleteJob(deps, jobName(event), { unlinkChains: query.unlinkChains ?? false });
    return emptyResponse(204);
  },
  'POST /jobs/{name}/pause': async (deps, event) => {
    noQuery(event);
    return jsonResponse(200, jobView(deps, await pauseJob(deps, jobName(event), event.tickworkBody)));
  },
  'POST /jobs/{name}/resume': async (deps, event) => {
    noQuery(event);
    return jsonResponse(200, jobView(deps, await resumeJob(deps, jobName(event))));
  },
  'POST /jobs/{name}/runs': async (deps, event) => {
    noQuery(event);
    return jsonResponse(202, toRunView(await runJobNow(deps, jobName(event), event.tickworkBody)));
  },
  'GET /jobs/{name}/runs': async (deps, event) => {
    const name = jobName(event);
    const query = parseQuery(event.queryStringParameters, querySchemas.listJobRuns);
    return runsResponse(await listRuns(deps, { ...query, job: name }));
  },
  'POST /jobs/{name}/backfill': async (deps, event) => {
    noQuery(event);
    const started = await backfillJob(deps, jobName(event), event.tickworkBody);
    return jsonResponse(202, { backfill: started.backfill, runs: started.runs.map(toRunView) });
  },
  'GET /jobs/{name}/checkpoints': async (deps, event) => {
    noQuery(event);
    return jsonResponse(200, { checkpoints: await listCheckpoints(deps, jobName(event)) });
  },
  'POST /jobs/{name}/checkpoints/{connector}/reset': async (deps, event) => {
    noQuery(event);
    return jsonResponse(200, await resetCheckpoint(deps, jobName(event), checkpointKey(event)));
  },
  'GET /runs': async (deps, event) => {
    const query = parseQuery(event.queryStringParameters, querySchemas.listRuns);
    return runsResponse(await listRuns(deps, query));
  },
  'GET /runs/{runId}': async (deps, event) => {
    noQuery(event);
    return jsonResponse(200, toRunView(await getRun(deps, runId(event))));
  },
  'POST /runs/{runId}/cancel': async (deps, event) => {
    noQuery(event);
    return jsonResponse(200, toRunView(await cancelRun(deps, runId(event))));
  },
  'GET /runs/{runId}/children': async (deps, event) => {
    const query = parseQuery(event.queryStringParameters, querySchemas.listChildren);
    return runsResponse(await listChildRuns(deps, runId(event), query));
  },
  'GET /status': async (deps, event) => {
    const query = parseQuery(event.queryStringParameters, querySchemas.status);
    const report = await getStatus(deps, query);
    return jsonResponse(200, { ...report, nextCursor: report.nextCursor ?? null });
  },
  'GET /schedules/preview': async (deps, event) => {
    const query = parseQuery(event.queryStringParameters, querySchemas.preview);
    return jsonResponse(200, previewSchedule(query, deps.clock.now()));
  },
  'POST /reconcile': async (deps, event) => {
    const query = parseQuery(event.queryStringParameters, querySchemas.reconcile);
    // A POST acts: without dryRun=true the drift is repaired.
    return jsonResponse(200, await reconcile(deps, { dryRun: query.dryRun ?? false }));
  },
  'GET /openapi.json': async (_deps, event) => {
    noQuery(event);
    // Loaded on first use: the document's schemas and zod's JSON Schema conversion are no part of a cold start.
    const { openApiDocument } = await import('./openapi.ts');
    return jsonResponse(200, openApiDocument());
  },
};

function jobView(deps: ApiDeps, job: Job) {
  return toJobView(job, deps.clock.now());
}

/** A written job, with `warnings` when something did not stop the write but will stop its runs. */
function writtenView(deps: ApiDeps, written: WrittenJob) {
  const view = jobView(deps, written.job);
  return written.warnings.length === 0 ? view : { ...view, warnings: written.warnings };
}

function runsResponse(page: Page<Run>): ApiResult {
  return jsonResponse(200, { runs: page.items.map(toRunView), nextCursor: next(page) });
}

function next<T>(page: Page<T>): string | null {
  return page.nextCursor ?? null;
}

function noQuery(event: ApiEvent): void {
  parseQuery(event.queryStringParameters, querySchemas.none);
}

function jobName(event: ApiEvent): string {
  return checkJobName(event.tickworkRoute?.params.name ?? '', 'name', 'job name in the path');
}

/** A checkpoint key in the path: whatever it is, it is checked against the job's own keys (404 otherwise). */
function checkpointKey(event: ApiEvent): string {
  const key = event.tickworkRoute?.params.connector ?? '';
  if (key === '' || key.length > 128) {
    throw new ValidationError(
      'connector',
      `connector in the path must be 1–128 characters; got ${describeValue(key)}`,
    );
  }
  return key;
}

function runId(event: ApiEvent): string {
  const id = event.tickworkRoute?.params.runId ?? '';
  if (!isRunId(id)) {
    throw new ValidationError(
      'runId',
      `runId in the path must be a run id (26-character ULID), got ${describeValue(id)}`,
    );
  }
  return id;
}
