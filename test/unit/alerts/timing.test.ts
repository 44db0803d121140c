import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../../shared/alerts/limiter.ts';
import { nextReminderAt, retryAt } from '../../../shared/alerts/timing.ts';
import type { HealthChange, JobHealth } from '../../../shared/health/model.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const changeTo = (health: JobHealth): HealthChange => ({
  job: 'j',
  health,
  previous: health === 'ok' ? 'failing' : 'ok',
  at: '2026-11-29T10:00:00.000Z',
  reason: 'r',
});

describe('when an alert is due again', () => {
  it.each([
    ['late', 5, '2026-11-29T10:05:00.000Z'],
    ['missed', 60, '2026-11-29T11:00:00.000Z'],
    ['failing', 10_080, '2026-12-06T10:00:00.000Z'],
    ['ok', 5, undefined],
    ['paused', 5, undefined],
    ['failing', undefined, undefined],
  ] as const)(
    'Given health %s and reAlertMinutes %s, When it was sent at 10:00, Then the next reminder is %s',
    (health, every, expected) => {
      const clock = new ManualClock('2026-11-29T10:00:00.000Z');
      expect(nextReminderAt(changeTo(health), every, clock.now())?.toISOString()).toBe(expected);
    },
  );

  it('Given a reminder due at 10:05, When the clock moves, Then it is due from 10:05 on, not before', () => {
    const clock = new ManualClock('2026-11-29T10:00:00.000Z');
    const due = nextReminderAt(changeTo('missed'), 5, clock.now());
    clock.advance(4 * 60_000 + 59_999);
    expect(due !== undefined && due <= clock.now()).toBe(false);
    clock.advance(1);
    expect(due !== undefined && due <= clock.now()).toBe(true);
  });

  it.each([
    [1, 1],
    [2, 2],
    [3, 4],
    [7, 60],
    [9, 60],
  ])(
    'Given %i failed attempts, When the retry is planned, Then it is %i minutes later',
    (failures, minutes) => {
      const now = new Date('2026-11-29T10:00:00.000Z');
      expect(retryAt(now, failures).getTime() - now.getTime()).toBe(minutes * 60_000);
    },
  );
});

describe('the limiter', () => {
  it('Given a limit of 2, When 5 tasks are given at once, Then at most 2 run at a time and all finish in order of start', async () => {
    const limit = createLimiter(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, () => {
      let resolve = () => {};
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      return { promise, resolve };
    });
    const results = Array.from({ length: 5 }, (_, i) =>
      limit(async () => {
        started.push(i);
        running++;
        most = Math.max(most, running);
        await gates[i]?.promise;
        running--;
        return i;
      }),
    );
    for (const gate of gates) {
      await new Promise((resolve) => setImmediate(resolve));
      gate.resolve();
    }
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });
});
