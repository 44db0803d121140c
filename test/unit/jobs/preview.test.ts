/**
 * previewSchedule, the one computation behind `GET /schedules/preview` and `tickwork preview`: a rate
 * fires as a job created at the given instant would (its anchor), cron and at() as before.
 */
import { describe, expect, it } from 'vitest';
import { buildJob, normalizeDefinition } from '../../../shared/jobs/definition.ts';
import { previewSchedule } from '../../../shared/jobs/preview.ts';
import { parseJobDefinition } from '../../../shared/jobs/validation.ts';
import {
  nextFireTimes,
  parseSchedule,
  ScheduleExpressionError,
  TimeZoneError,
} from '../../../shared/schedule/index.ts';

// 2026-01-01 is a Thursday; the seconds are those of a --from typed by hand, or of the API's clock.
const CREATED = new Date('2026-01-01T09:00:30Z');

describe('previewSchedule', () => {
  it.each([
    {
      why: 'a rate created with seconds: one interval later, rounded up to the minute',
      request: { expression: 'rate(5 minutes)' },
      description: 'Every 5 minutes',
      next: ['2026-01-01T09:06:00.000Z', '2026-01-01T09:11:00.000Z', '2026-01-01T09:16:00.000Z'],
    },
    {
      why: 'an interval created with seconds, in a zone (a rate ignores it)',
      request: { expression: 'PT15M', timezone: 'Europe/Berlin' },
      description: 'Every 15 minutes',
      next: ['2026-01-01T09:16:00.000Z', '2026-01-01T09:31:00.000Z', '2026-01-01T09:46:00.000Z'],
    },
    {
      why: 'a rate with a startDate ahead: it fires first at the startDate',
      request: { expression: 'rate(1 hour)', startDate: new Date('2026-01-02T00:00:00Z') },
      description: 'Every hour',
      next: ['2026-01-02T00:00:00.000Z', '2026-01-02T01:00:00.000Z', '2026-01-02T02:00:00.000Z'],
    },
    {
      why: 'a rate with a startDate behind: it continues on the startDate grid',
      request: { expression: 'rate(1 hour)', startDate: new Date('2025-12-31T23:10:00Z') },
      description: 'Every hour',
      next: ['2026-01-01T09:10:00.000Z', '2026-01-01T10:10:00.000Z', '2026-01-01T11:10:00.000Z'],
    },
    {
      why: 'the shortcut daily: its description names the first fire',
      request: { expression: 'daily' },
      description: 'Every day, counted from creation: first 2026-01-02 09:01 UTC',
      next: ['2026-01-02T09:01:00.000Z', '2026-01-03T09:01:00.000Z', '2026-01-04T09:01:00.000Z'],
    },
    {
      why: 'the shortcut hourly in a zone',
      request: { expression: 'hourly', timezone: 'America/New_York' },
      description: 'Every hour, counted from creation: first 2026-01-01 10:01 UTC',
      next: ['2026-01-01T10:01:00.000Z', '2026-01-01T11:01:00.000Z', '2026-01-01T12:01:00.000Z'],
    },
    {
      why: 'the shortcut weekly with a startDate',
      request: { expression: 'weekly', startDate: new Date('2026-01-05T07:25:00Z') },
      description: 'Every 7 days, counted from creation: first 2026-01-05 07:25 UTC',
      next: ['2026-01-05T07:25:00.000Z', '2026-01-12T07:25:00.000Z', '2026-01-19T07:25:00.000Z'],
    },
    {
      why: 'a crontab in a zone: the times after the instant, unchanged',
      request: { expression: '0 9 * * MON-FRI', timezone: 'Europe/Berlin' },
      description: 'At 09:00, Monday through Friday, Europe/Berlin',
      // Thu 09:00 CET (08:00Z) has passed; then Fri 2nd, Mon 5th, Tue 6th.
      next: ['2026-01-02T08:00:00.000Z', '2026-01-05T08:00:00.000Z', '2026-01-06T08:00:00.000Z'],
    },
    {
      why: 'the macro @daily with a startDate: a lower bound',
      request: { expression: '@daily', startDate: new Date('2026-01-05T00:00:00Z') },
      description: 'At 00:00, every day',
      next: ['2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z', '2026-01-07T00:00:00.000Z'],
    },
    {
      why: 'an at() in a zone: once',
      request: { expression: 'at(2026-01-02T09:00:00)', timezone: 'Europe/Berlin' },
      description: 'Once, at 2026-01-02 09:00:00, Europe/Berlin',
      next: ['2026-01-02T08:00:00.000Z'],
    },
  ])(
    'given $why, then the description and times are a job created then',
    ({ request, description, next }) => {
      // When it is previewed from the creation instant
      const preview = previewSchedule({ count: 3, ...request }, CREATED);
      // Then
      expect(preview.description).toBe(description);
      expect(preview.next).toEqual(next);
    },
  );

  it('given a cron expression, then the times are exactly those of the engine after the instant', () => {
    const schedule = parseSchedule('cron(0/20 8-9 ? * 2-6 *)', { timezone: 'America/New_York' });
    const preview = previewSchedule(
      { expression: 'cron(0/20 8-9 ? * 2-6 *)', timezone: 'America/New_York', count: 12 },
      CREATED,
    );
    expect(preview).toEqual({
      input: 'cron(0/20 8-9 ? * 2-6 *)',
      expression: 'cron(0/20 8-9 ? * 2-6 *)',
      timezone: 'America/New_York',
      description: schedule.description,
      next: nextFireTimes(schedule, { after: CREATED, count: 12 }).map((date) => date.toISOString()),
    });
  });

  it.each(['rate(5 minutes)', 'rate(7 days)', 'PT90M', 'daily', 'weekly', '@hourly', '0 9 * * FRI#2'])(
    'given %s, then the preview says what a job created at the same instant stores and fires',
    (expression) => {
      // Given a job created at that instant
      const definition = parseJobDefinition({
        name: 'report',
        kind: 'prompt',
        schedule: expression,
        config: {
          prompt: 'hello',
          target: { type: 'webhook', url: 'https://hooks.example.com/in', signingSecret: 'hook' },
        },
      });
      const job = buildJob(normalizeDefinition(definition, { now: CREATED, mode: 'local' }), CREATED);
      // When the schedule is previewed from the same instant
      const preview = previewSchedule({ expression, count: 5 }, CREATED);
      // Then both agree on the description and the fire times
      const start = job.scheduleStartDate === undefined ? undefined : new Date(job.scheduleStartDate);
      const fired = nextFireTimes(job.schedule, { after: CREATED, count: 5, startDate: start });
      expect(preview.description).toBe(job.schedule.description);
      expect(preview.next).toEqual(fired.map((date) => date.toISOString()));
    },
  );

  it.each([
    {
      why: 'a bad expression',
      request: { expression: 'cron(0 9 ? * FRI#6 *)' },
      field: 'expression',
      cause: ScheduleExpressionError,
      message:
        'expression: invalid day-of-week "FRI#6" in "cron(0 9 ? * FRI#6 *)": the number after # must be 1-5',
    },
    {
      why: 'an unknown zone',
      request: { expression: 'daily', timezone: 'Mars/Base' },
      field: 'timezone',
      cause: TimeZoneError,
      message: 'timezone: unknown time zone "Mars/Base"',
    },
  ])(
    'given $why, then a ValidationError on $field keeps the engine error as its cause',
    ({ request, field, cause, message }) => {
      let caught: unknown;
      try {
        previewSchedule({ count: 3, ...request }, CREATED);
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ name: 'ValidationError', field });
      expect((caught as Error).message).toContain(message);
      expect((caught as Error).cause).toBeInstanceOf(cause);
    },
  );
});
