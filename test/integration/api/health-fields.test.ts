/**
 * A job's health settings through the API on the local stack: a bad one is a 400 naming the field and
 * the rule, with nothing written (on create and on a PATCH); good ones are stored as given and shown
 * with their defaults in `healthSettings`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, promptJob, startApiHarness } from './support.ts';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
});

afterAll(async () => {
  await api?.close();
});

describe('the health settings of a job', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['grace past the deadline', { graceSeconds: 900, startingDeadlineSeconds: 600 }, 'graceSeconds', '600 s'],
    ['max without all', { catchup: { policy: 'latest', max: 3 } }, 'catchup.max', 'only to policy "all"'],
    ['an unknown policy', { catchup: { policy: 'sometimes' } }, 'catchup.policy', 'all'],
    ['a deadline under a minute', { startingDeadlineSeconds: 30 }, 'startingDeadlineSeconds', 'from 60'],
    ['a threshold of 0', { recoveryThreshold: 0 }, 'recoveryThreshold', 'from 1 to 100'],
  ])(
    'Given %s, When the job is created, Then 400 names %s and nothing is written',
    async (_, fields, field, rule) => {
      const before = await api.snapshot();

      const answer = await api.call('POST', '/jobs', {
        body: promptJob('refused', { schedule: 'rate(1 hour)', ...fields }),
      });

      expect(answer.status, answer.text).toBe(400);
      const details = answer.json.error.details as { field: string; message: string }[];
      expect(details.find((detail) => detail.field === field)?.message ?? '', answer.text).toContain(rule);
      expect(await api.snapshot()).toEqual(before);
    },
  );

  it('Given a job, When a PATCH sets a bad catch-up, Then 400 names the field and the job is unchanged; a good one is stored and shown', async () => {
    expect(
      (await api.call('POST', '/jobs', { body: promptJob('tuned', { schedule: 'rate(1 hour)' }) })).status,
    ).toBe(201);
    const before = await api.call('GET', '/jobs/tuned');

    const refused = await api.call('PATCH', '/jobs/tuned', {
      body: { catchup: { policy: 'all', max: 1001 } },
    });

    expect(refused.status, refused.text).toBe(400);
    expect(refused.json.error.details.map((detail: { field: string }) => detail.field)).toContain(
      'catchup.max',
    );
    expect((await api.call('GET', '/jobs/tuned')).json).toEqual(before.json);

    const accepted = await api.call('PATCH', '/jobs/tuned', {
      body: { catchup: { policy: 'all', max: 5 }, failureThreshold: 3 },
    });
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.json).toMatchObject({
      catchup: { policy: 'all', max: 5 },
      failureThreshold: 3,
      healthSettings: { catchup: { policy: 'all', max: 5 }, failureThreshold: 3, recoveryThreshold: 1 },
    });
  });
});
