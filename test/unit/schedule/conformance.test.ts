/**
 * Conformance with EventBridge Scheduler: the examples of the user guide's cron and rate tables,
 * daylight-saving transitions, leap years, year bounds, L / W / # and names (also before # and L). Expected times are
 * worked out by hand from the calendar (weekdays noted beside them), not copied from the engine.
 */
import { describe, expect, it } from 'vitest';
import { nextFireTimes, parseEventBridgeExpression, parseSchedule } from '../../../shared/schedule/index.ts';

function next(
  expression: string,
  after: string,
  count: number,
  options: { timezone?: string; startDate?: string; endDate?: string } = {},
): string[] {
  const schedule = parseEventBridgeExpression(expression, { timezone: options.timezone });
  return nextFireTimes(schedule, {
    after: new Date(after),
    count,
    startDate: options.startDate === undefined ? undefined : new Date(options.startDate),
    endDate: options.endDate === undefined ? undefined : new Date(options.endDate),
  }).map((date) => date.toISOString().replace('.000Z', 'Z'));
}

// 2026-11-20 is a Friday.
const FRIDAY_MORNING = '2026-11-20T10:30:00Z';

describe('the EventBridge Scheduler user guide examples', () => {
  it.each([
    {
      expression: 'cron(0 10 * * ? *)',
      meaning: '10:00 UTC every day',
      description: 'At 10:00, every day',
      expected: ['2026-11-21T10:00:00Z', '2026-11-22T10:00:00Z', '2026-11-23T10:00:00Z'],
    },
    {
      expression: 'cron(15 12 * * ? *)',
      meaning: '12:15 UTC every day',
      description: 'At 12:15, every day',
      expected: ['2026-11-20T12:15:00Z', '2026-11-21T12:15:00Z', '2026-11-22T12:15:00Z'],
    },
    {
      expression: 'cron(0 18 ? * MON-FRI *)',
      meaning: '6 PM Monday through Friday',
      description: 'At 18:00, Monday through Friday',
      // Fri 20th, then the weekend is skipped: Mon 23rd, Tue 24th.
      expected: ['2026-11-20T18:00:00Z', '2026-11-23T18:00:00Z', '2026-11-24T18:00:00Z'],
    },
    {
      expression: 'cron(0 8 1 * ? *)',
      meaning: '8 AM on the first day of the month',
      description: 'At 08:00, on day 1 of the month',
      expected: ['2026-12-01T08:00:00Z', '2027-01-01T08:00:00Z', '2027-02-01T08:00:00Z'],
    },
    {
      expression: 'cron(0/15 * * * ? *)',
      meaning: 'every 15 minutes',
      description: 'Every 15 minutes',
      expected: ['2026-11-20T10:45:00Z', '2026-11-20T11:00:00Z', '2026-11-20T11:15:00Z'],
    },
    {
      expression: 'cron(0/10 * ? * MON-FRI *)',
      meaning: 'every 10 minutes Monday through Friday',
      description: 'Every 10 minutes, Monday through Friday',
      expected: ['2026-11-20T10:40:00Z', '2026-11-20T10:50:00Z', '2026-11-20T11:00:00Z'],
    },
    {
      expression: 'cron(0/5 8-17 ? * MON-FRI *)',
      meaning: 'every 5 minutes between 8:00 and 17:55 Monday through Friday',
      description: 'Every 5 minutes, between 08:00 and 17:55, Monday through Friday',
      expected: ['2026-11-20T10:35:00Z', '2026-11-20T10:40:00Z', '2026-11-20T10:45:00Z'],
    },
    {
      expression: 'cron(0 9 ? * 2#1 *)',
      meaning: '9 AM on the first Monday of each month',
      description: 'At 09:00, on the first Monday of the month',
      // Dec 1 2026 is a Tuesday, Jan 1 2027 a Friday, Feb 1 2027 a Monday.
      expected: ['2026-12-07T09:00:00Z', '2027-01-04T09:00:00Z', '2027-02-01T09:00:00Z'],
    },
  ])(
    'given $expression ($meaning), when asked for the next times, then they are the documented ones',
    ({ expression, description, expected }) => {
      const schedule = parseEventBridgeExpression(expression);
      expect(schedule).toEqual({ input: expression, expression, timezone: 'UTC', description, type: 'cron' });
      expect(next(expression, FRIDAY_MORNING, 3)).toEqual(expected);
    },
  );

  it.each([
    {
      expression: 'cron(0/10 * ? * MON-FRI *)',
      after: '2026-11-20T23:45:00Z',
      expected: ['2026-11-20T23:50:00Z', '2026-11-23T00:00:00Z', '2026-11-23T00:10:00Z'],
    },
    {
      expression: 'cron(0/5 8-17 ? * MON-FRI *)',
      after: '2026-11-20T17:52:00Z',
      expected: ['2026-11-20T17:55:00Z', '2026-11-23T08:00:00Z', '2026-11-23T08:05:00Z'],
    },
    {
      expression: 'cron(0 18 ? * MON-FRI *)',
      after: '2026-11-20T18:00:00Z',
      expected: ['2026-11-23T18:00:00Z'],
    },
  ])(
    'given $expression, when the window crosses a weekend or starts on a fire time, then it continues correctly',
    ({ expression, after, expected }) => {
      expect(next(expression, after, expected.length)).toEqual(expected);
    },
  );

  it.each([
    {
      expression: 'rate(1 minute)',
      description: 'Every minute',
      expected: ['2026-11-20T10:31:00Z', '2026-11-20T10:32:00Z', '2026-11-20T10:33:00Z'],
    },
    {
      expression: 'rate(5 minutes)',
      description: 'Every 5 minutes',
      expected: ['2026-11-20T10:35:00Z', '2026-11-20T10:40:00Z', '2026-11-20T10:45:00Z'],
    },
    {
      expression: 'rate(1 hour)',
      description: 'Every hour',
      expected: ['2026-11-20T11:30:00Z', '2026-11-20T12:30:00Z', '2026-11-20T13:30:00Z'],
    },
    {
      expression: 'rate(12 hours)',
      description: 'Every 12 hours',
      expected: ['2026-11-20T22:30:00Z', '2026-11-21T10:30:00Z', '2026-11-21T22:30:00Z'],
    },
    {
      expression: 'rate(1 day)',
      description: 'Every day',
      expected: ['2026-11-21T10:30:00Z', '2026-11-22T10:30:00Z', '2026-11-23T10:30:00Z'],
    },
    {
      expression: 'rate(7 days)',
      description: 'Every 7 days',
      expected: ['2026-11-27T10:30:00Z', '2026-12-04T10:30:00Z', '2026-12-11T10:30:00Z'],
    },
  ])(
    'given $expression created at 10:30 without a start date, then it fires one interval after creation and every interval after',
    ({ expression, description, expected }) => {
      expect(parseEventBridgeExpression(expression)).toMatchObject({ expression, description, type: 'rate' });
      expect(next(expression, FRIDAY_MORNING, 3)).toEqual(expected);
    },
  );

  it('given a rate with a start date, then it fires at the start date and every interval after it', () => {
    expect(next('rate(1 hour)', FRIDAY_MORNING, 3, { startDate: '2026-11-20T09:10:00Z' })).toEqual([
      '2026-11-20T11:10:00Z',
      '2026-11-20T12:10:00Z',
      '2026-11-20T13:10:00Z',
    ]);
    expect(next('rate(1 hour)', '2026-11-20T08:00:00Z', 2, { startDate: '2026-11-20T09:10:00Z' })).toEqual([
      '2026-11-20T09:10:00Z',
      '2026-11-20T10:10:00Z',
    ]);
  });

  it('given a rate in a zone with daylight saving, then it keeps fixed durations across the change', () => {
    // New York springs forward at 07:00Z on 2026-03-08.
    expect(
      next('rate(1 hour)', '2026-03-08T05:00:00Z', 3, {
        timezone: 'America/New_York',
        startDate: '2026-03-08T05:00:00Z',
      }),
    ).toEqual(['2026-03-08T06:00:00Z', '2026-03-08T07:00:00Z', '2026-03-08T08:00:00Z']);
  });
});

describe('daylight saving time (a nonexistent local time is skipped, a repeated one fires once)', () => {
  it.each([
    {
      zone: 'America/New_York',
      change: 'spring forward 2026-03-08 02:00 EST -> 03:00 EDT',
      expression: 'cron(30 2 * * ? *)',
      after: '2026-03-07T12:00:00Z',
      // Mar 8 02:30 does not exist; Mar 9 02:30 EDT = 06:30Z.
      expected: ['2026-03-09T06:30:00Z', '2026-03-10T06:30:00Z'],
    },
    {
      zone: 'America/New_York',
      change: 'fall back 2026-11-01 02:00 EDT -> 01:00 EST',
      expression: 'cron(30 1 * * ? *)',
      after: '2026-10-31T12:00:00Z',
      // Nov 1 01:30 first happens in EDT (05:30Z), not again in EST (06:30Z); Nov 2 01:30 EST = 06:30Z.
      expected: ['2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z'],
    },
    {
      zone: 'America/New_York',
      change: 'spring forward, every 30 minutes',
      expression: 'cron(0/30 * * * ? *)',
      after: '2026-03-08T06:00:00Z',
      // 01:30 EST (06:30Z), then 02:00 and 02:30 do not exist, then 03:00 EDT (07:00Z).
      expected: ['2026-03-08T06:30:00Z', '2026-03-08T07:00:00Z', '2026-03-08T07:30:00Z'],
    },
    {
      zone: 'America/New_York',
      change: 'fall back, every 30 minutes',
      expression: 'cron(0/30 * * * ? *)',
      after: '2026-11-01T04:50:00Z',
      // 01:00 and 01:30 EDT fire; their repeats in EST (06:00Z, 06:30Z) do not; then 02:00 EST = 07:00Z.
      expected: [
        '2026-11-01T05:00:00Z',
        '2026-11-01T05:30:00Z',
        '2026-11-01T07:00:00Z',
        '2026-11-01T07:30:00Z',
      ],
    },
    {
      zone: 'Europe/Berlin',
      change: 'spring forward 2026-03-29 02:00 CET -> 03:00 CEST',
      expression: 'cron(30 2 * * ? *)',
      after: '2026-03-28T12:00:00Z',
      expected: ['2026-03-30T00:30:00Z', '2026-03-31T00:30:00Z'],
    },
    {
      zone: 'Europe/Berlin',
      change: 'fall back 2026-10-25 03:00 CEST -> 02:00 CET',
      expression: 'cron(30 2 * * ? *)',
      after: '2026-10-24T12:00:00Z',
      // Oct 25 02:30 first in CEST (00:30Z); Oct 26 02:30 CET = 01:30Z.
      expected: ['2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z'],
    },
    {
      zone: 'Europe/Berlin',
      change: 'spring forward, hourly',
      expression: 'cron(0 * * * ? *)',
      after: '2026-03-28T23:30:00Z',
      // 01:00 CET (00:00Z), 02:00 does not exist, 03:00 CEST (01:00Z), 04:00 CEST (02:00Z).
      expected: ['2026-03-29T00:00:00Z', '2026-03-29T01:00:00Z', '2026-03-29T02:00:00Z'],
    },
    {
      zone: 'Europe/Berlin',
      change: 'fall back, hourly',
      expression: 'cron(0 * * * ? *)',
      after: '2026-10-24T23:30:00Z',
      // 02:00 CEST (00:00Z); 02:00 CET (01:00Z) is a repeat; 03:00 CET (02:00Z); 04:00 CET (03:00Z).
      expected: ['2026-10-25T00:00:00Z', '2026-10-25T02:00:00Z', '2026-10-25T03:00:00Z'],
    },
    {
      zone: 'Australia/Sydney',
      change: 'fall back 2026-04-05 03:00 AEDT -> 02:00 AEST (southern hemisphere, April)',
      expression: 'cron(30 2 * * ? *)',
      after: '2026-04-03T12:00:00Z',
      // Apr 4 02:30 AEDT (+11) = Apr 3 15:30Z; Apr 5 02:30 first in AEDT = Apr 4 15:30Z; Apr 6 02:30 AEST (+10) = Apr 5 16:30Z.
      expected: ['2026-04-03T15:30:00Z', '2026-04-04T15:30:00Z', '2026-04-05T16:30:00Z'],
    },
    {
      zone: 'Australia/Sydney',
      change: 'spring forward 2026-10-04 02:00 AEST -> 03:00 AEDT (southern hemisphere, October)',
      expression: 'cron(30 2 * * ? *)',
      after: '2026-10-02T12:00:00Z',
      // Oct 3 02:30 AEST = Oct 2 16:30Z; Oct 4 02:30 does not exist; Oct 5 02:30 AEDT = Oct 4 15:30Z.
      expected: ['2026-10-02T16:30:00Z', '2026-10-04T15:30:00Z'],
    },
    {
      zone: 'Australia/Lord_Howe',
      change: 'a 30-minute change: spring forward 2026-10-04 02:00 -> 02:30 (+10:30 -> +11)',
      expression: 'cron(0/15 2 * * ? *)',
      after: '2026-10-03T14:00:00Z',
      // 02:00 and 02:15 do not exist that day; 02:30 +11 = 15:30Z; 02:45 = 15:45Z; next day 02:00 +11 = 15:00Z.
      expected: ['2026-10-03T15:30:00Z', '2026-10-03T15:45:00Z', '2026-10-04T15:00:00Z'],
    },
  ])(
    'given $expression in $zone, across the $change, then the local-time rule holds',
    ({ zone, expression, after, expected }) => {
      expect(
        next(expression, after, expected.length + 1, { timezone: zone, endDate: expected.at(-1) }),
      ).toEqual(expected);
    },
  );

  it.each([
    { zone: 'America/New_York', at: 'at(2026-03-08T02:30:00)', expected: [] },
    { zone: 'America/New_York', at: 'at(2026-11-01T01:30:00)', expected: ['2026-11-01T05:30:00Z'] },
    { zone: 'Australia/Sydney', at: 'at(2026-04-05T02:30:00)', expected: ['2026-04-04T15:30:00Z'] },
    { zone: 'Europe/Berlin', at: 'at(2026-11-23T09:00:00)', expected: ['2026-11-23T08:00:00Z'] },
  ])('given $at in $zone, then it fires once by the same rule', ({ zone, at, expected }) => {
    expect(next(at, '2026-01-01T00:00:00Z', 3, { timezone: zone })).toEqual(expected);
  });
});

describe('leap years', () => {
  it.each([
    {
      expression: 'cron(0 12 L 2 ? *)',
      after: '2027-01-01T00:00:00Z',
      expected: ['2027-02-28T12:00:00Z', '2028-02-29T12:00:00Z', '2029-02-28T12:00:00Z'],
    },
    {
      expression: 'cron(0 12 29 2 ? *)',
      after: '2026-01-01T00:00:00Z',
      expected: ['2028-02-29T12:00:00Z', '2032-02-29T12:00:00Z', '2036-02-29T12:00:00Z'],
    },
    {
      // 2100 is not a leap year (divisible by 100, not by 400); 2000 was.
      expression: 'cron(0 12 29 2 ? 2096-2104)',
      after: '2090-01-01T00:00:00Z',
      expected: ['2096-02-29T12:00:00Z', '2104-02-29T12:00:00Z'],
    },
    {
      expression: 'cron(0 0 29 FEB ? 1999-2001)',
      after: '1990-01-01T00:00:00Z',
      expected: ['2000-02-29T00:00:00Z'],
    },
    {
      // Last weekday of February: 2026-02-28 is a Saturday, 2027-02-28 a Sunday, 2028-02-29 a Tuesday.
      expression: 'cron(0 12 LW 2 ? *)',
      after: '2026-01-01T00:00:00Z',
      expected: ['2026-02-27T12:00:00Z', '2027-02-26T12:00:00Z', '2028-02-29T12:00:00Z'],
    },
    {
      // 29W fires only where Feb 29 exists. 2028-02-29 is a Tuesday; 2032-02-29 is a Sunday and the last
      // day, so the nearest weekday in the month is Friday the 27th; 2036-02-29 is a Friday.
      expression: 'cron(0 12 29W 2 ? *)',
      after: '2026-01-01T00:00:00Z',
      expected: ['2028-02-29T12:00:00Z', '2032-02-27T12:00:00Z', '2036-02-29T12:00:00Z'],
    },
  ])('given $expression, then February follows the leap-year rule', ({ expression, after, expected }) => {
    expect(next(expression, after, expected.length + 1, { endDate: expected.at(-1) })).toEqual(expected);
  });
});

describe('W, L and # near month edges', () => {
  it.each([
    // 2026-08-01 is a Saturday: 1W does not go back into July, it moves to Monday the 3rd.
    {
      expression: 'cron(0 12 1W 8 ? 2026)',
      after: '2026-01-01T00:00:00Z',
      expected: ['2026-08-03T12:00:00Z'],
    },
    // 2026-08-15 is a Saturday: the nearest weekday is Friday the 14th.
    {
      expression: 'cron(0 12 15W 8 ? 2026)',
      after: '2026-01-01T00:00:00Z',
      expected: ['2026-08-14T12:00:00Z'],
    },
    // 2026-03-15 is a Sunday: Monday the 16th.
    {
      expression: 'cron(0 12 15W 3 ? 2026)',
      after: '2026-01-01T00:00:00Z',
      expected: ['2026-03-16T12:00:00Z'],
    },
    // 2026-05-31 is a Sunday and the last day: Friday the 29th, not Monday June 1st.
    {
      expression: 'cron(0 12 31W 5 ? 2026)',
      after: '2026-01-01T00:00:00Z',
      expected: ['2026-05-29T12:00:00Z'],
    },
    // 31W never fires in 30-day months.
    { expression: 'cron(0 12 31W 4,6 ? 2026)', after: '2026-01-01T00:00:00Z', expected: [] },
    // Third Friday: Nov 2026 Fridays 6, 13, 20; Dec 2026 Fridays 4, 11, 18.
    {
      expression: 'cron(0 9 ? * 6#3 2026)',
      after: '2026-11-01T00:00:00Z',
      expected: ['2026-11-20T09:00:00Z', '2026-12-18T09:00:00Z'],
    },
    // Last Friday: Nov 27, Dec 25.
    {
      expression: 'cron(0 9 ? * 6L 2026)',
      after: '2026-11-01T00:00:00Z',
      expected: ['2026-11-27T09:00:00Z', '2026-12-25T09:00:00Z'],
    },
  ])('given $expression (limited to one year), then exactly $expected', ({ expression, after, expected }) => {
    expect(next(expression, after, 5)).toEqual(expected);
  });

  it.each([
    // Fifth Monday only in months that have one: Nov 30 2026, then none until Mar 29 2027.
    { expression: 'cron(0 9 ? * 2#5 *)', expected: ['2026-11-30T09:00:00Z', '2027-03-29T09:00:00Z'] },
    // L alone in day-of-week is the last day of the week, Saturday: Nov 7, 14, 21 2026.
    {
      expression: 'cron(0 9 ? * L *)',
      expected: ['2026-11-07T09:00:00Z', '2026-11-14T09:00:00Z', '2026-11-21T09:00:00Z'],
    },
    // Last day of the month: Nov 30, Dec 31, Jan 31.
    {
      expression: 'cron(0 9 L * ? *)',
      expected: ['2026-11-30T09:00:00Z', '2026-12-31T09:00:00Z', '2027-01-31T09:00:00Z'],
    },
    // Last weekday: Nov 30 2026 (Mon), Dec 31 2026 (Thu), Jan 29 2027 (Fri; the 31st is a Sunday).
    {
      expression: 'cron(0 9 LW * ? *)',
      expected: ['2026-11-30T09:00:00Z', '2026-12-31T09:00:00Z', '2027-01-29T09:00:00Z'],
    },
  ])('given $expression after 2026-11-01, then the first times are $expected', ({ expression, expected }) => {
    expect(next(expression, '2026-11-01T00:00:00Z', expected.length)).toEqual(expected);
  });
});

describe('a weekday name before # and L (Quartz dialect: FRI#2, FRIL)', () => {
  it.each([
    {
      expression: 'cron(0 9 ? * FRI#2 *)',
      zone: 'UTC',
      after: '2026-11-01T00:00:00Z',
      // Second Friday: Nov 2026 Fridays 6, 13; Dec 2026 Fridays 4, 11; Jan 2027 Fridays 1, 8.
      expected: ['2026-11-13T09:00:00Z', '2026-12-11T09:00:00Z', '2027-01-08T09:00:00Z'],
    },
    {
      expression: 'cron(0 9 ? * FRI#2 *)',
      zone: 'Asia/Kolkata',
      after: '2026-11-01T00:00:00Z',
      // The same days at 09:00 IST (+05:30) = 03:30Z.
      expected: ['2026-11-13T03:30:00Z', '2026-12-11T03:30:00Z', '2027-01-08T03:30:00Z'],
    },
    {
      expression: 'cron(0 9 ? * FRIL *)',
      zone: 'Australia/Sydney',
      after: '2026-11-01T00:00:00Z',
      // Last Friday: Nov 27, Dec 25 2026, Jan 29 2027; 09:00 AEDT (+11) is 22:00Z the day before.
      expected: ['2026-11-26T22:00:00Z', '2026-12-24T22:00:00Z', '2027-01-28T22:00:00Z'],
    },
    {
      expression: 'cron(30 2 ? * SUN#2 *)',
      zone: 'America/New_York',
      after: '2026-03-01T00:00:00Z',
      // The second Sunday of March 2026 is the 8th, the spring-forward day: 02:30 does not exist and is
      // skipped. Then Apr 12 and May 10, 02:30 EDT (-4) = 06:30Z.
      expected: ['2026-04-12T06:30:00Z', '2026-05-10T06:30:00Z'],
    },
    {
      expression: 'cron(30 2 ? * SUNL *)',
      zone: 'Europe/Berlin',
      after: '2026-03-01T00:00:00Z',
      // The last Sunday of March 2026 is the 29th, the spring-forward day: skipped. Then Apr 26 and
      // May 31, 02:30 CEST (+2) = 00:30Z.
      expected: ['2026-04-26T00:30:00Z', '2026-05-31T00:30:00Z'],
    },
    {
      expression: 'cron(30 2 ? * SUNL *)',
      zone: 'Europe/Berlin',
      after: '2026-10-01T00:00:00Z',
      // The last Sunday of October 2026 is the 25th, the fall-back day: 02:30 happens twice and fires
      // once, in CEST (00:30Z). Then Nov 29 and Dec 27, 02:30 CET (+1) = 01:30Z.
      expected: ['2026-10-25T00:30:00Z', '2026-11-29T01:30:00Z', '2026-12-27T01:30:00Z'],
    },
    {
      expression: 'cron(0 12 ? * SAT#5 2026)',
      zone: 'UTC',
      after: '2026-01-01T00:00:00Z',
      // Months of 2026 with five Saturdays: Jan (3-31), May (2-30), Aug (1-29), Oct (3-31).
      expected: [
        '2026-01-31T12:00:00Z',
        '2026-05-30T12:00:00Z',
        '2026-08-29T12:00:00Z',
        '2026-10-31T12:00:00Z',
      ],
    },
  ])(
    'given $expression in $zone after $after, then it fires on the named weekday: $expected',
    ({ expression, zone, after, expected }) => {
      expect(
        next(expression, after, expected.length + 1, { timezone: zone, endDate: expected.at(-1) }),
      ).toEqual(expected);
    },
  );

  it.each([
    ['FRI#2', '6#2'],
    ['fri#2', '6#2'],
    ['SUN#1', '1#1'],
    ['SAT#5', '7#5'],
    ['FRIL', '6L'],
    ['sunl', '1L'],
    ['SATL', '7L'],
  ])('given %s, then it fires exactly when %s does, in New York over two years', (named, numbered) => {
    const at = (dow: string) =>
      next(`cron(15 1 ? * ${dow} *)`, '2026-01-01T00:00:00Z', 24, { timezone: 'America/New_York' });
    expect(at(named)).toEqual(at(numbered));
    expect(at(named)).toHaveLength(24);
  });
});

describe('the year field', () => {
  it('given the last year EventBridge allows, then the schedule ends with it', () => {
    expect(next('cron(0 0 1 1 ? 2199)', '2198-06-01T00:00:00Z', 3)).toEqual(['2199-01-01T00:00:00Z']);
    expect(next('cron(0 0 1 1 ? 2199)', '2199-01-01T00:00:00Z', 3)).toEqual([]);
    expect(next('cron(0 0 31 12 ? *)', '2199-06-01T00:00:00Z', 3)).toEqual(['2199-12-31T00:00:00Z']);
  });

  it('given the first year EventBridge allows, then it fires from its start', () => {
    expect(next('cron(0 0 1 1 ? 1970)', '1969-06-01T00:00:00Z', 3)).toEqual(['1970-01-01T00:00:00Z']);
  });

  it('given years as a list, range and step, then only those years fire', () => {
    expect(next('cron(0 0 1 1 ? 2030,2032-2033)', '2026-01-01T00:00:00Z', 5)).toEqual([
      '2030-01-01T00:00:00Z',
      '2032-01-01T00:00:00Z',
      '2033-01-01T00:00:00Z',
    ]);
    expect(next('cron(0 0 1 1 ? 2026/5)', '2026-06-01T00:00:00Z', 2)).toEqual([
      '2031-01-01T00:00:00Z',
      '2036-01-01T00:00:00Z',
    ]);
  });
});

describe('month and day names', () => {
  it.each([
    {
      expression: 'cron(0 9 ? JAN,JUL MON *)',
      // Mondays of January 2027: 4, 11, 18, 25; then July 2027: Jul 5.
      after: '2026-11-20T00:00:00Z',
      expected: [
        '2027-01-04T09:00:00Z',
        '2027-01-11T09:00:00Z',
        '2027-01-18T09:00:00Z',
        '2027-01-25T09:00:00Z',
        '2027-07-05T09:00:00Z',
      ],
    },
    {
      expression: 'cron(0 9 ? * SUN,SAT *)',
      after: FRIDAY_MORNING,
      expected: ['2026-11-21T09:00:00Z', '2026-11-22T09:00:00Z', '2026-11-28T09:00:00Z'],
    },
    {
      expression: 'cron(0 9 1 mar-may ? 2027)',
      after: FRIDAY_MORNING,
      expected: ['2027-03-01T09:00:00Z', '2027-04-01T09:00:00Z', '2027-05-01T09:00:00Z'],
    },
    {
      // 1 = SUN and 7 = SAT in EventBridge numbering.
      expression: 'cron(0 9 ? * 1,7 *)',
      after: FRIDAY_MORNING,
      expected: ['2026-11-21T09:00:00Z', '2026-11-22T09:00:00Z', '2026-11-28T09:00:00Z'],
    },
  ])('given $expression, then names and numbers mean the same days', ({ expression, after, expected }) => {
    expect(next(expression, after, expected.length)).toEqual(expected);
  });
});

describe('crontab to EventBridge translation', () => {
  it.each([
    { crontab: '0 9 * * 0', expression: 'cron(0 9 ? * 1 *)', firstAfterFriday: '2026-11-22T09:00:00Z' },
    { crontab: '0 9 * * 7', expression: 'cron(0 9 ? * 1 *)', firstAfterFriday: '2026-11-22T09:00:00Z' },
    { crontab: '0 9 * * 1-5', expression: 'cron(0 9 ? * 2-6 *)', firstAfterFriday: '2026-11-23T09:00:00Z' },
    {
      crontab: '0 9 * * MON-FRI',
      expression: 'cron(0 9 ? * MON-FRI *)',
      firstAfterFriday: '2026-11-23T09:00:00Z',
    },
    {
      crontab: '0 9 * * sat,sun',
      expression: 'cron(0 9 ? * SAT,SUN *)',
      firstAfterFriday: '2026-11-21T09:00:00Z',
    },
    { crontab: '0 9 * * 6', expression: 'cron(0 9 ? * 7 *)', firstAfterFriday: '2026-11-21T09:00:00Z' },
    { crontab: '0 9 * * 5-7', expression: 'cron(0 9 ? * 1,6,7 *)', firstAfterFriday: '2026-11-21T09:00:00Z' },
    { crontab: '0 9 * * 0,6', expression: 'cron(0 9 ? * 1,7 *)', firstAfterFriday: '2026-11-21T09:00:00Z' },
    {
      crontab: '0 9 * * */2',
      expression: 'cron(0 9 ? * 1,3,5,7 *)',
      firstAfterFriday: '2026-11-21T09:00:00Z',
    },
    { crontab: '0 9 * * MON-SUN', expression: 'cron(0 9 ? * * *)', firstAfterFriday: '2026-11-21T09:00:00Z' },
    { crontab: '0 9 * * 5#3', expression: 'cron(0 9 ? * 6#3 *)', firstAfterFriday: '2026-12-18T09:00:00Z' },
    { crontab: '0 9 * * 5L', expression: 'cron(0 9 ? * 6L *)', firstAfterFriday: '2026-11-27T09:00:00Z' },
    {
      crontab: '0 9 * * FRI#3',
      expression: 'cron(0 9 ? * FRI#3 *)',
      firstAfterFriday: '2026-12-18T09:00:00Z',
    },
    { crontab: '0 9 * * fril', expression: 'cron(0 9 ? * FRIL *)', firstAfterFriday: '2026-11-27T09:00:00Z' },
    { crontab: '0 9 L * *', expression: 'cron(0 9 L * ? *)', firstAfterFriday: '2026-11-30T09:00:00Z' },
    { crontab: '*/15 * * * *', expression: 'cron(*/15 * * * ? *)', firstAfterFriday: '2026-11-20T10:45:00Z' },
    { crontab: '0 0 1 * *', expression: 'cron(0 0 1 * ? *)', firstAfterFriday: '2026-12-01T00:00:00Z' },
    {
      crontab: '30 4 1,15 * *',
      expression: 'cron(30 4 1,15 * ? *)',
      firstAfterFriday: '2026-12-01T04:30:00Z',
    },
    {
      crontab: '0 9 * jan-mar 1',
      expression: 'cron(0 9 ? JAN-MAR 2 *)',
      firstAfterFriday: '2027-01-04T09:00:00Z',
    },
    { crontab: '0 9 ? * 1', expression: 'cron(0 9 ? * 2 *)', firstAfterFriday: '2026-11-23T09:00:00Z' },
    { crontab: '5 4 * * *', expression: 'cron(5 4 * * ? *)', firstAfterFriday: '2026-11-21T04:05:00Z' },
  ])(
    'given the crontab "$crontab", then it becomes $expression and fires first at $firstAfterFriday',
    ({ crontab, expression, firstAfterFriday }) => {
      const schedule = parseSchedule(crontab);
      expect(schedule).toMatchObject({ input: crontab, expression, type: 'cron', timezone: 'UTC' });
      expect(nextFireTimes(schedule, { after: new Date(FRIDAY_MORNING), count: 1 })).toEqual([
        new Date(firstAfterFriday),
      ]);
    },
  );
});
