/**
 * What the local stack keeps through a stop and a start: an invocation still running when the stack is
 * told to stop finishes and records its outcome, however long the HTTP grace period is; and a job whose
 * schedule went missing (a request cut off between writing the job and creating its schedule) is
 * repaired by the reconcile the stack runs at start.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/runtime.ts';
import { promptDefinition } from '../../support/jobs.ts';
import { captureLogs } from '../../support/logs.ts';

const stacks: LocalStack[] = [];
const cleanups: Array<() => Promise<void>> = [];
/**
 * One data directory for the file: handlers read their configuration (the engines' endpoints) once per
 * process, so every stack of this process runs there, on the ports it remembers.
 */
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-stop-start-'));
  await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ 'hook-key': 'stop-start-secret' }));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  for (const stack of stacks.splice(0)) await stack.close();
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function start(shutdownGraceMs?: number) {
  const { log, entries } = captureLogs('debug');
  const stack = await startLocalStack({
    dataDir,
    log,
    asyncRetryDelaysMs: [],
    ...(shutdownGraceMs === undefined ? {} : { shutdownGraceMs }),
  });
  stacks.push(stack);
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.endpoints.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.endpoints.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
    return { status: response.status, json: (await response.json()) as any };
  };
  return { stack, logs: entries, call };
}

async function stop(stack: LocalStack): Promise<void> {
  stacks.splice(stacks.indexOf(stack), 1);
  await stack.close();
}

/** A webhook receiver that holds every request until `release()`. */
async function holdingReceiver() {
  const held: ServerResponse[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => held.push(response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/tickwork`,
    held,
    release: () => {
      for (const response of held.splice(0)) response.writeHead(200).end('ok');
    },
  };
}

describe('the local stack told to stop', () => {
  it('Given a run whose delivery outlives the grace period, When the stack closes, Then the run still finishes and is recorded succeeded', async () => {
    // Given a stack whose HTTP grace period is 0, and a manual run whose webhook is held by the receiver
    const receiver = await holdingReceiver();
    const first = await start(0);
    const created = await first.call(
      'POST',
      '/jobs',
      promptDefinition('slow-hook', {
        config: {
          prompt: 'Summarize the overnight alerts',
          target: { type: 'webhook', url: receiver.url, signingSecret: 'hook-key' },
        },
      }),
    );
    expect(created.status).toBe(201);
    const triggered = await first.call('POST', '/jobs/slow-hook/runs');
    expect(triggered.status).toBe(202);
    await vi.waitFor(() => expect(receiver.held).toHaveLength(1));

    // When the stack closes, and the receiver answers only once the stack waits for the invocation
    // (or once the close ended, if it does not wait)
    let closed = false;
    let finishedBeforeClosed = false;
    const closing = first.stack.close().then(() => {
      closed = true;
      // The invocation's line comes once the handler returned, after it wrote the run's outcome.
      finishedBeforeClosed = first.logs.some(
        (entry) =>
          entry.message === 'invoke' &&
          entry.function === 'tickwork-local-prompt' &&
          entry.outcome === 'succeeded',
      );
    });
    stacks.splice(stacks.indexOf(first.stack), 1);
    await vi.waitFor(
      () => {
        const waiting = first.logs.some((entry) => entry.message === 'waiting for running invocations');
        expect(waiting || closed).toBe(true);
      },
      { timeout: 20_000 },
    );
    receiver.release();
    await closing;

    // Then the invocation finished, its outcome written, before the stack was closed, and after a
    // start on the data directory the run reads succeeded
    expect(finishedBeforeClosed).toBe(true);
    const second = await start();
    const run = await second.call('GET', `/runs/${triggered.json.runId}`);
    expect(run.json).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(first.logs).toContainEqual(
      expect.objectContaining({
        component: 'lambda',
        message: 'waiting for running invocations',
        running: 1,
      }),
    );
  });
});

describe('the local stack invoking asynchronously', () => {
  it('Given a manual run, When the API answered 202, Then the event journal already holds its event', async () => {
    // Given a job (its webhook goes nowhere; only the acceptance matters here)
    const { call } = await start();
    expect((await call('POST', '/jobs', promptDefinition('queued-first'))).status).toBe(201);

    // When a run is asked for and the API answers (after the Invoke endpoint's 202)
    const triggered = await call('POST', '/jobs/queued-first/runs');
    expect(triggered.status).toBe(202);

    // Then the event the API function handed to Lambda was journaled before that
    const journal = await readFile(join(dataDir, 'lambda-async-events.jsonl'), 'utf8');
    const accepted = journal
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { op: string; payload?: string })
      .filter((record) => record.op === 'accepted' && record.payload?.includes(triggered.json.runId));
    expect(accepted).toHaveLength(1);
  });
});

describe('the local stack at start', () => {
  it('Given a job whose schedule is missing, When the stack starts, Then the reconcile it runs creates the schedule and says so', async () => {
    // Given a job whose schedule was lost (as when the request creating it was killed midway)
    const first = await start();
    expect((await first.call('POST', '/jobs', promptDefinition('lost-schedule'))).status).toBe(201);
    await first.stack.scheduler.store.schedules.delete('lost-schedule', 'tickwork-local-prompt', undefined);
    await stop(first.stack);

    // When the stack starts again
    const second = await start();

    // Then the schedule is back, and the log names the repair
    expect(second.stack.scheduler.store.get('tickwork-local-prompt/lost-schedule')?.record.expression).toBe(
      'cron(0 9 ? * MON-FRI *)',
    );
    expect(second.logs).toContainEqual(
      expect.objectContaining({
        level: 'info',
        component: 'local',
        message: 'reconcile repaired',
        job: 'lost-schedule',
        repair: 'created its missing schedule',
      }),
    );
    expect(second.logs).toContainEqual(
      expect.objectContaining({ message: 'reconciled at start', repaired: 1, failed: 0 }),
    );
  });
});
