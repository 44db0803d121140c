/**
 * From a parsed definition (or a patch of a stored job) to the job record: the schedule engine
 * normalizes the schedule, the kind's schema checks the config, and the rules that need the clock
 * (dates in the future, at() not in the past, a schedule that fires at all) are checked here.
 */
import { alertsUrlProblem, normalizeAlerts } from '../alerts/field.ts';
import type { RuntimeMode } from '../config.ts';
import { ValidationError } from '../errors.ts';
import { healthSettingsProblems } from '../health/settings.ts';
import { parseConfigOf, patchConfigOf } from '../kinds/config.ts';
import { isJobKind, kindDefinition } from '../kinds/registry.ts';
import { expandUrlProblem, normalizeExpand } from '../runs/fan-out-spec.ts';
import {
  describeWithFirstFire,
  nextFireTime,
  parseSchedule,
  type Schedule,
  ScheduleExpressionError,
  skippedAtTime,
  TimeZoneError,
} from '../schedule/index.ts';
import { isPlainObject, Problems, problemsFromZod } from '../validation.ts';
import type { Job, JobSchedule } from './model.ts';
import { rateIntervalMs } from './schedule-spec.ts';
import { type JobDefinition, type JobPatch, jobDefinitionSchema, mergeTags } from './validation.ts';

export interface DefinitionContext {
  readonly now: Date;
  /** `aws` adds the deployed-only config rules (e.g. https webhooks). */
  readonly mode: RuntimeMode;
}

/** What a definition decides; the bookkeeping fields (version, dates, anchor, state) are added by {@link buildJob}. */
export type JobFields = Pick<
  Job,
  | 'name'
  | 'kind'
  | 'schedule'
  | 'enabled'
  | 'description'
  | 'config'
  | 'overlap'
  | 'flexibleWindowMinutes'
  | 'startDate'
  | 'endDate'
  | 'tags'
  | 'runImmediately'
  | 'then'
  | 'expand'
  | 'alerts'
  | 'startingDeadlineSeconds'
  | 'graceSeconds'
  | 'catchup'
  | 'failureThreshold'
  | 'recoveryThreshold'
>;

/**
 * A request body to the fields of a job, or one ValidationError listing every problem: the shape, and
 * whatever of the schedule and the config can still be checked when the shape has problems elsewhere,
 * so a client fixes everything in one round trip.
 */
export function definitionFields(body: unknown, context: DefinitionContext): JobFields {
  const shape = jobDefinitionSchema.safeParse(body, { reportInput: true });
  if (shape.success) return normalizeDefinition(shape.data, context);
  const problems = new Problems();
  for (const problem of problemsFromZod(shape.error, { what: 'the job definition' })) problems.add(problem);
  if (isPlainObject(body)) {
    const raw = body;
    if (problems.clean('kind') && problems.clean('config') && isJobKind(raw.kind)) {
      problems.collect(() => kindConfig(raw.kind, raw.config ?? {}, context));
    }
    if (problems.clean('schedule') && problems.clean('timezone') && typeof raw.schedule === 'string') {
      const timezone = typeof raw.timezone === 'string' ? raw.timezone.trim() : 'UTC';
      problems.collect(() => parseJobSchedule(raw.schedule as string, timezone));
    }
  }
  problems.throwIfAny();
  throw new Error('unreachable: a definition that failed its schema has problems');
}

/** Normalizes and checks a definition; throws ValidationError naming every field and rule it breaks. */
export function normalizeDefinition(definition: JobDefinition, context: DefinitionContext): JobFields {
  const problems = new Problems();
  const schedule = problems.collect(() =>
    parseJobSchedule(definition.schedule, definition.timezone ?? 'UTC'),
  );
  const startDate = definition.startDate === undefined ? undefined : new Date(definition.startDate);
  const endDate = definition.endDate === undefined ? undefined : new Date(definition.endDate);
  if (schedule !== undefined) {
    problems.collect(() => checkBounds(schedule, definition, startDate, endDate, context.now));
  }
  // With the schedule, when it parsed: some kinds tie their config to the timing (see ConfigCheckOptions).
  const config = problems.collect(() =>
    kindConfig(definition.kind, definition.config ?? {}, context, schedule),
  );
  const expand = definition.expand === undefined ? undefined : normalizeExpand(definition.expand);
  const expandProblem = expand === undefined ? undefined : expandUrlProblem(expand, context.mode);
  if (expandProblem !== undefined) problems.add({ field: 'expand.url', message: expandProblem });
  const alerts = definition.alerts === undefined ? undefined : normalizeAlerts(definition.alerts);
  const alertsProblem = alerts === undefined ? undefined : alertsUrlProblem(alerts, context.mode);
  if (alertsProblem !== undefined) problems.add({ field: 'alerts.url', message: alertsProblem });
  if (schedule !== undefined) {
    for (const problem of healthSettingsProblems({ ...definition, schedule }, context.now))
      problems.add(problem);
  }
  problems.throwIfAny();
  if (schedule === undefined || config === undefined) throw new Error('unreachable: no problem was recorded');
  return {
    name: definition.name,
    kind: definition.kind,
    schedule: toJobSchedule(schedule),
    enabled: definition.enabled ?? true,
    description: definition.description,
    config,
    overlap: definition.overlap ?? 'skip',
    flexibleWindowMinutes: definition.flexibleWindowMinutes,
    startDate: startDate?.toISOString(),
    endDate: endDate?.toISOString(),
    tags: definition.tags ?? {},
    runImmediately: definition.runImmediately ?? false,
    // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs (see shared/jobs/chains.ts)
    ...(definition.then === undefined ? {} : { then: definition.then }),
    ...(expand === undefined ? {} : { expand }),
    ...(alerts === undefined ? {} : { alerts }),
    ...healthFieldsOf(definition),
  };
}

/** The health settings the user gave (absent ones stay absent: their defaults follow the schedule). */
function healthFieldsOf(definition: JobDefinition): Partial<JobFields> {
  const fields: Partial<Record<keyof JobFields, unknown>> = {};
  for (const key of HEALTH_FIELD_NAMES) if (definition[key] !== undefined) fields[key] = definition[key];
  return fields as Partial<JobFields>;
}

const HEALTH_FIELD_NAMES = [
  'startingDeadlineSeconds',
  'graceSeconds',
  'catchup',
  'failureThreshold',
  'recoveryThreshold',
] as const;

/**
 * The definition a patch leads to: omitted fields keep the job's values, `null` resets a field to its
 * default, `config` is merged (RFC 7396) and checked against the kind's schema.
 */
export function patchedDefinition(job: Job, patch: JobPatch, context: DefinitionContext): JobDefinition {
  const pick = <K extends keyof JobPatch, V>(
    key: K,
    current: V,
  ): V | Exclude<JobPatch[K], null | undefined> | undefined => {
    if (!Object.hasOwn(patch, key)) return current;
    const value = patch[key];
    return value === null ? undefined : (value as Exclude<JobPatch[K], null | undefined>);
  };
  const config =
    patch.config === undefined
      ? { ...job.config }
      : (patchConfigOf(kindDefinition(job.kind), job.config, patch.config, {
          mode: context.mode,
        }) as Record<string, unknown>);
  // The stored input, not the normalized expression, so a patch leaves the schedule as the user wrote it.
  const definition: JobDefinition = {
    name: job.name,
    kind: job.kind,
    schedule: patch.schedule ?? job.schedule.input,
    timezone: pick('timezone', job.schedule.timezone),
    description: pick('description', job.description),
    enabled: pick('enabled', job.enabled),
    runImmediately: pick('runImmediately', job.runImmediately),
    overlap: pick('overlap', job.overlap),
    flexibleWindowMinutes: pick('flexibleWindowMinutes', job.flexibleWindowMinutes),
    startDate: pick('startDate', job.startDate),
    endDate: pick('endDate', job.endDate),
    tags:
      patch.tags === undefined ? { ...job.tags } : patch.tags === null ? {} : mergeTags(job.tags, patch.tags),
    config,
    // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs (see shared/jobs/chains.ts)
    then: pick('then', job.then),
    expand: pick('expand', job.expand),
    alerts: pick('alerts', job.alerts),
    startingDeadlineSeconds: pick('startingDeadlineSeconds', job.startingDeadlineSeconds),
    graceSeconds: pick('graceSeconds', job.graceSeconds),
    catchup: pick('catchup', job.catchup),
    failureThreshold: pick('failureThreshold', job.failureThreshold),
    recoveryThreshold: pick('recoveryThreshold', job.recoveryThreshold),
  };
  return definition;
}

/**
 * The job record for `fields`. With `previous` (a replace or patch), the creation time stays, the
 * version moves on, and a rate schedule keeps its anchor when its timing did not change. The anchor is
 * the first fire, which the description of the shortcuts (`daily`, ...) names.
 */
export function buildJob(fields: JobFields, now: Date, previous?: Job): Job {
  const timingUnchanged = previous !== undefined && sameTiming(previous, fields);
  const oneTime = fields.schedule.type === 'at';
  const scheduleStartDate =
    timingUnchanged && previous.scheduleStartDate !== undefined
      ? previous.scheduleStartDate
      : rateAnchor(fields, now)?.toISOString();
  return {
    ...fields,
    schedule:
      scheduleStartDate === undefined
        ? fields.schedule
        : {
            ...fields.schedule,
            description: describeWithFirstFire(fields.schedule, new Date(scheduleStartDate)),
          },
    scheduleStartDate,
    // A replaced one-time job is scheduled again (its old slot is gone); an untouched one keeps its state.
    oneTimeState: oneTime
      ? timingUnchanged
        ? (previous.oneTimeState ?? 'scheduled')
        : 'scheduled'
      : undefined,
    expiresAt: oneTime && timingUnchanged ? previous.expiresAt : undefined,
    createdAt: previous?.createdAt ?? now.toISOString(),
    updatedAt: now.toISOString(),
    version: (previous?.version ?? 0) + 1,
  };
}

/**
 * True when `next` fires on the same timing as `previous` (expression, time zone, startDate): the rate
 * anchor and a one-time job's state carry over, and `runImmediately` has nothing to act on.
 */
export function sameTiming(
  previous: Pick<Job, 'schedule' | 'startDate'>,
  next: Pick<JobFields, 'schedule' | 'startDate'>,
): boolean {
  return (
    previous.schedule.expression === next.schedule.expression &&
    previous.schedule.timezone === next.schedule.timezone &&
    previous.startDate === next.startDate
  );
}

const IMMEDIATE_MARGIN_MS = 1000;

/**
 * The StartDate of a rate schedule: the job's startDate if given; else (about) now when it runs immediately;
 * else one interval from now, rounded up to the whole minute (Scheduler fires within the minute).
 */
export function rateAnchor(
  fields: Pick<JobFields, 'schedule' | 'startDate' | 'runImmediately'>,
  now: Date,
): Date | undefined {
  const intervalMs = rateIntervalMs(fields.schedule.expression);
  if (intervalMs === undefined) return undefined;
  if (fields.startDate !== undefined) return new Date(fields.startDate);
  // "Now", as the next whole second after a one-second margin: a StartDate already past when the
  // request reaches Scheduler would skip the first slot instead of firing it.
  if (fields.runImmediately) return new Date(Math.ceil((now.getTime() + IMMEDIATE_MARGIN_MS) / 1000) * 1000);
  return new Date(Math.ceil((now.getTime() + intervalMs) / 60_000) * 60_000);
}

/** A whole config checked by its kind (every kind's config is an object: their schemas are strict objects). */
function kindConfig(
  kind: unknown,
  config: unknown,
  context: DefinitionContext,
  schedule?: Schedule,
): Record<string, unknown> {
  return parseConfigOf(kindDefinition(kind), config, {
    mode: context.mode,
    ...(schedule === undefined ? {} : { schedule, now: context.now }),
  }) as Record<string, unknown>;
}

/** parseSchedule with its errors as ValidationErrors on the `schedule` and `timezone` fields. */
export function parseJobSchedule(input: string, timezone: string): Schedule {
  try {
    return parseSchedule(input, { timezone });
  } catch (error) {
    if (error instanceof TimeZoneError) {
      throw new ValidationError('timezone', `timezone: ${error.message}`, { cause: error });
    }
    if (error instanceof ScheduleExpressionError) {
      throw new ValidationError('schedule', `schedule: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function toJobSchedule(schedule: Schedule): JobSchedule {
  return {
    input: schedule.input,
    expression: schedule.expression,
    timezone: schedule.timezone,
    description: schedule.description,
    type: schedule.type,
  };
}

function checkBounds(
  schedule: Schedule,
  definition: JobDefinition,
  startDate: Date | undefined,
  endDate: Date | undefined,
  now: Date,
): void {
  if (schedule.type === 'at') {
    // Scheduler ignores StartDate/EndDate for one-time schedules; accepting them would promise a bound.
    for (const field of ['startDate', 'endDate', 'runImmediately'] as const) {
      if (definition[field] !== undefined && definition[field] !== false) {
        throw new ValidationError(
          field,
          `${field} does not apply to a one-time at() schedule (it runs once at its time); remove it or use POST /jobs/{name}/runs to run now`,
        );
      }
    }
    const skipped = skippedAtTime(schedule);
    if (skipped !== undefined) {
      throw new ValidationError(
        'schedule',
        `schedule ${schedule.expression} names a local time that does not exist in ${schedule.timezone}: ` +
          `clocks jump from ${skipped.jumpsFrom} to ${skipped.jumpsTo} that day; ` +
          `the nearest valid times are at(${skipped.lastBefore}) and at(${skipped.firstAfter})`,
      );
    }
    if (nextFireTime(schedule, now) === undefined) {
      throw new ValidationError(
        'schedule',
        `schedule ${schedule.expression} in ${schedule.timezone} is in the past (now ${now.toISOString()}); a one-time schedule must be in the future`,
      );
    }
    return;
  }
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate) {
    throw new ValidationError(
      'endDate',
      `endDate must be after startDate; got endDate ${endDate.toISOString()} and startDate ${startDate.toISOString()}`,
    );
  }
  if (endDate !== undefined && endDate <= now) {
    throw new ValidationError(
      'endDate',
      `endDate must be in the future; got ${endDate.toISOString()} (now ${now.toISOString()})`,
    );
  }
  const anchor =
    schedule.type === 'rate'
      ? rateAnchor(
          {
            schedule,
            startDate: startDate?.toISOString(),
            runImmediately: definition.runImmediately ?? false,
          },
          now,
        )
      : startDate;
  // A rate fires at its anchor itself; nextFireTime is strictly after, so ask from just before it.
  const from = anchor !== undefined && anchor > now ? new Date(anchor.getTime() - 1) : now;
  if (nextFireTime(schedule, from, { startDate: anchor, endDate }) === undefined) {
    throw new ValidationError(
      'schedule',
      `schedule ${schedule.expression} never fires${startDate ? ` after startDate ${startDate.toISOString()}` : ''}${endDate ? ` before endDate ${endDate.toISOString()}` : ''}`,
    );
  }
}
