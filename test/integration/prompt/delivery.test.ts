import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SafeHttpClient } from '../../../shared/adapters/http/client.ts';
import type { OutboundPolicy, Resolver } from '../../../shared/adapters/http/outbound-safety.ts';
import { LocalSecretSource } from '../../../shared/adapters/secrets/local.ts';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import { promptKind } from '../../../shared/kinds/prompt/definition.ts';
import { promptWork } from '../../../shared/kinds/prompt/work.ts';
import { verifySignature } from '../../../shared/kinds/signature.ts';
import { kindWork } from '../../../shared/kinds/work.ts';
import { executeRun, type RunDeps } from '../../../shared/runs/lifecycle.ts';
import { newManualRun } from '../../../shared/runs/manual.ts';
import { captureLog, type Engine, ManualClock, promptJob, runDeps, startEngine } from '../ledger/support.ts';
import { type Receiver, startReceiver } from './receiver.ts';

const SECRET_VALUE = 'whsec-Zq8r3-do-not-print-me';

let engine: Engine;
let receiver: Receiver;
let dataDir: string;

beforeAll(async () => {
  engine = await startEngine();
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-prompt-'));
  await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ 'demo/webhook': SECRET_VALUE }));
});
afterAll(async () => {
  await engine.close();
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

let counter = 0;

function setup(options: { policy?: OutboundPolicy; resolve?: Resolver } = {}) {
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  const log = captureLog();
  const deps = runDeps(engine, clock, log.logger);
  const work = kindWork(promptKind, promptWork, {
    secrets: new LocalSecretSource({ file: join(dataDir, 'secrets.json'), env: {} }),
    http: new SafeHttpClient(options.policy ?? { mode: 'local', allowedHosts: [] }, {
      userAgent: 'tickwork/0.1.0',
      ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
    }),
  });
  return { clock, log, deps, work };
}

async function givenPromptJob(
  deps: RunDeps,
  target: Partial<{ url: string; signingSecret: string; timeoutSeconds: number }> = {},
) {
  counter++;
  const job: Job = promptJob(`prompt-${counter}`, {
    config: {
      prompt: 'Summarize the overnight alerts.',
      metadata: { team: 'sre', priority: 2 },
      target: { type: 'webhook', url: receiver.url, signingSecret: 'demo/webhook', ...target },
    },
  });
  await deps.jobs.create(job);
  return job;
}

const event = (job: Job) => ({ job: job.name, scheduledTime: '2026-03-01T12:00:00Z', executionId: 'e-1' });

async function runOf(deps: RunDeps, job: Job): Promise<Run> {
  const run = await deps.runs.get(job.name, '2026-03-01T12:00:00.000Z');
  if (run === undefined) throw new Error('no run recorded');
  return run;
}

function expectNoSecret(...texts: string[]) {
  for (const text of texts) expect(text).not.toContain(SECRET_VALUE);
}

describe('prompt delivery', () => {
  it("merges a manual run's metadata parameters over the job's metadata in its one delivery", async () => {
    // Given a pending manual run with parameters
    const { deps, work, clock } = setup();
    const job = await givenPromptJob(deps);
    const manual = newManualRun(job, clock.now(), {
      retentionDays: 30,
      params: { metadata: { priority: 1, ticket: 'INC-42' } },
    });
    await deps.runs.claim(manual.run);
    // When it runs
    await executeRun(deps, manual.event, work);
    // Then the delivery carries the merged metadata, and the run keeps its parameters
    expect(JSON.parse(receiver.received[0]?.rawBody ?? '{}').metadata).toEqual({
      team: 'sre',
      priority: 1,
      ticket: 'INC-42',
    });
    expect((await deps.runs.get(job.name, manual.run.slot))?.params).toEqual({
      metadata: { priority: 1, ticket: 'INC-42' },
    });
  });

  it('POSTs the prompt as signed JSON with an idempotency key, and records the run as succeeded', async () => {
    // Given
    const { deps, work, clock, log } = setup();
    const job = await givenPromptJob(deps);
    // When
    const outcome = await executeRun(deps, event(job), work);
    // Then the receiver got one signed delivery
    expect(outcome.outcome).toBe('succeeded');
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    if (delivery === undefined) throw new Error('no delivery');
    const run = await runOf(deps, job);
    expect(delivery.method).toBe('POST');
    expect(delivery.path).toBe('/hooks/tickwork');
    expect(JSON.parse(delivery.rawBody)).toEqual({
      job: job.name,
      runId: run.runId,
      scheduledFor: '2026-03-01T12:00:00.000Z',
      prompt: 'Summarize the overnight alerts.',
      metadata: { team: 'sre', priority: 2 },
    });
    expect(delivery.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'tickwork/0.1.0',
      'idempotency-key': run.runId,
      // One trace of a run: the receiver's logs can name it (shared/kinds/run-id-header.ts).
      'x-tickwork-run-id': run.runId,
    });
    const header = delivery.headers['tickwork-signature'];
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(String(header), delivery.rawBody, SECRET_VALUE, { now: clock.now() })).toEqual({
      valid: true,
      timestamp: Math.floor(clock.now().getTime() / 1000),
    });
    expect(
      verifySignature(String(header), delivery.rawBody, 'another-secret', { now: clock.now() }).valid,
    ).toBe(false);
    expect(run).toMatchObject({ status: 'succeeded', result: { httpStatus: 200, webhook: receiver.url } });
    expectNoSecret(JSON.stringify(run), ...log.lines);
  });

  it('fails the run on a non-2xx answer with the status and a body excerpt of at most 500 characters', async () => {
    const { deps, work, log } = setup();
    const job = await givenPromptJob(deps);
    receiver.answer = { status: 503, body: `overloaded ${'x'.repeat(2000)}` };
    await expect(executeRun(deps, event(job), work)).rejects.toThrow('answered HTTP 503: overloaded');
    const run = await runOf(deps, job);
    expect(run.status).toBe('failed');
    expect(run.error?.type).toBe('WebhookRejectedError');
    const excerpt = run.error?.message.split('HTTP 503: ')[1] ?? '';
    expect(excerpt.startsWith('overloaded xxx')).toBe(true);
    expect(excerpt.length).toBe(500);
    expectNoSecret(JSON.stringify(run), ...log.lines);
  });

  it("fails the run when the receiver does not answer within the target's timeoutSeconds", async () => {
    const { deps, work, log } = setup();
    const job = await givenPromptJob(deps, { timeoutSeconds: 1 });
    receiver.answer = 'hang';
    await expect(executeRun(deps, event(job), work)).rejects.toThrow('within 1 s');
    const run = await runOf(deps, job);
    expect(run).toMatchObject({ status: 'failed', error: { type: 'OutboundRequestError' } });
    expectNoSecret(JSON.stringify(run), ...log.lines);
  });

  it('fails the run with a clear error when the signing secret does not exist, and sends nothing', async () => {
    const { deps, work } = setup();
    const job = await givenPromptJob(deps, { signingSecret: 'no/such-secret' });
    await expect(executeRun(deps, event(job), work)).rejects.toThrow('secret "no/such-secret" was not found');
    const run = await runOf(deps, job);
    expect(run.error).toEqual({
      type: 'SecretNotFoundError',
      message: `secret "no/such-secret" was not found (looked in ${join(dataDir, 'secrets.json')} and the environment variable TICKWORK_SECRET_NO_SUCH_SECRET)`,
    });
    expect(receiver.received).toEqual([]);
  });

  it('refuses a loopback webhook in AWS mode: the run fails with UnsafeTargetError and nothing is sent', async () => {
    const { deps, work } = setup({ policy: { mode: 'aws', allowedHosts: [] } });
    const job = await givenPromptJob(deps, { url: `https://127.0.0.1:${receiver.port}/hook` });
    await expect(executeRun(deps, event(job), work)).rejects.toThrow('(loopback address)');
    expect((await runOf(deps, job)).error?.type).toBe('UnsafeTargetError');
    expect(receiver.received).toEqual([]);
  });

  it('connects to the address it checked, not to a second DNS answer', async () => {
    // Given a host name only our resolver knows (real DNS would fail on it)
    const resolve: Resolver = async (hostname) =>
      hostname === 'receiver.tickwork.test' ? [{ address: '127.0.0.1', family: 4 }] : [];
    const { deps, work } = setup({ resolve });
    const job = await givenPromptJob(deps, { url: `http://receiver.tickwork.test:${receiver.port}/pinned` });
    // When
    await executeRun(deps, event(job), work);
    // Then the request went to the vetted address, with the name in the Host header
    expect(receiver.received.map((request) => [request.path, request.headers.host])).toEqual([
      ['/pinned', `receiver.tickwork.test:${receiver.port}`],
    ]);
  });
});
