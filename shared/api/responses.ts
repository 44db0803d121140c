/**
 * The API's answers as schemas: what `GET /openapi.json` documents and what the integration tests check
 * every real answer against. They are strict (an answer with a field the schema does not name fails the
 * tests), and the views the API builds are checked against them by the compiler at the end of this file,
 * so a field added to a view without its schema, or the other way round, does not go unnoticed.
 */
import * as z from 'zod/mini';
import { CATCHUP_POLICIES } from '../health/fields.ts';
import { JOB_HEALTHS } from '../health/model.ts';
import { RUN_STATUSES, RUN_TRIGGERS } from '../jobs/model.ts';
import type { SchedulePreview } from '../jobs/preview.ts';
import type { ReconcileReport } from '../jobs/reconcile.ts';
import type { StatusReport } from '../jobs/status.ts';
import type { JobView, RunView } from '../jobs/view.ts';
import { JOB_KINDS } from '../kinds/registry.ts';
import { builtSchema } from '../validation.ts';

/** ISO-8601 instants as the API writes them (`toISOString()`); RFC 3339 `date-time` in the document. */
const instant = z.lazy(() => z.string().check(z.meta({ format: 'date-time' })));
const json = z.lazy(() => z.record(z.string(), z.unknown()));

export const problemSchema = z.lazy(() =>
  z.strictObject({
    field: z.string().check(z.meta({ description: 'The field as a dotted path, e.g. `config.url`.' })),
    message: z.string(),
  }),
);

/** Every refused request: `type` says which rule, `details` lists every problem of a refused body. */
export const errorResponseSchema = z.lazy(() =>
  z.strictObject({
    error: z.strictObject({
      type: z.string().check(z.meta({ description: 'e.g. ValidationError, JobNotFound, JobAlreadyExists' })),
      message: z.string(),
      details: z.optional(z.array(problemSchema)),
    }),
  }),
);

const scheduleView = z.lazy(() =>
  z.strictObject({
    input: z.string().check(z.meta({ description: 'The schedule as given.' })),
    expression: z.string().check(z.meta({ description: 'The EventBridge Scheduler expression.' })),
    timezone: z.string(),
    description: z.string().check(z.meta({ description: 'The schedule in words.' })),
  }),
);

export const jobViewSchema = z.lazy(() =>
  z.strictObject({
    name: z.string(),
    kind: z.enum(JOB_KINDS),
    schedule: scheduleView,
    timezone: z.string(),
    description: z.optional(z.string()),
    enabled: z.boolean(),
    pauseNote: z.optional(
      z.string().check(z.meta({ description: 'Why the job is paused (cleared on resume).' })),
    ),
    runImmediately: z.boolean(),
    overlap: z.enum(['skip', 'allow']),
    flexibleWindowMinutes: z.optional(z.int()),
    startDate: z.optional(instant),
    endDate: z.optional(instant),
    tags: z.record(z.string(), z.string()),
    config: json,
    expand: z.optional(
      z.strictObject({
        url: z.optional(z.string()),
        functionArn: z.optional(z.string()),
        maxChildren: z.int(),
        concurrency: z.int(),
      }),
    ),
    alerts: z.optional(
      z.strictObject({
        url: z.string(),
        signingSecret: z.string().check(z.meta({ description: 'The NAME of the signing secret.' })),
        reAlertMinutes: z.optional(z.int()),
      }),
    ),
    // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs (see shared/jobs/chains.ts)
    then: z.optional(
      z.strictObject({
        onSuccess: z.optional(z.readonly(z.array(z.string()))),
        onFailure: z.optional(z.readonly(z.array(z.string()))),
      }),
    ),
    managedBy: z.optional(
      z.string().check(
        z.meta({
          description:
            'Where the job is defined when deployed as code (a stack, a jobs file applied at start): changing or deleting it here answers 409; pause, resume, run and cancel work.',
        }),
      ),
    ),
    startingDeadlineSeconds: z.optional(z.int()),
    graceSeconds: z.optional(z.int()),
    catchup: z.optional(
      z.strictObject({
        policy: z.enum(CATCHUP_POLICIES),
        windowSeconds: z.optional(z.int()),
        max: z.optional(z.int()),
      }),
    ),
    failureThreshold: z.optional(z.int()),
    recoveryThreshold: z.optional(z.int()),
    healthSettings: z
      .strictObject({
        startingDeadlineSeconds: z.int(),
        graceSeconds: z.int(),
        catchup: z.strictObject({
          policy: z.enum(CATCHUP_POLICIES),
          windowSeconds: z.int(),
          max: z.optional(z.int()),
        }),
        failureThreshold: z.int(),
        recoveryThreshold: z.int(),
      })
      .check(
        z.meta({
          description:
            'The health settings in effect: the fields given, and the defaults (from the period around the next slot) for the others.',
        }),
      ),
    nextRun: z.nullable(instant),
    state: z.optional(z.enum(['scheduled', 'executed', 'cancelled'])),
    createdAt: instant,
    updatedAt: instant,
    version: z.int(),
  }),
);

/** A job as written by POST, PUT or PATCH: with `warnings` when something will stop its runs. */
export const writtenJobSchema = z.lazy(() =>
  z.strictObject({
    ...builtSchema(jobViewSchema).shape,
    warnings: z.optional(z.array(problemSchema)),
  }),
);

const runError = z.lazy(() => z.strictObject({ type: z.string(), message: z.string() }));

export const runViewSchema = z.lazy(() =>
  z.strictObject({
    runId: z.string(),
    job: z.string(),
    trigger: z.enum(RUN_TRIGGERS),
    status: z.enum(RUN_STATUSES),
    scheduledFor: instant,
    startedAt: z.optional(instant),
    finishedAt: z.optional(instant),
    durationMs: z.optional(z.int()),
    attempt: z.int(),
    executionId: z.optional(z.string()),
    error: z.optional(runError),
    result: z.optional(json),
    params: z.optional(json),
    parentRunId: z.optional(z.string()),
    backfill: z.optional(z.strictObject({ id: z.string(), from: instant, to: instant, lanes: z.int() })),
    context: z.optional(z.looseObject({ key: z.string() })),
    upstream: z.optional(
      z.strictObject({
        job: z.string(),
        runId: z.string(),
        status: z.enum(RUN_STATUSES),
        result: z.optional(json),
        resultOmitted: z.optional(z.boolean()),
        depth: z.optional(z.int()),
      }),
    ),
    children: z.optional(
      z.strictObject({
        total: z.int(),
        succeeded: z.int(),
        failed: z.int(),
        cancelled: z.int(),
        skipped: z.int(),
        timed_out: z.int(),
      }),
    ),
    nextAttemptAt: z.optional(instant),
    duplicatesSuppressed: z.int(),
    reason: z.optional(z.string()),
    cancelRequested: z.optional(z.boolean()),
  }),
);

const nextCursor = z.lazy(() =>
  z
    .nullable(z.string())
    .check(z.meta({ description: 'Pass as `cursor` for the next page; null on the last.' })),
);

export const jobsPageSchema = z.lazy(() => z.strictObject({ jobs: z.array(jobViewSchema), nextCursor }));

export const runsPageSchema = z.lazy(() => z.strictObject({ runs: z.array(runViewSchema), nextCursor }));

export const statusReportSchema = z.lazy(() =>
  z.strictObject({
    jobs: z.array(
      z.strictObject({
        name: z.string(),
        kind: z.enum(JOB_KINDS),
        enabled: z.boolean(),
        schedule: scheduleView,
        nextRun: z.nullable(instant),
        isExecuting: z.boolean(),
        lastRun: z.nullable(
          z.strictObject({
            runId: z.string(),
            status: z.enum(RUN_STATUSES),
            startedAt: z.nullable(instant),
            finishedAt: z.nullable(instant),
            error: z.nullable(runError),
          }),
        ),
        health: z.enum(JOB_HEALTHS),
        healthReason: z.optional(z.string()),
        pauseNote: z.optional(z.string()),
        state: z.optional(z.string()),
      }),
    ),
    totals: z.strictObject({
      jobs: z.int(),
      enabled: z.int(),
      paused: z.int(),
      executing: z.int(),
      failing: z.int(),
      late: z.int(),
      missed: z.int(),
    }),
    generatedAt: instant,
    nextCursor,
  }),
);

/**
 * A keyed checkpoint (a sync job's connector): its key under the kind's key name (`connector`), the cursor
 * (null before the first commit), its version, and the run holding its lease while one does.
 */
export const checkpointSchema = z.lazy(() =>
  z.looseObject({
    cursor: z.nullable(z.string()),
    version: z.int(),
    updatedAt: z.nullable(instant),
    leasedBy: z.optional(z.strictObject({ runId: z.string(), expiresAt: instant })),
  }),
);

export const checkpointsSchema = z.lazy(() => z.strictObject({ checkpoints: z.array(checkpointSchema) }));

/** `POST /jobs/{name}/backfill`: the backfill, and the first run of each of its lanes. */
export const backfillStartedSchema = z.lazy(() =>
  z.strictObject({
    backfill: z.strictObject({
      id: z.string(),
      job: z.string(),
      from: instant,
      to: instant,
      lanes: z.int(),
      slots: z.int(),
      firstSlot: instant,
      lastSlot: instant,
    }),
    runs: z.array(runViewSchema),
  }),
);

export const schedulePreviewSchema = z.lazy(() =>
  z.strictObject({
    input: z.string(),
    expression: z.string(),
    timezone: z.string(),
    description: z.string(),
    next: z.array(instant),
  }),
);

export const reconcileReportSchema = z.lazy(() =>
  z.strictObject({
    dryRun: z.boolean(),
    jobs: z.int(),
    managed: z.array(z.strictObject({ name: z.string(), managedBy: z.string() })),
    schedules: z.int(),
    missing: z.array(z.string()),
    stray: z.array(z.string()),
    differing: z.array(z.strictObject({ name: z.string(), fields: z.array(z.string()) })),
    /** Schedules found in the old single group (before one group per kind), moved or deleted. */
    legacy: z.array(z.string()),
    repaired: z.array(z.string()),
    errors: z.array(z.strictObject({ name: z.string(), message: z.string() })),
  }),
);

/*
 * The compiler's half of the drift check: each view the API sends must fit its schema. (The tests' half:
 * every answer is validated against the document, and the schemas are strict, so a field a view sends
 * that its schema does not name fails there.)
 */
/** True when `View` fits `Schema` and names no field it does not; else the fields it adds (a compile error below). */
type Fits<Schema, View extends Schema> = [Exclude<keyof View, keyof Schema>] extends [never]
  ? true
  : Exclude<keyof View, keyof Schema>;
type Expect<Check extends true> = Check;
export type ViewsFitTheirSchemas = [
  Expect<Fits<z.output<typeof jobViewSchema>, JobView>>,
  Expect<Fits<z.output<typeof runViewSchema>, RunView>>,
  Expect<Fits<z.output<typeof statusReportSchema>, StatusReport & { nextCursor: string | null }>>,
  Expect<Fits<z.output<typeof schedulePreviewSchema>, SchedulePreview>>,
  Expect<Fits<z.output<typeof reconcileReportSchema>, ReconcileReport>>,
];
