import { describe, expect, it } from 'vitest';
import { formatSchedulerEntry } from '../../../local/runtime.ts';

describe('formatSchedulerEntry', () => {
  it.each([
    [
      'a fire',
      {
        event: 'fire',
        schedule: 'tickwork-local/nightly',
        scheduledTime: '2026-01-05T09:00:00.000Z',
        attempt: 1,
        executionId: 'e-1',
        lagMs: 12,
        durationMs: 3,
        outcome: 'succeeded',
      },
      'scheduler fire schedule=tickwork-local/nightly scheduledTime=2026-01-05T09:00:00.000Z attempt=1 executionId=e-1 lagMs=12 durationMs=3 outcome=succeeded',
    ],
    [
      'a failed attempt with a message',
      {
        event: 'fire',
        schedule: 'tickwork-local/nightly',
        scheduledTime: '2026-01-05T09:00:00.000Z',
        attempt: 2,
        executionId: 'e-2',
        lagMs: 60_000,
        durationMs: 1,
        outcome: 'retrying',
        error: 'function "x" does not exist',
        retryAt: '2026-01-05T09:02:00.000Z',
      },
      'scheduler fire schedule=tickwork-local/nightly scheduledTime=2026-01-05T09:00:00.000Z attempt=2 executionId=e-2 lagMs=60000 durationMs=1 outcome=retrying error="function \\"x\\" does not exist" retryAt=2026-01-05T09:02:00.000Z',
    ],
    ['a stop', { event: 'stopped', abandonedInvocations: 0 }, 'scheduler stopped abandonedInvocations=0'],
  ] as const)('Given %s, Then one line of key=value pairs', (_, entry, line) => {
    expect(formatSchedulerEntry(entry)).toBe(line);
  });
});
