/**
 * Human descriptions of schedules: "At 09:00, Monday through Friday, Europe/Berlin", "Every 15 minutes".
 */
import type { CronSpec, DaySpec } from './cron.ts';
import { consecutiveRuns } from './fields.ts';
import type { AtSpec, RateSpec } from './interval.ts';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  '',
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const ORDINALS = ['', 'first', 'second', 'third', 'fourth', 'fifth'];

const pad = (value: number): string => String(value).padStart(2, '0');
const clock = (hour: number, minute: number): string => `${pad(hour)}:${pad(minute)}`;

/** "Every 15 minutes", "Every hour", "Every 7 days". */
export function describeRate(rate: RateSpec): string {
  return rate.value === 1 ? `Every ${rate.unit}` : `Every ${rate.value} ${rate.unit}s`;
}

/**
 * "Every day, counted from creation": the shortcuts `hourly`, `daily`, `weekly` are rates anchored on the
 * job's creation, which the description says so that nobody takes them for `@hourly`, `@daily`, `@weekly`.
 */
export function describeFromCreation(rate: RateSpec): string {
  return `${describeRate(rate)}, counted from creation`;
}

/**
 * `description` with the first fire time, in UTC (a rate's anchor is an instant; its zone plays no part):
 * "Every day, counted from creation: first 2026-01-02 07:25 UTC". Seconds only when the anchor has some.
 */
export function withFirstFire(description: string, first: Date): string {
  const iso = first.toISOString();
  const seconds = iso.slice(17, 19);
  return `${description}: first ${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds === '00' ? '' : `:${seconds}`} UTC`;
}

/** "Once, at 2026-11-23 09:00:00, Europe/Berlin". */
export function describeAt(at: AtSpec, timezone: string): string {
  const when = `${at.year}-${pad(at.month)}-${pad(at.day)} ${clock(at.hour, at.minute)}:${pad(at.second)}`;
  return withZone(`Once, at ${when}`, timezone);
}

/** "At 09:00, Monday through Friday, Europe/Berlin"; "Every 15 minutes". */
export function describeCron(spec: CronSpec, timezone: string): string {
  const time = describeTime(spec.minutes, spec.hours);
  const parts = [time.text];
  const day = describeDay(spec.day);
  const month = describeMonths(spec.months);
  const year = describeYears(spec.years);
  if (day !== undefined) parts.push(day);
  else if (time.atClock && month === undefined && year === undefined) parts.push('every day');
  if (month !== undefined) parts.push(month);
  if (year !== undefined) parts.push(year);
  return withZone(parts.join(', '), timezone);
}

function withZone(text: string, timezone: string): string {
  return timezone === 'UTC' ? text : `${text}, ${timezone}`;
}

/** The step of a field that is `start/step` over the whole range, if it is one. */
function progression(values: readonly number[], max: number): { start: number; step: number } | undefined {
  const [first, second] = values;
  if (first === undefined || second === undefined) return undefined;
  const step = second - first;
  if (first >= step) return undefined;
  for (let index = 1; index < values.length; index += 1) {
    if ((values[index] ?? -1) - (values[index - 1] ?? 0) !== step) return undefined;
  }
  const last = values[values.length - 1] ?? 0;
  return last + step > max ? { start: first, step } : undefined;
}

function contiguous(values: readonly number[]): boolean {
  return values.length > 1 && (values[values.length - 1] ?? 0) - (values[0] ?? 0) === values.length - 1;
}

function describeTime(
  minutes: readonly number[],
  hours: readonly number[],
): { text: string; atClock: boolean } {
  const everyHour = hours.length === 24;
  const minuteStep = minutes.length === 60 ? { start: 0, step: 1 } : progression(minutes, 59);
  const firstHour = hours[0] ?? 0;
  const lastHour = hours[hours.length - 1] ?? 0;
  const [onlyMinute] = minutes;
  if (minuteStep !== undefined) {
    const every = minuteStep.step === 1 ? 'Every minute' : `Every ${minuteStep.step} minutes`;
    const from = minuteStep.start === 0 ? '' : `, starting at minute ${minuteStep.start}`;
    if (everyHour) return { text: `${every}${from}`, atClock: false };
    if (hours.length === 1 || contiguous(hours)) {
      const lastMinute = minutes[minutes.length - 1] ?? 0;
      return {
        text: `${every}${from}, between ${clock(firstHour, minuteStep.start)} and ${clock(lastHour, lastMinute)}`,
        atClock: false,
      };
    }
  }
  if (minutes.length === 1 && onlyMinute !== undefined) {
    if (everyHour) {
      return {
        text: onlyMinute === 0 ? 'Every hour' : `At ${onlyMinute} minutes past every hour`,
        atClock: false,
      };
    }
    const hourStep = progression(hours, 23);
    if (hourStep !== undefined) {
      const at = onlyMinute === 0 ? '' : `At ${onlyMinute} minutes past the hour, `;
      const from = hourStep.start === 0 ? '' : `, starting at ${clock(hourStep.start, onlyMinute)}`;
      const text = `${at}${at === '' ? 'Every' : 'every'} ${hourStep.step} hours${from}`;
      return { text, atClock: false };
    }
  }
  if (minutes.length * hours.length <= 6) {
    const times = hours.flatMap((hour) => minutes.map((minute) => clock(hour, minute)));
    return { text: `At ${join(times)}`, atClock: true };
  }
  return {
    text: `At minute ${join(ranges(minutes).map(String))} past hour ${join(ranges(hours).map(String))}`,
    atClock: false,
  };
}

function describeDay(day: DaySpec): string | undefined {
  switch (day.kind) {
    case 'every':
      return undefined;
    case 'daysOfMonth': {
      if (day.days.length === 31) return undefined;
      const step = progression(
        day.days.map((value) => value - 1),
        30,
      );
      if (step !== undefined && step.step > 1) {
        return `every ${step.step} days of the month, starting on day ${step.start + 1}`;
      }
      const list = join(ranges(day.days));
      return day.days.length === 1 ? `on day ${list} of the month` : `on days ${list} of the month`;
    }
    case 'lastDay':
      return 'on the last day of the month';
    case 'lastWeekday':
      return 'on the last weekday of the month';
    case 'nearestWeekday':
      return `on the weekday nearest day ${day.day} of the month`;
    case 'weekdays': {
      if (day.weekdays.length === 7) return undefined;
      const names = day.weekdays.map((weekday) => WEEKDAYS[weekday] ?? '');
      if (day.weekdays.length > 2 && contiguous(day.weekdays))
        return `${names[0]} through ${names[names.length - 1]}`;
      return `on ${join(names)}`;
    }
    case 'nthWeekday':
      return `on the ${ORDINALS[day.nth]} ${WEEKDAYS[day.weekday]} of the month`;
    case 'lastWeekdayOf':
      return `on the last ${WEEKDAYS[day.weekday]} of the month`;
  }
}

function describeMonths(months: readonly number[]): string | undefined {
  if (months.length === 12) return undefined;
  const names = months.map((month) => MONTHS[month] ?? '');
  if (months.length > 2 && contiguous(months)) return `${names[0]} through ${names[names.length - 1]}`;
  return `in ${join(names)}`;
}

function describeYears(years: readonly number[] | undefined): string | undefined {
  if (years === undefined) return undefined;
  if (years.length > 2 && contiguous(years)) return `in ${years[0]} through ${years[years.length - 1]}`;
  return `in ${join(years.map(String))}`;
}

/** `[1, 2, 3, 7]` → `['1-3', '7']`. */
function ranges(values: readonly number[]): string[] {
  return consecutiveRuns(values).map(([start, end]) => (start === end ? String(start) : `${start}-${end}`));
}

/** `['a', 'b', 'c']` → `a, b and c`. */
function join(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
