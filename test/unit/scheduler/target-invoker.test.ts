import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../../local/scheduler/retries.ts';
import {
  formatScheduledTime,
  type InvocationMeta,
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
