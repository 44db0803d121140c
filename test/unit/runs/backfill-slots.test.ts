/**
 * The slots a backfill runs (shared/runs/backfill.ts): the job's schedule over any range, read in its
 * time zone, before the job existed too; a rate keeps its phase backwards; at() only inside the range.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BACKFILL_SLOTS, scheduleSlots } from '../../../shared/runs/backfill.ts';
import { parseSchedule } from '../../../shared/schedule/index.ts';
import { promptJob } from '../../support/jobs.ts';

const iso = (dates: readonly Date[]) => dates.map((date) => date.toISOString());

describe('scheduleSlots', () => {
  it('Given a weekday cron in Berlin, When a week before the job was created is asked, Then its five slots, in UTC, are the answer', () => {
    const job = promptJob('berlin', {
      schedule: parseSchedule('cron(0 9 ? * MON-FRI *)', { timezone: 'Europe/Berlin' }),
      createdAt: '2026-11-01T00:00:00.000Z',
      startDate: '2026-11-01T00:00:00.000Z',
    });
    const slots = scheduleSlots(job, {
      from: new Date('2026-01-05T00:00:00Z'),
      to: new Date('2026-01-12T00:00:00Z'),
      limit: MAX_BACKFILL_SLOTS,
    });
    expect(iso(slots)).toEqual([
      '2026-01-05T08:00:00.000Z',
      '2026-01-06T08:00:00.000Z',
      '2026-01-07T08:00:00.000Z',
      '2026-01-08T08:00:00.000Z',
      '2026-01-09T08:00:00.000Z',
    ]);
  });

  it('Given a rate of 90 minutes anchored at 10:15, When the hours before its anchor are asked, Then the same intervals counted backwards, from included, to excluded', () => {
    const job = promptJob('rate', {
      schedule: parseSchedule('rate(90 minutes)'),
      scheduleStartDate: '2026-03-10T10:15:00.000Z',
    });
    const slots = scheduleSlots(job, {
      from: new Date('2026-03-10T04:15:00Z'),
      to: new Date('2026-03-10T10:15:00Z'),
      limit: MAX_BACKFILL_SLOTS,
    });
    expect(iso(slots)).toEqual([
      '2026-03-10T04:15:00.000Z',
      '2026-03-10T05:45:00.000Z',
      '2026-03-10T07:15:00.000Z',
      '2026-03-10T08:45:00.000Z',
    ]);
    // And across the anchor, the lattice goes on unbroken.
    expect(
      iso(
        scheduleSlots(job, {
          after: new Date('2026-03-10T08:45:00Z'),
          to: new Date('2026-03-10T13:00:00Z'),
          limit: 2,
        }),
      ),
    ).toEqual(['2026-03-10T10:15:00.000Z', '2026-03-10T11:45:00.000Z']);
  });

  it('Given a one-time job, When a range holds its time or not, Then its one slot or none', () => {
    const job = promptJob('once', { schedule: parseSchedule('at(2026-04-01T12:00:00)') });
    const range = (from: string, to: string) =>
      iso(scheduleSlots(job, { from: new Date(from), to: new Date(to), limit: MAX_BACKFILL_SLOTS }));
    expect(range('2026-04-01T00:00:00Z', '2026-04-02T00:00:00Z')).toEqual(['2026-04-01T12:00:00.000Z']);
    expect(range('2026-04-01T00:00:00Z', '2026-04-01T12:00:00Z')).toEqual([]);
    expect(range('2026-04-01T12:00:00Z', '2026-04-01T12:00:01Z')).toEqual(['2026-04-01T12:00:00.000Z']);
  });

  it('Given an every-minute cron, When a day is asked with a limit, Then the answer stops at the limit', () => {
    const job = promptJob('minutely', { schedule: parseSchedule('cron(* * * * ? *)') });
    const slots = scheduleSlots(job, {
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-01-02T00:00:00Z'),
      limit: MAX_BACKFILL_SLOTS + 1,
    });
    expect(slots).toHaveLength(MAX_BACKFILL_SLOTS + 1);
  });
});
