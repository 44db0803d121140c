/**
 * Task jobs through the whole local stack, as the README shows them: the example function
 * (examples/task-function/handler.ts) registered the way `tickwork local --function` registers it, task
 * jobs created and run through the API, the function's answer and error read back from the run; an
 * event put on a local bus through the task function's own EventBridge client; bad config answered 400
 * with nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUserFunctions } from '../../../cli/commands/local-functions.ts';
import { listEvents } from '../../../local/eventbridge/event-store.ts';
import { localFunctionArn } from '../../../local/lambda/environment.ts';
import { type ApiAnswer, type ApiHarness, startApiHarness, until } from '../api/support.ts';

let api: ApiHarness;
const FUNCTION_ARN = localFunctionArn('invoice-reminders');

beforeAll(async () => {
  api = await startApiHarness({
    functions: parseUserFunctions(['invoice-reminders=examples/task-function/handler.ts'], process.cwd()),
    eventBuses: ['orders'],
  });
});
afterAll(async () => {
  await api?.close();
});

const final = (answer: ApiAnswer) => !['pending', 'running', 'retrying'].includes(answer.json.status);

async function runJob(name: string, body?: unknown): Promise<ApiAnswer> {
  const started = await api.call('POST', `/jobs/${name}/runs`, body === undefined ? {} : { body });
  expect(started.status, started.text).toBe(202);
  return until(() => api.call('GET', `/runs/${started.json.runId}`), final, 30_000);
}

async function createTaskJob(name: string, config: unknown): Promise<void> {
  const created = await api.call('POST', '/jobs', {
    body: { name, kind: 'task', schedule: 'cron(0 8 * * ? *)', config },
  });
  expect(created.status, created.text).toBe(201);
}

describe('task jobs on the local stack', () => {
  it("runs the example function and keeps its answer as the run's result; its error fails the run", async () => {
    await createTaskJob('invoice-reminders', {
      target: { type: 'lambda', functionArn: FUNCTION_ARN },
      payload: { invoiceIds: ['INV-1', 'INV-2'], channel: 'email' },
    });

    const done = await runJob('invoice-reminders');
    expect(done.json.status, done.text).toBe('succeeded');
    expect(done.json.result).toEqual({
      invoiceIds: ['INV-1', 'INV-2'],
      reminded: 2,
      channel: 'email',
      attempt: 1,
    });

    const failed = await runJob('invoice-reminders', { params: { payload: { invoiceIds: ['missing-7'] } } });
    expect(failed.json.status, failed.text).toBe('failed');
    expect(failed.json.error).toEqual({
      type: 'InvoiceNotFound',
      message: 'invoice missing-7 does not exist',
    });
  });

  it('puts an event on a local bus, which the stack keeps', async () => {
    await createTaskJob('reminders-to-bus', {
      target: {
        type: 'eventbridge',
        eventBusName: 'orders',
        source: 'com.example.billing',
        detailType: 'Due',
      },
      payload: { invoiceIds: ['INV-3'] },
    });
    const done = await runJob('reminders-to-bus');
    expect(done.json.status, done.text).toBe('succeeded');
    const events = await listEvents(api.dataDir);
    expect(events.find((event) => event.id === done.json.result.eventId)).toMatchObject({
      bus: 'orders',
      source: 'com.example.billing',
      detailType: 'Due',
      detail: { job: 'reminders-to-bus', runId: done.json.runId, payload: { invoiceIds: ['INV-3'] } },
    });
  });

  it('answers a bad task config 400, naming each field and rule, and writes nothing', async () => {
    const before = await api.snapshot();
    const refused = await api.call('POST', '/jobs', {
      body: {
        name: 'bad-task',
        kind: 'task',
        schedule: 'rate(1 hour)',
        config: { target: { type: 'lambda', functionArn: 'invoice-reminders' }, payload: [] },
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error.details.map((detail: { field: string }) => detail.field).sort()).toEqual([
      'config.payload',
      'config.target.functionArn',
    ]);
    expect(await api.snapshot()).toEqual(before);
  });
});
