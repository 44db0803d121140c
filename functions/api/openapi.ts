/**
 * `GET /openapi.json`: the API described as OpenAPI 3.1, generated from the schemas the API itself
 * parses with (the job definition and patch, each kind's config and parameters, the query parameters of
 * each route) and the schemas of its answers (shared/api/responses.ts), through zod 4's JSON Schema
 * (draft 2020-12, OpenAPI 3.1's dialect). The route table is the list of operations: a route without its
 * entry below does not compile.
 */
import * as z from 'zod/mini';
import {
  backfillStartedSchema,
  checkpointSchema,
  checkpointsSchema,
  errorResponseSchema,
  jobsPageSchema,
  jobViewSchema,
  reconcileReportSchema,
  runsPageSchema,
  runViewSchema,
  schedulePreviewSchema,
  statusReportSchema,
  writtenJobSchema,
} from '../../shared/api/responses.ts';
import { apiRoutes, MAX_CURSOR_LENGTH, type RouteKey } from '../../shared/api/routes.ts';
import { backfillRequestSchema } from '../../shared/jobs/backfill.ts';
import { jobNameSchema } from '../../shared/jobs/name.ts';
import { runRequestSchema } from '../../shared/jobs/runs.ts';
import { jobDefinitionSchema, jobPatchSchema, pauseRequestSchema } from '../../shared/jobs/validation.ts';
import { kinds } from '../../shared/kinds/registry.ts';
import { RUN_ID_PATTERN } from '../../shared/runs/run-id.ts';
import { MAX_BODY_BYTES } from './limits.ts';
import { querySchemas } from './query.ts';

type JsonSchema = Record<string, unknown>;

/** The schemas the document names in `components`, each generated from the zod schema the API uses. */
const components = {
  Error: errorResponseSchema,
  Job: jobViewSchema,
  WrittenJob: writtenJobSchema,
  Run: runViewSchema,
  JobsPage: jobsPageSchema,
  RunsPage: runsPageSchema,
  Status: statusReportSchema,
  Checkpoint: checkpointSchema,
  Checkpoints: checkpointsSchema,
  SchedulePreview: schedulePreviewSchema,
  ReconcileReport: reconcileReportSchema,
  JobDefinition: jobDefinitionSchema,
  JobPatch: jobPatchSchema,
  RunRequest: runRequestSchema,
  BackfillRequest: backfillRequestSchema,
  BackfillStarted: backfillStartedSchema,
  PauseRequest: pauseRequestSchema,
} as const satisfies Record<string, z.ZodMiniType>;
type ComponentName = keyof typeof components;
type QueryShape = (typeof querySchemas)[keyof typeof querySchemas];

/** Statuses every route may answer, besides its own. */
const COMMON_ERRORS = [400, 401, 403, 500] as const;

const ERROR_MEANING: Readonly<Record<number, string>> = {
  400: 'The request broke a rule: a field, a query parameter or the path (`type` says which; `details` lists every problem).',
  401: 'Local stack only: no or a wrong bearer token.',
  403: 'AWS: IAM denied the caller (API Gateway answers this itself, in its own format).',
  404: 'No such job or run.',
  409: 'The request conflicts with the current state (`type` says how).',
  413: `The body is larger than ${MAX_BODY_BYTES / 1024} KB.`,
  415: 'The body is not `application/json`.',
  429: "EventBridge Scheduler's quota of schedules is reached.",
  500: 'A fault of the service; the details are in its log, not in the answer.',
  502: 'EventBridge Scheduler or Lambda refused the call or could not be reached.',
  503: 'EventBridge Scheduler is throttling; retry after `Retry-After` seconds.',
};

interface Operation {
  readonly summary: string;
  readonly query: QueryShape;
  readonly body?: { readonly schema: JsonSchema; readonly required: boolean };
  /** The success statuses, each with the component schema of its body (none for 204). */
  readonly ok: readonly (readonly [status: number, description: string, schema?: ComponentName])[];
  /** Statuses of this route beyond COMMON_ERRORS. */
  readonly errors: readonly number[];
}

const WRITE_ERRORS = [413, 415, 429, 502, 503];

const operations: Readonly<Record<RouteKey, Operation>> = {
  'POST /jobs': {
    summary: 'Create a job and its schedule',
    query: querySchemas.none,
    body: { schema: ref('JobDefinition'), required: true },
    ok: [[201, 'The job as stored; `Location` names it.', 'WrittenJob']],
    errors: [409, ...WRITE_ERRORS],
  },
  'GET /jobs': {
    summary: 'List jobs, by name, a page at a time',
    query: querySchemas.listJobs,
    ok: [[200, 'A page of jobs.', 'JobsPage']],
    errors: [],
  },
  'GET /jobs/{name}': {
    summary: 'Read a job, with its next run',
    query: querySchemas.none,
    ok: [[200, 'The job.', 'Job']],
    errors: [404],
  },
  'PUT /jobs/{name}': {
    summary: 'Create or replace a job (its name is the one in the path)',
    query: querySchemas.none,
    body: { schema: ref('JobDefinition'), required: true },
    ok: [
      [200, 'The job as replaced.', 'WrittenJob'],
      [201, 'The job as created (there was none of that name); `Location` names it.', 'WrittenJob'],
    ],
    errors: [409, ...WRITE_ERRORS],
  },
  'PATCH /jobs/{name}': {
    summary: 'Change some fields of a job; `null` resets a field to its default',
    query: querySchemas.none,
    body: { schema: ref('JobPatch'), required: true },
    ok: [[200, 'The job as changed.', 'WrittenJob']],
    errors: [404, 409, ...WRITE_ERRORS],
  },
  'DELETE /jobs/{name}': {
    summary:
      'Delete a job and its schedule; 409 while other jobs chain to it, unless `unlinkChains=true` removes those links first',
    query: querySchemas.deleteJob,
    ok: [[204, 'Deleted.']],
    errors: [404, 409, 502, 503],
  },
  'POST /jobs/{name}/pause': {
    summary:
      'Pause a job: its schedule stops firing; it can still be run by hand. An optional `note` says why (cleared on resume)',
    query: querySchemas.none,
    body: { schema: ref('PauseRequest'), required: false },
    ok: [[200, 'The paused job.', 'Job']],
    errors: [404, 409, 413, 415, 502, 503],
  },
  'POST /jobs/{name}/resume': {
    summary: 'Resume a paused job',
    query: querySchemas.none,
    ok: [[200, 'The resumed job.', 'Job']],
    errors: [404, 409, 502, 503],
  },
  'POST /jobs/{name}/runs': {
    summary: "Run a job now, optionally with parameters (checked against its kind's)",
    query: querySchemas.none,
    body: { schema: ref('RunRequest'), required: false },
    ok: [[202, 'The run, `pending`: its function has been invoked.', 'Run']],
    errors: [404, 409, 413, 415, 502],
  },
  'GET /jobs/{name}/runs': {
    summary: "A job's runs, newest first",
    query: querySchemas.listJobRuns,
    ok: [[200, 'A page of runs.', 'RunsPage']],
    errors: [],
  },
  'POST /jobs/{name}/backfill': {
    summary:
      "Run every slot of the job's schedule in [from, to) (at most 1,000; slots before the job existed too), `concurrency` at a time",
    query: querySchemas.none,
    body: { schema: ref('BackfillRequest'), required: true },
    ok: [
      [
        202,
        'The backfill and the first run of each lane, `pending`: each run starts the next slot of its lane when it ends.',
        'BackfillStarted',
      ],
    ],
    errors: [404, 409, 413, 415, 502],
  },
  'GET /jobs/{name}/checkpoints': {
    summary: "A sync job's checkpoints, one per connector of its config, synced or not yet",
    query: querySchemas.none,
    ok: [
      [
        200,
        'The checkpoints (`connector`, `cursor`, `version`, `updatedAt`, `leasedBy` while a run holds it).',
        'Checkpoints',
      ],
    ],
    errors: [404],
  },
  'POST /jobs/{name}/checkpoints/{connector}/reset': {
    summary: "Reset a connector's checkpoint: the next run syncs it from the beginning",
    query: querySchemas.none,
    ok: [[200, 'The checkpoint after the reset.', 'Checkpoint']],
    errors: [404, 409],
  },
  'GET /runs': {
    summary: 'Runs of every job (or one), newest first, optionally by status',
    query: querySchemas.listRuns,
    ok: [[200, 'A page of runs.', 'RunsPage']],
    errors: [],
  },
  'GET /runs/{runId}': {
    summary: 'Read a run',
    query: querySchemas.none,
    ok: [[200, 'The run.', 'Run']],
    errors: [404],
  },
  'GET /runs/{runId}/children': {
    summary: "A fan-out parent's child runs, a page at a time",
    query: querySchemas.listChildren,
    ok: [[200, 'A page of child runs.', 'RunsPage']],
    errors: [404],
  },
  'POST /runs/{runId}/cancel': {
    summary: 'Cancel a run: a pending or retrying run ends, a running one is asked to stop',
    query: querySchemas.none,
    ok: [[200, 'The run after the request.', 'Run']],
    errors: [404, 409],
  },
  'GET /status': {
    summary: 'Every job with its next run, last run and health',
    query: querySchemas.status,
    ok: [[200, 'A page of job statuses, with totals over the page.', 'Status']],
    errors: [],
  },
  'GET /schedules/preview': {
    summary: 'The next fire times of a schedule, computed as EventBridge Scheduler does',
    query: querySchemas.preview,
    ok: [[200, 'The normalized schedule and its next fire times.', 'SchedulePreview']],
    errors: [],
  },
  'POST /reconcile': {
    summary: 'Compare every job with its schedule and repair the drift (`dryRun=true`: only report)',
    query: querySchemas.reconcile,
    ok: [[200, 'What was found and repaired.', 'ReconcileReport']],
    errors: [502, 503],
  },
  'GET /openapi.json': {
    summary: 'This document',
    query: querySchemas.none,
    ok: [[200, 'The OpenAPI 3.1 document of the API.']],
    errors: [],
  },
};

function ref(name: ComponentName | `${string}Config`): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/** A zod schema as a JSON Schema fragment for the document (no `$schema`: the document names the dialect). */
function jsonSchema(schema: z.ZodMiniType, io: 'input' | 'output' = 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** The job definition: its shape, with the config of the kind it names. */
function jobDefinitionDocument(shape: JsonSchema): JsonSchema {
  return {
    ...shape,
    allOf: kinds.map((kind) => ({
      if: { properties: { kind: { const: kind.id } }, required: ['kind'] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, a plain document, never awaited
      then: { properties: { config: ref(`${pascal(kind.id)}Config`) } },
    })),
  };
}

function pascal(id: string): string {
  return id.replace(/(^|-)(\w)/g, (_match, _dash, letter: string) => letter.toUpperCase());
}

const PATH_PARAMETERS: Readonly<Record<string, JsonSchema>> = {
  connector: {
    name: 'connector',
    in: 'path',
    required: true,
    description: "A connector id of the sync job's config.",
    schema: { type: 'string', minLength: 1, maxLength: 128 },
  },
  name: {
    name: 'name',
    in: 'path',
    required: true,
    description: 'The job name.',
    schema: jsonSchema(jobNameSchema),
  },
  runId: {
    name: 'runId',
    in: 'path',
    required: true,
    description: 'The run id (a ULID).',
    schema: { type: 'string', pattern: RUN_ID_PATTERN.source },
  },
};

function queryParameters(shape: QueryShape): JsonSchema[] {
  return Object.entries(shape).map(([name, parameter]) => {
    const typed = parameter as { schema: z.ZodMiniType; rule: string };
    return {
      name,
      in: 'query',
      required: !typed.schema.safeParse(undefined).success,
      description: typed.rule,
      schema:
        name === 'cursor'
          ? { type: 'string', maxLength: MAX_CURSOR_LENGTH }
          : jsonSchema(typed.schema, 'input'),
    };
  });
}

function operationDocument(key: RouteKey, operation: Operation): JsonSchema {
  const [method, path] = key.split(' ') as [string, string];
  const errors = [...new Set([...COMMON_ERRORS, ...operation.errors])].sort((a, b) => a - b);
  return {
    operationId: `${method.toLowerCase()}${path
      .split('/')
      .filter((part) => part !== '')
      .map((part) => pascal(part.replace(/[{}.]/g, '-').replace(/-+$/, '')))
      .join('')}`,
    summary: operation.summary,
    parameters: [
      ...[...path.matchAll(/\{(\w+)\}/g)].map((match) => PATH_PARAMETERS[match[1] ?? ''] ?? {}),
      ...queryParameters(operation.query),
    ],
    ...(operation.body === undefined
      ? {}
      : {
          requestBody: {
            required: operation.body.required,
            content: { 'application/json': { schema: operation.body.schema } },
          },
        }),
    responses: {
      ...Object.fromEntries(
        operation.ok.map(([status, description, schema]) => [
          String(status),
          {
            description,
            ...(status === 204
              ? {}
              : {
                  content: {
                    'application/json': { schema: schema === undefined ? { type: 'object' } : ref(schema) },
                  },
                }),
          },
        ]),
      ),
      ...Object.fromEntries(
        errors.map((code) => [
          String(code),
          {
            description: ERROR_MEANING[code] ?? 'An error.',
            ...(code === 403 ? {} : { content: { 'application/json': { schema: ref('Error') } } }),
          },
        ]),
      ),
    },
    security: [{ iam: [] }, { bearer: [] }],
  };
}

let built: JsonSchema | undefined;

/** The document (built once per container). */
export function openApiDocument(): JsonSchema {
  if (built !== undefined) return built;
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of apiRoutes) {
    const key = `${route.method} ${route.path}` as RouteKey;
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, JsonSchema>)[route.method.toLowerCase()] = operationDocument(
      key,
      operations[key],
    );
  }
  // One registry, so a schema used inside another (a Run in a RunsPage) is a $ref to its component.
  const registry = z.registry<{ id: string; description?: string }>();
  for (const [id, schema] of Object.entries(components)) registry.add(schema, { id });
  for (const kind of kinds) {
    registry.add(kind.configSchema, { id: `${pascal(kind.id)}Config`, description: kind.summary });
    registry.add(kind.paramsSchema, { id: `${pascal(kind.id)}Params` });
  }
  const generated = z.toJSONSchema(registry, {
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }).schemas as Record<string, JsonSchema>;
  // The document names the dialect once (jsonSchemaDialect); a component's own $id would rebase its $refs.
  const schemas = Object.fromEntries(
    Object.entries(generated).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema]),
  );
  schemas.JobDefinition = jobDefinitionDocument(schemas.JobDefinition ?? {});
  schemas.RunRequest = {
    ...schemas.RunRequest,
    description: "`params` is checked against the job kind's parameters (the `<Kind>Params` schemas).",
  };
  built = {
    openapi: '3.1.0',
    info: {
      title: 'Tickwork API',
      version: '1',
      description:
        'Jobs (the source of truth, each with an EventBridge Scheduler schedule) and their runs. Every answer that is not a success is `{"error": {"type", "message", "details"?}}`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas,
      securitySchemes: {
        iam: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'AWS: requests signed with SigV4 for `execute-api` (API Gateway IAM authorization).',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'The local stack: the token in endpoints.json.',
        },
      },
    },
  };
  return built;
}
