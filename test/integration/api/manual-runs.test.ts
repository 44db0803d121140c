/**
 * Manual runs through the real local stack (API front, API function, Lambda runtime with Lambda's
 * retries shortened, the prompt function, a webhook receiver): parameters validated against the kind,
 * and a run whose attempt failed reading `retrying` until its last attempt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../prompt/receiver.ts';
import { type ApiHarness, promptJob, startApiHarness, until } from './support.ts';

/** Lambda's two retries, shortened: long enough to see `retrying`, short enough for a test. */
const RETRY_DELAYS_MS = [1_500, 1_500];

let api: ApiHarness;
let receiver: Receiver;

beforeAll(async () => {
  api = await startApiHarness({ asyncRetryDelaysMs: RETRY_DELAYS_MS });
  await api.writeSecrets({ 'runs-hook': 'manual-runs-secret' });
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await api?.close();
});

async function givenJob(name: string): Promise<void> {
  const created = await api.call('PUT', `/jobs/${name}`, {
    body: promptJob(name, {
      config: {
        prompt: 'Triage the new tickets',
        metadata: { team: 'support', priority: 3 },
        target: { type: 'webhook', url: receiver.url, signingSecret: 'runs-hook' },
      },
    }),
  });
  expect([200, 201], created.text).toContain(created.status);
}

const final = (answer: { json: { status: string } }) =>
  !['pending', 'running', 'retrying'].includes(answer.json.status);

describe('manual-run parameters', () => {
  it('Given params the kind accepts, When the job is run, Then the run keeps them and the delivery uses them', async () => {
    await givenJob('with-params');
    receiver.answer = { status: 200, body: 'ok' };
    const started = await api.call('POST', '/jobs/with-params/runs', {
      body: { params: { metadata: { priority: 1, ticket: 'INC-7' } } },
    });
    expect(started.status, started.text).toBe(202);
    expect(started.json).toMatchObject({
      status: 'pending',
      params: { metadata: { priority: 1, ticket: 'INC-7' } },
    });
    const done = await until(() => api.call('GET', `/runs/${started.json.runId}`), final, 20_000);
    expect(done.json.status).toBe('succeeded');
    const delivered = receiver.received.find(
      (request) => JSON.parse(request.rawBody).runId === started.json.runId,
    );
    expect(JSON.parse(delivered?.rawBody ?? '{}').metadata).toEqual({
      team: 'support',
      priority: 1,
      ticket: 'INC-7',
    });
  });

  it('Given no body at all, When the job is run, Then it runs without parameters', async () => {
    await givenJob('no-params');
    const started = await api.call('POST', '/jobs/no-params/runs');
    expect(started.status, started.text).toBe(202);
    expect(started.json.params).toBeUndefined();
  });

  it.each([
    ['an unknown parameter', { params: { model: 'gpt' } }, ['params.model']],
    ['an unknown field beside params', { params: {}, wait: true }, ['wait']],
    ['params that are not an object', { params: [1] }, ['params']],
    [
      'an inline secret in the parameters',
      { params: { metadata: { token: 'abc' } } },
      ['params.metadata.token'],
    ],
  ])(
    'Given %s, When the job is run, Then a 400 names it and no run is created',
    async (_case, body, fields) => {
      await givenJob('refused-params');
      const before = await api.snapshot();
      const answer = await api.call('POST', '/jobs/refused-params/runs', { body });
      expect(answer.status).toBe(400);
      expect(answer.json.error.details.map((problem: { field: string }) => problem.field)).toEqual(fields);
      expect(await api.snapshot()).toEqual(before);
    },
  );

  it('Given a body that is not JSON, When the job is run, Then it is refused (415) and no run is created', async () => {
    await givenJob('text-body');
    const before = await api.snapshot();
    const answer = await api.call('POST', '/jobs/text-body/runs', {
      body: 'run it',
      contentType: 'text/plain',
    });
    expect(answer.status).toBe(415);
    expect(await api.snapshot()).toEqual(before);
  });
});

describe('a run Lambda will retry', () => {
  it('Given a webhook that keeps failing, When run, Then the run reads retrying with its next attempt, and failed after the last', async () => {
    await givenJob('always-500');
    receiver.answer = { status: 500, body: 'down for maintenance' };
    const started = await api.call('POST', '/jobs/always-500/runs');
    expect(started.status).toBe(202);
    const path = `/runs/${started.json.runId}`;
    // Then, after the first attempt, the run waits for Lambda's retry and says when it is due
    const waiting = await until(
      () => api.call('GET', path),
      (answer) => answer.json.status !== 'pending' && answer.json.status !== 'running',
      20_000,
      50,
    );
    expect(waiting.json).toMatchObject({
      status: 'retrying',
      attempt: 1,
      error: { type: 'WebhookRejectedError', message: expect.stringContaining('HTTP 500') },
      nextAttemptAt: expect.any(String),
    });
    expect(Date.parse(waiting.json.nextAttemptAt)).toBeGreaterThan(Date.parse(waiting.json.finishedAt));
    // And once the retries are spent, it has failed for good
    const done = await until(() => api.call('GET', path), final, 30_000);
    expect(done.json).toMatchObject({
      status: 'failed',
      attempt: 3,
      error: { type: 'WebhookRejectedError' },
    });
    expect(done.json.nextAttemptAt).toBeUndefined();
    // And the status view shows the job failing meanwhile and after
    const status = await api.call('GET', '/status?limit=100');
    expect(status.json.jobs.find((job: { name: string }) => job.name === 'always-500')).toMatchObject({
      health: 'failing',
      lastRun: { status: 'failed' },
    });
  });
});
