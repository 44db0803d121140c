/**
 * An independent, deliberately simple reading of EventBridge expressions, used to check the engine.
 * It shares no code with shared/schedule: it reads local time with `formatToParts`, expands fields
 * with its own little parser, and finds fire times by brute force (stepping through instants).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
}

const WEEKDAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall clock of `ms` in `timezone`, read with formatToParts. */
export function wallClock(ms: number, timezone: string): Wall {
  let format = formatters.get(timezone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    });
    formatters.set(timezone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(ms)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAY_INDEX[parts.weekday ?? ''] ?? -1,
  };
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function number(token: string, names: string[], firstNumber: number): number {
  const index = names.indexOf(token.toUpperCase());
  return index >= 0 ? index + firstNumber : Number.parseInt(token, 10);
}

/** Does `value` belong to the list field `text` (values from `low` to `high`)? */
function inList(text: string, value: number, low: number, high: number, names: string[] = []): boolean {
  return text.split(',').some((item) => {
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let from: number;
    let to: number;
    if (range === '*') {
      from = low;
      to = high;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      from = number(a, names, low);
      to = number(b, names, low);
    } else {
      from = number(range, names, low);
      to = stepText === undefined ? from : high;
    }
    return value >= from && value <= to && (value - from) % step === 0;
  });
}

function daysIn(year: number, month: number): number {
  return [
    31,
    year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ][month - 1] as number;
}

/** Is `day` of the month of `wall` a Monday–Friday? Derived from the weekday `wall` reports for its own day. */
function isWeekday(wall: Wall, day: number): boolean {
  const weekday = (((wall.weekday + day - wall.day) % 7) + 7) % 7;
  return weekday !== 0 && weekday !== 6;
}

/** Day-of-month field of EventBridge cron, including `L`, `LW`, `nW`. */
function dayOfMonthMatches(text: string, wall: Wall): boolean {
  const last = daysIn(wall.year, wall.month);
  if (text === '?') return true;
  if (text === 'L') return wall.day === last;
  if (text === 'LW') {
    let day = last;
    while (!isWeekday(wall, day)) day -= 1;
    return wall.day === day;
  }
  if (text.endsWith('W')) {
    const target = Number(text.slice(0, -1));
    if (target > last) return false;
    // The weekday of the same month closest to the target.
    let best = -1;
    for (let day = 1; day <= last; day += 1) {
      if (isWeekday(wall, day) && (best < 0 || Math.abs(day - target) < Math.abs(best - target))) {
        best = day;
      }
    }
    return wall.day === best;
  }
  return inList(text, wall.day, 1, 31);
}

/** Day-of-week field of EventBridge cron (1 = SUN), including `L`, `nL`, `n#k` (n a number or a name). */
function dayOfWeekMatches(text: string, wall: Wall): boolean {
  const eventBridgeDay = wall.weekday + 1;
  if (text === '?') return true;
  if (text === 'L') return eventBridgeDay === 7;
  if (text.includes('#')) {
    const [day = '', nth = ''] = text.split('#');
    return eventBridgeDay === number(day, DAYS, 1) && Math.ceil(wall.day / 7) === Number(nth);
  }
  if (text.endsWith('L')) {
    return (
      eventBridgeDay === number(text.slice(0, -1), DAYS, 1) && wall.day + 7 > daysIn(wall.year, wall.month)
    );
  }
  return inList(text, eventBridgeDay, 1, 7, DAYS);
}

function cronFieldsMatch(fields: string[], wall: Wall): boolean {
  const [minute = '', hour = '', dom = '', month = '', dow = '', year = ''] = fields;
  return (
    inList(minute, wall.minute, 0, 59) &&
    inList(hour, wall.hour, 0, 23) &&
    inList(month, wall.month, 1, 12, MONTHS) &&
    inList(year, wall.year, 1970, 2199) &&
    dayOfMonthMatches(dom, wall) &&
    dayOfWeekMatches(dow, wall)
  );
}

function sameWallMinute(a: Wall, b: Wall): boolean {
  return (
    a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute
  );
}

/** True when the wall time of `ms` already happened earlier (the second pass of a fall-back hour). */
function isRepeat(ms: number, timezone: string, wall: Wall): boolean {
  return [30, 60, 120].some((minutes) => sameWallMinute(wallClock(ms - minutes * 60_000, timezone), wall));
}

/** Does a cron(...) or at(...) expression fire at exactly `ms` in `timezone`, by EventBridge's rules? */
export function matches(expression: string, timezone: string, ms: number): boolean {
  const wall = wallClock(ms, timezone);
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron !== null) {
    if (ms % 60_000 !== 0) return false;
    return cronFieldsMatch((cron[1] ?? '').toUpperCase().split(' '), wall) && !isRepeat(ms, timezone, wall);
  }
  const at = /^at\((\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)\)$/.exec(expression);
  if (at !== null) {
    const [, y, mo, d, h, mi, s] = at.map(Number);
    return (
      wall.year === y &&
      wall.month === mo &&
      wall.day === d &&
      wall.hour === h &&
      wall.minute === mi &&
      wall.second === s &&
      ms % 1000 === 0 &&
      !isRepeat(ms, timezone, wall)
    );
  }
  throw new Error(`the oracle reads cron() and at() only, not ${expression}`);
}

/** Every fire time of a cron expression in (afterMs, endMs], found by testing each step. */
export function bruteForce(
  expression: string,
  timezone: string,
  afterMs: number,
  endMs: number,
  stepMs = 60_000,
): number[] {
  const out: number[] = [];
  for (let ms = Math.floor(afterMs / stepMs) * stepMs + stepMs; ms <= endMs; ms += stepMs) {
    if (matches(expression, timezone, ms)) out.push(ms);
  }
  return out;
}
