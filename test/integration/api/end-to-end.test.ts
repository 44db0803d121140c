/**
 * End to end on the local stack: a job created through the API is fired by the Scheduler emulator,
 * the prompt function delivers to a local webhook receiver, and the run shows up as succeeded in the
 * job's runs and in /status. Waits a few seconds of real time (the emulator fires on the wall clock).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../prompt/receiver.ts';
import { type ApiHarness, promptJob, startApiHarness, until } from './support.ts';

let api: ApiHarness;
let receiver: Receiver;

beforeAll(async () => {
  api = await startApiHarness();
  receiver = await startReceiver();
  await api.writeSecrets({ 'e2e-hook': 'local-signing-secret' });
});

afterAll(async () => {
  await receiver?.close();
  await api?.close();
});

function webhookJob(name: string, overrides: Record<string, unknown>) {
  return promptJob(name, {
    config: {
      prompt: `Hello from ${name}`,
      metadata: { source: 'e2e' },
      target: { type: 'webhook', url: receiver.url, signingSecret: 'e2e-hook' },
    },
    ...overrides,
  });
}

describe('a one-time prompt job', () => {
  it('fires at its time, delivers, and is recorded as executed', async () => {
    // Given a job due three seconds from now
    const at = new Date(Math.ceil((Date.now() + 3_000) / 1000) * 1000);
    const created = await api.call('POST', '/jobs', {
      body: webhookJob('once-e2e', { schedule: `at(${at.toISOString().slice(0, 19)})` }),
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ state: 'scheduled', nextRun: at.toISOString() });

    // When the emulator fires it
    const runs = await until(
      () => api.call('GET', '/jobs/once-e2e/runs'),
      (answer) => answer.json.runs[0]?.status === 'succeeded',
      20_000,
    );

    // Then the run succeeded for that slot and the webhook received the prompt
    expect(runs.json.runs).toHaveLength(1);
    expect(runs.json.runs[0]).toMatchObject({
      job: 'once-e2e',
      trigger: 'schedule',
      status: 'succeeded',
      scheduledFor: at.toISOString(),
      attempt: 1,
    });
    const delivered = receiver.received.filter((request) => request.rawBody.includes('Hello from once-e2e'));
    expect(delivered).toHaveLength(1);

    // And the job is executed, its schedule gone, and /status shows the run
    const job = await until(
      () => api.call('GET', '/jobs/once-e2e'),
      (answer) => answer.json.state === 'executed',
      5_000,
    );
    expect(job.json).toMatchObject({ state: 'executed', nextRun: null });
    expect((await api.snapshot()).schedules).not.toContain('once-e2e');
    const status = await api.call('GET', '/status');
    const line = status.json.jobs.find((entry: { name: string }) => entry.name === 'once-e2e');
    expect(line).toMatchObject({
      health: 'ok',
      isExecuting: false,
      lastRun: { runId: runs.json.runs[0].runId, status: 'succeeded', error: null },
    });
  });
});

describe('a rate job that runs immediately', () => {
  it('runs right after creation and its run succeeds', async () => {
    const created = await api.call('POST', '/jobs', {
      body: webhookJob('rate-e2e', { schedule: 'rate(1 minute)', runImmediately: true }),
    });
    expect(created.status, created.text).toBe(201);
    const runs = await until(
      () => api.call('GET', '/jobs/rate-e2e/runs'),
      (answer) => answer.json.runs[0]?.status === 'succeeded',
      20_000,
    );
    expect(runs.json.runs[0]).toMatchObject({ trigger: 'schedule', status: 'succeeded' });
    const running = await api.call('GET', '/runs?status=running');
    expect(running.status).toBe(200);
    await api.call('DELETE', '/jobs/rate-e2e');
  });
});

describe('a cron job that runs immediately', () => {
  it('gets one manual run at creation, which succeeds', async () => {
    const created = await api.call('POST', '/jobs', {
      body: webhookJob('cron-e2e', { schedule: '0 9 * * *', runImmediately: true }),
    });
    expect(created.status, created.text).toBe(201);
    const runs = await until(
      () => api.call('GET', '/jobs/cron-e2e/runs'),
      (answer) => answer.json.runs[0]?.status === 'succeeded',
      20_000,
    );
    expect(runs.json.runs).toHaveLength(1);
    expect(runs.json.runs[0]).toMatchObject({ trigger: 'manual', status: 'succeeded' });
  });
});

describe('a manual run', () => {
  it('is pending at once and succeeds through the Lambda invoke', async () => {
    const created = await api.call('POST', '/jobs', {
      body: webhookJob('manual-e2e', { schedule: 'rate(1 day)' }),
    });
    expect(created.status).toBe(201);
    const started = await api.call('POST', '/jobs/manual-e2e/runs');
    expect(started.status).toBe(202);
    expect(started.json.status).toBe('pending');
    const run = await until(
      () => api.call('GET', `/runs/${started.json.runId}`),
      (answer) => answer.json.status === 'succeeded',
      20_000,
    );
    expect(run.json).toMatchObject({ trigger: 'manual', status: 'succeeded' });
    const cancel = await api.call('POST', `/runs/${started.json.runId}/cancel`);
    expect(cancel.status).toBe(409);
  });
});
