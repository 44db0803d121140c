import { describe, expect, it } from 'vitest';
import { buildJob, normalizeDefinition } from '../../../shared/jobs/definition.ts';
import type { Job, Run, RunStatus } from '../../../shared/jobs/model.ts';
import type { JobRunState } from '../../../shared/jobs/ports.ts';
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

describe('healthOf: the recorded health, not a guess', () => {
  it.each<[string, Job, JobRunState | undefined, string]>([
    ['a job with no health recorded yet', hourly, undefined, 'ok'],
    ['a job recorded late', hourly, { health: 'late' }, 'late'],
    ['a job recorded missed', hourly, { health: 'missed' }, 'missed'],
    ['a job recorded failing', hourly, { health: 'failing' }, 'failing'],
    ['a paused job, whatever was recorded', { ...hourly, enabled: false }, { health: 'failing' }, 'paused'],
    ['a job resumed while its pause is being recorded', hourly, { health: 'paused' }, 'ok'],
  ])('%s', (_case, subject, state, expected) => {
    expect(healthOf(subject, state)).toBe(expected);
  });
});

describe('jobStatus', () => {
  it('shows the next run from the engine, the last run and the verdict', () => {
    // Given an hourly job whose 09:00 run failed
    const last = run('failed', '2026-06-01T09:00:00Z');
    // When its status line is built at 09:30 while a run executes
    const status = jobStatus(hourly, last, true, new Date('2026-06-01T09:30:00Z'), {
      health: 'failing',
      healthReason: '1 consecutive run(s) failed',
    });
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
      healthReason: '1 consecutive run(s) failed',
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
