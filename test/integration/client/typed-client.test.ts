/**
 * The typed client (`tickwork/client`) against the real local stack (API front with its bearer token
 * found in the stack's endpoints.json, the API function, the Lambda runtime, the prompt function and a
 * webhook receiver): every method, pages iterated as the loop asks, and the API's refusals as typed
 * errors carrying its message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  NotFoundError,
  type Run,
  TickworkClient,
  TimeoutError,
  ValidationError,
} from '../../../client/index.ts';
import { type ApiHarness, startApiHarness } from '../api/support.ts';
import { type Receiver, startReceiver } from '../prompt/receiver.ts';

let api: ApiHarness;
let receiver: Receiver;
let tickwork: TickworkClient;

const definition = (name: string) =>
  ({
    name,
    kind: 'prompt',
    schedule: 'cron(0 9 ? * MON-FRI *)',
    timezone: 'Europe/Berlin',
    config: {
      prompt: 'Summarize the overnight alerts',
      target: { type: 'webhook', url: receiver.url, signingSecret: 'client-hook' },
    },
  }) as const;

beforeAll(async () => {
  api = await startApiHarness();
  await api.writeSecrets({ 'client-hook': 'client-secret' });
  receiver = await startReceiver();
  // Found as the CLI finds it: the stack's endpoints.json in its data directory.
  tickwork = new TickworkClient({ dataDir: api.dataDir });
});

afterAll(async () => {
  await receiver?.close();
  await api?.close();
});

describe('TickworkClient on the local stack', () => {
  it('creates, reads, replaces, updates, pauses, resumes and deletes a job', async () => {
    const created = await tickwork.jobs.create(definition('client-crud'));
    expect(created).toMatchObject({
      name: 'client-crud',
      timezone: 'Europe/Berlin',
      enabled: true,
      version: 1,
    });
    expect((await tickwork.jobs.get('client-crud')).schedule.description).toMatch(/09:00/);
    const replaced = await tickwork.jobs.put({ ...definition('client-crud'), description: 'replaced' });
    expect(replaced).toMatchObject({ description: 'replaced', version: 2 });
    expect(await tickwork.jobs.upsert(definition('client-crud'))).toMatchObject({ created: false });
    expect(await tickwork.jobs.upsert(definition('client-upserted'))).toMatchObject({
      created: true,
      job: { name: 'client-upserted', version: 1 },
    });
    const updated = await tickwork.jobs.update('client-crud', { tags: { team: 'ops' } });
    expect(updated.version).toBe(4);
    expect(updated.tags).toEqual({ team: 'ops' });
    expect((await tickwork.jobs.pause('client-crud')).enabled).toBe(false);
    expect((await tickwork.jobs.resume('client-crud')).enabled).toBe(true);
    await tickwork.jobs.delete('client-crud');
    await expect(tickwork.jobs.get('client-crud')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('iterates every job over pages, fetching the next page only as the loop asks', async () => {
    for (const suffix of ['a', 'b', 'c', 'd', 'e']) await tickwork.jobs.create(definition(`paged-${suffix}`));
    const names: string[] = [];
    for await (const job of tickwork.jobs.list({ name: 'paged-', pageSize: 2 })) names.push(job.name);
    expect(names).toEqual(['paged-a', 'paged-b', 'paged-c', 'paged-d', 'paged-e']);
    const first = await tickwork.jobs.page({ name: 'paged-', pageSize: 2 });
    expect(first.jobs).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
  });

  it('triggers a run with parameters and waits for it to end', async () => {
    await tickwork.jobs.create(definition('client-run'));
    receiver.answer = { status: 200, body: 'ok' };
    const started = await tickwork.runs.trigger('client-run', { metadata: { ticket: 'INC-9' } });
    expect(started).toMatchObject({
      status: 'pending',
      trigger: 'manual',
      params: { metadata: { ticket: 'INC-9' } },
    });
    const done: Run = await tickwork.runs.wait(started.runId, { pollIntervalMs: 100, timeoutMs: 20_000 });
    expect(done.status).toBe('succeeded');
    const listed: string[] = [];
    for await (const run of tickwork.runs.list({ job: 'client-run' })) listed.push(run.runId);
    expect(listed).toEqual([started.runId]);
    const status = await tickwork.status();
    expect(status.jobs.find((job) => job.name === 'client-run')?.lastRun?.runId).toBe(started.runId);
  });

  it('gives up waiting with a TimeoutError naming the run and its status', async () => {
    await tickwork.jobs.create(definition('client-slow'));
    // The receiver holds the delivery until the wait has given up: the run is still going.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    receiver.answer = { status: 200, body: 'late', hold: () => held };
    const started = await tickwork.runs.trigger('client-slow');
    const waited = tickwork.runs.wait(started.runId, { pollIntervalMs: 50, timeoutMs: 300 });
    await expect(waited).rejects.toBeInstanceOf(TimeoutError);
    await expect(waited).rejects.toMatchObject({
      runId: started.runId,
      message: /is still (pending|running)/,
    });
    release();
    receiver.answer = { status: 200, body: 'ok' };
    expect((await tickwork.runs.wait(started.runId, { pollIntervalMs: 100, timeoutMs: 20_000 })).status).toBe(
      'succeeded',
    );
  });

  it("answers the API's refusals as typed errors with its message and every problem", async () => {
    const refused = tickwork.jobs.create({
      ...definition('client-bad'),
      timezone: 'Mars/Olympus',
      config: { prompt: '', target: { type: 'webhook', url: receiver.url, signingSecret: 'client-hook' } },
    });
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    const problem = (await refused.catch((error: unknown) => error)) as ValidationError;
    expect(problem.status).toBe(400);
    expect(problem.details.map((detail) => detail.field).sort()).toEqual(['config.prompt', 'timezone']);
    expect(problem.message).toBe(problem.details[0]?.message);
    await tickwork.jobs.create(definition('client-taken'));
    await expect(tickwork.jobs.create(definition('client-taken'))).rejects.toBeInstanceOf(ConflictError);
    await expect(tickwork.runs.get('01KB0000000000000000000000')).rejects.toMatchObject({
      name: 'NotFoundError',
      status: 404,
      message: expect.stringContaining('01KB0000000000000000000000'),
    });
  });

  it('deletes a job other jobs chain to only with unlinkChains, which removes their links first', async () => {
    await tickwork.jobs.create(definition('client-downstream'));
    await tickwork.jobs.create({
      ...definition('client-upstream'),
      // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs
      then: { onSuccess: ['client-downstream'] },
    });
    await expect(tickwork.jobs.delete('client-downstream')).rejects.toBeInstanceOf(ConflictError);
    await tickwork.jobs.delete('client-downstream', { unlinkChains: true });
    await expect(tickwork.jobs.get('client-downstream')).rejects.toBeInstanceOf(NotFoundError);
    expect((await tickwork.jobs.get('client-upstream')).then).toBeUndefined();
  });

  it("lists and resets a sync job's checkpoints", async () => {
    await tickwork.jobs.create({
      name: 'client-sync',
      kind: 'sync',
      schedule: 'rate(1 hour)',
      config: {
        connectors: [{ id: 'crm', source: { type: 'http', url: `${receiver.url}/crm` } }],
        sink: { url: `${receiver.url}/ingest`, signingSecret: 'client-hook' },
      },
    });
    expect((await tickwork.checkpoints.list('client-sync')).checkpoints).toEqual([
      { connector: 'crm', cursor: null, version: 0, updatedAt: null },
    ]);
    expect(await tickwork.checkpoints.reset('client-sync', 'crm')).toMatchObject({
      connector: 'crm',
      cursor: null,
    });
    await expect(tickwork.checkpoints.reset('client-sync', 'zendesk')).rejects.toMatchObject({
      name: 'NotFoundError',
      type: 'CheckpointNotFound',
    });
  });

  it('previews a schedule, reconciles, reads the OpenAPI document and the children of a run without any', async () => {
    const preview = await tickwork.preview('cron(0 9 ? * MON-FRI *)', {
      timezone: 'Europe/Berlin',
      count: 2,
    });
    expect(preview).toMatchObject({ expression: 'cron(0 9 ? * MON-FRI *)', timezone: 'Europe/Berlin' });
    expect(preview.next).toHaveLength(2);
    const report = await tickwork.reconcile({ dryRun: true });
    expect(report).toMatchObject({ dryRun: true, repaired: [], errors: [] });
    expect((await tickwork.openApi()).openapi).toMatch(/^3\.1/);
    await tickwork.jobs.create(definition('client-parent'));
    const run = await tickwork.runs.trigger('client-parent');
    const children: Run[] = [];
    for await (const child of tickwork.runs.children(run.runId)) children.push(child);
    expect(children).toEqual([]);
    await expect(
      tickwork.runs.wait(run.runId, { pollIntervalMs: 100, timeoutMs: 20_000 }),
    ).resolves.toMatchObject({
      runId: run.runId,
    });
  });

  it('says where it looked when no local stack is running', async () => {
    const nowhere = new TickworkClient({ cwd: '/' });
    await expect(nowhere.status()).rejects.toMatchObject({
      name: 'TargetError',
      message: expect.stringContaining('no local stack found'),
    });
  });
});
