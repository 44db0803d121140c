/**
 * The schedule engine: every input form Tickwork accepts for a job's schedule, normalized to the
 * exact expression EventBridge Scheduler accepts, described for humans, and evaluated to next fire
 * times with EventBridge's semantics (time zones, daylight saving, start and end dates).
 *
 * @example
 * const schedule = parseSchedule('0 9 * * MON-FRI', { timezone: 'Europe/Berlin' });
 * schedule.expression;  // 'cron(0 9 ? * MON-FRI *)'
 * schedule.description; // 'At 09:00, Monday through Friday, Europe/Berlin'
 * nextFireTimes(schedule, { after: new Date('2026-11-20T12:00:00Z'), count: 2 });
 * // [2026-11-23T08:00:00Z, 2026-11-24T08:00:00Z]
 */
import { parseCronFields } from './cron.ts';
import { crontabToEventBridge } from './crontab.ts';
import { describeAt, describeCron, describeFromCreation, describeRate, withFirstFire } from './describe.ts';
import { ScheduleExpressionError, TimeZoneError } from './errors.ts';
import { atInstant, type Compiled, compileCron, cronTimes, rateTimes } from './evaluate.ts';
import { fail } from './fields.ts';
import {
  isIntervalInput,
  parseAtBody,
  parseInterval,
  parseRateBody,
  type RateSpec,
  rateFromInterval,
} from './interval.ts';
import { assertTimeZone, instantToLocal, skippedLocalTime, utcMs, zoneOf } from './timezone.ts';

export { assertTimeZone, ScheduleExpressionError, TimeZoneError };

/** The three kinds of EventBridge schedule expression. */
export type ScheduleType = 'cron' | 'rate' | 'at';

/** A validated, normalized schedule. Objects returned by the parsers are frozen. */
export interface Schedule {
  /** The input as given (trimmed). */
  readonly input: string;
  /** The exact EventBridge expression: `cron(...)`, `rate(...)` or `at(...)`. */
  readonly expression: string;
  /** IANA zone in which cron and at() fields are read (default `UTC`). */
  readonly timezone: string;
  /** Human description; names the zone for cron and at() when it is not UTC. */
  readonly description: string;
  readonly type: ScheduleType;
}

/** Options of the parsers. */
export interface ParseOptions {
  /**
   * IANA zone for cron and at() fields.
   * @default 'UTC'
   */
  readonly timezone?: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Shortcuts with fixed intervals (as in APScheduler-based schedulers), not calendar-aligned: rates counted
 * from the job's creation (the rate's StartDate), where the macros `@hourly`... are calendar cron.
 */
const SHORTCUTS: Readonly<Record<string, number>> = { hourly: HOUR_MS, daily: DAY_MS, weekly: 7 * DAY_MS };

/** Crontab macros: calendar-aligned cron. */
const MACROS: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * ? *',
  '@daily': '0 0 * * ? *',
  '@midnight': '0 0 * * ? *',
  '@weekly': '0 0 ? * SUN *',
  '@monthly': '0 0 1 * ? *',
  '@yearly': '0 0 1 1 ? *',
  '@annually': '0 0 1 1 ? *',
};

const compiledBySchedule = new WeakMap<Schedule, Compiled>();
/** Schedules not made by the parsers (e.g. read back from a table) are compiled once per expression. */
const compiledByExpression = new Map<string, Compiled>();
const EXPRESSION_CACHE_LIMIT = 50_000;

/**
 * Parses any input form Tickwork accepts for a job's schedule:
 * - shortcuts `hourly`, `daily`, `weekly` (fixed intervals counted from creation: `rate(1 hour)`, `rate(1 day)`,
 *   `rate(7 days)`, described as "Every day, counted from creation");
 * - crontab macros `@hourly`, `@daily`/`@midnight`, `@weekly`, `@monthly`, `@yearly`/`@annually` (calendar-aligned cron);
 * - a classic 5-field crontab (`0 9 * * MON-FRI`), translated to EventBridge `cron(...)`;
 * - EventBridge `cron(...)`, `rate(...)` and `at(...)`;
 * - an interval: an ISO-8601 duration (`PT15M`, `P1D`) or a number of seconds, as the largest exact `rate` unit.
 *
 * @throws {ScheduleExpressionError} naming the field, the value and the rule broken.
 * @throws {TimeZoneError} for an unknown zone.
 */
export function parseSchedule(input: string, options: ParseOptions = {}): Schedule {
  const text = typeof input === 'string' ? input.trim() : '';
  const timezone = assertTimeZone(options.timezone ?? 'UTC');
  if (text === '') {
    fail(
      String(input ?? ''),
      'expression',
      '',
      'a schedule is required: a crontab (0 9 * * MON-FRI), cron(...), rate(...), at(...), an interval (PT15M) or hourly/daily/weekly',
    );
  }
  const shortcut = SHORTCUTS[text.toLowerCase()];
  if (shortcut !== undefined) {
    return rateSchedule(text, rateFromInterval(shortcut), timezone, describeFromCreation);
  }
  if (text.startsWith('@')) {
    const macro = MACROS[text.toLowerCase()];
    if (macro === undefined) {
      fail(text, 'expression', text, `unknown macro; expected one of ${Object.keys(MACROS).join(', ')}`);
    }
    return cronSchedule(text, macro, timezone);
  }
  if (/^[a-z]+\s*\(/i.test(text)) return parseNative(text, timezone);
  if (isIntervalInput(text)) return rateSchedule(text, parseInterval(text), timezone);
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    const hint =
      fields.length === 6
        ? `; six fields look like EventBridge cron without its wrapper: write cron(${fields.join(' ')})`
        : '';
    fail(
      text,
      'expression',
      text,
      `expected a 5-field crontab (minute hour day-of-month month day-of-week), found ${fields.length} field${fields.length === 1 ? '' : 's'}${hint}; other forms: cron(...), rate(...), at(...), PT15M, hourly`,
    );
  }
  return cronSchedule(text, crontabToEventBridge(fields, text), timezone);
}

/**
 * Parses only what the Scheduler API accepts as `ScheduleExpression`: `cron(...)`, `rate(...)`,
 * `at(...)`. Used by the emulator to refuse what EventBridge refuses.
 *
 * @throws {ScheduleExpressionError} naming the field, the value and the rule broken.
 * @throws {TimeZoneError} for an unknown zone.
 */
export function parseEventBridgeExpression(expression: string, options: ParseOptions = {}): Schedule {
  const text = typeof expression === 'string' ? expression.trim() : '';
  const timezone = assertTimeZone(options.timezone ?? 'UTC');
  return parseNative(text, timezone);
}

function parseNative(text: string, timezone: string): Schedule {
  const match = /^(cron|rate|at)\((.*)\)$/s.exec(text);
  if (match === null) {
    const kind = /^([a-z]+)\s*\(/i.exec(text)?.[1];
    const rule =
      kind !== undefined && /^(cron|rate|at)$/i.test(kind) && !text.endsWith(')')
        ? `${kind}(...) must end with )`
        : 'expected cron(minutes hours day-of-month month day-of-week year), rate(value unit) or at(yyyy-mm-ddThh:mm:ss), in lower case';
    fail(text, 'expression', text, rule);
  }
  const [, kind, body = ''] = match;
  if (kind === 'rate') return rateSchedule(text, parseRateBody(body, text), timezone);
  if (kind === 'at') {
    const at = parseAtBody(body, text);
    const schedule = freeze({
      input: text,
      expression: at.expression,
      timezone,
      description: describeAt(at, timezone),
      type: 'at',
    });
    compiledBySchedule.set(schedule, { type: 'at', at });
    return schedule;
  }
  return cronSchedule(text, body, timezone);
}

function cronSchedule(input: string, body: string, timezone: string): Schedule {
  const spec = parseCronFields(body, input.startsWith('cron(') ? input : `cron(${body})`);
  const schedule = freeze({
    input,
    expression: `cron(${spec.fields.join(' ')})`,
    timezone,
    description: describeCron(spec, timezone),
    type: 'cron',
  });
  compiledBySchedule.set(
    schedule,
    internCompiled(schedule.expression, () => compileCron(spec)),
  );
  return schedule;
}

function rateSchedule(
  input: string,
  rate: RateSpec,
  timezone: string,
  describe: (rate: RateSpec) => string = describeRate,
): Schedule {
  const schedule = freeze({
    input,
    expression: rate.expression,
    timezone,
    description: describe(rate),
    type: 'rate',
  });
  compiledBySchedule.set(schedule, { type: 'rate', intervalMs: rate.intervalMs });
  return schedule;
}

/**
 * The description of `schedule` once its first fire time is known: a rate's anchor, its StartDate (a job's,
 * or a preview's of a job created at a given instant). The shortcuts `hourly`, `daily`, `weekly` count from
 * creation, so theirs names that first time: "Every day, counted from creation: first 2026-01-02 07:25 UTC".
 * Every other schedule keeps its description. Works on stored copies too (it reads `input`, and never
 * appends twice).
 */
export function describeWithFirstFire(schedule: Schedule, firstFire: Date): string {
  const shortcut = schedule.type === 'rate' ? SHORTCUTS[schedule.input.trim().toLowerCase()] : undefined;
  if (shortcut === undefined) return schedule.description;
  instantOf(firstFire, 'firstFire');
  return withFirstFire(describeFromCreation(rateFromInterval(shortcut)), firstFire);
}

function freeze(schedule: Schedule): Schedule {
  return Object.freeze(schedule);
}

/**
 * One compiled form per cron expression, shared by every schedule that uses it (and its memoised
 * month tables with it). Bounded: the oldest entry goes when the map is full.
 */
function internCompiled(expression: string, compile: () => Compiled): Compiled {
  const known = compiledByExpression.get(expression);
  if (known !== undefined) return known;
  const compiled = compile();
  if (compiledByExpression.size >= EXPRESSION_CACHE_LIMIT) {
    const oldest = compiledByExpression.keys().next();
    if (oldest.done !== true) compiledByExpression.delete(oldest.value);
  }
  compiledByExpression.set(expression, compiled);
  return compiled;
}

function compiledOf(schedule: Schedule): Compiled {
  const known = compiledBySchedule.get(schedule);
  if (known !== undefined) return known;
  const compiled = internCompiled(schedule.expression, () => {
    const parsed = parseEventBridgeExpression(schedule.expression);
    const fresh = compiledBySchedule.get(parsed);
    if (fresh === undefined) throw new Error(`no compiled form for ${schedule.expression}`);
    return fresh;
  });
  compiledBySchedule.set(schedule, compiled);
  return compiled;
}

/** Options of {@link nextFireTimes}. */
export interface FireTimeOptions {
  /** Results are strictly after this instant. */
  after: Date;
  /** At most this many results. */
  count: number;
  /**
   * Zone in which cron and at() fields are read.
   * @default schedule.timezone
   */
  timezone?: string;
  /**
   * The schedule's StartDate: cron fires only at or after it; a rate fires at `startDate + k·interval`
   * (k ≥ 0). Without it a rate is anchored on `after` (first fire one interval later). Ignored by at().
   */
  startDate?: Date;
  /** The schedule's EndDate: nothing fires after it. Ignored by at(), as EventBridge does. */
  endDate?: Date;
}

/**
 * The next fire times of a schedule, strictly after `options.after`, ascending, at most
 * `options.count`, exactly as EventBridge Scheduler would fire them (to the second; the service
 * then invokes within that minute, or within the flexible time window).
 *
 * Daylight saving: a local time that does not exist (spring forward) is skipped that day; a local
 * time that happens twice (fall back) fires once, at its first occurrence. Rates are fixed durations.
 *
 * @throws {RangeError} for an invalid date or count.
 * @throws {TimeZoneError} for an unknown `options.timezone`.
 */
export function nextFireTimes(schedule: Schedule, options: FireTimeOptions): Date[] {
  const { after, count, startDate, endDate } = options;
  const afterMs = instantOf(after, 'after');
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a whole number >= 0, received ${String(count)}`);
  }
  const startMs = startDate === undefined ? undefined : instantOf(startDate, 'startDate');
  const endMs = endDate === undefined ? Number.POSITIVE_INFINITY : instantOf(endDate, 'endDate');
  const compiled = compiledOf(schedule);
  // Validated for rates too, although they ignore it: an unknown zone is an error whatever the type.
  const zone = zoneOf(options.timezone ?? schedule.timezone);
  if (compiled.type === 'rate') {
    const anchor = startMs ?? afterMs;
    return rateTimes(compiled.intervalMs, anchor, { afterMs, endMs, count }).map((ms) => new Date(ms));
  }
  if (compiled.type === 'at') {
    const instant = atInstant(compiled.at, zone);
    return count > 0 && instant > afterMs ? [new Date(instant)] : [];
  }
  const effectiveAfter = startMs === undefined ? afterMs : Math.max(afterMs, startMs - 1);
  return cronTimes(compiled, zone, { afterMs: effectiveAfter, endMs, count }).map((ms) => new Date(ms));
}

/**
 * The next fire time strictly after `after`, or undefined when the schedule never fires again.
 * Cheap enough to call for every schedule of a large emulator: parsed forms are cached.
 */
export function nextFireTime(
  schedule: Schedule,
  after: Date,
  bounds: { startDate?: Date; endDate?: Date } = {},
): Date | undefined {
  return nextFireTimes(schedule, {
    after,
    count: 1,
    startDate: bounds.startDate,
    endDate: bounds.endDate,
  })[0];
}

/** An at() time that the clocks skip in its zone, with the times either side (all `yyyy-mm-ddThh:mm:ss`, local). */
export interface SkippedAtTime {
  /** The local time the clocks jump from, and to. */
  readonly jumpsFrom: string;
  readonly jumpsTo: string;
  /** The nearest local times that exist: the last second before the jump, and the jump's end. */
  readonly lastBefore: string;
  readonly firstAfter: string;
}

/**
 * For an at() schedule whose local time does not exist in its zone (a daylight-saving gap: such a
 * schedule never fires, as in EventBridge), the gap and the nearest valid times; otherwise undefined.
 */
export function skippedAtTime(schedule: Schedule): SkippedAtTime | undefined {
  const compiled = compiledOf(schedule);
  if (compiled.type !== 'at') return undefined;
  const { at } = compiled;
  const zone = zoneOf(schedule.timezone);
  const skipped = skippedLocalTime(zone, utcMs(at.year, at.month, at.day) / DAY_MS, at.hour, at.minute);
  if (skipped === undefined) return undefined;
  const text = (ms: number) => new Date(ms).toISOString().slice(0, 19);
  const { transitionMs, offsetBeforeMs, offsetAfterMs } = skipped;
  const localOf = (instantMs: number) => {
    const local = instantToLocal(zone, instantMs);
    return text(utcMs(local.year, local.month, local.day, local.hour, local.minute, local.second));
  };
  return {
    jumpsFrom: text(transitionMs + offsetBeforeMs),
    jumpsTo: text(transitionMs + offsetAfterMs),
    lastBefore: localOf(transitionMs - 1000),
    firstAfter: localOf(transitionMs),
  };
}

function instantOf(date: Date, name: string): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`${name} must be a valid Date, received ${String(date)}`);
  return ms;
}
