/**
 * The client's types, taken from the API's own schemas (the job definition and patch it parses, the
 * views and pages it answers), so a change on the server changes them here and the compiler shows
 * every caller it breaks. Only the query options are the client's own: they are its arguments, not
 * the API's wire format (`pageSize` becomes `limit`, booleans become "true"/"false").
 */
import type * as z from 'zod/mini';
import type {
  backfillStartedSchema,
  checkpointSchema,
  checkpointsSchema,
  jobsPageSchema,
  jobViewSchema,
  reconcileReportSchema,
  runsPageSchema,
  runViewSchema,
  schedulePreviewSchema,
  statusReportSchema,
  writtenJobSchema,
} from '../shared/api/responses.ts';
import type { RouteKey } from '../shared/api/routes.ts';
import type { backfillRequestSchema } from '../shared/jobs/backfill.ts';
import type { RunStatus } from '../shared/jobs/model.ts';
import type { jobDefinitionSchema, jobPatchSchema } from '../shared/jobs/validation.ts';
import type { ApiRequest, ApiResponse } from './http.ts';

export type { RunStatus };

/** A job as the API shows it. */
export type Job = z.output<typeof jobViewSchema>;
/** A job as a write answers it: with `warnings` when something will stop its runs (a missing secret). */
export type WrittenJob = z.output<typeof writtenJobSchema>;
/** What `jobs.create` and `jobs.put` take: exactly the API's job definition. */
export type JobDefinition = z.input<typeof jobDefinitionSchema>;
/** What `jobs.update` takes: a JSON Merge Patch of the job (`null` resets a field). */
export type JobPatch = z.input<typeof jobPatchSchema>;
export type Run = z.output<typeof runViewSchema>;
export type JobsPage = z.output<typeof jobsPageSchema>;
export type RunsPage = z.output<typeof runsPageSchema>;
export type StatusReport = z.output<typeof statusReportSchema>;
/** A sync job's checkpoint of one connector (its key under `connector`), with the run leasing it. */
export type Checkpoint = z.output<typeof checkpointSchema>;
export type Checkpoints = z.output<typeof checkpointsSchema>;
/** A backfill as `jobs.backfill` answers it: the backfill, and the first run of each of its lanes. */
export type BackfillStarted = z.output<typeof backfillStartedSchema>;
/** What `jobs.backfill` takes: the range of past slots to run, and how many at once. */
export type BackfillRequest = z.input<typeof backfillRequestSchema>;
/** A schedule in words, with its next fire times. */
export type SchedulePreview = z.output<typeof schedulePreviewSchema>;
/** What `reconcile` found (missing, stray, differing schedules) and, unless a dry run, repaired. */
export type ReconcileReport = z.output<typeof reconcileReportSchema>;

export interface JobListQuery {
  readonly kind?: Job['kind'];
  /** Name prefix. */
  readonly name?: string;
  readonly enabled?: boolean;
  /** Jobs per request, 1–100. @default 100 for `list`, the API's (20) for `page` */
  readonly pageSize?: number;
}

export interface RunListQuery {
  readonly job?: string;
  readonly status?: RunStatus;
  /** Runs per request, 1–100. @default 100 for `list`, the API's (20) for `page` */
  readonly pageSize?: number;
}

export interface PageQuery {
  /** Items per request, 1–100. @default 100 for iterations, the API's (20) for one page */
  readonly pageSize?: number;
}

/** The previous page's `nextCursor`, to read the page after it. */
export interface Cursor {
  readonly cursor?: string;
}

export interface WaitOptions {
  /** @default 1000 */
  readonly pollIntervalMs?: number;
  /** @default 15 minutes (the longest a job function runs) */
  readonly timeoutMs?: number;
}

export interface DeleteJobOptions {
  /** First remove the links of the jobs that chain to it (their `then`), instead of a ConflictError. */
  readonly unlinkChains?: boolean;
}

export interface PreviewOptions {
  /** IANA time zone of the schedule. @default UTC */
  readonly timezone?: string;
  /** How many fire times, 1–50. @default 5 */
  readonly count?: number;
}

export interface ReconcileOptions {
  /** Only report drift, repair nothing. @default false */
  readonly dryRun?: boolean;
}

/**
 * Sends one request of a route and resolves with its answer: `route` names the API route (a typed
 * key of shared/api/routes.ts), so every method is tied to a route the API has.
 */
export type Send = <T>(route: RouteKey, request: Omit<ApiRequest, 'method'>) => Promise<T>;

/** {@link Send}, resolving with the answer's HTTP status too (for a route whose status carries meaning). */
export type Exchange = <T>(route: RouteKey, request: Omit<ApiRequest, 'method'>) => Promise<ApiResponse<T>>;

/** What `jobs.upsert` did: created the job (201) or replaced the one of that name (200). */
export interface UpsertedJob {
  readonly job: WrittenJob;
  readonly created: boolean;
}

/**
 * Iterates every item of a paged listing from `start` (a cursor; the first page without one), fetching
 * the next page only when the loop asks for it.
 */
export async function* everyItem<P extends { readonly nextCursor: string | null }, T>(
  page: (cursor: string | undefined) => Promise<P>,
  items: (answer: P) => readonly T[],
  start?: string,
): AsyncIterableIterator<T> {
  let cursor = start;
  do {
    const answer = await page(cursor);
    yield* items(answer);
    cursor = answer.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
