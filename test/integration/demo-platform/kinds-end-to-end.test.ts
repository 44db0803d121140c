/**
 * The README's walk-throughs of the telemetry and calibration kinds, as a test: the local stack (the API,
 * the Lambda runtime running each kind's function, dynalite) and the demo platform, jobs created through
 * the API with the README's configs, manual runs with and without parameters.
 */
import { describe, expect, it } from 'vitest';
import { runToEnd } from '../api/support.ts';
import { useApiWithDemoPlatform } from './support.ts';

const MODEL = {
  name: 'claims-triage',
  version: '3.1.0',
  environment: 'demo',
  purpose: 'route insurance claims',
};

const stack = useApiWithDemoPlatform();

/** Starts a manual run (optionally with parameters) and waits for its outcome. */
const runNow = (job: string, params?: Record<string, unknown>) =>
  runToEnd(stack.api, job, params === undefined ? undefined : { params });

describe('the telemetry walk-through', () => {
  it('exports a window to the signed ingest, and a backfill exports exactly the window it names', async () => {
    const created = await stack.api.call('POST', '/jobs', {
      body: {
        name: 'demo-telemetry',
        kind: 'telemetry',
        schedule: 'rate(5 minutes)',
        config: {
          model: MODEL,
          source: { type: 'http', url: `${stack.platform.url}/telemetry`, authSecret: 'demo-platform-token' },
          tables: ['predictions', 'latency'],
          sink: { url: `${stack.platform.url}/ingest`, signingSecret: 'demo-ingest' },
        },
      },
    });
    expect(created.status).toBe(201);
    expect(created.json.warnings).toBeUndefined();

    // A run by hand exports the five minutes before its time less settleLag: 10 rows a minute per table
    const first = await runNow('demo-telemetry');
    expect(first.json).toMatchObject({
      status: 'succeeded',
      result: { rows: { predictions: 50, latency: 50 }, chunks: 1, hasMore: false },
    });
    const window = first.json.result.window;
    expect(Date.parse(window.to) - Date.parse(window.from)).toBe(5 * 60_000);
    expect(stack.platform.received().ingest.telemetry).toEqual({
      chunks: 1,
      rows: { predictions: 50, latency: 50 },
    });

    // A backfill of one hour: exactly that window, and the watermark stays where the first run left it
    const backfill = await runNow('demo-telemetry', {
      from: '2026-11-29T00:00:00Z',
      to: '2026-11-29T01:00:00Z',
    });
    expect(backfill.json).toMatchObject({
      status: 'succeeded',
      result: {
        window: { from: '2026-11-29T00:00:00.000Z', to: '2026-11-29T01:00:00.000Z' },
        rows: { predictions: 600, latency: 600 },
        backfill: true,
      },
    });
    const next = await runNow('demo-telemetry');
    expect(next.json.status).toBe('succeeded');
    expect(next.json.result.window.from).toBe(window.to);
  });
});

describe('the calibration walk-through', () => {
  const config = (budget: Record<string, number>) => ({
    model: MODEL,
    provider: {
      type: 'openai-compatible',
      baseUrl: `${stack.platform.url}/v1`,
      model: 'demo-small',
      apiKeySecret: 'demo-platform-token',
    },
    flows: {
      responses: {
        promptsUrl: `${stack.platform.url}/calibration/prompts`,
        submitUrl: `${stack.platform.url}/calibration/responses`,
        authSecret: 'demo-platform-token',
      },
      registry: {
        promptsUrl: `${stack.platform.url}/registry/prompts`,
        ingestUrl: `${stack.platform.url}/ingest`,
        signingSecret: 'demo-ingest',
        authSecret: 'demo-platform-token',
      },
    },
    pricing: { inputPerMillionTokens: 3, outputPerMillionTokens: 15 },
    budget,
  });

  it('answers both flows with the demo model, then stops at a budget of two cents a run', async () => {
    const created = await stack.api.call('POST', '/jobs', {
      body: {
        name: 'demo-calibration',
        kind: 'calibration',
        schedule: 'cron(0 6 ? * MON *)',
        config: config({ perRunUsd: 1, perDayUsd: 5 }),
      },
    });
    expect(created.status).toBe(201);

    const answered = await runNow('demo-calibration');
    expect(answered.json).toMatchObject({
      status: 'succeeded',
      result: {
        flows: {
          responses: { prompts: 5, answered: 5, failed: 0 },
          registry: { prompts: 5, answered: 5, failed: 0 },
        },
      },
    });
    expect(answered.json.result.costUsd).toBeGreaterThan(0);
    expect(stack.platform.received().calibration.accepted).toHaveLength(5);
    expect(stack.platform.received().model.completed).toBe(10);

    const patched = await stack.api.call('PATCH', '/jobs/demo-calibration', {
      body: { config: { budget: { perRunUsd: 0.02 } } },
    });
    expect(patched.status).toBe(200);
    const stopped = await runNow('demo-calibration');
    expect(stopped.json).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: {
        type: 'BudgetExceeded',
        message: expect.stringContaining(
          "the run's budget perRunUsd (0.02) would be crossed by the next model call",
        ),
      },
    });
  });
});
