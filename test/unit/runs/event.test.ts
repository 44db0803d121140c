import { describe, expect, it } from 'vitest';
import { substituteContextAttributes } from '../../../local/scheduler/target-invoker.ts';
import { ValidationError } from '../../../shared/errors.ts';
import {
  MAX_TARGET_INPUT_LENGTH,
  manualSlot,
  normalizeInstant,
  parseJobEvent,
  scheduleTargetInput,
} from '../../../shared/runs/event.ts';
import { newManualRun } from '../../../shared/runs/manual.ts';
import { promptJob } from '../../integration/ledger/support.ts';

/** Which schedule fired (only the time and attempt matter to these tests). */
const SCHEDULE = {
  scheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/tickwork-dev/a-job',
  groupName: 'tickwork-dev',
  scheduleName: 'a-job',
  roleArn: 'arn:aws:iam::000000000000:role/scheduler',
};

describe('scheduleTargetInput and parseJobEvent', () => {
  it('parses the Scheduler input once its context attributes are substituted, with the copy of the job', () => {
    // Given what Scheduler sends for a job's schedule
    const job = promptJob('nightly-report');
    const input = substituteContextAttributes(scheduleTargetInput(job), {
      ...SCHEDULE,
      scheduledTime: new Date('2026-03-01T09:00:00Z'),
      executionId: 'c0ffee-1',
      attemptNumber: 2,
    });
    // When / Then
    expect(parseJobEvent(JSON.parse(input))).toEqual({
      job: 'nightly-report',
      scheduledTime: '2026-03-01T09:00:00Z',
      executionId: 'c0ffee-1',
      attempt: '2',
      trigger: 'schedule',
      definition: job,
    });
  });

  it("keeps a config's own `<aws.scheduler.…>` text out of Scheduler's substitution", () => {
    // Given a prompt that talks about Scheduler's placeholders
    const prompt = 'Explain <aws.scheduler.scheduled-time> and <aws.scheduler.execution-id> & <b>';
    const job = promptJob('placeholders', {
      config: { prompt, target: { type: 'webhook', url: 'https://hooks.example.com/x', signingSecret: 's' } },
    });
    // When Scheduler substitutes the context attributes of its input
    const input = substituteContextAttributes(scheduleTargetInput(job), {
      ...SCHEDULE,
      scheduledTime: new Date('2026-03-01T09:00:00Z'),
      executionId: 'e-1',
      attemptNumber: 1,
    });
    // Then the event's own fields are substituted and the config is the job's, unchanged
    const event = parseJobEvent(JSON.parse(input));
    expect(event.scheduledTime).toBe('2026-03-01T09:00:00Z');
    expect(event.definition?.config.prompt).toBe(prompt);
    expect(input).not.toContain('<b>');
  });

  it('writes the same input for a job whatever the order of its attributes (as DynamoDB returns them)', () => {
    const job = promptJob('ordered', { tags: { b: '2', a: '1' } });
    const reversed = Object.fromEntries(
      Object.entries({ ...job, tags: { a: '1', b: '2' } }).reverse(),
    ) as unknown as typeof job;
    expect(scheduleTargetInput(reversed)).toBe(scheduleTargetInput(job));
  });

  it('leaves out the copy of a job too large for a Target.Input, so its runs read it', () => {
    const job = promptJob('huge', {
      config: {
        prompt: 'x'.repeat(MAX_TARGET_INPUT_LENGTH),
        target: { type: 'webhook', url: 'https://hooks.example.com/x', signingSecret: 's' },
      },
    });
    const input = scheduleTargetInput(job);
    expect(input.length).toBeLessThanOrEqual(MAX_TARGET_INPUT_LENGTH);
    expect(JSON.parse(input)).toEqual({
      job: 'huge',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      executionId: '<aws.scheduler.execution-id>',
      attempt: '<aws.scheduler.attempt-number>',
    });
  });

  it("refuses a copy of another job, and drops a copy from a manual run's event", () => {
    const other = promptJob('other');
    const base = { job: 'mine', scheduledTime: '2026-03-01T09:00:00Z' };
    expect(() => parseJobEvent({ ...base, definition: other })).toThrow(
      'the job definition must be the job the event names',
    );
    const { event } = newManualRun(promptJob('mine'), new Date('2026-03-01T10:00:00.000Z'), {
      retentionDays: 7,
    });
    expect(parseJobEvent({ ...event, definition: promptJob('mine') }).definition).toBeUndefined();
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
