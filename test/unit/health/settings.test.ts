import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.ts';
import { healthSettings } from '../../../shared/health/settings.ts';
import { buildJob, definitionFields } from '../../../shared/jobs/definition.ts';
import type { Job } from '../../../shared/jobs/model.ts';
import { toJobView } from '../../../shared/jobs/view.ts';

const now = new Date('2026-06-01T08:00:00Z');
const config = {
  prompt: 'hello',
  target: { type: 'webhook', url: 'https://hooks.example.com/in', signingSecret: 'hook' },
};

function job(body: Record<string, unknown>): Job {
  return buildJob(
    definitionFields({ name: 'j', kind: 'prompt', config, ...body }, { now, mode: 'local' }),
    now,
  );
}

function problems(body: Record<string, unknown>): Array<{ field: string; message: string }> {
  try {
    job(body);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.details];
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('health settings: defaults from the period', () => {
  it.each<[string, string, number, number, number]>([
    // schedule, what, deadline (min(period, 1 h)), grace (max(1 min, 10%)), catch-up window (one period)
    ['rate(1 minute)', 'a minute', 60, 60, 60],
    ['rate(10 minutes)', 'ten minutes', 600, 60, 600],
    ['rate(30 minutes)', 'half an hour', 1800, 180, 1800],
    ['rate(1 day)', 'a day', 3600, 3600, 86_400],
    ['cron(0 * * * ? *)', 'an hourly cron', 3600, 360, 3600],
    ['at(2026-06-02T09:00:00)', 'a one-time job (no period)', 3600, 60, 3600],
  ])('%s (%s)', (schedule, _what, deadline, grace, window) => {
    const settings = healthSettings(job({ schedule }), now);
    expect(settings).toEqual({
      startingDeadlineSeconds: deadline,
      graceSeconds: grace,
      catchup: { policy: 'latest', windowSeconds: window },
      failureThreshold: 1,
      recoveryThreshold: 1,
    });
  });

  it('keeps what the user gave, and shows both in the job view', () => {
    const given = job({
      schedule: 'rate(1 hour)',
      startingDeadlineSeconds: 600,
      graceSeconds: 120,
      catchup: { policy: 'all', max: 5 },
      failureThreshold: 3,
      recoveryThreshold: 2,
    });
    const view = toJobView(given, now);
    expect(view).toMatchObject({
      startingDeadlineSeconds: 600,
      graceSeconds: 120,
      catchup: { policy: 'all', max: 5 },
      failureThreshold: 3,
      recoveryThreshold: 2,
      healthSettings: {
        startingDeadlineSeconds: 600,
        graceSeconds: 120,
        catchup: { policy: 'all', windowSeconds: 3600, max: 5 },
        failureThreshold: 3,
        recoveryThreshold: 2,
      },
    });
  });

  it('caps the default grace at a starting deadline the user made shorter', () => {
    const settings = healthSettings(job({ schedule: 'rate(1 day)', startingDeadlineSeconds: 300 }), now);
    expect(settings.graceSeconds).toBe(300);
  });
});

describe('health settings: bad input names the field and the rule', () => {
  it.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      'grace past the deadline',
      { graceSeconds: 900, startingDeadlineSeconds: 600 },
      'graceSeconds',
      /at most the starting deadline \(600 s\)/,
    ],
    [
      'grace past the default deadline',
      { schedule: 'rate(5 minutes)', graceSeconds: 600 },
      'graceSeconds',
      /300 s, its default/,
    ],
    ['max without all', { catchup: { policy: 'latest', max: 3 } }, 'catchup.max', /only to policy "all"/],
    ['max above 1000', { catchup: { policy: 'all', max: 1001 } }, 'catchup.max', /1-1000/],
    ['max of 0', { catchup: { policy: 'all', max: 0 } }, 'catchup.max', /1-1000/],
    ['an unknown policy', { catchup: { policy: 'sometimes' } }, 'catchup.policy', /skip|latest|all/],
    [
      'a deadline under a minute',
      { startingDeadlineSeconds: 30 },
      'startingDeadlineSeconds',
      /from 60 to 86400/,
    ],
    ['a fractional grace', { graceSeconds: 90.5 }, 'graceSeconds', /whole number/],
    ['a threshold of 0', { failureThreshold: 0 }, 'failureThreshold', /from 1 to 100/],
    [
      'an unknown catch-up field',
      { catchup: { policy: 'all', every: 2 } },
      'catchup.every',
      /not a known field/,
    ],
  ])('%s', (_what, body, field, message) => {
    const found = problems({ schedule: 'rate(1 hour)', ...body });
    const problem = found.find((candidate) => candidate.field === field);
    expect(problem, JSON.stringify(found)).toBeDefined();
    expect(problem?.message).toMatch(message);
  });
});
