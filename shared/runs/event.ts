/**
 * The event a job function receives, its parsing, and the slot it names. Scheduler sends the JSON of
 * `scheduleTargetInput` with its context attributes substituted; a manual trigger sends the event of
 * `newManualRun`.
 */
import * as z from 'zod/mini';
import { ValidationError } from '../errors.ts';
import { type Job, RUN_TRIGGERS } from '../jobs/model.ts';
import { jobNameSchema } from '../jobs/name.ts';
import type { JobEvent } from '../jobs/ports.ts';
import { parseWith } from '../validation.ts';
import { RUN_ID_PATTERN } from './run-id.ts';

/** A slot is a sort key: an instant, a run id, a fan-out key or two; far below DynamoDB's 1 KB for a sort key. */
export const MAX_SLOT_LENGTH = 512;

/** Target.Input may hold up to 256 KB (the Scheduler emulator enforces the same). */
export const MAX_TARGET_INPUT_LENGTH = 262_144;

/**
 * The Target.Input of a job's schedule. `scheduled-time` identifies the slot (it is the same on every
 * retry of one firing); `execution-id` and `attempt-number` change per attempt and are only recorded.
 *
 * `definition` is the job itself, so a scheduled run need not read the job item (whose size is the size of
 * its config: 1 read unit per 4 KB); the run state confirms its version when the run takes its lease.
 * Every write of a job rewrites its schedule, so the copy follows the job. Its `<` are written `\u003c`:
 * Scheduler replaces `<aws.scheduler.…>` anywhere in the input, and a config (a prompt) may contain that
 * text. A job too large for the input (near the API's 256 KB body limit) goes without: its runs read it.
 */
export function scheduleTargetInput(job: Job): string {
  const event = (definition?: string) =>
    `{"job":${JSON.stringify(job.name)},"scheduledTime":"<aws.scheduler.scheduled-time>","executionId":"<aws.scheduler.execution-id>","attempt":"<aws.scheduler.attempt-number>"${definition === undefined ? '' : `,"definition":${definition}`}}`;
  const withDefinition = event(canonicalJson(job).replaceAll('<', '\\u003c'));
  return withDefinition.length <= MAX_TARGET_INPUT_LENGTH ? withDefinition : event();
}

/**
 * JSON with every object's keys sorted: a job read back from DynamoDB lists its attributes in another
 * order than the job that was written, and the schedule's input must compare equal to the one derived
 * from it (reconcile reports a differing input as drift).
 */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/**
 * The shape of a job copy in an event: enough to know it is a job of this name. It was written by
 * Tickwork from a stored job; the kind's config schema checks the config again before any work.
 */
const definitionSchema = z.lazy(() =>
  z.looseObject({
    name: jobNameSchema,
    kind: z.string(),
    version: z.number().check(z.int(), z.positive()),
    createdAt: z.string(),
    updatedAt: z.string(),
    enabled: z.boolean(),
    overlap: z.enum(['skip', 'allow']),
    config: z.record(z.string(), z.unknown()),
    tags: z.record(z.string(), z.string()),
    runImmediately: z.boolean(),
    schedule: z.looseObject({
      input: z.string(),
      expression: z.string(),
      timezone: z.string(),
      description: z.string(),
      type: z.string(),
    }),
  }),
);

const jobEventSchema = z.lazy(() =>
  z
    .object({
      job: jobNameSchema,
      scheduledTime: z.string({ error: 'must be an ISO-8601 instant' }),
      executionId: z.optional(z.string().check(z.maxLength(256))),
      attempt: z.optional(
        z.union([z.string().check(z.maxLength(16)), z.number().check(z.int(), z.nonnegative())]),
      ),
      runId: z.optional(z.string().check(z.regex(RUN_ID_PATTERN, { error: 'must be a run id (ULID)' }))),
      trigger: z.optional(z.enum(RUN_TRIGGERS)),
      slot: z.optional(z.string().check(z.minLength(1), z.maxLength(MAX_SLOT_LENGTH))),
      definition: z.optional(definitionSchema),
    })
    .check(
      z.refine(
        (event) => event.trigger === undefined || event.trigger === 'schedule' || event.runId !== undefined,
        {
          error: 'a run started by anything but its schedule must name its pending run (runId)',
          path: ['runId'],
        },
      ),
      z.refine((event) => event.slot === undefined || event.runId !== undefined, {
        error: 'a slot is named only with the pending run it belongs to (runId)',
        path: ['slot'],
      }),
      z.refine((event) => event.definition === undefined || event.definition.name === event.job, {
        error: 'the job definition must be the job the event names',
        path: ['definition', 'name'],
      }),
    ),
);

/** Validates a job function's event; ValidationError (field `event.<name>`) if it is malformed. */
export function parseJobEvent(input: unknown): JobEvent {
  const event = parseWith(jobEventSchema, input, { root: 'event', what: 'the job event' });
  normalizeInstant(event.scheduledTime, 'event.scheduledTime');
  return {
    job: event.job,
    scheduledTime: event.scheduledTime,
    trigger: event.trigger ?? (event.runId === undefined ? 'schedule' : 'manual'),
    ...(event.executionId === undefined ? {} : { executionId: event.executionId }),
    ...(event.attempt === undefined ? {} : { attempt: event.attempt }),
    ...(event.runId === undefined ? {} : { runId: event.runId }),
    ...(event.slot === undefined ? {} : { slot: event.slot }),
    // A manual run reads the job as it is when the run starts.
    ...(event.definition === undefined || event.runId !== undefined
      ? {}
      : { definition: event.definition as unknown as Job }),
  };
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Date.parse rolls impossible dates over (Feb 31 → Mar 3); a slot name must not. */
function isRealDate(year: string, month: string, day: string): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
}

/**
 * An instant in the one form slots use: `toISOString()` (UTC, milliseconds), so `...:43Z` and
 * `...:43.000Z` name the same slot.
 */
export function normalizeInstant(text: string, field: string): string {
  const match = ISO_INSTANT.exec(text);
  const time =
    match !== null && isRealDate(match[1] ?? '', match[2] ?? '', match[3] ?? '')
      ? Date.parse(text)
      : Number.NaN;
  if (Number.isNaN(time)) {
    throw new ValidationError(
      field,
      `${field} must be an ISO-8601 instant with a zone (e.g. 2026-01-01T09:00:00Z); got "${text}"`,
    );
  }
  return new Date(time).toISOString();
}

/**
 * The slot of the run a delivery is about: a scheduled run's slot is its scheduled time; a run created
 * pending (manual, chained, a fan-out child) has the slot its event names, or its manual slot.
 */
export function eventSlot(event: JobEvent, scheduledFor: string): string {
  if (event.runId === undefined || event.trigger === 'schedule') return scheduledFor;
  return event.slot ?? manualSlot(scheduledFor, event.runId);
}

/** Manual runs get a slot of their own: the requested time plus the run id (unique, sorts by time). */
export function manualSlot(scheduledFor: string, runId: string): string {
  return `${scheduledFor}#${runId}`;
}
