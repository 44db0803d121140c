/** Stored jobs for store and use-case tests. */
import type { Job } from '../../shared/jobs/model.ts';

/** A valid prompt job; override what the test is about. */
export function promptJob(name: string, overrides: Partial<Job> = {}): Job {
  return {
    name,
    kind: 'prompt',
    schedule: {
      input: 'rate(5 minutes)',
      expression: 'rate(5 minutes)',
      timezone: 'UTC',
      description: 'every 5 minutes',
      type: 'rate',
    },
    enabled: true,
    config: {
      prompt: 'Summarize the overnight alerts.',
      target: { type: 'webhook', url: 'http://127.0.0.1:9/hook', signingSecret: 'demo/webhook' },
    },
    overlap: 'skip',
    tags: {},
    runImmediately: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  };
}
