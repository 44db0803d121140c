/**
 * Query strings of the API: each route names the parameters it takes (unknown ones are rejected) and
 * every value is checked here, so a bad `limit`, `status` or `enabled` is a 400 naming the parameter.
 */
import * as z from 'zod/mini';
import { MAX_CURSOR_LENGTH } from '../../shared/api/routes.ts';
import type { Problem } from '../../shared/errors.ts';
import { RUN_STATUSES } from '../../shared/jobs/model.ts';
import { JOB_NAME_CHARACTERS, JOB_NAME_PREFIX_PATTERN } from '../../shared/jobs/name.ts';
import { JOB_KINDS } from '../../shared/kinds/registry.ts';
import { describeValue } from '../../shared/validation.ts';
import { HttpRequestError } from './http.ts';

/** A query parameter: its schema, and the rule a 400 states when a value breaks it. */
interface QueryParameter<T extends z.ZodMiniType = z.ZodMiniType> {
  readonly schema: T;
  readonly rule: string;
}

/** A parameter's schema is built at its first parse (shared/validation.ts, builtSchema). */
const parameter = <T extends z.ZodMiniType>(
  schema: () => T,
  rule: string,
): QueryParameter<z.ZodMiniLazy<T>> => ({
  schema: z.lazy(schema),
  rule,
});

const limit = (max: number, fallback: number) =>
  parameter(
    () =>
      z.pipe(
        z.optional(
          z.pipe(
            z.string().check(z.regex(/^\d{1,4}$/)),
            z.pipe(z.transform(Number), z.int().check(z.minimum(1), z.maximum(max))),
          ),
        ),
        z.transform((value) => value ?? fallback),
      ),
    `a whole number from 1 to ${max} (default ${fallback})`,
  );

const cursor = parameter(
  () => z.optional(z.string().check(z.minLength(1), z.maxLength(MAX_CURSOR_LENGTH))),
  'the nextCursor of a previous page',
);

const bool = parameter(
  () =>
    z.optional(
      z.pipe(
        z.enum(['true', 'false']),
        z.transform((value) => value === 'true'),
      ),
    ),
  '"true" or "false"',
);

const name = parameter(
  () => z.optional(z.string().check(z.regex(JOB_NAME_PREFIX_PATTERN))),
  JOB_NAME_CHARACTERS,
);

const runStatus = parameter(() => z.optional(z.enum(RUN_STATUSES)), `one of ${RUN_STATUSES.join(', ')}`);

export const querySchemas = {
  listJobs: {
    kind: parameter(() => z.optional(z.enum(JOB_KINDS)), `one of ${JOB_KINDS.join(', ')}`),
    name,
    enabled: bool,
    limit: limit(100, 20),
    cursor,
  },
  listRuns: { job: name, status: runStatus, limit: limit(100, 20), cursor },
  listJobRuns: { status: runStatus, limit: limit(100, 20), cursor },
  status: { limit: limit(100, 20), cursor },
  listChildren: { limit: limit(100, 20), cursor },
  preview: {
    expression: parameter(
      () => z.string().check(z.minLength(1), z.maxLength(256)),
      'a schedule, e.g. "cron(0 9 ? * MON-FRI *)" or "rate(5 minutes)" (required)',
    ),
    timezone: parameter(
      () => z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
      'an IANA time zone name',
    ),
    count: limit(50, 5),
  },
  reconcile: { dryRun: bool },
  deleteJob: { unlinkChains: bool },
  none: {},
} as const satisfies Record<string, QueryShape>;

type QueryShape = Readonly<Record<string, QueryParameter>>;
type QueryOf<S extends QueryShape> = { [K in keyof S]: z.output<S[K]['schema']> };

/**
 * Parses the query parameters against `shape`.
 * @throws {HttpRequestError} 400 `InvalidQuery` naming each bad parameter, its rule and its value.
 */
export function parseQuery<S extends QueryShape>(
  query: Readonly<Record<string, string | undefined>> | undefined,
  shape: S,
): QueryOf<S> {
  const given = query ?? {};
  const known = Object.keys(shape);
  const problems: Problem[] = [];
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      problems.push({
        field: key,
        message:
          known.length === 0
            ? `query parameter ${key} is not known; this route takes no query parameters`
            : `query parameter ${key} is not known; expected one of ${known.join(', ')}`,
      });
    }
  }
  const result: Record<string, unknown> = {};
  for (const [key, { schema, rule }] of Object.entries(shape)) {
    const value = given[key];
    const parsed = schema.safeParse(value);
    if (parsed.success) {
      result[key] = parsed.data;
      continue;
    }
    problems.push({
      field: key,
      message:
        value === undefined
          ? `query parameter ${key} is required: ${rule}`
          : `query parameter ${key} must be ${rule}, got ${describeValue(value)}`,
    });
  }
  const first = problems[0];
  if (first !== undefined) throw new HttpRequestError(400, 'InvalidQuery', first.message, {}, problems);
  return result as QueryOf<S>;
}
