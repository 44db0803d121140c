/**
 * EventBridge Scheduler `cron(minutes hours day-of-month month day-of-week year)`: parsing with the
 * service's rules, and the compiled form the evaluator walks.
 */
import {
  DAY_OF_MONTH,
  EVENTBRIDGE_DAY_OF_WEEK,
  expandList,
  type FieldDefinition,
  fail,
  HOURS,
  MINUTES,
  MONTH,
  readValue,
  YEAR,
} from './fields.ts';

/**
 * Which days of a month fire. EventBridge lets exactly one of day-of-month and day-of-week
 * restrict the day (the other is `?`), so one variant covers both fields.
 * Weekdays use JavaScript numbering (0 = Sunday) internally.
 */
export type DaySpec =
  | { readonly kind: 'every' }
  | { readonly kind: 'daysOfMonth'; readonly days: readonly number[] }
  | { readonly kind: 'lastDay' }
  | { readonly kind: 'lastWeekday' }
  | { readonly kind: 'nearestWeekday'; readonly day: number }
  | { readonly kind: 'weekdays'; readonly weekdays: readonly number[] }
  | { readonly kind: 'nthWeekday'; readonly weekday: number; readonly nth: number }
  | { readonly kind: 'lastWeekdayOf'; readonly weekday: number };

/** A parsed, validated EventBridge cron expression. */
export interface CronSpec {
  /** Sorted distinct minutes 0–59. */
  readonly minutes: readonly number[];
  /** Sorted distinct hours 0–23. */
  readonly hours: readonly number[];
  /** Sorted distinct months 1–12. */
  readonly months: readonly number[];
  /** Sorted distinct years 1970–2199, or undefined for `*`. */
  readonly years: readonly number[] | undefined;
  readonly day: DaySpec;
  /** The six fields as EventBridge receives them (upper-cased, single-spaced). */
  readonly fields: readonly string[];
}

const FIELD_NAMES = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'] as const;

/** Parses the text between `cron(` and `)`; `input` is the whole expression, quoted in errors. */
export function parseCronFields(body: string, input: string): CronSpec {
  const fields = body.trim().toUpperCase().split(/\s+/);
  if (fields.length !== 6 || fields[0] === '') {
    fail(
      input,
      'expression',
      body.trim(),
      `cron() needs exactly six fields (minutes hours day-of-month month day-of-week year), found ${fields[0] === '' ? 0 : fields.length}`,
    );
  }
  const [minuteText = '', hourText = '', domText = '', monthText = '', dowText = '', yearText = ''] = fields;
  fields.forEach((text, index) => {
    if (index !== 2 && index !== 4 && text.includes('?')) {
      fail(
        input,
        FIELD_NAMES[index] ?? 'expression',
        text,
        '? is only allowed in day-of-month or day-of-week',
      );
    }
  });
  const minutes = plainField(minuteText, MINUTES, input);
  const hours = plainField(hourText, HOURS, input);
  const months = plainField(monthText, MONTH, input);
  const years = yearText === '*' ? undefined : plainField(yearText, YEAR, input);
  const day = daySpec(domText, dowText, input);
  return { minutes, hours, months, years, day, fields };
}

/** A field that allows only lists, ranges, steps and names (no `L`, `W`, `#`). */
function plainField(text: string, definition: FieldDefinition, input: string): number[] {
  for (const item of text.split(',')) {
    if (item.includes('#') || /^(L|LW|\d+[LW]|L-\d*)$/.test(item)) {
      fail(input, definition.name, text, 'L, W and # are only allowed in day-of-month or day-of-week');
    }
  }
  return expandList(text, definition, input);
}

const BOTH_DAYS_RULE =
  'exactly one of day-of-month and day-of-week must be ?; EventBridge cannot restrict both, ' +
  'so set the one you do not use to ? (e.g. cron(0 9 ? * MON-FRI *) or cron(0 9 1 * ? *))';

function daySpec(dom: string, dow: string, input: string): DaySpec {
  if (dom === '?' && dow === '?') fail(input, 'day-of-month/day-of-week', '? ?', BOTH_DAYS_RULE);
  if (dom !== '?' && dow !== '?') fail(input, 'day-of-month/day-of-week', `${dom} ${dow}`, BOTH_DAYS_RULE);
  return dow === '?' ? dayOfMonthSpec(dom, input) : dayOfWeekSpec(dow, input, EVENTBRIDGE_DAY_OF_WEEK);
}

/** Day-of-month: a list, or one of `L`, `LW`, `nW` on its own. */
export function dayOfMonthSpec(text: string, input: string): DaySpec {
  if (text === '*') return { kind: 'every' };
  if (text === 'L') return { kind: 'lastDay' };
  if (text === 'LW') return { kind: 'lastWeekday' };
  const nearest = /^(\d+)W$/.exec(text);
  if (nearest !== null)
    return { kind: 'nearestWeekday', day: readValue(nearest[1] ?? '', DAY_OF_MONTH, input) };
  if (text.includes('#')) fail(input, 'day-of-month', text, '# is only allowed in day-of-week');
  for (const item of text.split(',')) {
    if (item === '?') fail(input, 'day-of-month', text, '? must stand alone in the field');
    if (/^L-\d*$/.test(item)) {
      fail(input, 'day-of-month', item, 'offsets from the last day (L-n) are not supported; use L, LW or nW');
    }
    if (/^\d+L$/.test(item))
      fail(input, 'day-of-month', item, 'nL (last weekday n) is only allowed in day-of-week');
    if (/^(L|LW|\d+W)$/.test(item)) {
      fail(input, 'day-of-month', text, 'L, LW and nW must stand alone in day-of-month (no lists or ranges)');
    }
    if (/^\d+-\d+W$/.test(item))
      fail(input, 'day-of-month', item, 'W takes a single day of the month, e.g. 15W');
  }
  return { kind: 'daysOfMonth', days: expandList(text, DAY_OF_MONTH, input) };
}

/**
 * Day-of-week in the numbering of `definition` (EventBridge 1 = SUN, or crontab 0/7 = SUN):
 * a list, `L` (EventBridge only: Saturday, the last day of the week), `nL` (last weekday n of the
 * month) or `n#k` (k-th weekday n of the month), each of the last three on its own. As in Quartz, whose
 * dialect EventBridge's cron is, the weekday before `#` or `L` may be a number or a name (`FRI#2`, `FRIL`).
 */
export function dayOfWeekSpec(text: string, input: string, definition: FieldDefinition): DaySpec {
  const eventBridge = definition === EVENTBRIDGE_DAY_OF_WEEK;
  const toJs = (value: number): number => (eventBridge ? value - 1 : value % 7);
  if (text === '*') return { kind: 'every' };
  const names = definition.names ?? {};
  // Names never contain # or L but WED contains W: test the shape with names blanked out.
  const items = text.split(',');
  const shapes = items.map((item) =>
    item.replace(/[A-Z]{3}/g, (name) => (names[name] === undefined ? name : 'N')),
  );
  const refuse: (rule: string) => never = (rule) => fail(input, 'day-of-week', text, rule);
  if (items.includes('?')) refuse('? must stand alone in the field');
  const hashes = (text.match(/#/g) ?? []).length;
  if (hashes > 1) refuse(`only one # expression is allowed in day-of-week; ${nthRule(eventBridge)}`);
  if (hashes === 1) {
    if (items.length > 1) refuse(`a # expression must stand alone; ${nthRule(eventBridge)}`);
    const [day = '', nth = ''] = text.split('#');
    if (!/^\w+$/.test(day))
      refuse(`# takes one weekday before it, not a range or step; ${nthRule(eventBridge)}`);
    const weekday = readValue(day, definition, input);
    if (!/^[1-5]$/.test(nth)) refuse(`the number after # must be 1-5; ${nthRule(eventBridge)}`);
    return { kind: 'nthWeekday', weekday: toJs(weekday), nth: Number(nth) };
  }
  if (shapes.some((shape) => /W$/.test(shape))) refuse('W is only allowed in day-of-month');
  if (shapes.some((shape) => /L/.test(shape))) {
    if (text === 'L') {
      // EventBridge (like Quartz): L alone in day-of-week is the last day of the week, Saturday.
      if (eventBridge) return { kind: 'weekdays', weekdays: [6] };
      refuse('L needs a weekday before it in a crontab, e.g. 5L or FRIL (the last Friday)');
    }
    // Quartz refuses L beside other days ("L with other days of the week is not implemented").
    if (items.length > 1) refuse(`L must stand alone, without other days; ${lastRule(eventBridge)}`);
    const day = /^(\w+?)L$/.exec(text)?.[1];
    if (day === undefined)
      refuse(`L takes one weekday before it, not a range or step; ${lastRule(eventBridge)}`);
    return { kind: 'lastWeekdayOf', weekday: toJs(readValue(day, definition, input)) };
  }
  const weekdays = [...new Set(expandList(text, definition, input).map(toJs))].sort((a, b) => a - b);
  return { kind: 'weekdays', weekdays };
}

/** The rule for `n#k`, in the field's numbering, for error messages. */
function nthRule(eventBridge: boolean): string {
  const [range, friday] = eventBridge ? ['1-7', '6'] : ['0-7', '5'];
  return `n#k, alone in the field, is the k-th weekday n of the month, with n ${range} or SUN-SAT and k 1-5 (e.g. ${friday}#2 or FRI#2: the second Friday)`;
}

/** The rule for `nL`, in the field's numbering, for error messages. */
function lastRule(eventBridge: boolean): string {
  const [range, friday] = eventBridge ? ['1-7', '6'] : ['0-7', '5'];
  return `nL, alone in the field, is the last weekday n of the month, with n ${range} or SUN-SAT (e.g. ${friday}L or FRIL: the last Friday)`;
}
