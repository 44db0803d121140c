/**
 * What a plan compares: a job's definition in the form the API shows it. A desired definition is
 * brought to that form the way the API stores it (the kind's config defaults written out, the fan-out's
 * bounds, dates as ISO instants, the defaults of the optional fields), and a shown job is cut down to
 * the fields a definition carries, so an exported job compares unchanged. Server-owned fields (version,
 * createdAt, nextRun, the schedule's expression and description) are never compared.
 */
import { normalizeAlerts } from '../../alerts/field.ts';
import { ValidationError } from '../../errors.ts';
import { parseConfigOf } from '../../kinds/config.ts';
import { kindDefinition } from '../../kinds/registry.ts';
import { normalizeExpand } from '../../runs/fan-out-spec.ts';
import { parseSchedule, ScheduleExpressionError, TimeZoneError } from '../../schedule/index.ts';
import { isPlainObject } from '../../validation.ts';
import type { JobDefinition } from '../validation.ts';

/**
 * A job as `GET /jobs` shows it: the fields a plan reads. The typed client's `Job` is one; the server's
 * `JobView` is one too.
 */
export interface ShownJob {
  readonly name: string;
  readonly kind: string;
  readonly schedule: { readonly input: string };
  readonly timezone: string;
  readonly description?: string;
  readonly enabled: boolean;
  readonly runImmediately: boolean;
  readonly overlap: string;
  readonly flexibleWindowMinutes?: number;
  readonly startingDeadlineSeconds?: number;
  readonly graceSeconds?: number;
  readonly catchup?: { readonly policy: string; readonly windowSeconds?: number; readonly max?: number };
  readonly failureThreshold?: number;
  readonly recoveryThreshold?: number;
  readonly startDate?: string;
  readonly endDate?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly config: Readonly<Record<string, unknown>>;
  readonly then?: { readonly onSuccess?: readonly string[]; readonly onFailure?: readonly string[] };
  readonly expand?: {
    readonly url?: string;
    readonly functionArn?: string;
    readonly maxChildren: number;
    readonly concurrency: number;
  };
  readonly alerts?: {
    readonly url: string;
    readonly signingSecret: string;
    readonly reAlertMinutes?: number;
  };
  /** One-time jobs: `executed` and `cancelled` ones are over (kept as history until they expire). */
  readonly state?: string;
  /** Where the job is defined when it is managed as code (not compared: a source is not a field of a definition). */
  readonly managedBy?: string;
}

/** The compared fields of a job, as plain JSON (absent fields left out). */
export type Comparable = Readonly<Record<string, unknown>>;

/** The compared fields, in the order a diff lists them. */
export const COMPARED_FIELDS = [
  'kind',
  'schedule',
  'timezone',
  'description',
  'enabled',
  'runImmediately',
  'overlap',
  'flexibleWindowMinutes',
  'startDate',
  'endDate',
  'tags',
  'config',
  'then',
  'expand',
  'alerts',
  'startingDeadlineSeconds',
  'graceSeconds',
  'catchup',
  'failureThreshold',
  'recoveryThreshold',
] as const;

/** A shown job's definition fields. */
export function comparableOfShown(job: ShownJob): Comparable {
  return plain({
    kind: job.kind,
    schedule: job.schedule.input,
    timezone: job.timezone,
    description: job.description,
    enabled: job.enabled,
    runImmediately: job.runImmediately,
    overlap: job.overlap,
    flexibleWindowMinutes: job.flexibleWindowMinutes,
    startDate: job.startDate,
    endDate: job.endDate,
    tags: job.tags,
    config: job.config,
    // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs (see shared/jobs/chains.ts)
    then: job.then,
    expand: job.expand,
    alerts: job.alerts,
    startingDeadlineSeconds: job.startingDeadlineSeconds,
    graceSeconds: job.graceSeconds,
    catchup: job.catchup,
    failureThreshold: job.failureThreshold,
    recoveryThreshold: job.recoveryThreshold,
  });
}

/**
 * A definition as the API would show it once written. Each normalization falls back to the value as
 * given when it does not parse (a definition not loaded from a file): the API then refuses it, with
 * its own message, when the plan is applied.
 */
export function comparableOfDefinition(definition: JobDefinition): Comparable {
  const timezone = definition.timezone ?? 'UTC';
  const schedule = attempt(() => parseSchedule(definition.schedule, { timezone }));
  const config = attempt(() => parseConfigOf(kindDefinition(definition.kind), definition.config ?? {}));
  return plain({
    kind: definition.kind,
    schedule: schedule?.input ?? definition.schedule.trim(),
    timezone: schedule?.timezone ?? timezone,
    description: definition.description,
    enabled: definition.enabled ?? true,
    runImmediately: definition.runImmediately ?? false,
    overlap: definition.overlap ?? 'skip',
    flexibleWindowMinutes: definition.flexibleWindowMinutes,
    startDate: isoInstant(definition.startDate),
    endDate: isoInstant(definition.endDate),
    tags: definition.tags ?? {},
    config: config ?? definition.config ?? {},
    // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs (see shared/jobs/chains.ts)
    then: definition.then,
    expand: definition.expand === undefined ? undefined : normalizeExpand(definition.expand),
    alerts: definition.alerts === undefined ? undefined : normalizeAlerts(definition.alerts),
    startingDeadlineSeconds: definition.startingDeadlineSeconds,
    graceSeconds: definition.graceSeconds,
    catchup: definition.catchup,
    failureThreshold: definition.failureThreshold,
    recoveryThreshold: definition.recoveryThreshold,
  });
}

/** One field that differs: a dotted path into the definition (`config.target.url`) and both values. */
export interface FieldChange {
  readonly field: string;
  /** Absent: the field is added. */
  readonly before?: unknown;
  /** Absent: the field is removed (back to its default). */
  readonly after?: unknown;
}

/** The fields that differ, objects compared member by member, lists and scalars whole. */
export function diffFields(before: Comparable, after: Comparable): FieldChange[] {
  const changes: FieldChange[] = [];
  const walk = (path: string, from: unknown, to: unknown) => {
    if (isPlainObject(from) && isPlainObject(to)) {
      const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])];
      for (const key of keys) walk(path === '' ? key : `${path}.${key}`, from[key], to[key]);
      return;
    }
    if (canonical(from) === canonical(to)) return;
    changes.push({
      field: path,
      ...(from === undefined ? {} : { before: from }),
      ...(to === undefined ? {} : { after: to }),
    });
  };
  for (const field of COMPARED_FIELDS) walk(field, before[field], after[field]);
  return changes;
}

/** JSON with object keys sorted: equal values, equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) =>
    isPlainObject(member)
      ? Object.fromEntries(Object.entries(member).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : member,
  );
}

/** Without undefined members, as JSON would carry it. */
function plain(value: Record<string, unknown>): Comparable {
  return JSON.parse(JSON.stringify(value)) as Comparable;
}

function isoInstant(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (
      error instanceof ValidationError ||
      error instanceof ScheduleExpressionError ||
      error instanceof TimeZoneError
    ) {
      return undefined;
    }
    throw error;
  }
}
