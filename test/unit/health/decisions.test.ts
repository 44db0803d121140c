import { describe, expect, it } from 'vitest';
import { catchUpSlots } from '../../../shared/health/catch-up.ts';
import { firstDue, missedStage } from '../../../shared/health/due.ts';
import type { JobHealth } from '../../../shared/health/model.ts';
import type { HealthSettings } from '../../../shared/health/settings.ts';
import { type HealthCounters, healthAfterRun, healthAfterSlot } from '../../../shared/health/transitions.ts';
import { buildJob, definitionFields } from '../../../shared/jobs/definition.ts';

const thresholds = { failureThreshold: 2, recoveryThreshold: 3 };

describe('healthAfterRun: thresholds of consecutive failures and successes', () => {
  it.each<[string, HealthCounters, JobHealth]>([
    ['one failure under a threshold of 2', { health: 'ok', failures: 1, successes: 0 }, 'ok'],
    ['two failures in a row', { health: 'ok', failures: 2, successes: 0 }, 'failing'],
    ['a late job failing twice', { health: 'late', failures: 2, successes: 0 }, 'failing'],
    ['failing, two successes of three', { health: 'failing', failures: 0, successes: 2 }, 'failing'],
    ['failing, three successes', { health: 'failing', failures: 0, successes: 3 }, 'ok'],
    ['missed, three successes', { health: 'missed', failures: 0, successes: 3 }, 'ok'],
    ['ok stays ok', { health: 'ok', failures: 0, successes: 7 }, 'ok'],
    ['paused is not changed by runs', { health: 'paused', failures: 5, successes: 0 }, 'paused'],
  ])('%s', (_case, counters, expected) => {
    expect(healthAfterRun(counters, thresholds)).toBe(expected);
  });
});

describe('healthAfterSlot: what the sweeper saw', () => {
  it.each<[JobHealth, 'late' | 'missed', JobHealth]>([
    ['ok', 'late', 'late'],
    ['ok', 'missed', 'missed'],
    ['late', 'missed', 'missed'],
    ['missed', 'late', 'missed'],
    ['failing', 'missed', 'failing'],
    ['paused', 'late', 'paused'],
  ])('%s, seen %s → %s', (current, seen, expected) => {
    expect(healthAfterSlot(current, seen)).toBe(expected);
  });
});

const settings = (catchup: HealthSettings['catchup']): HealthSettings => ({
  startingDeadlineSeconds: 300,
  graceSeconds: 60,
  catchup,
  failureThreshold: 1,
  recoveryThreshold: 1,
});
const minutes = (...values: number[]) => values.map((m) => new Date(Date.UTC(2026, 5, 1, 10, m)));
const now = new Date(Date.UTC(2026, 5, 1, 10, 30));

describe('catchUpSlots: which missed slots run again', () => {
  // Window counted from when each slot was missed (slot + 300 s): 10:30 - (600 + 300) s = 10:15.
  it.each<[string, HealthSettings['catchup'], Date[], Date[]]>([
    ['skip runs nothing', { policy: 'skip', windowSeconds: 600 }, minutes(20, 25), []],
    [
      'latest runs the most recent',
      { policy: 'latest', windowSeconds: 600 },
      minutes(15, 20, 25),
      minutes(25),
    ],
    [
      'latest runs nothing when it is out of the window',
      { policy: 'latest', windowSeconds: 600 },
      minutes(5, 10),
      [],
    ],
    [
      'all runs those within the window, in order',
      { policy: 'all', windowSeconds: 600, max: 10 },
      minutes(5, 10, 15, 20, 25),
      minutes(15, 20, 25),
    ],
    [
      'all keeps the most recent max',
      { policy: 'all', windowSeconds: 600, max: 2 },
      minutes(15, 20, 25),
      minutes(20, 25),
    ],
  ])('%s', (_case, catchup, missed, expected) => {
    expect(catchUpSlots(settings(catchup), missed, now)).toEqual(expected);
  });
});

describe('the due entry of a job', () => {
  const created = new Date('2026-06-01T10:00:30Z');
  const job = (body: Record<string, unknown>) =>
    buildJob(
      definitionFields(
        {
          name: 'j',
          kind: 'prompt',
          config: {
            prompt: 'p',
            target: { type: 'webhook', url: 'https://hooks.example.com/', signingSecret: 's' },
          },
          ...body,
        },
        { now: created, mode: 'local' },
      ),
      created,
    );

  it('is the next slot, due at slot + grace, then at slot + starting deadline', () => {
    const hourly = job({ schedule: 'cron(0 * * * ? *)', graceSeconds: 120, startingDeadlineSeconds: 900 });
    expect(firstDue(hourly, created)).toEqual({
      slot: '2026-06-01T11:00:00.000Z',
      stage: 'late',
      dueAt: '2026-06-01T11:02:00.000Z',
    });
    expect(missedStage(hourly, '2026-06-01T11:00:00.000Z')).toEqual({
      slot: '2026-06-01T11:00:00.000Z',
      stage: 'missed',
      dueAt: '2026-06-01T11:15:00.000Z',
    });
  });

  it('counts from the end of a flexible window (Scheduler may deliver that late by design)', () => {
    const flexible = job({ schedule: 'cron(0 * * * ? *)', flexibleWindowMinutes: 10, graceSeconds: 60 });
    expect(firstDue(flexible, created)?.dueAt).toBe('2026-06-01T11:11:00.000Z');
  });

  it('is none for a paused job', () => {
    expect(firstDue(job({ schedule: 'cron(0 * * * ? *)', enabled: false }), created)).toBeUndefined();
  });
});
