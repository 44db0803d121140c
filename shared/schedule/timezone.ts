/**
 * Time zones on top of `Intl.DateTimeFormat`: validation, UTC offsets, and the conversion of a
 * local wall time to an instant with EventBridge's daylight-saving rule (a nonexistent local time
 * has no instant; a repeated one maps to its first occurrence).
 */
import { TimeZoneError } from './errors.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A validated zone with its cached formatter and per-day offset cache. */
export interface Zone {
  readonly name: string;
  /** UTC needs no formatter: every offset is 0. */
  readonly utc: boolean;
  readonly format: Intl.DateTimeFormat | undefined;
  /**
   * Local day number (days since 1970-01-01 of the local date) → the offset valid for the whole
   * day, or NaN when a transition falls on or near that day. Bounded: cleared when it grows large.
   */
  readonly dayOffsets: Map<number, number>;
}

const DAY_CACHE_LIMIT = 20_000;
const ZONE_CACHE_LIMIT = 2_000;
const zones = new Map<string, Zone>();
let knownNames: Map<string, string> | undefined;

// An IANA name starts with a letter; this refuses UTC offsets ("+01:00"), which newer Intl
// implementations accept but EventBridge does not.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

function canonicalNames(): Map<string, string> {
  if (knownNames === undefined) {
    knownNames = new Map();
    for (const name of [...Intl.supportedValuesOf('timeZone'), 'UTC']) {
      knownNames.set(name.toLowerCase(), name);
    }
  }
  return knownNames;
}

/**
 * Returns the zone name in its canonical spelling (`utc` → `UTC`, `europe/berlin` → `Europe/Berlin`),
 * or throws {@link TimeZoneError}. Links such as `Asia/Kolkata` or `US/Eastern` are kept as given
 * rather than replaced by what this runtime's ICU considers primary: the name is stored and sent to
 * EventBridge, and both spellings are valid there.
 */
export function assertTimeZone(timezone: string): string {
  return zoneOf(timezone).name;
}

/** The cached {@link Zone} for a name; throws {@link TimeZoneError} for an unknown zone. */
export function zoneOf(timezone: string): Zone {
  const cached = zones.get(timezone);
  if (cached !== undefined) return cached;
  if (typeof timezone !== 'string' || !ZONE_NAME.test(timezone)) throw new TimeZoneError(String(timezone));
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (error) {
    throw new TimeZoneError(timezone, { cause: error });
  }
  const name = canonicalNames().get(timezone.toLowerCase()) ?? timezone;
  const utc = format.resolvedOptions().timeZone === 'UTC';
  const zone: Zone = zones.get(name) ?? {
    name,
    utc,
    format: utc ? undefined : format,
    dayOffsets: new Map(),
  };
  zones.set(name, zone);
  // Other spellings (case variants) are remembered too, up to a bound: the keys come from user input.
  if (zones.size < ZONE_CACHE_LIMIT) zones.set(timezone, zone);
  return zone;
}

// "3/29/2026, 02:30:00" (en-US, h23). Parsing the string is several times faster than formatToParts.
const FORMATTED = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/;

/** UTC milliseconds of a calendar date-time, correct for years 0–99 too (Date.UTC maps those to 19xx). */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year);
  return date.getTime();
}

/** The zone's offset from UTC (local − UTC, in ms) at an instant. */
export function offsetAt(zone: Zone, instantMs: number): number {
  if (zone.format === undefined) return 0;
  const whole = Math.floor(instantMs / 1000) * 1000;
  const match = FORMATTED.exec(zone.format.format(whole));
  if (match === null) {
    // Only outside the supported years (eras, signs) could the format differ; fail loudly, never guess.
    throw new RangeError(`cannot read the local time of ${new Date(whole).toISOString()} in ${zone.name}`);
  }
  const local = utcMs(
    Number(match[3]),
    Number(match[1]),
    Number(match[2]),
    Number(match[4]),
    Number(match[5]),
    Number(match[6]),
  );
  return local - whole;
}

/**
 * The offset valid for the whole local day `dayNumber` (days since 1970-01-01, local calendar),
 * or NaN when the offset changes around that day. The window checked (local midnight − 14 h to
 * local midnight + 36 h, read as UTC) contains the whole local day in every zone (offsets span
 * −12 h … +14 h); zones do not change offset twice within it.
 */
export function dayOffset(zone: Zone, dayNumber: number): number {
  if (zone.format === undefined) return 0;
  const cached = zone.dayOffsets.get(dayNumber);
  if (cached !== undefined) return cached;
  const midnight = dayNumber * DAY_MS;
  const before = offsetAt(zone, midnight - 14 * HOUR_MS);
  const after = offsetAt(zone, midnight + 36 * HOUR_MS);
  const value = before === after ? before : Number.NaN;
  if (zone.dayOffsets.size >= DAY_CACHE_LIMIT) zone.dayOffsets.clear();
  zone.dayOffsets.set(dayNumber, value);
  return value;
}

/**
 * The instant of a local wall time in the zone, by EventBridge's rule: NaN when the time does not
 * exist (clocks spring forward over it), the first occurrence when it happens twice (fall back).
 * `dayNumber` is `utcMs(year, month, day) / DAY_MS`, passed in because callers already have it.
 */
export function localToInstant(zone: Zone, dayNumber: number, hour: number, minute: number): number {
  const local = dayNumber * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS;
  const steady = dayOffset(zone, dayNumber);
  if (!Number.isNaN(steady)) return local - steady;
  const midnight = dayNumber * DAY_MS;
  const before = offsetAt(zone, midnight - 14 * HOUR_MS);
  const after = offsetAt(zone, midnight + 36 * HOUR_MS);
  const early = local - Math.max(before, after);
  const late = local - Math.min(before, after);
  // The larger offset gives the earlier instant: on a fall-back day that is the first occurrence.
  if (early + offsetAt(zone, early) === local) return early;
  if (late + offsetAt(zone, late) === local) return late;
  return Number.NaN;
}

/**
 * The zone's offset at an instant, answered from the per-day cache when the UTC day of the instant
 * lies in a steady window (the usual case), so repeated evaluations around "now" format nothing.
 */
export function offsetAtCached(zone: Zone, instantMs: number): number {
  if (zone.format === undefined) return 0;
  // The window checked by dayOffset(d) spans d·24h − 14h … d·24h + 36h, which contains the whole UTC day d.
  const steady = dayOffset(zone, Math.floor(instantMs / DAY_MS));
  return Number.isNaN(steady) ? offsetAt(zone, instantMs) : steady;
}

/** Local calendar fields of an instant in the zone. */
export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The local wall time of an instant in the zone. */
export function instantToLocal(zone: Zone, instantMs: number): LocalTime {
  const local = new Date(instantMs + offsetAt(zone, instantMs));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

/** A local time that does not exist: where the clocks jump, as instants. */
export interface SkippedLocalTime {
  /** The first instant after the jump (its local time is the end of the gap). */
  readonly transitionMs: number;
  /** The zone's offsets before and after the jump. */
  readonly offsetBeforeMs: number;
  readonly offsetAfterMs: number;
}

/**
 * When the local wall time `hour:minute` of `dayNumber` does not exist in the zone (clocks spring
 * forward over it), the jump that skips it; undefined when the time exists.
 */
export function skippedLocalTime(
  zone: Zone,
  dayNumber: number,
  hour: number,
  minute: number,
): SkippedLocalTime | undefined {
  if (!Number.isNaN(localToInstant(zone, dayNumber, hour, minute))) return undefined;
  const local = dayNumber * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS;
  const midnight = dayNumber * DAY_MS;
  const offsetBeforeMs = offsetAt(zone, midnight - 14 * HOUR_MS);
  const offsetAfterMs = offsetAt(zone, midnight + 36 * HOUR_MS);
  // Read with the later offset the time is before the jump, with the earlier one after it: the jump
  // lies between, and a search to the second finds it (transitions fall on whole seconds).
  let before = local - offsetAfterMs;
  let after = local - offsetBeforeMs;
  while (after - before > 1000) {
    const middle = before + Math.floor((after - before) / 2000) * 1000;
    if (offsetAt(zone, middle) === offsetBeforeMs) before = middle;
    else after = middle;
  }
  return { transitionMs: after, offsetBeforeMs, offsetAfterMs };
}
