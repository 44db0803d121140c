import { describe, expect, it } from 'vitest';
import {
  buildJob,
  normalizeDefinition,
  patchedDefinition,
  rateAnchor,
} from '../../../shared/jobs/definition.ts';
import type { Job } from '../../../shared/jobs/model.ts';
import {
  advanceAnchor,
  DEFAULT_TARGET_RETRY_POLICY,
  desiredSchedule,
  rateIntervalMs,
  scheduleDifferences,
} from '../../../shared/jobs/schedule-spec.ts';
import { parseJobDefinition, parseJobPatch } from '../../../shared/jobs/validation.ts';
import { scheduleTargetInput } from '../../../shared/runs/event.ts';

const now = new Date('2026-06-01T12:00:30Z');
const context = { now, mode: 'local' as const };
const deployment = {
  targetArns: { prompt: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-test-prompt' },
  roleArn: 'arn:aws:iam::000000000000:role/tickwork-test-scheduler',
  deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:tickwork-test-dlq',
};
const config = {
  prompt: 'hello',
  target: { type: 'webhook', url: 'https://hooks.example.com/in', signingSecret: 'hook' },
};

function jobFrom(body: Record<string, unknown>, at: Date = now, previous?: Job): Job {
  const definition = parseJobDefinition({ name: 'report', kind: 'prompt', config, ...body });
  return buildJob(normalizeDefinition(definition, { now: at, mode: 'local' }), at, previous);
}

describe('rate anchors', () => {
  it.each([
    ['one interval ahead, rounded up to the minute', {}, '2026-06-01T12:06:00.000Z'],
    ['about now when it runs immediately', { runImmediately: true }, '2026-06-01T12:00:31.000Z'],
    ['the startDate when given', { startDate: '2026-06-03T00:00:00Z' }, '2026-06-03T00:00:00.000Z'],
  ])('a new rate job anchors %s', (_case, body, expected) => {
    // Given a rate(5 minutes) job created at 12:00:30
    const job = jobFrom({ schedule: 'rate(5 minutes)', ...body });
    // Then its schedule StartDate is kept on the job
    expect(job.scheduleStartDate).toBe(expected);
    expect(desiredSchedule(job, deployment, now)?.startDate?.toISOString()).toBe(expected);
  });

  it('keeps the anchor when a replace leaves the timing alone', () => {
    // Given a rate job created an hour ago
    const created = jobFrom({ schedule: 'rate(5 minutes)' }, new Date('2026-06-01T11:00:00Z'));
    // When it is replaced with a new description only
    const replaced = jobFrom({ schedule: 'rate(5 minutes)', description: 'new' }, now, created);
    // Then the anchor stays and the version moves on
    expect(replaced.scheduleStartDate).toBe(created.scheduleStartDate);
    expect(replaced.version).toBe(2);
    expect(replaced.createdAt).toBe(created.createdAt);
  });

  it('re-anchors when the schedule changes', () => {
    const created = jobFrom({ schedule: 'rate(5 minutes)' }, new Date('2026-06-01T11:00:00Z'));
    const replaced = jobFrom({ schedule: 'rate(10 minutes)' }, now, created);
    expect(replaced.scheduleStartDate).toBe('2026-06-01T12:11:00.000Z');
  });

  it('moves an old anchor forward by whole intervals so Scheduler accepts it, keeping the sequence', () => {
    // Given an anchor two hours and a bit in the past
    const anchor = new Date('2026-06-01T09:58:00Z');
    // When it is advanced at 12:00:30 on a 5-minute grid
    const advanced = advanceAnchor(anchor, 5 * 60_000, now);
    // Then it is the first grid point not before one minute ago
    expect(advanced.toISOString()).toBe('2026-06-01T12:03:00.000Z');
    expect((advanced.getTime() - anchor.getTime()) % (5 * 60_000)).toBe(0);
  });

  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(2 hours)', 7_200_000],
    ['rate(1 day)', 86_400_000],
    ['cron(0 9 * * ? *)', undefined],
  ])('interval of %s', (expression, expected) => {
    expect(rateIntervalMs(expression)).toBe(expected);
  });

  it('rounds the default anchor up to the whole minute', () => {
    const fields = { schedule: jobFrom({ schedule: 'rate(1 hour)' }).schedule, runImmediately: false };
    expect(rateAnchor(fields, new Date('2026-06-01T12:00:00.001Z'))?.toISOString()).toBe(
      '2026-06-01T13:01:00.000Z',
    );
    expect(rateAnchor(fields, new Date('2026-06-01T12:00:00Z'))?.toISOString()).toBe(
      '2026-06-01T13:00:00.000Z',
    );
  });
});

describe('the shortcuts hourly/daily/weekly count from creation', () => {
  it.each([
    {
      why: 'daily, created at 12:00:30',
      body: { schedule: 'daily' },
      description: 'Every day, counted from creation: first 2026-06-02 12:01 UTC',
    },
    {
      why: 'hourly in a zone (a rate ignores it)',
      body: { schedule: 'hourly', timezone: 'Europe/Berlin' },
      description: 'Every hour, counted from creation: first 2026-06-01 13:01 UTC',
    },
    {
      why: 'weekly with a startDate',
      body: { schedule: 'weekly', startDate: '2026-06-05T07:25:00Z' },
      description: 'Every 7 days, counted from creation: first 2026-06-05 07:25 UTC',
    },
    {
      why: 'daily, run immediately',
      body: { schedule: 'daily', runImmediately: true },
      description: 'Every day, counted from creation: first 2026-06-01 12:00:31 UTC',
    },
    { why: 'a rate written as such', body: { schedule: 'rate(1 day)' }, description: 'Every day' },
    { why: 'the calendar macro', body: { schedule: '@daily' }, description: 'At 00:00, every day' },
  ])('given $why, then the job and its Scheduler schedule say "$description"', ({ body, description }) => {
    // Given a job created at 12:00:30 with no description of its own
    const job = jobFrom(body);
    // Then the schedule's description names the first fire (the anchor) where it counts from creation
    expect(job.schedule.description).toBe(description);
    expect(desiredSchedule(job, deployment, now)?.description).toBe(description);
  });

  it('given a job description, then Scheduler gets that one and the schedule keeps its own', () => {
    const job = jobFrom({ schedule: 'daily', description: 'Nightly digest' });
    expect(desiredSchedule(job, deployment, now)?.description).toBe('Nightly digest');
    expect(job.schedule.description).toBe('Every day, counted from creation: first 2026-06-02 12:01 UTC');
  });

  it('given a replace that keeps the timing, then the first fire stays; a new schedule names a new one', () => {
    // Given a daily job created yesterday
    const created = jobFrom({ schedule: 'daily' }, new Date('2026-05-31T07:24:10Z'));
    expect(created.schedule.description).toBe('Every day, counted from creation: first 2026-06-01 07:25 UTC');
    // When it is replaced with a new description only, then the anchor and its description stay
    const replaced = jobFrom({ schedule: 'daily', description: 'new' }, now, created);
    expect(replaced.schedule.description).toBe(created.schedule.description);
    // When its schedule becomes weekly, then it is anchored afresh
    const weekly = jobFrom({ schedule: 'weekly' }, now, created);
    expect(weekly.schedule.description).toBe(
      'Every 7 days, counted from creation: first 2026-06-08 12:01 UTC',
    );
  });

  it('given a PATCH of an unrelated field, then the stored description is rebuilt, not appended to', () => {
    const created = jobFrom({ schedule: 'hourly' }, new Date('2026-06-01T09:59:59Z'));
    const definition = patchedDefinition(created, parseJobPatch({ enabled: false }), context);
    const patched = buildJob(normalizeDefinition(definition, context), now, created);
    expect(patched.schedule.description).toBe(
      'Every hour, counted from creation: first 2026-06-01 11:00 UTC',
    );
  });
});

describe('desiredSchedule', () => {
  it('derives every field of the schedule from the job', () => {
    // Given a paused cron job with a description, a window and bounds
    const job = jobFrom({
      schedule: '0 9 * * MON-FRI',
      timezone: 'Europe/Berlin',
      description: 'Morning summary',
      enabled: false,
      flexibleWindowMinutes: 15,
      startDate: '2026-07-01T00:00:00Z',
      endDate: '2026-12-31T00:00:00Z',
    });
    // When its schedule is derived
    const spec = desiredSchedule(job, deployment, now);
    // Then the whole schedule is spelled out
    expect(spec).toEqual({
      name: 'report',
      // Its kind's group holds it.
      kind: job.kind,
      expression: 'cron(0 9 ? * MON-FRI *)',
      timezone: 'Europe/Berlin',
      description: 'Morning summary',
      state: 'DISABLED',
      startDate: new Date('2026-07-01T00:00:00Z'),
      endDate: new Date('2026-12-31T00:00:00Z'),
      flexibleWindowMinutes: 15,
      actionAfterCompletion: 'NONE',
      target: {
        arn: deployment.targetArns.prompt,
        roleArn: deployment.roleArn,
        input: scheduleTargetInput(job),
        deadLetterArn: deployment.deadLetterArn,
        retryPolicy: DEFAULT_TARGET_RETRY_POLICY,
      },
    });
    expect(JSON.parse(spec?.target.input ?? '')).toEqual({
      job: 'report',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      executionId: '<aws.scheduler.execution-id>',
      attempt: '<aws.scheduler.attempt-number>',
      definition: job,
    });
  });

  it('uses the schedule description when the job has none', () => {
    const spec = desiredSchedule(jobFrom({ schedule: 'rate(5 minutes)' }), deployment, now);
    expect(spec?.description).toBe('Every 5 minutes');
  });

  it('deletes one-time schedules after they fire and gives finished ones none', () => {
    const job = jobFrom({ schedule: 'at(2026-06-01T13:00:00)' });
    expect(desiredSchedule(job, deployment, now)).toMatchObject({
      actionAfterCompletion: 'DELETE',
      startDate: undefined,
      endDate: undefined,
    });
    expect(desiredSchedule({ ...job, oneTimeState: 'executed' }, deployment, now)).toBeUndefined();
    expect(desiredSchedule(job, deployment, new Date('2026-06-01T13:00:01Z'))).toBeUndefined();
  });

  it('leaves out a cron StartDate that has passed', () => {
    const job = jobFrom({ schedule: 'cron(0 9 * * ? *)', startDate: '2026-06-01T00:00:00Z' });
    expect(desiredSchedule(job, deployment, now)?.startDate).toBeUndefined();
  });
});

describe('scheduleDifferences', () => {
  const job = jobFrom({ schedule: 'rate(5 minutes)' });
  const spec = desiredSchedule(job, deployment, now);
  if (spec === undefined) throw new Error('a rate job has a schedule');

  it('finds none between a schedule and itself', () => {
    expect(scheduleDifferences(spec, spec, now)).toEqual([]);
  });

  it('treats rate StartDates on the same grid as equal', () => {
    const later = { ...spec, startDate: new Date((spec.startDate?.getTime() ?? 0) + 3 * 5 * 60_000) };
    expect(scheduleDifferences(spec, later, now)).toEqual([]);
    const shifted = { ...spec, startDate: new Date((spec.startDate?.getTime() ?? 0) + 60_000) };
    expect(scheduleDifferences(spec, shifted, now)).toEqual(['startDate']);
  });

  it.each([
    ['expression', { expression: 'rate(6 minutes)' }],
    ['state', { state: 'DISABLED' as const }],
    ['description', { description: 'other' }],
    ['timezone', { timezone: 'Europe/Berlin' }],
    ['flexibleWindowMinutes', { flexibleWindowMinutes: 5 }],
    ['target.input', { target: { ...spec.target, input: '{}' } }],
    [
      'target.retryPolicy',
      { target: { ...spec.target, retryPolicy: { maximumRetryAttempts: 1, maximumEventAgeInSeconds: 60 } } },
    ],
    ['target.deadLetterArn', { target: { ...spec.target, deadLetterArn: undefined } }],
  ])('reports a different %s', (field, change) => {
    expect(scheduleDifferences(spec, { ...spec, ...change }, now)).toEqual([field]);
  });
});

describe('patchedDefinition', () => {
  it('keeps omitted fields, clears nulls and merges config', () => {
    // Given a job with a description, an end date and tags
    const job = jobFrom({
      schedule: 'rate(5 minutes)',
      description: 'old',
      endDate: '2026-12-31T00:00:00Z',
      tags: { team: 'ops' },
    });
    // When a patch clears the description and changes the prompt
    const patch = parseJobPatch({ description: null, config: { prompt: 'new text' } });
    const definition = patchedDefinition(job, patch, context);
    // Then the description is gone, the rest stays, and the config is merged
    expect(definition.description).toBeUndefined();
    expect(definition.endDate).toBe('2026-12-31T00:00:00.000Z');
    expect(definition.tags).toEqual({ team: 'ops' });
    expect(definition.schedule).toBe('rate(5 minutes)');
    expect(definition.config).toEqual({ ...config, prompt: 'new text' });
  });
});
