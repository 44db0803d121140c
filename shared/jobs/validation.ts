/**
 * The shape of job definitions and patches (zod, unknown fields rejected). Rules that need the clock,
 * the schedule engine or the kind's config schema live in definition.ts; the translation of a schema's
 * complaints into problems is the project's one (shared/validation.ts).
 */
import * as z from 'zod/mini';
import { alertsSchema } from '../alerts/field.ts';
import { ValidationError } from '../errors.ts';
import { CATCHUP_POLICIES, HEALTH_LIMITS } from '../health/fields.ts';
import { JOB_KINDS } from '../kinds/registry.ts';
import { expandSchema } from '../runs/fan-out-spec.ts';
import { isPlainObject, mergePatch, parseWith } from '../validation.ts';
import { chainsSchema } from './chains.ts';
import { jobNameSchema } from './name.ts';

/** Scheduler's limit on a schedule's Description, which carries the job's description. */
export const MAX_DESCRIPTION_LENGTH = 512;
export const MAX_TAGS = 50;
export const MAX_FLEXIBLE_WINDOW_MINUTES = 1440;
/** A pause note is a line for an operator's eyes (status tables, the dashboard), not a document. */
export const MAX_PAUSE_NOTE_LENGTH = 280;

const instantSchema = z.lazy(() =>
  z.iso.datetime({
    offset: true,
    error: 'must be an ISO-8601 instant with a time zone, e.g. "2026-01-31T09:00:00Z"',
  }),
);

const tagKey = z.lazy(() =>
  z
    .string()
    .check(
      z.minLength(1, { error: 'keys must be 1-128 characters' }),
      z.maxLength(128, { error: 'keys must be 1-128 characters' }),
    ),
);
const tagValue = z.lazy(() =>
  z.string().check(z.maxLength(256, { error: 'must be at most 256 characters' })),
);
const tagCount = (tags: Readonly<Record<string, unknown>>) => Object.keys(tags).length <= MAX_TAGS;

const tagsSchema = z.lazy(() =>
  z.record(tagKey, tagValue).check(z.refine(tagCount, { error: `must have at most ${MAX_TAGS} tags` })),
);

/** Whole seconds from a minute (the sweeper's resolution) to `max`. */
function seconds(max: number) {
  const rule = `must be a whole number of seconds from ${HEALTH_LIMITS.minSeconds} to ${max}`;
  return z
    .int({ error: rule })
    .check(z.minimum(HEALTH_LIMITS.minSeconds, { error: rule }), z.maximum(max, { error: rule }));
}

function threshold() {
  const rule = `must be a whole number from 1 to ${HEALTH_LIMITS.maxThreshold}`;
  return z
    .int({ error: rule })
    .check(z.minimum(1, { error: rule }), z.maximum(HEALTH_LIMITS.maxThreshold, { error: rule }));
}

/** The schemas of a job's fields, shared by the definition and the patch: built with the first of them. */
const fieldSchemas = () => ({
  schedule: z.string().check(
    z.trim(),
    z.minLength(1, {
      error: 'must be a non-empty schedule, e.g. "cron(0 9 ? * MON-FRI *)", "rate(5 minutes)" or "PT15M"',
    }),
    z.maxLength(256),
  ),
  timezone: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)),
  description: z.string().check(z.maxLength(MAX_DESCRIPTION_LENGTH)),
  enabled: z.boolean(),
  runImmediately: z.boolean(),
  overlap: z.enum(['skip', 'allow']),
  flexibleWindowMinutes: z.int().check(z.minimum(1), z.maximum(MAX_FLEXIBLE_WINDOW_MINUTES)),
  startDate: instantSchema,
  endDate: instantSchema,
  tags: tagsSchema,
  // Checked against the kind's own strict schema once the kind is known.
  config: z.record(z.string(), z.unknown()),
  // biome-ignore lint/suspicious/noThenProperty: `then` is the API's field (chained jobs); an object, never a function, so `await` does not treat a job as a promise
  then: chainsSchema,
  expand: expandSchema,
  alerts: alertsSchema,
  startingDeadlineSeconds: seconds(HEALTH_LIMITS.maxDeadlineSeconds),
  graceSeconds: seconds(HEALTH_LIMITS.maxDeadlineSeconds),
  catchup: z.strictObject({
    policy: z.enum(CATCHUP_POLICIES),
    windowSeconds: z.optional(seconds(HEALTH_LIMITS.maxWindowSeconds)),
    max: z.optional(
      z
        .int({ error: 'must be a whole number' })
        .check(
          z.minimum(1, { error: `must be 1-${HEALTH_LIMITS.maxCatchupAll}` }),
          z.maximum(HEALTH_LIMITS.maxCatchupAll, { error: `must be 1-${HEALTH_LIMITS.maxCatchupAll}` }),
        ),
    ),
  }),
  failureThreshold: threshold(),
  recoveryThreshold: threshold(),
});
let builtFields: ReturnType<typeof fieldSchemas> | undefined;

/** The body of `POST /jobs` and `PUT /jobs/{name}`. */
export const jobDefinitionSchema = z.lazy(() => {
  builtFields ??= fieldSchemas();
  const fields = builtFields;
  return z.strictObject({
    name: jobNameSchema,
    kind: z.enum(JOB_KINDS),
    schedule: fields.schedule,
    timezone: z.optional(fields.timezone),
    description: z.optional(fields.description),
    enabled: z.optional(fields.enabled),
    runImmediately: z.optional(fields.runImmediately),
    overlap: z.optional(fields.overlap),
    flexibleWindowMinutes: z.optional(fields.flexibleWindowMinutes),
    startDate: z.optional(fields.startDate),
    endDate: z.optional(fields.endDate),
    tags: z.optional(fields.tags),
    config: z.optional(fields.config),
    // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs (see shared/jobs/chains.ts)
    then: z.optional(fields.then),
    expand: z.optional(fields.expand),
    alerts: z.optional(fields.alerts),
    startingDeadlineSeconds: z.optional(fields.startingDeadlineSeconds),
    graceSeconds: z.optional(fields.graceSeconds),
    catchup: z.optional(fields.catchup),
    failureThreshold: z.optional(fields.failureThreshold),
    recoveryThreshold: z.optional(fields.recoveryThreshold),
  });
});
export type JobDefinition = z.infer<typeof jobDefinitionSchema>;

/**
 * The body of `PATCH /jobs/{name}`: omitted fields stay, `null` resets an optional field (or one with
 * a default) to its default. `schedule` and `config` cannot be cleared. `config` and `tags` are JSON
 * Merge Patches (RFC 7396) of the job's: a key set to a value is set, a key set to `null` is removed.
 */
/** Absent: unchanged; `null`: back to the default. */
const clearable = <T extends z.ZodMiniType>(schema: T) => z.optional(z.nullable(schema));

export const jobPatchSchema = z.lazy(() => {
  builtFields ??= fieldSchemas();
  const fields = builtFields;
  return z
    .strictObject({
      schedule: z.optional(fields.schedule),
      timezone: clearable(fields.timezone),
      description: clearable(fields.description),
      enabled: clearable(fields.enabled),
      runImmediately: clearable(fields.runImmediately),
      overlap: clearable(fields.overlap),
      flexibleWindowMinutes: clearable(fields.flexibleWindowMinutes),
      startDate: clearable(fields.startDate),
      endDate: clearable(fields.endDate),
      tags: clearable(z.record(tagKey, z.nullable(tagValue))),
      config: z.optional(fields.config),
      // Replaced whole (not merged): a list of names has no keys to merge by.
      // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs (see shared/jobs/chains.ts)
      then: clearable(fields.then),
      // Replaced whole (it is small and its parts depend on each other); null removes the fan-out.
      expand: clearable(fields.expand),
      // Replaced whole, like `expand`; null removes the webhook (the topic still gets every change).
      alerts: clearable(fields.alerts),
      startingDeadlineSeconds: clearable(fields.startingDeadlineSeconds),
      graceSeconds: clearable(fields.graceSeconds),
      // Replaced whole: its parts depend on each other (max only with all).
      catchup: clearable(fields.catchup),
      failureThreshold: clearable(fields.failureThreshold),
      recoveryThreshold: clearable(fields.recoveryThreshold),
    })
    .check(
      z.refine((patch) => Object.keys(patch).length > 0, {
        error: 'must set at least one field (e.g. {"enabled": false})',
      }),
    );
});
export type JobPatch = z.infer<typeof jobPatchSchema>;

/** Fields a patch may not touch: identity. */
const IMMUTABLE = {
  name: 'the name cannot be changed; create a job with the new name and delete this one',
  kind: 'the kind cannot be changed by PATCH; replace the job with PUT /jobs/{name}',
} as const;

/** The merged tags of a patch: at most MAX_TAGS once merged. */
export function mergeTags(
  current: Readonly<Record<string, string>>,
  patch: Readonly<Record<string, string | null>>,
): Record<string, string> {
  const merged = mergePatch(current, patch) as Record<string, string>;
  if (!tagCount(merged)) {
    throw new ValidationError(
      'tags',
      `tags must have at most ${MAX_TAGS} tags once merged; this patch would leave ${Object.keys(merged).length}`,
    );
  }
  return merged;
}

/** Parses a definition body or throws ValidationError with every problem of its shape. */
export function parseJobDefinition(body: unknown): JobDefinition {
  return parseWith(jobDefinitionSchema, body, { what: 'the job definition' });
}

/** Parses a patch body or throws ValidationError with every problem of its shape. */
export function parseJobPatch(body: unknown): JobPatch {
  if (isPlainObject(body)) {
    for (const [field, rule] of Object.entries(IMMUTABLE)) {
      if (Object.hasOwn(body, field)) throw new ValidationError(field, `${field}: ${rule}`);
    }
  }
  return parseWith(jobPatchSchema, body, { what: 'the patch' });
}

/**
 * `POST /jobs/{name}/pause`'s optional body: why the job is paused. Printable text only (no control
 * characters: a note is printed in terminals, where an escape sequence would be executed, and in table rows).
 */
export const pauseRequestSchema = z.lazy(() =>
  z.strictObject({
    note: z.optional(
      z.string().check(
        z.trim(),
        z.minLength(1, { error: `must be 1-${MAX_PAUSE_NOTE_LENGTH} characters of text` }),
        z.maxLength(MAX_PAUSE_NOTE_LENGTH, {
          error: `must be 1-${MAX_PAUSE_NOTE_LENGTH} characters of text`,
        }),
        z.refine((note) => !/\p{Cc}/u.test(note), {
          error: 'must be printable text: no control characters (line breaks, tabs, escapes)',
        }),
      ),
    ),
  }),
);

/** The note of a pause request (no body: no note), or ValidationError naming the field. */
export function parsePauseRequest(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return parseWith(pauseRequestSchema, body, { what: 'the pause request' }).note;
}
