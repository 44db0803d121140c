import { describe, expect, it } from 'vitest';
import { buildJob, normalizeDefinition } from '../../../shared/jobs/definition.ts';
import type { Job, Run, RunStatus } from '../../../shared/jobs/model.ts';
import { healthOf, jobStatus } from '../../../shared/jobs/status.ts';
import { parseJobDefinition } from '../../../shared/jobs/validation.ts';
import { toJobView } from '../../../shared/jobs/view.ts';

const created = new Date('2026-06-01T08:00:00Z');
const config = {
  prompt: 'hello',
  target: { type: 'webhook', url: 'https://hooks.example.com/in', signingSecret: 'hook' },
};

function job(body: Record<string, unknown>): Job {
  const definition = parseJobDefinition({ name: 'hourly', kind: 'prompt', config, ...body });
  return buildJob(normalizeDefinition(definition, { now: created, mode: 'local' }), created);
}

function run(status: RunStatus, scheduledFor: string): Run {
  return {
    runId: '01J0000000000000000000000A',
    job: 'hourly',
    slot: scheduledFor,
    trigger: 'schedule',
    status,
    scheduledFor,
    startedAt: scheduledFor,
    finishedAt: status === 'running' ? undefined : scheduledFor,
    attempt: 1,
    duplicatesSuppressed: 0,
    expiresAt: 0,
    error: status === 'failed' ? { type: 'WebhookError', message: 'receiver answered 500' } : undefined,
  };
}

// cron(0 * * * ? *): every hour on the hour, first slot after creation 09:00.
const hourly = job({ schedule: 'cron(0 * * * ? *)' });

describe('healthOf', () => {
  it.each<[string, Job, Run | undefined, string, string]>([
    ['no slot due yet', hourly, undefined, '2026-06-01T08:30:00Z', 'ok'],
    ['the first slot within the grace', hourly, undefined, '2026-06-01T09:01:59Z', 'ok'],
    ['the first slot past the grace with no run', hourly, undefined, '2026-06-01T09:02:01Z', 'late'],
    [
      'the last run on time and the next slot not due',
      hourly,
      run('succeeded', '2026-06-01T09:00:00Z'),
      '2026-06-01T09:30:00Z',
      'ok',
    ],
    [
      'a slot missed after the last run',
      hourly,
      run('succeeded', '2026-06-01T09:00:00Z'),
      '2026-06-01T10:05:00Z',
      'late',
    ],
    ['the last run failed', hourly, run('failed', '2026-06-01T09:00:00Z'), '2026-06-01T09:30:00Z', 'failing'],
    [
      'the last run timed out',
      hourly,
      run('timed_out', '2026-06-01T09:00:00Z'),
      '2026-06-01T09:30:00Z',
      'failing',
    ],
    [
      'a paused job',
      { ...hourly, enabled: false },
      run('failed', '2026-06-01T09:00:00Z'),
      '2026-06-01T12:00:00Z',
      'paused',
    ],
    [
      'a flexible window widening the grace',
      { ...hourly, flexibleWindowMinutes: 10 },
      undefined,
      '2026-06-01T09:11:00Z',
      'ok',
    ],
    [
      'a rate job that runs immediately and has no run',
      job({ schedule: 'rate(1 hour)', runImmediately: true }),
      undefined,
      '2026-06-01T08:02:02Z',
      'late',
    ],
    [
      'an executed one-time job',
      { ...job({ schedule: 'at(2026-06-01T09:00:00)' }), oneTimeState: 'executed' as const },
      run('succeeded', '2026-06-01T09:00:00Z'),
      '2026-06-02T00:00:00Z',
      'ok',
    ],
    [
      'a one-time job whose time passed with no run',
      job({ schedule: 'at(2026-06-01T09:00:00)' }),
      undefined,
      '2026-06-01T09:05:00Z',
      'late',
    ],
  ])('%s', (_case, subject, lastRun, at, expected) => {
    expect(healthOf(subject, lastRun, new Date(at))).toBe(expected);
  });
});

describe('jobStatus', () => {
  it('shows the next run from the engine, the last run and the verdict', () => {
    // Given an hourly job whose 09:00 run failed
    const last = run('failed', '2026-06-01T09:00:00Z');
    // When its status line is built at 09:30 while a run executes
    const status = jobStatus(hourly, last, true, new Date('2026-06-01T09:30:00Z'));
    // Then it carries the next slot, the last run's outcome and "failing"
    expect(status).toEqual({
      name: 'hourly',
      kind: 'prompt',
      enabled: true,
      schedule: {
        input: 'cron(0 * * * ? *)',
        expression: 'cron(0 * * * ? *)',
        timezone: 'UTC',
        description: expect.any(String),
      },
      nextRun: '2026-06-01T10:00:00.000Z',
      isExecuting: true,
      lastRun: {
        runId: last.runId,
        status: 'failed',
        startedAt: '2026-06-01T09:00:00Z',
        finishedAt: '2026-06-01T09:00:00Z',
        error: { type: 'WebhookError', message: 'receiver answered 500' },
      },
      health: 'failing',
      state: undefined,
    });
  });
});

describe('toJobView', () => {
  it('shows the one-time state and no lease', () => {
    const oneTime = {
      ...job({ schedule: 'at(2026-06-01T09:00:00)' }),
      lease: { runId: 'r', slot: 's', expiresAt: '2026-06-01T09:01:00Z' },
    };
    const view = toJobView(oneTime, new Date('2026-06-01T08:30:00Z'));
    expect(view).toMatchObject({ state: 'scheduled', nextRun: '2026-06-01T09:00:00.000Z', version: 1 });
    expect(view).not.toHaveProperty('lease');
    expect(
      toJobView({ ...oneTime, oneTimeState: 'cancelled' }, new Date('2026-06-01T08:30:00Z')).nextRun,
    ).toBeNull();
  });

  it('has no next run for a paused job', () => {
    expect(toJobView({ ...hourly, enabled: false }, created).nextRun).toBeNull();
  });
});
