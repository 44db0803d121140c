/**
 * Next fire times, exact to EventBridge Scheduler: cron and at() fields read in the schedule's
 * zone, nonexistent local times skipped, repeated local times fired once (first occurrence), rates
 * as fixed durations from their anchor.
 *
 * The cron walk goes down the calendar (year → month → day → hour → minute), skipping whole years
 * and months that cannot match, so a sparse expression costs about as much as a dense one.
 */
import type { CronSpec, DaySpec } from './cron.ts';
import type { AtSpec } from './interval.ts';
import { dayOffset, localToInstant, offsetAtCached, utcMs, type Zone } from './timezone.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** EventBridge's year field ends at 2199: nothing fires later. */
const LAST_YEAR = 2199;
const FIRST_YEAR = 1970;

/** A cron expression in the form the walk needs: bit masks and sorted arrays. */
export interface CompiledCron {
  readonly type: 'cron';
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  /** Bit m set for month m (1–12). */
  readonly monthMask: number;
  /** Allowed years, or undefined for every year. */
  readonly years: ReadonlySet<number> | undefined;
  readonly day: DaySpec;
  /** For `daysOfMonth`: bit d set for day d. For `weekdays`: bit w for weekday w (0 = Sunday). */
  readonly dayMask: number;
  /** Matching days per (year, month), memoised: a month's answer never changes. */
  readonly monthDays: Map<number, readonly number[]>;
}

export interface CompiledRate {
  readonly type: 'rate';
  readonly intervalMs: number;
}

export interface CompiledAt {
  readonly type: 'at';
  readonly at: AtSpec;
}

export type Compiled = CompiledCron | CompiledRate | CompiledAt;

/** Builds the walkable form of a parsed cron expression. */
export function compileCron(spec: CronSpec): CompiledCron {
  let monthMask = 0;
  for (const month of spec.months) monthMask |= 1 << month;
  let dayMask = 0;
  if (spec.day.kind === 'daysOfMonth') for (const day of spec.day.days) dayMask |= 2 ** day;
  if (spec.day.kind === 'weekdays') for (const weekday of spec.day.weekdays) dayMask |= 1 << weekday;
  return {
    type: 'cron',
    minutes: spec.minutes,
    hours: spec.hours,
    monthMask,
    years: spec.years === undefined ? undefined : new Set(spec.years),
    day: spec.day,
    dayMask,
    monthDays: new Map(),
  };
}

/** The bounds of one evaluation, in epoch milliseconds. */
export interface Window {
  /** Results are strictly greater. */
  readonly afterMs: number;
  /** Results are at or before; Infinity when unbounded. */
  readonly endMs: number;
  readonly count: number;
}

/** Cron fire times in the window; at most `count`, ascending. */
export function cronTimes(cron: CompiledCron, zone: Zone, window: Window): number[] {
  const out: number[] = [];
  if (window.count <= 0) return out;
  // Start from the local minute that contains `after`; candidates at or before `after` are dropped below.
  const startLocal = new Date(window.afterMs + offsetAtCached(zone, window.afterMs));
  let year = startLocal.getUTCFullYear();
  let month = startLocal.getUTCMonth() + 1;
  let day = startLocal.getUTCDate();
  let hour = startLocal.getUTCHours();
  let minute = startLocal.getUTCMinutes();
  if (year < FIRST_YEAR) {
    year = FIRST_YEAR;
    month = 1;
    day = 1;
    hour = 0;
    minute = 0;
  }
  // `fresh` turns false once the walk has moved past the start position; then every field starts at its minimum.
  let fresh = true;
  for (; year <= LAST_YEAR; year += 1) {
    if (cron.years !== undefined && !cron.years.has(year)) {
      fresh = false;
      continue;
    }
    for (let m = fresh ? month : 1; m <= 12; m += 1) {
      if ((cron.monthMask & (1 << m)) === 0) {
        fresh = false;
        continue;
      }
      const days = matchingDays(cron, year, m);
      const startDay = fresh ? day : 1;
      for (const d of days) {
        if (d < startDay) continue;
        if (d > startDay) fresh = false;
        const dayNumber = utcMs(year, m, d) / DAY_MS;
        const steady = dayOffset(zone, dayNumber);
        const startHour = fresh ? hour : 0;
        for (const h of cron.hours) {
          if (h < startHour) continue;
          if (h > startHour) fresh = false;
          const startMinute = fresh ? minute : 0;
          fresh = false;
          for (const mi of cron.minutes) {
            if (mi < startMinute) continue;
            // Most days have one offset throughout; only transition days need the careful conversion.
            const instant = Number.isNaN(steady)
              ? localToInstant(zone, dayNumber, h, mi)
              : dayNumber * DAY_MS + h * 3_600_000 + mi * MINUTE_MS - steady;
            if (Number.isNaN(instant) || instant <= window.afterMs) continue;
            if (instant > window.endMs) return out;
            out.push(instant);
            if (out.length >= window.count) return out;
          }
        }
      }
      fresh = false;
    }
    fresh = false;
  }
  return out;
}

const MONTH_CACHE_LIMIT = 4_096;

function matchingDays(cron: CompiledCron, year: number, month: number): readonly number[] {
  const key = year * 16 + month;
  const cached = cron.monthDays.get(key);
  if (cached !== undefined) return cached;
  const days = computeMatchingDays(cron, year, month);
  if (cron.monthDays.size >= MONTH_CACHE_LIMIT) cron.monthDays.clear();
  cron.monthDays.set(key, days);
  return days;
}

function computeMatchingDays(cron: CompiledCron, year: number, month: number): number[] {
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const firstWeekday = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  const weekdayOf = (day: number): number => (firstWeekday + day - 1) % 7;
  const spec = cron.day;
  const all = (predicate: (day: number) => boolean): number[] => {
    const out: number[] = [];
    for (let day = 1; day <= length; day += 1) if (predicate(day)) out.push(day);
    return out;
  };
  switch (spec.kind) {
    case 'every':
      return all(() => true);
    case 'daysOfMonth':
      return all((day) => (cron.dayMask & (2 ** day)) !== 0);
    case 'weekdays':
      return all((day) => (cron.dayMask & (1 << weekdayOf(day))) !== 0);
    case 'lastDay':
      return [length];
    case 'lastWeekday': {
      const weekday = weekdayOf(length);
      return [weekday === 6 ? length - 1 : weekday === 0 ? length - 2 : length];
    }
    case 'nearestWeekday': {
      // Quartz/EventBridge: the nearest weekday in the same month; never crosses a month boundary.
      const target = spec.day;
      if (target > length) return [];
      const weekday = weekdayOf(target);
      if (weekday === 6) return [target === 1 ? 3 : target - 1];
      if (weekday === 0) return [target === length ? target - 2 : target + 1];
      return [target];
    }
    case 'nthWeekday': {
      const first = 1 + ((spec.weekday - firstWeekday + 7) % 7);
      const day = first + 7 * (spec.nth - 1);
      return day <= length ? [day] : [];
    }
    case 'lastWeekdayOf':
      return [length - ((weekdayOf(length) - spec.weekday + 7) % 7)];
  }
}

/** Rate fire times: `anchor + k·interval` (k ≥ 0) strictly after `afterMs`, at or before `endMs`. */
export function rateTimes(intervalMs: number, anchorMs: number, window: Window): number[] {
  const out: number[] = [];
  let next =
    window.afterMs < anchorMs
      ? anchorMs
      : anchorMs + (Math.floor((window.afterMs - anchorMs) / intervalMs) + 1) * intervalMs;
  while (out.length < window.count && next <= window.endMs) {
    out.push(next);
    next += intervalMs;
  }
  return out;
}

/** The instant of an at() schedule in a zone, or NaN when its local time does not exist there. */
export function atInstant(at: AtSpec, zone: Zone): number {
  const dayNumber = utcMs(at.year, at.month, at.day) / DAY_MS;
  return localToInstant(zone, dayNumber, at.hour, at.minute) + at.second * 1000;
}
