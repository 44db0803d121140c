import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.ts';
import {
  manualSlot,
  normalizeInstant,
  parseJobEvent,
  scheduleTargetInput,
} from '../../../shared/runs/event.ts';
import { newManualRun } from '../../../shared/runs/manual.ts';
import { promptJob } from '../../integration/ledger/support.ts';

describe('scheduleTargetInput and parseJobEvent', () => {
  it('parses the Scheduler input once its context attributes are substituted', () => {
    // Given what Scheduler sends for a job's schedule
    const input = scheduleTargetInput('nightly-report')
      .replace('<aws.scheduler.scheduled-time>', '2026-03-01T09:00:00Z')
      .replace('<aws.scheduler.execution-id>', 'c0ffee-1')
      .replace('<aws.scheduler.attempt-number>', '2');
    // When / Then
    expect(parseJobEvent(JSON.parse(input))).toEqual({
      job: 'nightly-report',
      scheduledTime: '2026-03-01T09:00:00Z',
      executionId: 'c0ffee-1',
      attempt: '2',
      trigger: 'schedule',
    });
  });

  it('parses the event of a manual run', () => {
    const { event, run } = newManualRun(promptJob('adhoc'), new Date('2026-03-01T10:00:00.000Z'), {
      retentionDays: 7,
    });
    expect(parseJobEvent(event)).toEqual(event);
    expect(run).toMatchObject({
      status: 'pending',
      trigger: 'manual',
      slot: manualSlot('2026-03-01T10:00:00.000Z', run.runId),
      expiresAt: Date.parse('2026-03-08T10:00:00.000Z') / 1000,
    });
  });

  it.each([
    ['no job', { scheduledTime: '2026-03-01T09:00:00Z' }, 'event.job'],
    ['a bad job name', { job: 'a b', scheduledTime: '2026-03-01T09:00:00Z' }, 'event.job'],
    ['no time', { job: 'a' }, 'event.scheduledTime'],
    ['a time without zone', { job: 'a', scheduledTime: '2026-03-01T09:00:00' }, 'event.scheduledTime'],
    ['an impossible date', { job: 'a', scheduledTime: '2026-02-31T09:00:00Z' }, 'event.scheduledTime'],
    [
      'a manual trigger without run id',
      { job: 'a', scheduledTime: '2026-03-01T09:00:00Z', trigger: 'manual' },
      'event.runId',
    ],
    ['a bad run id', { job: 'a', scheduledTime: '2026-03-01T09:00:00Z', runId: 'x' }, 'event.runId'],
  ])('rejects an event with %s', (_case, input, field) => {
    expect(() => parseJobEvent(input)).toThrow(ValidationError);
    try {
      parseJobEvent(input);
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
    }
  });
});

describe('normalizeInstant', () => {
  it.each([
    ['2026-03-01T09:00:00Z', '2026-03-01T09:00:00.000Z'],
    ['2026-03-01T09:00:00.000Z', '2026-03-01T09:00:00.000Z'],
    ['2026-03-01T10:00:00+01:00', '2026-03-01T09:00:00.000Z'],
    ['2026-03-01T09:00Z', '2026-03-01T09:00:00.000Z'],
  ])('%s → %s', (input, slot) => {
    expect(normalizeInstant(input, 'scheduledTime')).toBe(slot);
  });
});
