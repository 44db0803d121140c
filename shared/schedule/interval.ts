/**
 * `rate(...)`, `at(...)` and the interval inputs (ISO-8601 durations, seconds) that become rates.
 */
import { fail } from './fields.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A parsed rate: its length and the canonical `rate(...)` text. */
export interface RateSpec {
  readonly intervalMs: number;
  readonly value: number;
  readonly unit: 'minute' | 'hour' | 'day';
  readonly expression: string;
}

/** The wall time of an `at(...)` schedule, read in the schedule's zone. */
export interface AtSpec {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly expression: string;
}

const UNIT_MS = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS } as const;
const UNITS = 'minute, minutes, hour, hours, day or days';

/** Parses the text between `rate(` and `)`. */
export function parseRateBody(body: string, input: string): RateSpec {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 2) {
    fail(
      input,
      'expression',
      body.trim(),
      `rate() takes a value and a unit, e.g. rate(5 minutes); units: ${UNITS}`,
    );
  }
  const [valueText = '', unitText = ''] = parts;
  if (!/^\d+$/.test(valueText) || Number(valueText) < 1) {
    fail(input, 'rate value', valueText, 'must be a positive whole number, e.g. rate(5 minutes)');
  }
  const value = Number(valueText);
  const singular = unitText.endsWith('s') ? unitText.slice(0, -1) : unitText;
  if (singular !== 'minute' && singular !== 'hour' && singular !== 'day') {
    const hint = /^sec/i.test(unitText) ? '; EventBridge Scheduler fires at most once a minute' : '';
    fail(input, 'rate unit', unitText, `must be ${UNITS} (lower case)${hint}`);
  }
  const plural = unitText !== singular;
  if (value === 1 && plural)
    fail(input, 'rate unit', unitText, `use the singular with 1: rate(1 ${singular})`);
  if (value !== 1 && !plural) {
    fail(
      input,
      'rate unit',
      unitText,
      `use the plural with values other than 1: rate(${value} ${singular}s)`,
    );
  }
  const intervalMs = value * UNIT_MS[singular];
  if (!Number.isSafeInteger(intervalMs)) fail(input, 'rate value', valueText, 'is too large');
  return { intervalMs, value, unit: singular, expression: `rate(${value} ${unitText})` };
}

/** The rate with the largest unit that expresses `intervalMs` exactly. */
export function rateFromInterval(intervalMs: number): RateSpec {
  const unit = intervalMs % DAY_MS === 0 ? 'day' : intervalMs % HOUR_MS === 0 ? 'hour' : 'minute';
  const value = intervalMs / UNIT_MS[unit];
  return { intervalMs, value, unit, expression: `rate(${value} ${unit}${value === 1 ? '' : 's'})` };
}

const AT_BODY = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/** Parses the text between `at(` and `)`: `yyyy-mm-ddThh:mm:ss`, a local time in the schedule's zone. */
export function parseAtBody(body: string, input: string): AtSpec {
  const text = body.trim();
  const match = AT_BODY.exec(text);
  if (match === null) {
    fail(
      input,
      'at',
      text,
      'expected at(yyyy-mm-ddThh:mm:ss), a local time without offset, e.g. at(2026-11-23T09:00:00)',
    );
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1970 || year > 2199) fail(input, 'at', text, `the year ${year} is outside 1970-2199`);
  if (month < 1 || month > 12) fail(input, 'at', text, `the month must be 01-12, found ${match[2]}`);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) {
    fail(input, 'at', text, `the day must be 01-${daysInMonth} in ${year}-${match[2]}, found ${match[3]}`);
  }
  if (hour > 23) fail(input, 'at', text, `the hour must be 00-23, found ${match[4]}`);
  if (minute > 59) fail(input, 'at', text, `the minute must be 00-59, found ${match[5]}`);
  if (second > 59) fail(input, 'at', text, `the second must be 00-59, found ${match[6]}`);
  return { year, month, day, hour, minute, second, expression: `at(${text})` };
}

const NUMBER = /^[+-]?\d+(\.\d+)?$/;
const DURATION =
  /^P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

/** True when the input looks like an interval (a number of seconds or an ISO-8601 duration). */
export function isIntervalInput(input: string): boolean {
  return NUMBER.test(input) || /^P[\dT]/i.test(input);
}

/**
 * Converts a number of seconds or an ISO-8601 duration (`PT15M`, `PT1H30M`, `P1D`, `P1W`) to a
 * rate. EventBridge's granularity is one minute: anything under a minute or not a whole number
 * of minutes is refused.
 */
export function parseInterval(input: string): RateSpec {
  let ms: number;
  if (NUMBER.test(input)) {
    const seconds = Number(input);
    if (seconds <= 0) fail(input, 'interval', input, 'a number of seconds must be positive');
    ms = Math.round(seconds * 1000);
  } else {
    const text = input.toUpperCase();
    const match = DURATION.exec(text);
    if (match === null || text === 'P' || text.endsWith('T')) {
      const calendar = /^P(?:[^T]*?)(\d+(?:[.,]\d+)?)[YM]/.test(text);
      fail(
        input,
        'interval',
        input,
        calendar
          ? 'years and months have no fixed length; use days (P30D) or a cron expression'
          : 'expected an ISO-8601 duration of weeks, days, hours, minutes and seconds, e.g. PT15M, PT1H30M or P1D',
      );
    }
    const amount = (index: number): number => Number((match[index] ?? '0').replace(',', '.'));
    const seconds = amount(1) * 604_800 + amount(2) * 86_400 + amount(3) * 3_600 + amount(4) * 60 + amount(5);
    ms = Math.round(seconds * 1000);
  }
  if (ms < MINUTE_MS) {
    fail(
      input,
      'interval',
      input,
      'EventBridge Scheduler fires at most once a minute: an interval must be at least 1 minute',
    );
  }
  if (ms % MINUTE_MS !== 0) {
    fail(
      input,
      'interval',
      input,
      `EventBridge Scheduler's granularity is one minute: an interval must be a whole number of minutes, found ${ms / 1000} seconds`,
    );
  }
  if (!Number.isSafeInteger(ms)) fail(input, 'interval', input, 'is too large');
  return rateFromInterval(ms);
}
