import { describe, expect, it } from 'vitest';
import { AttemptMeta } from '../../../local/scheduler/attempt-meta.ts';
import type { ScheduleRecord } from '../../../local/scheduler/model.ts';
import { retryDelayMs } from '../../../local/scheduler/retries.ts';
import {
  compileInput,
  formatScheduledTime,
  type InvocationMeta,
  renderInput,
  substituteContextAttributes,
} from '../../../local/scheduler/target-invoker.ts';

const meta: InvocationMeta = {
  scheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/jobs/nightly',
  groupName: 'jobs',
  scheduleName: 'nightly',
  roleArn: 'arn:aws:iam::000000000000:role/r',
  scheduledTime: new Date('2022-03-22T18:59:43.123Z'),
  executionId: '3b2f4bd6-0000-4000-8000-000000000001',
  attemptNumber: 4,
};

describe('substituteContextAttributes', () => {
  it.each([
    ['<aws.scheduler.schedule-arn>', meta.scheduleArn],
    ['<aws.scheduler.scheduled-time>', '2022-03-22T18:59:43Z'],
    ['<aws.scheduler.execution-id>', meta.executionId],
    ['<aws.scheduler.attempt-number>', '4'],
    ['{"a":"<aws.scheduler.attempt-number>","b":"<aws.scheduler.attempt-number>"}', '{"a":"4","b":"4"}'],
    [
      '<aws.scheduler.other> and <aws.scheduler.SCHEDULE-ARN>',
      '<aws.scheduler.other> and <aws.scheduler.SCHEDULE-ARN>',
    ],
    ['no attributes at all', 'no attributes at all'],
  ])('turns %s into %s', (input, expected) => {
    expect(substituteContextAttributes(input, meta)).toBe(expected);
  });
});

describe('compileInput', () => {
  it.each([
    ['<aws.scheduler.schedule-arn>'],
    ['{"slot":"<aws.scheduler.scheduled-time>","id":"<aws.scheduler.execution-id>"}'],
    ['<aws.scheduler.attempt-number><aws.scheduler.attempt-number>'],
    ['before <aws.scheduler.other> <aws.scheduler.scheduled-time> after'],
    ['<aws.scheduler.other> only'],
    [''],
  ])('renders %j as the substitution does', (input) => {
    // Given an input split once
    const compiled = compileInput(input);

    // When rendered for an attempt, Then it reads as the regular expression's substitution
    expect(compiled === undefined ? undefined : renderInput(compiled, meta, '2022-03-22T18:59:43Z')).toBe(
      substituteContextAttributes(input, meta),
    );
  });

  it('keeps an input without context attributes as the string itself, and no input as none', () => {
    const input = '{"job":"nightly"}';
    expect(compileInput(input)).toBe(input);
    expect(compileInput(undefined)).toBeUndefined();
  });
});

describe('AttemptMeta', () => {
  const record = {
    groupName: 'jobs',
    name: 'nightly',
    target: { roleArn: 'arn:aws:iam::000000000000:role/r' },
  } as ScheduleRecord;
  const delivery = { live: { arn: meta.scheduleArn }, record, slot: Date.parse('2022-03-22T18:59:43Z') };

  it('reads the facts of its delivery', () => {
    const attempt = new AttemptMeta(delivery, 2);
    expect({
      scheduleArn: attempt.scheduleArn,
      groupName: attempt.groupName,
      scheduleName: attempt.scheduleName,
      roleArn: attempt.roleArn,
      scheduledTime: attempt.scheduledTime.toISOString(),
      attemptNumber: attempt.attemptNumber,
    }).toEqual({
      scheduleArn: meta.scheduleArn,
      groupName: 'jobs',
      scheduleName: 'nightly',
      roleArn: 'arn:aws:iam::000000000000:role/r',
      scheduledTime: '2022-03-22T18:59:43.000Z',
      attemptNumber: 2,
    });
  });

  it('draws a UUID execution id when first read, keeps it, and draws a new one per attempt', () => {
    const first = new AttemptMeta(delivery, 1);
    const second = new AttemptMeta(delivery, 2);
    expect(first.executionId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(first.executionId).toBe(first.executionId);
    expect(second.executionId).not.toBe(first.executionId);
  });
});

describe('formatScheduledTime', () => {
  it('gives UTC with whole seconds and a Z, as the service does', () => {
    expect(formatScheduledTime(new Date('2026-03-02T08:00:00.999Z'))).toBe('2026-03-02T08:00:00Z');
  });
});

describe('retryDelayMs', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [9, 256_000],
    [10, 300_000],
    [185, 300_000],
  ])('waits %i -> %i ms before the next attempt', (attempt, delay) => {
    expect(retryDelayMs(attempt)).toBe(delay);
  });
});
