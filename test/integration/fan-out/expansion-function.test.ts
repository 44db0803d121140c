/**
 * A fan-out whose contexts come from the user's function (`expand.functionArn`), through the whole
 * local stack: the function registered as `tickwork local --function` registers it, invoked
 * synchronously by the prompt function's own Lambda client through the local Invoke endpoint, with
 * Lambda's retries shortened. What it answers, throws or answers wrongly decides the parent.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUserFunctions } from '../../../cli/commands/local-functions.ts';
import { localFunctionArn } from '../../../local/lambda/environment.ts';
import { type ApiHarness, promptJob, startApiHarness } from '../api/support.ts';
import { childrenOf, type FanOutWorld, runToEnd, startFanOutWorld } from './support.ts';

const FUNCTION = 'session-expander';
const FUNCTION_ARN = localFunctionArn(FUNCTION);

let api: ApiHarness;
let world: FanOutWorld;

beforeAll(async () => {
  api = await startApiHarness({
    asyncRetryDelaysMs: [300, 300],
    functions: parseUserFunctions(
      [`${FUNCTION}=${join('test', 'integration', 'fan-out', 'fixtures', 'expansion-function.ts')}`],
      process.cwd(),
    ),
  });
  await api.writeSecrets({ 'fn-hook': 'fn-hook-secret' });
  world = await startFanOutWorld();
});

afterAll(async () => {
  await world?.close();
  await api?.close();
});

/** A prompt job fanning out from the function; the fixture answers by the job's name. */
async function givenJob(name: string): Promise<void> {
  const created = await api.call('PUT', `/jobs/${name}`, {
    body: promptJob(name, {
      config: {
        prompt: 'Review session {{name}} ({{key}})',
        target: { type: 'webhook', url: world.hookUrl, signingSecret: 'fn-hook' },
      },
      expand: { functionArn: FUNCTION_ARN, concurrency: 2 },
    }),
  });
  expect([200, 201], created.text).toContain(created.status);
}

const deliveriesOf = (runs: { runId: string }[]) =>
  world.deliveries.filter((delivery) => runs.some((run) => run.runId === delivery.runId));

describe('an expansion function', () => {
  it('is invoked with {job, runId, scheduledFor, trigger, params} and its contexts become the children', async () => {
    await givenJob('fn-echo');
    const parent = await runToEnd(api, 'fn-echo', { params: { metadata: { shift: 'night' } } });
    expect(parent.json).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      children: { total: 2, succeeded: 2 },
    });

    const children = await childrenOf(api, parent.json.runId);
    const echo = children.find((child) => child.context.key === 'echo');
    // The request exactly as the function received it, carried back in the context it answered.
    expect(echo?.context.request).toEqual({
      job: 'fn-echo',
      runId: parent.json.runId,
      scheduledFor: parent.json.scheduledFor,
      trigger: 'manual',
      params: { metadata: { shift: 'night' } },
    });
    expect(children.map((child) => child.status)).toEqual(['succeeded', 'succeeded']);
    expect(
      deliveriesOf(children)
        .map((delivery) => delivery.prompt)
        .sort(),
    ).toEqual(['Review session first (echo)', 'Review session second (two)']);
  });

  it("that throws fails the parent's attempt; Lambda's retry expands it, and each child is created and delivered once", async () => {
    await givenJob('fn-flaky');
    const parent = await runToEnd(api, 'fn-flaky');
    expect(parent.json).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      children: { total: 3, succeeded: 3, failed: 0 },
    });
    const children = await childrenOf(api, parent.json.runId);
    // Every context says it came from the second call: the first threw and created nothing.
    expect(children.map((child) => [child.context.key, child.context.call, child.attempt])).toEqual([
      ['a', 2, 1],
      ['b', 2, 1],
      ['c', 2, 1],
    ]);
    const delivered = deliveriesOf(children);
    expect(delivered).toHaveLength(3);
    expect(new Set(delivered.map((delivery) => delivery.runId)).size).toBe(3);
    const runs = await api.call('GET', '/jobs/fn-flaky/runs?limit=100');
    expect(runs.json.runs).toHaveLength(4);
  });

  it("that always throws fails the parent after Lambda's last retry, with the function's error and no child", async () => {
    await givenJob('fn-throws');
    const parent = await runToEnd(api, 'fn-throws');
    expect(parent.json).toMatchObject({
      status: 'failed',
      attempt: 3,
      error: {
        type: 'ExpansionUnavailableError',
        message: `the expansion function ${FUNCTION_ARN} failed (SessionStoreDown): the session store is down (call 3)`,
      },
    });
    expect(parent.json.children).toBeUndefined();
    expect(await childrenOf(api, parent.json.runId)).toEqual([]);
    expect((await api.call('GET', '/jobs/fn-throws/runs')).json.runs).toHaveLength(1);
  });

  it.each([
    ['fn-garbage', 'a list', 'must answer a JSON object {"contexts": [...]}; got an array'],
    ['fn-nothing', 'nothing', 'must answer a JSON object {"contexts": [...]}; got null'],
  ])(
    'that answers %s fails the parent at once with an ExpansionError and no child',
    async (name, _what, rule) => {
      await givenJob(name);
      const parent = await runToEnd(api, name);
      expect(parent.json).toMatchObject({
        status: 'failed',
        attempt: 1,
        error: { type: 'ExpansionError', message: `the expansion source function ${FUNCTION_ARN} ${rule}` },
      });
      expect(parent.json.children).toBeUndefined();
      expect((await api.call('GET', `/jobs/${name}/runs`)).json.runs).toHaveLength(1);
    },
  );
});
