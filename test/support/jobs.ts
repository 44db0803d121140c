/** Jobs for store and use-case tests: as stored (a Job), and as a client defines one (a request body). */
import type { Job } from '../../shared/jobs/model.ts';
import type { JobStore } from '../../shared/jobs/ports.ts';

/** `rate(1 hour)` as a stored job holds it. */
export const HOURLY: Job['schedule'] = {
  input: 'rate(1 hour)',
  expression: 'rate(1 hour)',
  timezone: 'UTC',
  description: 'every hour',
  type: 'rate',
};

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

/** A valid prompt job definition, as POST /jobs takes it; `overrides` replace top-level fields. */
export function promptDefinition(
  name: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name,
    kind: 'prompt',
    schedule: 'cron(0 9 ? * MON-FRI *)',
    config: {
      prompt: 'Summarize the overnight alerts',
      target: { type: 'webhook', url: 'http://127.0.0.1:9/hooks/tickwork', signingSecret: 'hook-key' },
    },
    ...overrides,
  };
}

const stored = new Map<string, number>();

/**
 * A job of `kind` on an hourly rate with `config`, stored under a name no other job of the test file
 * has (`<kind>-<n>`); `overrides` replace top-level fields.
 */
export async function storeHourlyJob(
  jobs: Pick<JobStore, 'create'>,
  kind: string,
  config: Record<string, unknown>,
  overrides: Partial<Job> = {},
): Promise<Job> {
  const n = (stored.get(kind) ?? 0) + 1;
  stored.set(kind, n);
  const job = promptJob(`${kind}-${n}`, {
    kind: kind as Job['kind'],
    schedule: HOURLY,
    config,
    ...overrides,
  });
  await jobs.create(job);
  return job;
}
