/**
 * The grammar of one cron field: lists of values, ranges and steps, with names. Shared by the
 * EventBridge cron parser and the crontab translator, which differ only in their day-of-week numbering
 * and in the special tokens (`?`, `L`, `W`, `#`) each handles before calling in here.
 */
import { ScheduleExpressionError } from './errors.ts';

/** The bounds, names and step limit of one field. */
export interface FieldDefinition {
  /** Field name used in error messages, e.g. `day-of-week`. */
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Upper-case three-letter names and their numbers, if the field has names. */
  readonly names?: Readonly<Record<string, number>>;
  /** The largest step EventBridge accepts (Quartz rules: 59 for minutes, 23 for hours, ...). */
  readonly maxStep: number;
  /** The allowed values, phrased for error messages, e.g. `1-7 (1 = SUN ... 7 = SAT) or SUN-SAT`. */
  readonly allowed: string;
}

export const MONTH_NAMES: Readonly<Record<string, number>> = {
  JAN: 1,
  FEB: 2,
  MAR: 3,
  APR: 4,
  MAY: 5,
  JUN: 6,
  JUL: 7,
  AUG: 8,
  SEP: 9,
  OCT: 10,
  NOV: 11,
  DEC: 12,
};

/** EventBridge numbering: 1 = SUN ... 7 = SAT. */
export const EVENTBRIDGE_DAY_NAMES: Readonly<Record<string, number>> = {
  SUN: 1,
  MON: 2,
  TUE: 3,
  WED: 4,
  THU: 5,
  FRI: 6,
  SAT: 7,
};

/** Crontab numbering: 0 (and 7) = SUN ... 6 = SAT. */
export const CRONTAB_DAY_NAMES: Readonly<Record<string, number>> = {
  SUN: 0,
  MON: 1,
  TUE: 2,
  WED: 3,
  THU: 4,
  FRI: 5,
  SAT: 6,
};

export const MINUTES: FieldDefinition = { name: 'minutes', min: 0, max: 59, maxStep: 59, allowed: '0-59' };
export const HOURS: FieldDefinition = { name: 'hours', min: 0, max: 23, maxStep: 23, allowed: '0-23' };
export const DAY_OF_MONTH: FieldDefinition = {
  name: 'day-of-month',
  min: 1,
  max: 31,
  maxStep: 31,
  allowed: '1-31',
};
export const MONTH: FieldDefinition = {
  name: 'month',
  min: 1,
  max: 12,
  names: MONTH_NAMES,
  maxStep: 12,
  allowed: '1-12 or JAN-DEC',
};
export const EVENTBRIDGE_DAY_OF_WEEK: FieldDefinition = {
  name: 'day-of-week',
  min: 1,
  max: 7,
  names: EVENTBRIDGE_DAY_NAMES,
  maxStep: 7,
  allowed: '1-7 (1 = SUN ... 7 = SAT) or SUN-SAT',
};
export const CRONTAB_DAY_OF_WEEK: FieldDefinition = {
  name: 'day-of-week',
  min: 0,
  max: 7,
  names: CRONTAB_DAY_NAMES,
  maxStep: 7,
  allowed: '0-7 (0 and 7 = SUN) or SUN-SAT',
};
export const YEAR: FieldDefinition = {
  name: 'year',
  min: 1970,
  max: 2199,
  maxStep: 229,
  allowed: '1970-2199',
};

const ITEM = /^(\*|[0-9A-Z]+)(?:-([0-9A-Z]+))?(?:\/([0-9A-Z]*))?$/;
const DIGITS = /^\d+$/;

/** Throws a {@link ScheduleExpressionError} for `field`. */
export function fail(input: string, field: string, value: string, rule: string): never {
  throw new ScheduleExpressionError({ field, value, rule, input });
}

/** Reads one value (a number or, where the field has names, a name) and checks its bounds. */
export function readValue(token: string, definition: FieldDefinition, input: string): number {
  let value: number | undefined;
  if (DIGITS.test(token)) value = Number(token);
  else if (definition.names !== undefined) value = definition.names[token];
  if (value === undefined || value < definition.min || value > definition.max) {
    fail(input, definition.name, token, `must be ${definition.allowed}`);
  }
  return value;
}

/**
 * Expands a field written as a comma-separated list of `*`, `*∕n`, `a`, `a-b`, `a∕n` and `a-b∕n`
 * (upper-cased already) into its sorted distinct values.
 */
export function expandList(text: string, definition: FieldDefinition, input: string): number[] {
  const items = text.split(',');
  const values = new Set<number>();
  for (const item of items) {
    if (item === '') {
      fail(
        input,
        definition.name,
        text,
        'a list must not have empty items (check for doubled or trailing commas)',
      );
    }
    if (item === '*' && items.length > 1) {
      fail(
        input,
        definition.name,
        text,
        '* means every value and cannot be combined with other values in a list',
      );
    }
    const match = ITEM.exec(item);
    if (match === null) {
      fail(
        input,
        definition.name,
        item,
        `expected a value, a range (a-b), * or a step (a/n, a-b/n, */n); values must be ${definition.allowed}`,
      );
    }
    const [, first = '', last, stepText] = match;
    let start: number;
    let end: number;
    if (first === '*') {
      if (last !== undefined) fail(input, definition.name, item, '* cannot start a range');
      start = definition.min;
      end = definition.max;
    } else {
      start = readValue(first, definition, input);
      end =
        last === undefined
          ? stepText === undefined
            ? start
            : definition.max
          : readValue(last, definition, input);
      if (start > end) {
        fail(
          input,
          definition.name,
          item,
          `a range must run from low to high; split a wrap-around range in two, e.g. ${wrapped(first, last ?? '', start, end, definition)}`,
        );
      }
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!DIGITS.test(stepText) || Number(stepText) < 1 || Number(stepText) > definition.maxStep) {
        fail(
          input,
          definition.name,
          item,
          `the step after / must be a whole number from 1 to ${definition.maxStep}`,
        );
      }
      step = Number(stepText);
    }
    for (let value = start; value <= end; value += step) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

/** `FRI-MON` → `FRI-SAT,SUN-MON`; `SAT-SUN` → `SAT,SUN`. */
function wrapped(
  first: string,
  last: string,
  start: number,
  end: number,
  definition: FieldDefinition,
): string {
  const token = (value: number): string =>
    /^\d+$/.test(first) ? String(value) : (nameOf(definition, value) ?? String(value));
  const head = start === definition.max ? first : `${first}-${token(definition.max)}`;
  const tail = end === definition.min ? last : `${token(definition.min)}-${last}`;
  return `${head},${tail}`;
}

function nameOf(definition: FieldDefinition, value: number): string | undefined {
  if (definition.names === undefined) return undefined;
  return Object.keys(definition.names).find((name) => definition.names?.[name] === value);
}

/**
 * Runs of consecutive values as `[start, end]` pairs: `[1, 2, 3, 5]` → `[[1, 3], [5, 5]]`. A run of two
 * is split in two single values, since `1,2` reads better than `1-2` in both expressions and prose.
 */
export function consecutiveRuns(values: readonly number[]): Array<readonly [number, number]> {
  const runs: Array<readonly [number, number]> = [];
  let index = 0;
  while (index < values.length) {
    const start = values[index] ?? 0;
    let end = start;
    while (values[index + 1] === end + 1) {
      end += 1;
      index += 1;
    }
    if (end === start + 1) runs.push([start, start], [end, end]);
    else runs.push([start, end]);
    index += 1;
  }
  return runs;
}
