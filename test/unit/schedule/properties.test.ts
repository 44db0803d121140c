/**
 * Property tests: for random valid expressions and zones the engine's fire times are ascending,
 * each one satisfies the expression when read back in the zone (soundness, checked by an
 * independent oracle), and none is missing (completeness, checked against brute force). Crontab
 * translation is cross-checked against cron-parser in UTC, where the two dialects must agree.
 */
import { CronExpressionParser } from 'cron-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextFireTimes, parseEventBridgeExpression, parseSchedule } from '../../../shared/schedule/index.ts';
import { bruteForce, matches } from './support/oracle.ts';

// A fixed seed keeps runs reproducible; set SCHEDULE_SEED to explore other cases locally.
const SEED = Number(process.env.SCHEDULE_SEED ?? 20_261_120);
// Generous runner timeout for the brute-force searches on a shared, busy machine (not a performance check).
const PROPERTY_TIMEOUT_MS = 120_000;
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'Europe/London',
  'America/New_York',
  'America/St_Johns',
  'America/Santiago',
  'America/Sao_Paulo',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Apia',
  'Asia/Kathmandu',
  'Asia/Tehran',
  'Africa/Casablanca',
];
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const int = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });

/** A list field: `*`, a value, a range, a step, a list; names where given (names[0] is `min`). */
function listField(min: number, max: number, maxStep: number, names: string[] = []): fc.Arbitrary<string> {
  const token = (value: number, named: boolean): string =>
    named && names.length > 0 ? (names[value - min] ?? String(value)) : String(value);
  return fc.oneof(
    fc.constant('*'),
    fc.tuple(int(min, max), fc.boolean()).map(([value, named]) => token(value, named)),
    fc
      .tuple(int(min, max), int(min, max), fc.boolean())
      .map(([a, b, named]) => `${token(Math.min(a, b), named)}-${token(Math.max(a, b), named)}`),
    fc.tuple(int(min, max), int(1, maxStep)).map(([start, step]) => `${start}/${step}`),
    int(1, maxStep).map((step) => `*/${step}`),
    fc
      .tuple(int(min, max), int(min, max), int(1, maxStep))
      .map(([a, b, step]) => `${Math.min(a, b)}-${Math.max(a, b)}/${step}`),
    fc.uniqueArray(int(min, max), { minLength: 2, maxLength: 4 }).map((values) => values.join(',')),
  );
}

const dayOfMonth = fc.oneof(
  listField(1, 31, 31),
  fc.constantFrom('L', 'LW'),
  int(1, 31).map((day) => `${day}W`),
);
const dayOfWeek = fc.oneof(
  listField(1, 7, 7, DAY_NAMES),
  fc.constant('L'),
  int(1, 7).map((day) => `${day}L`),
  fc.tuple(int(1, 7), int(1, 5)).map(([day, nth]) => `${day}#${nth}`),
  // Quartz's names before L and #, in either case (the engine upper-cases, the oracle reads both).
  fc
    .tuple(fc.constantFrom(...DAY_NAMES), fc.boolean())
    .map(([day, lower]) => `${lower ? day.toLowerCase() : day}L`),
  fc.tuple(fc.constantFrom(...DAY_NAMES), int(1, 5)).map(([day, nth]) => `${day}#${nth}`),
);
const days = fc.oneof(
  dayOfMonth.map((dom) => [dom, '?'] as const),
  dayOfWeek.map((dow) => ['?', dow] as const),
);

function yearField(afterYear: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('*') },
    { weight: 1, arbitrary: int(afterYear - 1, afterYear + 4).map(String) },
    {
      weight: 1,
      arbitrary: int(afterYear, afterYear + 3).map((year) => `${year}-${Math.min(2199, year + 2)}`),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(int(afterYear - 2, afterYear + 1), int(1, 3)).map(([y, s]) => `${y}/${s}`),
    },
  );
}

const cronCase = int(Date.UTC(1975, 0, 1), Date.UTC(2190, 0, 1)).chain((afterMs) =>
  fc.record({
    afterMs: fc.constant(afterMs),
    zone: fc.constantFrom(...ZONES),
    expression: fc
      .tuple(
        listField(0, 59, 59),
        listField(0, 23, 23),
        days,
        listField(1, 12, 12, MONTH_NAMES),
        yearField(new Date(afterMs).getUTCFullYear()),
      )
      .map(
        ([minute, hour, [dom, dow], month, year]) => `cron(${minute} ${hour} ${dom} ${month} ${dow} ${year})`,
      ),
  }),
);

describe('soundness: every fire time satisfies the expression', () => {
  it(
    'given random expressions, zones and start instants, then times ascend, follow `after`, and match',
    () => {
      fc.assert(
        fc.property(cronCase, ({ afterMs, zone, expression }) => {
          const schedule = parseEventBridgeExpression(expression, { timezone: zone });
          const times = nextFireTimes(schedule, { after: new Date(afterMs), count: 6 }).map((date) =>
            date.getTime(),
          );
          let previous = afterMs;
          for (const time of times) {
            expect(time, `${expression} ${zone}`).toBeGreaterThan(previous);
            expect(
              matches(schedule.expression, zone, time),
              `${expression} ${zone} ${new Date(time).toISOString()}`,
            ).toBe(true);
            previous = time;
          }
        }),
        { numRuns: 400, seed: SEED },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

// Days on which each zone changes its clocks in 2026 (midnight UTC of the change, give or take a day).
const TRANSITION_DAYS: Array<[string, string]> = [
  ['America/New_York', '2026-03-08'],
  ['America/New_York', '2026-11-01'],
  ['Europe/Berlin', '2026-03-29'],
  ['Europe/Berlin', '2026-10-25'],
  ['Australia/Sydney', '2026-04-04'],
  ['Australia/Sydney', '2026-10-03'],
  ['Australia/Lord_Howe', '2026-04-04'],
  ['Australia/Lord_Howe', '2026-10-03'],
  ['America/St_Johns', '2026-03-08'],
  ['America/St_Johns', '2026-11-01'],
  ['Pacific/Chatham', '2026-04-04'],
  ['Pacific/Chatham', '2026-09-26'],
  ['America/Santiago', '2026-04-05'],
  ['America/Santiago', '2026-09-06'],
  ['Pacific/Apia', '2011-12-29'],
];

describe('completeness: no fire time is missing', () => {
  it(
    'given dense expressions around daylight-saving changes, then the engine equals a minute-by-minute search',
    () => {
      const dense = fc.record({
        transition: fc.constantFrom(...TRANSITION_DAYS),
        startHour: int(-24, 12),
        minute: listField(0, 59, 59),
        hour: listField(0, 23, 23),
        dow: fc.oneof(fc.constant('?'), listField(1, 7, 7, DAY_NAMES)),
      });
      fc.assert(
        fc.property(dense, ({ transition: [zone, day], startHour, minute, hour, dow }) => {
          const expression = `cron(${minute} ${hour} ${dow === '?' ? '*' : '?'} * ${dow === '?' ? '?' : dow} *)`;
          const afterMs = Date.parse(`${day}T00:00:00Z`) + startHour * 3_600_000;
          const endMs = afterMs + 60 * 3_600_000;
          const schedule = parseEventBridgeExpression(expression, { timezone: zone });
          const engine = nextFireTimes(schedule, {
            after: new Date(afterMs),
            count: 10_000,
            endDate: new Date(endMs),
          }).map((date) => date.getTime());
          expect(engine, `${expression} ${zone} after ${new Date(afterMs).toISOString()}`).toEqual(
            bruteForce(expression, zone, afterMs, endMs),
          );
        }),
        { numRuns: 50, seed: SEED },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'given random day rules (L, W, #, lists, months), then the engine equals a quarter-hour search over five months',
    () => {
      const dayLevel = fc.record({
        afterMs: int(Date.UTC(1990, 0, 1), Date.UTC(2150, 0, 1)),
        zone: fc.constantFrom(...ZONES.filter((zone) => zone !== 'Pacific/Apia')),
        minute: fc.constantFrom(0, 15, 30, 45),
        hour: int(0, 23),
        days,
        month: fc.oneof(fc.constant('*'), listField(1, 12, 12, MONTH_NAMES)),
      });
      fc.assert(
        fc.property(dayLevel, ({ afterMs, zone, minute, hour, days: [dom, dow], month }) => {
          const expression = `cron(${minute} ${hour} ${dom} ${month} ${dow} *)`;
          const endMs = afterMs + 150 * 86_400_000;
          const schedule = parseEventBridgeExpression(expression, { timezone: zone });
          const engine = nextFireTimes(schedule, {
            after: new Date(afterMs),
            count: 10_000,
            endDate: new Date(endMs),
          }).map((date) => date.getTime());
          expect(engine, `${expression} ${zone} after ${new Date(afterMs).toISOString()}`).toEqual(
            bruteForce(expression, zone, afterMs, endMs, 15 * 60_000),
          );
        }),
        { numRuns: 25, seed: SEED },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('crontab translation agrees with cron-parser where both dialects mean the same (UTC)', () => {
  it(
    'given random crontabs with one day field, then the translated schedule fires when cron-parser says',
    () => {
      const crontab = fc
        .record({
          minute: listField(0, 59, 59),
          hour: listField(0, 23, 23),
          dom: listField(1, 31, 31),
          month: listField(1, 12, 12, MONTH_NAMES),
          dow: listField(0, 7, 7, DAY_NAMES),
          useDow: fc.boolean(),
          afterMs: int(Date.UTC(2000, 0, 1), Date.UTC(2100, 0, 1)),
        })
        .map(({ minute, hour, dom, month, dow, useDow, afterMs }) => ({
          text: useDow ? `${minute} ${hour} * ${month} ${dow}` : `${minute} ${hour} ${dom} ${month} *`,
          afterMs,
        }));
      fc.assert(
        fc.property(crontab, ({ text, afterMs }) => {
          let reference: ReturnType<typeof CronExpressionParser.parse>;
          try {
            reference = CronExpressionParser.parse(text, { currentDate: new Date(afterMs), tz: 'UTC' });
          } catch {
            // cron-parser refuses some valid crontabs (e.g. "0,7", Sunday twice); nothing to compare with.
            fc.pre(false);
            return;
          }
          const schedule = parseSchedule(text);
          const ours = nextFireTimes(schedule, { after: new Date(afterMs), count: 8 }).map((date) =>
            date.toISOString(),
          );
          const theirs = reference.take(8).map((date) => date.toISOString() ?? '');
          expect(ours, `${text} -> ${schedule.expression}`).toEqual(theirs);
        }),
        { numRuns: 300, seed: SEED },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('rates', () => {
  it(
    'given random intervals, start dates and end dates, then times are start + k·interval inside the bounds',
    () => {
      const rateCase = fc.record({
        minutes: int(1, 20_000),
        startMs: int(Date.UTC(2000, 0, 1), Date.UTC(2100, 0, 1)),
        afterOffsetMs: int(-10 * 86_400_000, 400 * 86_400_000),
        endOffsetMs: fc.option(int(0, 500 * 86_400_000), { nil: undefined }),
      });
      fc.assert(
        fc.property(rateCase, ({ minutes, startMs, afterOffsetMs, endOffsetMs }) => {
          const schedule = parseSchedule(String(minutes * 60));
          const interval = minutes * 60_000;
          const afterMs = startMs + afterOffsetMs;
          const endMs = endOffsetMs === undefined ? undefined : startMs + endOffsetMs;
          const times = nextFireTimes(schedule, {
            after: new Date(afterMs),
            count: 5,
            startDate: new Date(startMs),
            endDate: endMs === undefined ? undefined : new Date(endMs),
          }).map((date) => date.getTime());
          times.forEach((time, index) => {
            expect((time - startMs) % interval).toBe(0);
            expect(time).toBeGreaterThan(afterMs);
            expect(time).toBeGreaterThanOrEqual(startMs);
            if (endMs !== undefined) expect(time).toBeLessThanOrEqual(endMs);
            if (index === 0) expect(time - interval <= afterMs || time === startMs).toBe(true);
            else expect(time - (times[index - 1] ?? 0)).toBe(interval);
          });
          if (endMs === undefined) expect(times).toHaveLength(5);
        }),
        { numRuns: 300, seed: SEED },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
