/**
 * The shape of job definitions and patches (zod, unknown fields rejected), and the translation of a
 * schema's complaints into a ValidationError that names the field, the rule and what was received.
 * Rules that need the clock, the schedule engine or the kind's config schema live in definition.ts.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import { JOB_KINDS, JOB_NAME_PATTERN } from './model.ts';

/** Scheduler's limit on a schedule's Description, which carries the job's description. */
export const MAX_DESCRIPTION_LENGTH = 512;
export const MAX_TAGS = 50;
export const MAX_FLEXIBLE_WINDOW_MINUTES = 1440;

const NAME_RULE = '1-64 characters of letters, digits, "-", "_" and "." (the Scheduler schedule name rule)';

export const jobNameSchema = z.string().regex(JOB_NAME_PATTERN, { error: `must be ${NAME_RULE}` });

const instantSchema = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 instant with a time zone, e.g. "2026-01-31T09:00:00Z"',
});

const tagsSchema = z
  .record(
    z
      .string()
      .min(1, { error: 'keys must be 1-128 characters' })
      .max(128, { error: 'keys must be 1-128 characters' }),
    z.string().max(256, { error: 'must be at most 256 characters' }),
  )
  .refine((tags) => Object.keys(tags).length <= MAX_TAGS, { error: `must have at most ${MAX_TAGS} tags` });

const fields = {
  schedule: z
    .string()
    .trim()
    .min(1, {
      error: 'must be a non-empty schedule, e.g. "cron(0 9 ? * MON-FRI *)", "rate(5 minutes)" or "PT15M"',
    })
    .max(256),
  timezone: z.string().trim().min(1).max(64),
  description: z.string().max(MAX_DESCRIPTION_LENGTH),
  enabled: z.boolean(),
  runImmediately: z.boolean(),
  overlap: z.enum(['skip', 'allow']),
  flexibleWindowMinutes: z.int().min(1).max(MAX_FLEXIBLE_WINDOW_MINUTES),
  startDate: instantSchema,
  endDate: instantSchema,
  tags: tagsSchema,
  // Checked against the kind's own strict schema once the kind is known.
  config: z.record(z.string(), z.unknown()),
};

/** The body of `POST /jobs` and `PUT /jobs/{name}`. */
export const jobDefinitionSchema = z.strictObject({
  name: jobNameSchema,
  kind: z.enum(JOB_KINDS),
  schedule: fields.schedule,
  timezone: fields.timezone.optional(),
  description: fields.description.optional(),
  enabled: fields.enabled.optional(),
  runImmediately: fields.runImmediately.optional(),
  overlap: fields.overlap.optional(),
  flexibleWindowMinutes: fields.flexibleWindowMinutes.optional(),
  startDate: fields.startDate.optional(),
  endDate: fields.endDate.optional(),
  tags: fields.tags.optional(),
  config: fields.config.optional(),
});
export type JobDefinition = z.infer<typeof jobDefinitionSchema>;

/**
 * The body of `PATCH /jobs/{name}`: omitted fields stay, `null` resets an optional field (or one with
 * a default) to its default. `schedule` and `config` cannot be cleared; `config` is merged (JSON Merge
 * Patch, RFC 7396) into the job's config and the result checked by the kind's schema.
 */
export const jobPatchSchema = z
  .strictObject({
    schedule: fields.schedule.optional(),
    timezone: fields.timezone.nullable().optional(),
    description: fields.description.nullable().optional(),
    enabled: fields.enabled.nullable().optional(),
    runImmediately: fields.runImmediately.nullable().optional(),
    overlap: fields.overlap.nullable().optional(),
    flexibleWindowMinutes: fields.flexibleWindowMinutes.nullable().optional(),
    startDate: fields.startDate.nullable().optional(),
    endDate: fields.endDate.nullable().optional(),
    tags: fields.tags.nullable().optional(),
    config: fields.config.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, {
    error: 'must set at least one field (e.g. {"enabled": false})',
  });
export type JobPatch = z.infer<typeof jobPatchSchema>;

/** Fields a patch may not touch: identity. */
const IMMUTABLE = {
  name: 'the name cannot be changed; create a job with the new name and delete this one',
  kind: 'the kind cannot be changed by PATCH; replace the job with PUT /jobs/{name}',
} as const;

/** Parses a definition body or throws ValidationError. */
export function parseJobDefinition(body: unknown): JobDefinition {
  return parseWith(jobDefinitionSchema, body, 'the job definition');
}

/** Parses a patch body or throws ValidationError. */
export function parseJobPatch(body: unknown): JobPatch {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    for (const [field, rule] of Object.entries(IMMUTABLE)) {
      if (Object.hasOwn(body, field)) throw new ValidationError(field, `${field}: ${rule}`);
    }
  }
  return parseWith(jobPatchSchema, body, 'the patch');
}

/** Parses `value` with `schema`, turning the first issue into a ValidationError. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw zodToValidationError(result.error, what);
}

/**
 * The first issue as a ValidationError: `<field> <rule>, got <received>`. Received values are
 * shortened and never include objects' contents, so a secret pasted in the wrong field is not echoed
 * in full.
 */
export function zodToValidationError(error: z.ZodError, what = 'the request'): ValidationError {
  const issue = error.issues[0];
  if (issue === undefined) return new ValidationError('', `${what} is invalid`);
  const path = issue.path.map(String).join('.');
  const subject = path === '' ? what : path;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const field = path === '' ? key : `${path}.${key}`;
    const more = issue.keys.length > 1 ? ` (also: ${issue.keys.slice(1).join(', ')})` : '';
    return new ValidationError(field, `${field} is not a known field; unknown fields are rejected${more}`);
  }
  if (issue.code === 'invalid_key') {
    // A record key breaking its rule: name the record and quote the key.
    const parent = issue.path.slice(0, -1).map(String).join('.');
    const inner = issue.issues[0];
    const rule = inner === undefined ? 'has an invalid key' : ruleOf(inner);
    return new ValidationError(parent, `${parent} ${rule}, got key ${describeReceived(issue.input)}`, {
      cause: error,
    });
  }
  const rule = ruleOf(issue);
  const received =
    (issue.code === 'custom' && path === '') || issue.input === undefined
      ? ''
      : `, got ${describeReceived(issue.input)}`;
  return new ValidationError(path, `${subject} ${rule}${received}`, { cause: error });
}

function ruleOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `is required (${article(issue.expected)})`;
      return `must be ${article(issue.expected)}`;
    case 'invalid_value':
      if (issue.input === undefined) {
        return `is required (one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')})`;
      }
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_small':
    case 'too_big': {
      if (issue.message && !issue.message.startsWith('Too ')) return issue.message;
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const word = issue.code === 'too_small' ? 'at least' : 'at most';
      if (issue.origin === 'string') return `must be ${word} ${bound} characters long`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must have ${word} ${bound} items`;
      return `must be ${word} ${bound}`;
    }
    default:
      return issue.message.startsWith('must') || issue.message.startsWith('a ')
        ? issue.message
        : `is invalid: ${issue.message}`;
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'a whole number';
  if (expected === 'record') return 'an object';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** A short rendering of what the client sent. */
export function describeReceived(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
