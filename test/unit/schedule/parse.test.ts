/**
 * Parsing: every input form, normalization, descriptions, time zones, and the errors for malformed
 * input (class, field, value and a message naming the rule).
 */
import { describe, expect, it } from 'vitest';
import {
  assertTimeZone,
  describeWithFirstFire,
  nextFireTime,
  nextFireTimes,
  parseEventBridgeExpression,
  parseSchedule,
  type Schedule,
  ScheduleExpressionError,
  skippedAtTime,
  TimeZoneError,
} from '../../../shared/schedule/index.ts';

describe('parseSchedule input forms', () => {
  it.each([
    // Shortcuts: fixed intervals counted from the job's creation, and the description says so.
    {
      input: 'hourly',
      expression: 'rate(1 hour)',
      type: 'rate',
      description: 'Every hour, counted from creation',
    },
    {
      input: 'daily',
      expression: 'rate(1 day)',
      type: 'rate',
      description: 'Every day, counted from creation',
    },
    {
      input: 'weekly',
      expression: 'rate(7 days)',
      type: 'rate',
      description: 'Every 7 days, counted from creation',
    },
    {
      input: 'Daily',
      expression: 'rate(1 day)',
      type: 'rate',
      description: 'Every day, counted from creation',
    },
    // Macros: calendar-aligned cron.
    { input: '@hourly', expression: 'cron(0 * * * ? *)', type: 'cron', description: 'Every hour' },
    { input: '@daily', expression: 'cron(0 0 * * ? *)', type: 'cron', description: 'At 00:00, every day' },
    { input: '@midnight', expression: 'cron(0 0 * * ? *)', type: 'cron', description: 'At 00:00, every day' },
    { input: '@weekly', expression: 'cron(0 0 ? * SUN *)', type: 'cron', description: 'At 00:00, on Sunday' },
    {
      input: '@monthly',
      expression: 'cron(0 0 1 * ? *)',
      type: 'cron',
      description: 'At 00:00, on day 1 of the month',
    },
    {
      input: '@yearly',
      expression: 'cron(0 0 1 1 ? *)',
      type: 'cron',
      description: 'At 00:00, on day 1 of the month, in January',
    },
    {
      input: '@annually',
      expression: 'cron(0 0 1 1 ? *)',
      type: 'cron',
      description: 'At 00:00, on day 1 of the month, in January',
    },
    // Crontab.
    {
      input: '0 9 * * MON-FRI',
      expression: 'cron(0 9 ? * MON-FRI *)',
      type: 'cron',
      description: 'At 09:00, Monday through Friday',
    },
    {
      input: '*/15 * * * *',
      expression: 'cron(*/15 * * * ? *)',
      type: 'cron',
      description: 'Every 15 minutes',
    },
    {
      input: '  0   9 * *  1-5 ',
      expression: 'cron(0 9 ? * 2-6 *)',
      type: 'cron',
      description: 'At 09:00, Monday through Friday',
    },
    {
      input: '0 9,17 * * *',
      expression: 'cron(0 9,17 * * ? *)',
      type: 'cron',
      description: 'At 09:00 and 17:00, every day',
    },
    { input: '0 */2 * * *', expression: 'cron(0 */2 * * ? *)', type: 'cron', description: 'Every 2 hours' },
    {
      input: '15 * * * *',
      expression: 'cron(15 * * * ? *)',
      type: 'cron',
      description: 'At 15 minutes past every hour',
    },
    { input: '* * * * *', expression: 'cron(* * * * ? *)', type: 'cron', description: 'Every minute' },
    // EventBridge native, normalized (names upper-cased, single spaces).
    {
      input: 'cron(0  18 ? * mon-fri *)',
      expression: 'cron(0 18 ? * MON-FRI *)',
      type: 'cron',
      description: 'At 18:00, Monday through Friday',
    },
    {
      input: 'rate(05 minutes)',
      expression: 'rate(5 minutes)',
      type: 'rate',
      description: 'Every 5 minutes',
    },
    { input: 'rate(1 minute)', expression: 'rate(1 minute)', type: 'rate', description: 'Every minute' },
    {
      input: 'rate(120 minutes)',
      expression: 'rate(120 minutes)',
      type: 'rate',
      description: 'Every 120 minutes',
    },
    {
      input: 'at(2026-11-23T09:00:00)',
      expression: 'at(2026-11-23T09:00:00)',
      type: 'at',
      description: 'Once, at 2026-11-23 09:00:00',
    },
    {
      input: 'cron(0 9 1-7 * ? 2026-2028)',
      expression: 'cron(0 9 1-7 * ? 2026-2028)',
      type: 'cron',
      description: 'At 09:00, on days 1-7 of the month, in 2026 through 2028',
    },
    {
      input: 'cron(0 12 15W * ? *)',
      expression: 'cron(0 12 15W * ? *)',
      type: 'cron',
      description: 'At 12:00, on the weekday nearest day 15 of the month',
    },
    {
      input: 'cron(0 12 ? * 6L *)',
      expression: 'cron(0 12 ? * 6L *)',
      type: 'cron',
      description: 'At 12:00, on the last Friday of the month',
    },
    // Quartz (and so EventBridge) takes a weekday name before # and L, in any case; kept as a name.
    {
      input: 'cron(0 9 ? * fri#2 *)',
      expression: 'cron(0 9 ? * FRI#2 *)',
      type: 'cron',
      description: 'At 09:00, on the second Friday of the month',
    },
    {
      input: 'cron(0 12 ? * FRIL *)',
      expression: 'cron(0 12 ? * FRIL *)',
      type: 'cron',
      description: 'At 12:00, on the last Friday of the month',
    },
    {
      input: 'cron(0 18 ? * Sat#5 *)',
      expression: 'cron(0 18 ? * SAT#5 *)',
      type: 'cron',
      description: 'At 18:00, on the fifth Saturday of the month',
    },
    {
      input: 'cron(30 7 ? * sunl *)',
      expression: 'cron(30 7 ? * SUNL *)',
      type: 'cron',
      description: 'At 07:30, on the last Sunday of the month',
    },
    {
      input: '0 9 * * fri#2',
      expression: 'cron(0 9 ? * FRI#2 *)',
      type: 'cron',
      description: 'At 09:00, on the second Friday of the month',
    },
    {
      input: '0 9 * * MONL',
      expression: 'cron(0 9 ? * MONL *)',
      type: 'cron',
      description: 'At 09:00, on the last Monday of the month',
    },
    {
      input: 'cron(0 0 L 1-3 ? *)',
      expression: 'cron(0 0 L 1-3 ? *)',
      type: 'cron',
      description: 'At 00:00, on the last day of the month, January through March',
    },
    // Intervals: ISO-8601 durations and seconds, as the largest exact unit.
    { input: 'PT15M', expression: 'rate(15 minutes)', type: 'rate', description: 'Every 15 minutes' },
    { input: 'PT1H30M', expression: 'rate(90 minutes)', type: 'rate', description: 'Every 90 minutes' },
    { input: 'PT1H', expression: 'rate(1 hour)', type: 'rate', description: 'Every hour' },
    { input: 'PT24H', expression: 'rate(1 day)', type: 'rate', description: 'Every day' },
    { input: 'P1D', expression: 'rate(1 day)', type: 'rate', description: 'Every day' },
    { input: 'P1DT12H', expression: 'rate(36 hours)', type: 'rate', description: 'Every 36 hours' },
    { input: 'P1W', expression: 'rate(7 days)', type: 'rate', description: 'Every 7 days' },
    { input: 'PT0.5H', expression: 'rate(30 minutes)', type: 'rate', description: 'Every 30 minutes' },
    { input: 'PT120S', expression: 'rate(2 minutes)', type: 'rate', description: 'Every 2 minutes' },
    { input: 'pt15m', expression: 'rate(15 minutes)', type: 'rate', description: 'Every 15 minutes' },
    { input: '60', expression: 'rate(1 minute)', type: 'rate', description: 'Every minute' },
    { input: '900', expression: 'rate(15 minutes)', type: 'rate', description: 'Every 15 minutes' },
    { input: '3600', expression: 'rate(1 hour)', type: 'rate', description: 'Every hour' },
    { input: '5400', expression: 'rate(90 minutes)', type: 'rate', description: 'Every 90 minutes' },
    { input: '86400', expression: 'rate(1 day)', type: 'rate', description: 'Every day' },
    { input: '172800', expression: 'rate(2 days)', type: 'rate', description: 'Every 2 days' },
  ])(
    'given "$input", then it becomes $expression ($description)',
    ({ input, expression, type, description }) => {
      const schedule = parseSchedule(input);
      expect(schedule).toEqual({ input: input.trim(), expression, timezone: 'UTC', description, type });
      expect(Object.isFrozen(schedule)).toBe(true);
    },
  );

  it('given a zone, then cron and at() descriptions name it and rates do not', () => {
    expect(parseSchedule('0 9 * * MON-FRI', { timezone: 'Europe/Berlin' })).toEqual({
      input: '0 9 * * MON-FRI',
      expression: 'cron(0 9 ? * MON-FRI *)',
      timezone: 'Europe/Berlin',
      description: 'At 09:00, Monday through Friday, Europe/Berlin',
      type: 'cron',
    });
    expect(parseSchedule('at(2026-11-23T09:00:00)', { timezone: 'America/New_York' }).description).toBe(
      'Once, at 2026-11-23 09:00:00, America/New_York',
    );
    expect(parseSchedule('PT15M', { timezone: 'Europe/Berlin' }).description).toBe('Every 15 minutes');
  });

  it.each([
    {
      input: 'daily',
      first: '2026-01-02T07:25:00Z',
      description: 'Every day, counted from creation: first 2026-01-02 07:25 UTC',
    },
    {
      input: ' HOURLY ',
      first: '2026-01-01T10:01:00Z',
      description: 'Every hour, counted from creation: first 2026-01-01 10:01 UTC',
    },
    {
      input: 'weekly',
      first: '2026-01-08T09:00:30Z',
      description: 'Every 7 days, counted from creation: first 2026-01-08 09:00:30 UTC',
    },
    // Other schedules keep their description: a rate written as such, and the calendar macros.
    { input: 'rate(1 day)', first: '2026-01-02T07:25:00Z', description: 'Every day' },
    { input: 'P1D', first: '2026-01-02T07:25:00Z', description: 'Every day' },
    { input: '@daily', first: '2026-01-02T00:00:00Z', description: 'At 00:00, every day, Europe/Berlin' },
  ])(
    'given "$input" whose first fire is $first, when described with it, then "$description"',
    ({ input, first, description }) => {
      const schedule = parseSchedule(input, { timezone: 'Europe/Berlin' });
      expect(describeWithFirstFire(schedule, new Date(first))).toBe(description);
      // A stored copy that already names a first fire is described afresh, not appended to.
      const stored = { ...schedule, description: describeWithFirstFire(schedule, new Date(first)) };
      expect(describeWithFirstFire(stored, new Date(first))).toBe(description);
    },
  );

  it('given the EventBridge-only parser, then native expressions pass and other forms are refused', () => {
    expect(parseEventBridgeExpression(' cron(0 9 ? * MON-FRI *) ').expression).toBe(
      'cron(0 9 ? * MON-FRI *)',
    );
    for (const input of ['0 9 * * MON-FRI', 'hourly', '@daily', 'PT15M', '900']) {
      expect(() => parseEventBridgeExpression(input), input).toThrow(ScheduleExpressionError);
    }
  });

  it('given an at() in the past, then parsing accepts it and it has no next time', () => {
    const schedule = parseSchedule('at(2020-01-01T00:00:00)');
    expect(nextFireTime(schedule, new Date('2026-01-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('time zones', () => {
  it.each([
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['Europe/Berlin', 'Europe/Berlin'],
    ['europe/berlin', 'Europe/Berlin'],
    ['America/New_York', 'America/New_York'],
    ['Australia/Sydney', 'Australia/Sydney'],
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['Etc/UTC', 'Etc/UTC'],
  ])('given "%s", then it is accepted as "%s"', (input, canonical) => {
    expect(assertTimeZone(input)).toBe(canonical);
    expect(parseSchedule('@daily', { timezone: input }).timezone).toBe(canonical);
  });

  it.each(['Mars/Olympus_Mons', 'Europe/Berlinn', '+01:00', 'UTC+1', '', 'Berlin'])(
    'given the unknown zone "%s", then TimeZoneError names it',
    (zone) => {
      const error = captureError(() => parseSchedule('@daily', { timezone: zone }));
      expect(error).toBeInstanceOf(TimeZoneError);
      expect(error).toMatchObject({ name: 'TimeZoneError', value: zone });
      expect((error as Error).message).toContain(`unknown time zone "${zone}"`);
      expect((error as Error).message).toContain('IANA');
    },
  );

  it('given an unknown zone for nextFireTimes, then TimeZoneError', () => {
    expect(() =>
      nextFireTimes(parseSchedule('@daily'), { after: new Date(), count: 1, timezone: 'Nowhere/Land' }),
    ).toThrow(TimeZoneError);
  });

  it('given a timezone option to nextFireTimes, then it overrides the schedule zone', () => {
    const schedule = parseSchedule('cron(0 9 * * ? *)');
    const [berlin] = nextFireTimes(schedule, {
      after: new Date('2026-11-20T00:00:00Z'),
      count: 1,
      timezone: 'Europe/Berlin',
    });
    expect(berlin).toEqual(new Date('2026-11-20T08:00:00Z'));
  });
});

describe('skippedAtTime', () => {
  it.each([
    // zone, at(), [jumps from, jumps to, last valid before, first valid after]
    [
      'America/New_York',
      'at(2027-03-14T02:30:00)',
      ['2027-03-14T02:00:00', '2027-03-14T03:00:00', '2027-03-14T01:59:59', '2027-03-14T03:00:00'],
    ],
    [
      'Europe/Berlin',
      'at(2027-03-28T02:00:00)',
      ['2027-03-28T02:00:00', '2027-03-28T03:00:00', '2027-03-28T01:59:59', '2027-03-28T03:00:00'],
    ],
    // a half-hour jump
    [
      'Australia/Lord_Howe',
      'at(2027-10-03T02:15:00)',
      ['2027-10-03T02:00:00', '2027-10-03T02:30:00', '2027-10-03T01:59:59', '2027-10-03T02:30:00'],
    ],
    // a whole day skipped (Samoa crossed the date line)
    [
      'Pacific/Apia',
      'at(2011-12-30T10:00:00)',
      ['2011-12-30T00:00:00', '2011-12-31T00:00:00', '2011-12-29T23:59:59', '2011-12-31T00:00:00'],
    ],
  ])(
    'given %s and %s, then the gap and the nearest valid times are named',
    (zone, at, [jumpsFrom, jumpsTo, lastBefore, firstAfter]) => {
      expect(skippedAtTime(parseSchedule(at, { timezone: zone }))).toEqual({
        jumpsFrom,
        jumpsTo,
        lastBefore,
        firstAfter,
      });
    },
  );

  it.each([
    ['America/New_York', 'at(2027-03-14T03:00:00)'],
    ['America/New_York', 'at(2027-11-07T01:30:00)'],
    ['UTC', 'at(2027-03-14T02:30:00)'],
  ])('given %s and %s, a time that exists (even twice), then nothing is skipped', (zone, at) => {
    expect(skippedAtTime(parseSchedule(at, { timezone: zone }))).toBeUndefined();
  });

  it('given a cron schedule, then it does not apply', () => {
    expect(
      skippedAtTime(parseSchedule('cron(30 2 * * ? *)', { timezone: 'America/New_York' })),
    ).toBeUndefined();
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('malformed input', () => {
  it.each([
    // [input, field, value, rule fragment]
    ['', 'expression', '', 'a schedule is required'],
    ['   ', 'expression', '', 'a schedule is required'],
    [
      'cron(0 9 * * MON *)',
      'day-of-month/day-of-week',
      '* MON',
      'exactly one of day-of-month and day-of-week must be ?',
    ],
    [
      'cron(0 9 ? * ? *)',
      'day-of-month/day-of-week',
      '? ?',
      'exactly one of day-of-month and day-of-week must be ?',
    ],
    ['cron(0 9 * * * *)', 'day-of-month/day-of-week', '* *', 'cannot restrict both'],
    [
      'cron(0 9 1 * MON *)',
      'day-of-month/day-of-week',
      '1 MON',
      'exactly one of day-of-month and day-of-week',
    ],
    ['cron(60 9 * * ? *)', 'minutes', '60', 'must be 0-59'],
    ['cron(0 24 * * ? *)', 'hours', '24', 'must be 0-23'],
    ['cron(0 9 32 * ? *)', 'day-of-month', '32', 'must be 1-31'],
    ['cron(0 9 0 * ? *)', 'day-of-month', '0', 'must be 1-31'],
    ['cron(0 9 * 13 ? *)', 'month', '13', 'must be 1-12 or JAN-DEC'],
    ['cron(0 9 * 0 ? *)', 'month', '0', 'must be 1-12 or JAN-DEC'],
    ['cron(0 9 ? * 8 *)', 'day-of-week', '8', 'must be 1-7 (1 = SUN ... 7 = SAT) or SUN-SAT'],
    ['cron(0 9 ? * 0 *)', 'day-of-week', '0', 'must be 1-7 (1 = SUN'],
    ['cron(0 9 * * ? 1969)', 'year', '1969', 'must be 1970-2199'],
    ['cron(0 9 * * ? 2200)', 'year', '2200', 'must be 1970-2199'],
    ['cron(0 9 * * ? 2020-2300)', 'year', '2300', 'must be 1970-2199'],
    ['cron(0 9 ? * 2#1,3#2 *)', 'day-of-week', '2#1,3#2', 'only one # expression is allowed'],
    ['cron(0 9 ? * 2#6 *)', 'day-of-week', '2#6', 'the number after # must be 1-5'],
    ['cron(0 9 ? * 2#1,4 *)', 'day-of-week', '2#1,4', 'must stand alone'],
    ['cron(0 9 ? * 9#1 *)', 'day-of-week', '9', 'must be 1-7'],
    ['cron(0 9 ? * FRI#6 *)', 'day-of-week', 'FRI#6', 'the number after # must be 1-5'],
    ['cron(0 9 ? * FRI#0 *)', 'day-of-week', 'FRI#0', 'k 1-5 (e.g. 6#2 or FRI#2: the second Friday)'],
    ['cron(0 9 ? * FRI# *)', 'day-of-week', 'FRI#', 'the number after # must be 1-5'],
    ['cron(0 9 ? * FRI#2,MON *)', 'day-of-week', 'FRI#2,MON', 'a # expression must stand alone'],
    ['cron(0 9 ? * FRI#2#3 *)', 'day-of-week', 'FRI#2#3', 'only one # expression is allowed'],
    ['cron(0 9 ? * MON-FRI#2 *)', 'day-of-week', 'MON-FRI#2', '# takes one weekday before it'],
    ['cron(0 9 ? * FRX#2 *)', 'day-of-week', 'FRX', 'must be 1-7 (1 = SUN ... 7 = SAT) or SUN-SAT'],
    ['cron(0 9 ? * 6L,2 *)', 'day-of-week', '6L,2', 'must stand alone'],
    ['cron(0 9 ? * FRIL,MON *)', 'day-of-week', 'FRIL,MON', 'L must stand alone, without other days'],
    ['cron(0 9 ? * SAT,SUN,L *)', 'day-of-week', 'SAT,SUN,L', 'L must stand alone, without other days'],
    ['cron(0 9 ? * MON-FRIL *)', 'day-of-week', 'MON-FRIL', 'L takes one weekday before it'],
    ['cron(0 9 ? * FRIDAYL *)', 'day-of-week', 'FRIDAY', 'must be 1-7 (1 = SUN ... 7 = SAT) or SUN-SAT'],
    ['cron(0 9 ? * 0L *)', 'day-of-week', '0', 'must be 1-7'],
    ['cron(0 9 ? * 3W *)', 'day-of-week', '3W', 'W is only allowed in day-of-month'],
    ['cron(0 9 * * ?)', 'expression', '0 9 * * ?', 'exactly six fields'],
    ['cron(0 9 * * ? * *)', 'expression', '0 9 * * ? * *', 'found 7'],
    ['cron()', 'expression', '', 'found 0'],
    ['cron(0 9 L-2 * ? *)', 'day-of-month', 'L-2', 'L-n'],
    ['cron(0 9 1-5W * ? *)', 'day-of-month', '1-5W', 'W takes a single day'],
    ['cron(0 9 L,15 * ? *)', 'day-of-month', 'L,15', 'must stand alone'],
    ['cron(0 9 32W * ? *)', 'day-of-month', '32', 'must be 1-31'],
    ['cron(0 9 5L * ? *)', 'day-of-month', '5L', 'only allowed in day-of-week'],
    ['cron(0 9 1#2 * ? *)', 'day-of-month', '1#2', '# is only allowed in day-of-week'],
    ['cron(0 9 * JUX ? *)', 'month', 'JUX', 'must be 1-12 or JAN-DEC'],
    ['cron(0 9 ? * MON-FUN *)', 'day-of-week', 'FUN', 'SUN-SAT'],
    ['cron(0/0 9 * * ? *)', 'minutes', '0/0', 'the step after / must be a whole number from 1 to 59'],
    ['cron(0/60 * * * ? *)', 'minutes', '0/60', 'from 1 to 59'],
    ['cron(0 */24 * * ? *)', 'hours', '*/24', 'from 1 to 23'],
    ['cron(0/ * * * ? *)', 'minutes', '0/', 'the step after /'],
    ['cron(30-10 * * * ? *)', 'minutes', '30-10', 'split a wrap-around range in two, e.g. 30-59,0-10'],
    ['cron(0 9 ? * FRI-MON *)', 'day-of-week', 'FRI-MON', 'e.g. FRI-SAT,SUN-MON'],
    ['cron(0 9 ? * SAT-SUN *)', 'day-of-week', 'SAT-SUN', 'e.g. SAT,SUN'],
    ['cron(0 9 1,,15 * ? *)', 'day-of-month', '1,,15', 'empty items'],
    ['cron(0 9 1,15, * ? *)', 'day-of-month', '1,15,', 'empty items'],
    ['cron(0 ? * * ? *)', 'hours', '?', '? is only allowed in day-of-month or day-of-week'],
    ['cron(0 9 * * ? L)', 'year', 'L', 'L, W and # are only allowed in day-of-month or day-of-week'],
    ['cron(0 9 ? *,JAN * *)', 'month', '*,JAN', 'cannot be combined with other values'],
    ['cron(0 9 ? * *,MON *)', 'day-of-week', '*,MON', 'cannot be combined with other values'],
    ['cron(*-5 9 * * ? *)', 'minutes', '*-5', '* cannot start a range'],
    ['cron(0 9 1? * ? *)', 'day-of-month', '1?', 'expected a value'],
    ['cron(0 9 ? * ?? *)', 'day-of-week', '??', 'expected a value'],
    ['cron(0 9 * * ? * ', 'expression', 'cron(0 9 * * ? *', 'cron(...) must end with )'],
    ['CRON(0 9 * * ? *)', 'expression', 'CRON(0 9 * * ? *)', 'in lower case'],
    ['schedule(5 minutes)', 'expression', 'schedule(5 minutes)', 'expected cron('],
    ['rate(0 minutes)', 'rate value', '0', 'must be a positive whole number'],
    ['rate(-5 minutes)', 'rate value', '-5', 'must be a positive whole number'],
    ['rate(1.5 hours)', 'rate value', '1.5', 'must be a positive whole number'],
    ['rate(1 minutes)', 'rate unit', 'minutes', 'use the singular with 1: rate(1 minute)'],
    ['rate(1 hours)', 'rate unit', 'hours', 'rate(1 hour)'],
    ['rate(5 minute)', 'rate unit', 'minute', 'use the plural with values other than 1: rate(5 minutes)'],
    ['rate(2 day)', 'rate unit', 'day', 'rate(2 days)'],
    ['rate(30 seconds)', 'rate unit', 'seconds', 'fires at most once a minute'],
    ['rate(5 weeks)', 'rate unit', 'weeks', 'must be minute, minutes, hour, hours, day or days'],
    ['rate(5 Minutes)', 'rate unit', 'Minutes', '(lower case)'],
    ['rate(5)', 'expression', '5', 'rate() takes a value and a unit'],
    ['rate(five minutes)', 'rate value', 'five', 'positive whole number'],
    ['at(2026-13-01T09:00:00)', 'at', '2026-13-01T09:00:00', 'the month must be 01-12'],
    ['at(2026-02-30T09:00:00)', 'at', '2026-02-30T09:00:00', 'the day must be 01-28'],
    ['at(2028-02-30T09:00:00)', 'at', '2028-02-30T09:00:00', 'the day must be 01-29'],
    ['at(2026-11-23 09:00:00)', 'at', '2026-11-23 09:00:00', 'expected at(yyyy-mm-ddThh:mm:ss)'],
    ['at(2026-11-23T09:00:00Z)', 'at', '2026-11-23T09:00:00Z', 'without offset'],
    ['at(2026-11-23T09:00)', 'at', '2026-11-23T09:00', 'expected at(yyyy-mm-ddThh:mm:ss)'],
    ['at(2026-11-23T24:00:00)', 'at', '2026-11-23T24:00:00', 'the hour must be 00-23'],
    ['at(2026-11-23T09:60:00)', 'at', '2026-11-23T09:60:00', 'the minute must be 00-59'],
    ['at(2026-11-23T09:00:61)', 'at', '2026-11-23T09:00:61', 'the second must be 00-59'],
    ['at(2300-01-01T00:00:00)', 'at', '2300-01-01T00:00:00', 'outside 1970-2199'],
    ['PT30S', 'interval', 'PT30S', 'at least 1 minute'],
    ['PT90S', 'interval', 'PT90S', 'whole number of minutes, found 90 seconds'],
    ['PT1.5M', 'interval', 'PT1.5M', 'whole number of minutes'],
    ['90', 'interval', '90', 'whole number of minutes'],
    ['30', 'interval', '30', 'at least 1 minute'],
    ['0', 'interval', '0', 'must be positive'],
    ['-60', 'interval', '-60', 'must be positive'],
    ['P1M', 'interval', 'P1M', 'years and months have no fixed length'],
    ['P1Y', 'interval', 'P1Y', 'years and months have no fixed length'],
    ['PT', 'interval', 'PT', 'expected an ISO-8601 duration'],
    ['P1H', 'interval', 'P1H', 'expected an ISO-8601 duration'],
    ['every 5 minutes', 'expression', 'every 5 minutes', 'expected a 5-field crontab'],
    ['0 9 * *', 'expression', '0 9 * *', 'found 4 fields'],
    ['0 9 ? * MON-FRI *', 'expression', '0 9 ? * MON-FRI *', 'write cron(0 9 ? * MON-FRI *)'],
    ['0 9 1 * MON', 'day-of-month/day-of-week', '1 MON', 'fires when either matches'],
    ['0 9 */2 * MON', 'day-of-month/day-of-week', '*/2 MON', 'fires only when both match'],
    ['0 9 1-15 * 1-5', 'day-of-month/day-of-week', '1-15 1-5', 'create two jobs'],
    ['0 9 * * 8', 'day-of-week', '8', 'must be 0-7 (0 and 7 = SUN) or SUN-SAT'],
    ['0 9 * * 5#6', 'day-of-week', '5#6', 'the number after # must be 1-5'],
    ['0 9 * * FRI#6', 'day-of-week', 'FRI#6', 'n 0-7 or SUN-SAT and k 1-5 (e.g. 5#2 or FRI#2'],
    ['0 9 * * FRIL,1', 'day-of-week', 'FRIL,1', 'L must stand alone, without other days'],
    ['60 9 * * *', 'minutes', '60', 'must be 0-59'],
    ['0 9 * 13 *', 'month', '13', 'must be 1-12'],
    ['0 9 * * L', 'day-of-week', 'L', 'L needs a weekday before it in a crontab, e.g. 5L or FRIL'],
    ['@reboot', 'expression', '@reboot', 'unknown macro'],
    ['@every 5m', 'expression', '@every 5m', 'unknown macro'],
  ])('given "%s", then ScheduleExpressionError on %s "%s": …%s…', (input, field, value, rule) => {
    const error = captureError(() => parseSchedule(input));
    expect(error).toBeInstanceOf(ScheduleExpressionError);
    expect(error).toMatchObject({ name: 'ScheduleExpressionError', field, value });
    const { message, rule: ruleText } = error as ScheduleExpressionError;
    expect(ruleText).toContain(rule);
    expect(message).toContain(`invalid ${field} "${value}"`);
    expect(message).toContain(rule);
    expect(message).not.toContain('\n');
  });

  it('given a cause, then the errors keep it', () => {
    const cause = new Error('root');
    expect(
      new ScheduleExpressionError({ field: 'f', value: 'v', rule: 'r', input: 'i' }, { cause }).cause,
    ).toBe(cause);
    expect(new TimeZoneError('X', { cause }).cause).toBe(cause);
  });
});

describe('nextFireTimes bounds and options', () => {
  const daily = parseSchedule('cron(0 9 * * ? *)');
  const iso = (dates: Date[]): string[] => dates.map((date) => date.toISOString());

  it('given a start date, then cron fires only at or after it', () => {
    expect(
      iso(
        nextFireTimes(daily, {
          after: new Date('2026-11-01T00:00:00Z'),
          count: 2,
          startDate: new Date('2026-11-05T09:00:00Z'),
        }),
      ),
    ).toEqual(['2026-11-05T09:00:00.000Z', '2026-11-06T09:00:00.000Z']);
  });

  it('given an end date, then nothing fires after it and a fire time equal to it is kept', () => {
    expect(
      iso(
        nextFireTimes(daily, {
          after: new Date('2026-11-01T00:00:00Z'),
          count: 10,
          endDate: new Date('2026-11-03T09:00:00Z'),
        }),
      ),
    ).toEqual(['2026-11-01T09:00:00.000Z', '2026-11-02T09:00:00.000Z', '2026-11-03T09:00:00.000Z']);
  });

  it('given an end date on a rate, then the sequence stops there', () => {
    const rate = parseSchedule('rate(1 day)');
    expect(
      iso(
        nextFireTimes(rate, {
          after: new Date('2026-11-01T12:00:00Z'),
          count: 10,
          startDate: new Date('2026-11-01T06:00:00Z'),
          endDate: new Date('2026-11-03T06:00:00Z'),
        }),
      ),
    ).toEqual(['2026-11-02T06:00:00.000Z', '2026-11-03T06:00:00.000Z']);
  });

  it('given at(), then start and end dates are ignored, as EventBridge does', () => {
    const at = parseSchedule('at(2026-11-23T09:00:00)');
    expect(
      iso(
        nextFireTimes(at, {
          after: new Date('2026-11-01T00:00:00Z'),
          count: 5,
          startDate: new Date('2026-12-01T00:00:00Z'),
          endDate: new Date('2026-11-02T00:00:00Z'),
        }),
      ),
    ).toEqual(['2026-11-23T09:00:00.000Z']);
    expect(nextFireTime(at, new Date('2026-11-23T09:00:00Z'))).toBeUndefined();
  });

  it('given count 0, then no times', () => {
    expect(nextFireTimes(daily, { after: new Date('2026-11-01T00:00:00Z'), count: 0 })).toEqual([]);
  });

  it.each([
    [{ after: new Date('nope'), count: 1 }, 'after must be a valid Date'],
    [{ after: new Date(), count: -1 }, 'count must be a whole number'],
    [{ after: new Date(), count: 1.5 }, 'count must be a whole number'],
    [{ after: new Date(), count: 1, startDate: new Date('nope') }, 'startDate must be a valid Date'],
    [{ after: new Date(), count: 1, endDate: new Date('nope') }, 'endDate must be a valid Date'],
  ])('given invalid options %o, then RangeError "%s"', (options, message) => {
    expect(() => nextFireTimes(daily, options)).toThrow(RangeError);
    expect(() => nextFireTimes(daily, options)).toThrow(message);
  });

  it('given a schedule object not made by the parser (e.g. read from a table), then it is evaluated from its expression', () => {
    const stored: Schedule = {
      input: '0 9 * * MON-FRI',
      expression: 'cron(0 9 ? * MON-FRI *)',
      timezone: 'Europe/Berlin',
      description: 'At 09:00, Monday through Friday, Europe/Berlin',
      type: 'cron',
    };
    expect(nextFireTime(stored, new Date('2026-11-20T12:00:00Z'))).toEqual(new Date('2026-11-23T08:00:00Z'));
    expect(nextFireTime({ ...stored }, new Date('2026-11-23T08:00:00Z'))).toEqual(
      new Date('2026-11-24T08:00:00Z'),
    );
  });

  it('given a stored schedule with an invalid expression, then ScheduleExpressionError', () => {
    const broken: Schedule = {
      input: 'x',
      expression: 'cron(0 9 * * * *)',
      timezone: 'UTC',
      description: '',
      type: 'cron',
    };
    expect(() => nextFireTime(broken, new Date())).toThrow(ScheduleExpressionError);
  });

  it('given nextFireTime called repeatedly, then it walks the same sequence as nextFireTimes', () => {
    const schedule = parseSchedule('cron(0/20 8-9 ? * 2-6 *)', { timezone: 'America/New_York' });
    const after = new Date('2026-11-19T00:00:00Z');
    const walked: Date[] = [];
    let cursor: Date | undefined = after;
    while (walked.length < 12 && cursor !== undefined) {
      cursor = nextFireTime(schedule, cursor);
      if (cursor !== undefined) walked.push(cursor);
    }
    expect(walked).toEqual(nextFireTimes(schedule, { after, count: 12 }));
  });

  it('given an expression that can never fire (Feb 30), then no times and no endless search', () => {
    expect(
      nextFireTimes(parseSchedule('cron(0 0 30 2 ? *)'), {
        after: new Date('2026-01-01T00:00:00Z'),
        count: 3,
      }),
    ).toEqual([]);
  });
});
