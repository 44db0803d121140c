/**
 * Fan-out through the whole local stack (API front, API function, Lambda runtime with Lambda's retries
 * shortened, the prompt function, dynalite): a parent expands from a source, records one child per
 * context, the children run through the same lifecycle with their context, and the parent ends with
 * the last of them.
 */

import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverSlot } from '../../support/scheduled-event.ts';
import { type ApiAnswer, type ApiHarness, promptJob, startApiHarness, until } from '../api/support.ts';
import { type FanOutWorld, startFanOutWorld } from './support.ts';

let api: ApiHarness;
let world: FanOutWorld;

beforeAll(async () => {
  api = await startApiHarness({ asyncRetryDelaysMs: [300, 300] });
  await api.writeSecrets({ 'fan-hook': 'fan-out-secret' });
  world = await startFanOutWorld();
});

afterAll(async () => {
  await world?.close();
  await api?.close();
});

async function givenFanOutJob(
  name: string,
  expand: Record<string, unknown>,
  schedule?: string,
): Promise<void> {
  const created = await api.call('PUT', `/jobs/${name}`, {
    body: promptJob(name, {
      ...(schedule === undefined ? {} : { schedule }),
      config: {
        prompt: 'Review session {{name}} ({{key}})',
        metadata: { team: 'ops' },
        target: { type: 'webhook', url: world.hookUrl, signingSecret: 'fan-hook' },
      },
      expand,
    }),
  });
  expect([200, 201], created.text).toContain(created.status);
}

const ended = (answer: ApiAnswer) =>
  !['pending', 'running', 'retrying', 'waiting'].includes(answer.json?.status);

async function runToEnd(name: string): Promise<ApiAnswer> {
  const started = await api.call('POST', `/jobs/${name}/runs`);
  expect(started.status, started.text).toBe(202);
  return until(() => api.call('GET', `/runs/${started.json.runId}`), ended, 30_000, 100);
}

async function allChildren(
  runId: string,
  limit = 100,
): Promise<{ runs: ApiAnswer['json'][]; pages: number }> {
  const runs: ApiAnswer['json'][] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const answer: ApiAnswer = await api.call(
      'GET',
      `/runs/${runId}/children?limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`,
    );
    expect(answer.status, answer.text).toBe(200);
    runs.push(...answer.json.runs);
    cursor = answer.json.nextCursor;
    pages++;
  } while (cursor !== null);
  return { runs, pages };
}

describe('a fan-out of N contexts', () => {
  it('Given a source of 5 contexts and concurrency 2, When the job runs, Then 5 children run with their context and the parent succeeds with the counts', async () => {
    world.sources.set('/sessions/five', {
      status: 200,
      body: {
        contexts: [
          { key: 's-1', name: 'Ada' },
          { key: 's-2', name: 'Grace' },
          { key: 's-3', name: 'Linus' },
          { name: 'Barbara' },
          { key: 's-5', name: 'Ken' },
        ],
      },
    });
    await givenFanOutJob('fan-five', { url: world.sourceUrl('/sessions/five'), concurrency: 2 });
    const parent = await runToEnd('fan-five');
    expect(parent.json).toMatchObject({
      status: 'succeeded',
      trigger: 'manual',
      children: { total: 5, succeeded: 5, failed: 0, cancelled: 0, skipped: 0, timed_out: 0 },
    });
    // Then the children, listed in pages of 2, carry their parent, their context and the fan-out trigger
    const { runs, pages } = await allChildren(parent.json.runId, 2);
    expect(pages).toBe(3);
    expect(runs.map((run) => run.context.key).sort()).toEqual(['3', 's-1', 's-2', 's-3', 's-5']);
    for (const child of runs) {
      expect(child).toMatchObject({
        parentRunId: parent.json.runId,
        trigger: 'fan-out',
        status: 'succeeded',
        attempt: 1,
      });
    }
    // And each delivery applied its context: placeholders filled, the context merged into the metadata
    const delivered = world.deliveries.filter((delivery) => runs.some((run) => run.runId === delivery.runId));
    expect(delivered.map((delivery) => delivery.prompt).sort()).toEqual([
      'Review session Ada (s-1)',
      'Review session Barbara (3)',
      'Review session Grace (s-2)',
      'Review session Ken (s-5)',
      'Review session Linus (s-3)',
    ]);
    expect(delivered.find((delivery) => delivery.metadata.key === 's-2')?.metadata).toEqual({
      team: 'ops',
      key: 's-2',
      name: 'Grace',
    });
  });

  it('Given a source of no contexts, When the job runs, Then the parent succeeds at once with no child', async () => {
    world.sources.set('/sessions/none', { status: 200, body: { contexts: [] } });
    await givenFanOutJob('fan-none', { url: world.sourceUrl('/sessions/none') });
    const parent = await runToEnd('fan-none');
    expect(parent.json).toMatchObject({ status: 'succeeded', children: { total: 0, succeeded: 0 } });
    expect((await allChildren(parent.json.runId)).runs).toEqual([]);
  });
});

describe('a fan-out whose children fail', () => {
  it("Given a child whose webhook keeps failing and one that fails once, When the job runs, Then the flaky one succeeds as attempt 2 of the same child and the parent fails after the other one's retries", async () => {
    world.sources.set('/sessions/failing', {
      status: 200,
      body: {
        contexts: [
          { key: 'ok', name: 'a' },
          { key: 'bad', name: 'b' },
          { key: 'flaky', name: 'c' },
        ],
      },
    });
    const seen = new Map<string, number>();
    world.answer = (delivery) => {
      const key = String(delivery.metadata.key);
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (key === 'bad') return 500;
      if (key === 'flaky' && seen.get(key) === 1) return 503;
      return 200;
    };
    try {
      await givenFanOutJob('fan-failing', { url: world.sourceUrl('/sessions/failing'), concurrency: 3 });
      const parent = await runToEnd('fan-failing');
      expect(parent.json).toMatchObject({
        status: 'failed',
        error: {
          type: 'ChildRunsFailed',
          message: expect.stringContaining('1 of 3 children did not succeed'),
        },
        children: { total: 3, succeeded: 2, failed: 1 },
      });
      const { runs } = await allChildren(parent.json.runId);
      const byKey = Object.fromEntries(runs.map((run) => [run.context.key, run]));
      expect(byKey.bad).toMatchObject({
        status: 'failed',
        attempt: 3,
        error: { type: 'WebhookRejectedError' },
      });
      expect(byKey.flaky).toMatchObject({ status: 'succeeded', attempt: 2 });
      const flakyDeliveries = world.deliveries.filter((delivery) => delivery.metadata.key === 'flaky');
      expect(new Set(flakyDeliveries.map((delivery) => delivery.runId))).toEqual(
        new Set([byKey.flaky.runId]),
      );
    } finally {
      world.answer = () => 200;
    }
  });
});

describe('expansion answers that fail the parent', () => {
  const tooMany = { contexts: Array.from({ length: 4 }, (_, index) => ({ key: `k${index}` })) };
  it.each([
    ['garbage (not JSON)', 'this is not json', 'not JSON'],
    ['an object without contexts', { sessions: [] }, 'must answer {"contexts": [...]}'],
    ['too many contexts', tooMany, 'answered 4 contexts; this job allows at most 3'],
    [
      'duplicate keys',
      { contexts: [{ key: 'a' }, { key: 'b' }, { key: 'a' }] },
      'answered the key "a" twice',
    ],
    ['a key with a slot separator', { contexts: [{ key: 'a#b' }] }, 'contexts[0].key "a#b"'],
    ['a 404', undefined, 'answered HTTP 404'],
  ])(
    'Given a source answering %s, When the job runs, Then the parent fails with an ExpansionError and no child exists',
    async (_case, body, message) => {
      const name = `fan-bad-${Math.random().toString(36).slice(2, 8)}`;
      if (body !== undefined) world.sources.set(`/bad/${name}`, { status: 200, body });
      await givenFanOutJob(name, { url: world.sourceUrl(`/bad/${name}`), maxChildren: 3 });
      const parent = await runToEnd(name);
      expect(parent.json).toMatchObject({
        status: 'failed',
        attempt: 1,
        error: { type: 'ExpansionError', message: expect.stringContaining(message) },
      });
      expect(parent.json.children).toBeUndefined();
      const runs = await api.call('GET', `/jobs/${name}/runs`);
      expect(runs.json.runs).toHaveLength(1);
    },
  );
});

describe('a parent delivered three times', () => {
  it('Given the same scheduled slot delivered 3 times at once, When the parent runs, Then exactly N children exist and run once each', async () => {
    world.sources.set('/sessions/thrice', {
      status: 200,
      body: { contexts: Array.from({ length: 6 }, (_, index) => ({ key: `t${index}`, name: `n${index}` })) },
    });
    await givenFanOutJob(
      'fan-thrice',
      { url: world.sourceUrl('/sessions/thrice'), concurrency: 3 },
      'cron(0 9 ? * MON-FRI *)',
    );
    const schedule = await api.scheduler.send(
      new GetScheduleCommand({ Name: 'fan-thrice', GroupName: api.stack.endpoints.scheduleGroups.prompt }),
    );
    const slot = '2030-01-07T09:00:00.000Z';
    const lambda = new LambdaClient({
      endpoint: api.stack.endpoints.lambdaEndpoint,
      region: api.stack.endpoints.credentials.region,
      credentials: api.stack.endpoints.credentials,
    });
    try {
      await deliverSlot(lambda, schedule.Target, slot, ['exec-1', 'exec-2', 'exec-3']);
    } finally {
      lambda.destroy();
    }
    const parent = await until(
      async () => {
        const listing = await api.call('GET', '/jobs/fan-thrice/runs?limit=100');
        const found = listing.json.runs.find((run: { trigger: string }) => run.trigger === 'schedule');
        return { ...listing, json: found ?? { status: 'pending' } };
      },
      ended,
      30_000,
      100,
    );
    expect(parent.json).toMatchObject({
      status: 'succeeded',
      duplicatesSuppressed: 2,
      children: { total: 6, succeeded: 6 },
    });
    const { runs } = await allChildren(parent.json.runId);
    expect(runs).toHaveLength(6);
    const delivered = world.deliveries.filter((delivery) => runs.some((run) => run.runId === delivery.runId));
    expect(delivered).toHaveLength(6);
  });
});

describe('cancel of a parent', () => {
  it('Given a parent whose first child is being delivered, When the parent is cancelled, Then its pending children are cancelled and it ends cancelled with the running one', async () => {
    world.sources.set('/sessions/cancel', {
      status: 200,
      body: { contexts: [{ key: 'c1' }, { key: 'c2' }, { key: 'c3' }] },
    });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived: () => void = () => {};
    const firstArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    world.answer = async () => {
      arrived();
      await held;
      return 200;
    };
    try {
      await givenFanOutJob('fan-cancel', { url: world.sourceUrl('/sessions/cancel'), concurrency: 1 });
      const started = await api.call('POST', '/jobs/fan-cancel/runs');
      await firstArrived;
      const waiting = await until(
        () => api.call('GET', `/runs/${started.json.runId}`),
        (answer) => answer.json.status === 'waiting',
        10_000,
        50,
      );
      expect(waiting.json.status).toBe('waiting');
      const cancelled = await api.call('POST', `/runs/${started.json.runId}/cancel`);
      expect(cancelled.status, cancelled.text).toBe(200);
      expect(cancelled.json).toMatchObject({
        status: 'waiting',
        cancelRequested: true,
        children: { cancelled: 2 },
      });
      release();
      const parent = await until(() => api.call('GET', `/runs/${started.json.runId}`), ended, 20_000, 100);
      expect(parent.json).toMatchObject({ status: 'cancelled', children: { total: 3 } });
      expect(parent.json.reason).toContain('cancelled by request with its children');
      const { runs } = await allChildren(started.json.runId);
      // The pending two never ran; the one being delivered was asked to stop after its point of no return,
      // so it ends as its delivery did (here: answered), its record saying the cancel came too late.
      const [first, ...rest] = runs.sort((a, b) => a.context.key.localeCompare(b.context.key));
      expect(rest.map((run) => run.status)).toEqual(['cancelled', 'cancelled']);
      expect(first).toMatchObject({ cancelRequested: true });
      expect(['succeeded', 'cancelled']).toContain(first.status);
      expect(parent.json.children.cancelled).toBe(first.status === 'cancelled' ? 3 : 2);
    } finally {
      release();
      world.answer = () => 200;
    }
  });
});

describe('bad expand', () => {
  it.each([
    [
      'both sources',
      { url: 'https://example.com/c', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' },
      'expand',
    ],
    ['no source', { maxChildren: 5 }, 'expand'],
    ['maxChildren over 1,000', { url: 'https://example.com/c', maxChildren: 1001 }, 'expand.maxChildren'],
    ['concurrency 0', { url: 'https://example.com/c', concurrency: 0 }, 'expand.concurrency'],
    ['a URL with a token', { url: 'https://example.com/c?token=abc' }, 'expand.url'],
    ['a function that is no ARN', { functionArn: 'my-function' }, 'expand.functionArn'],
    ['an unknown field', { url: 'https://example.com/c', every: 'key' }, 'expand.every'],
  ])(
    'Given %s, When the job is created, Then a 400 names the field and nothing is written',
    async (_case, expand, field) => {
      const before = await api.snapshot();
      const answer = await api.call('POST', '/jobs', { body: promptJob('fan-refused', { expand }) });
      expect(answer.status, answer.text).toBe(400);
      expect(answer.json.error.details.map((problem: { field: string }) => problem.field)).toContain(field);
      expect(await api.snapshot()).toEqual(before);
    },
  );

  it('Given a job with expand, When it is patched, Then the API returns the new expand with its defaults, and null removes it', async () => {
    await givenFanOutJob('fan-patched', { url: world.sourceUrl('/sessions/five') });
    const patched = await api.call('PATCH', '/jobs/fan-patched', {
      body: { expand: { url: world.sourceUrl('/x'), concurrency: 4 } },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.expand).toEqual({ url: world.sourceUrl('/x'), maxChildren: 100, concurrency: 4 });
    const removed = await api.call('PATCH', '/jobs/fan-patched', { body: { expand: null } });
    expect(removed.json.expand).toBeUndefined();
  });
});
