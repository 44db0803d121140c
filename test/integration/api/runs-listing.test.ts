/**
 * Run listings over HTTP against the local stack, with real runs: manual runs fired through the API,
 * delivered by the prompt function to local webhook receivers. Covers a job's runs filtered by status
 * and paged with limit/cursor, `GET /runs?status=running` showing a run while its delivery is in
 * flight (and not after), cancelling a running run over HTTP, and history kept after the job is deleted.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../prompt/receiver.ts';
import { type ApiHarness, promptJob, startApiHarness, until } from './support.ts';

// These checks polled every 100 ms before the helper moved to support.ts; kept, so their timing is unchanged.
const POLL_MS = 100;

/** A receiver that holds each request until released; it records requests the client gave up on. */
interface GateReceiver {
  readonly url: string;
  readonly requests: { runId: string; aborted: boolean }[];
  /** Answers every held request with 200. */
  release(): void;
  close(): Promise<void>;
}

async function startGateReceiver(): Promise<GateReceiver> {
  const requests: { runId: string; aborted: boolean }[] = [];
  const held: ServerResponse[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { runId: String(request.headers['idempotency-key'] ?? ''), aborted: false };
      requests.push(entry);
      response.on('close', () => {
        if (!response.writableEnded) entry.aborted = true;
      });
      held.push(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/gate`,
    requests,
    release() {
      for (const response of held.splice(0)) {
        if (!response.destroyed) response.writeHead(200).end('ok');
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let api: ApiHarness;
let receiver: Receiver;
let gate: GateReceiver;

beforeAll(async () => {
  api = await startApiHarness();
  receiver = await startReceiver();
  gate = await startGateReceiver();
  await api.writeSecrets({ 'listing-hook': 'listing-signing-secret' });
});

afterAll(async () => {
  gate?.release();
  await gate?.close();
  await receiver?.close();
  await api?.close();
});

function webhookJob(name: string, url: string) {
  return promptJob(name, {
    schedule: 'rate(1 day)',
    // Manual runs follow each other quickly: none is skipped for the previous one's lease.
    overlap: 'allow',
    config: { prompt: `Hello from ${name}`, target: { type: 'webhook', url, signingSecret: 'listing-hook' } },
  });
}

/** Starts a manual run and waits until it has finished; returns its run id. */
async function runToEnd(job: string): Promise<string> {
  const started = await api.call('POST', `/jobs/${job}/runs`);
  expect(started.status, started.text).toBe(202);
  const runId: string = started.json.runId;
  const done = await until(
    () => api.call('GET', `/runs/${runId}`),
    (answer) => ['succeeded', 'failed'].includes(answer.json.status),
    20_000,
    POLL_MS,
  );
  expect(['succeeded', 'failed']).toContain(done.json.status);
  return runId;
}

/** Every page of `path` (which has no cursor yet), following nextCursor. */
async function allPages(path: string): Promise<{ pages: number; runs: { runId: string; status: string }[] }> {
  const runs: { runId: string; status: string }[] = [];
  let pages = 0;
  let cursor: string | undefined;
  do {
    const answer = await api.call('GET', `${path}${cursor === undefined ? '' : `&cursor=${cursor}`}`);
    expect(answer.status, answer.text).toBe(200);
    pages++;
    runs.push(...answer.json.runs);
    cursor = answer.json.nextCursor ?? undefined;
    expect(pages).toBeLessThan(20);
  } while (cursor !== undefined);
  return { pages, runs };
}

describe("a job's runs", () => {
  const succeeded: string[] = [];
  const failed: string[] = [];

  beforeAll(async () => {
    expect((await api.call('POST', '/jobs', { body: webhookJob('pager', receiver.url) })).status).toBe(201);
    for (let i = 0; i < 5; i++) succeeded.push(await runToEnd('pager'));
    receiver.answer = { status: 500, body: 'receiver down' };
    for (let i = 0; i < 2; i++) failed.push(await runToEnd('pager'));
    receiver.answer = { status: 200, body: 'ok' };
  });

  it('are listed newest first', async () => {
    const answer = await api.call('GET', '/jobs/pager/runs');
    expect(answer.status).toBe(200);
    expect(answer.json.runs.map((run: { runId: string }) => run.runId)).toEqual(
      [...succeeded, ...failed].reverse(),
    );
    expect(answer.json.nextCursor).toBeNull();
  });

  it('page with limit and cursor, each run once, in order', async () => {
    // When the runs are read two at a time
    const { pages, runs } = await allPages('/jobs/pager/runs?limit=2');
    // Then four pages hold all seven runs, newest first, none twice
    expect(pages).toBe(4);
    expect(runs.map((run) => run.runId)).toEqual([...succeeded, ...failed].reverse());
  });

  it.each([
    ['succeeded', 2, 3],
    ['failed', 1, 2],
  ] as const)('filter by status=%s and page with limit %i', async (status, limit, expectedPages) => {
    const { pages, runs } = await allPages(`/jobs/pager/runs?status=${status}&limit=${limit}`);
    const expected = (status === 'succeeded' ? succeeded : failed).slice().reverse();
    expect(runs.map((run) => run.runId)).toEqual(expected);
    expect(runs.every((run) => run.status === status)).toBe(true);
    expect(pages).toBeGreaterThanOrEqual(expectedPages);
  });

  it('answer an empty list for a status with no runs', async () => {
    const answer = await api.call('GET', '/jobs/pager/runs?status=cancelled');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ runs: [], nextCursor: null });
  });

  it('stay listed after the job is deleted', async () => {
    // When the job is deleted
    expect((await api.call('DELETE', '/jobs/pager')).status).toBe(204);
    expect((await api.call('GET', '/jobs/pager')).status).toBe(404);
    // Then its history is still there, by job and across jobs
    const byJob = await api.call('GET', '/jobs/pager/runs?limit=100');
    expect(byJob.status).toBe(200);
    expect(byJob.json.runs).toHaveLength(7);
    const all = await api.call('GET', '/runs?job=pager&limit=100');
    expect(all.status).toBe(200);
    expect(all.json.runs.map((run: { runId: string }) => run.runId)).toEqual(
      [...succeeded, ...failed].reverse(),
    );
    const one = await api.call('GET', `/runs/${succeeded[0]}`);
    expect(one.json).toMatchObject({ job: 'pager', status: 'succeeded' });
  });
});

describe('what is running now', () => {
  beforeAll(async () => {
    expect((await api.call('POST', '/jobs', { body: webhookJob('slow', gate.url) })).status).toBe(201);
  });

  it('GET /runs?status=running lists the run while its delivery is in flight, and not after', async () => {
    // Given a run whose webhook POST is held by the receiver
    const started = await api.call('POST', '/jobs/slow/runs');
    expect(started.status).toBe(202);
    const runId: string = started.json.runId;
    const running = await until(
      () => api.call('GET', '/runs?status=running'),
      (answer) => answer.json.runs.some((run: { runId: string }) => run.runId === runId),
      20_000,
      POLL_MS,
    );

    // Then it is listed as running, across jobs and for its job
    expect(running.status).toBe(200);
    expect(running.json.runs.find((run: { runId: string }) => run.runId === runId)).toMatchObject({
      job: 'slow',
      status: 'running',
      trigger: 'manual',
    });
    const forJob = await api.call('GET', '/jobs/slow/runs?status=running');
    expect(forJob.json.runs.map((run: { runId: string }) => run.runId)).toEqual([runId]);
    expect(gate.requests.map((request) => request.runId)).toContain(runId);

    // When the receiver answers
    gate.release();
    const finished = await until(
      () => api.call('GET', `/runs/${runId}`),
      (answer) => answer.json.status !== 'running',
      20_000,
      POLL_MS,
    );

    // Then the run succeeded and is no longer listed as running
    expect(finished.json.status).toBe('succeeded');
    const after = await api.call('GET', '/runs?status=running');
    expect(after.json.runs.map((run: { runId: string }) => run.runId)).not.toContain(runId);
    const succeededRuns = await api.call('GET', '/runs?status=succeeded&job=slow');
    expect(succeededRuns.json.runs.map((run: { runId: string }) => run.runId)).toContain(runId);
  });

  it('POST /runs/{runId}/cancel stops a running run: its request is aborted and it ends cancelled', async () => {
    // Given a run whose webhook POST is in flight
    const started = await api.call('POST', '/jobs/slow/runs');
    const runId: string = started.json.runId;
    await until(
      () => api.call('GET', `/runs/${runId}`),
      (answer) =>
        answer.json.status === 'running' && gate.requests.some((request) => request.runId === runId),
      20_000,
      POLL_MS,
    );

    // When it is cancelled over HTTP
    const cancel = await api.call('POST', `/runs/${runId}/cancel`);

    // Then the cancel is accepted while the run is still running
    expect(cancel.status, cancel.text).toBe(200);
    expect(cancel.json).toMatchObject({ runId, status: 'running', cancelRequested: true });
    // And the run ends cancelled (not failed by the delivery timeout), its request aborted; the reason
    // says the delivery had started (the receiver had the request)
    const ended = await until(
      () => api.call('GET', `/runs/${runId}`),
      (answer) => answer.json.status !== 'running',
      20_000,
      POLL_MS,
    );
    expect(ended.json).toMatchObject({
      status: 'cancelled',
      reason:
        'cancelled by request after the webhook delivery had started: it was stopped where it stood and may have taken effect',
    });
    expect(ended.json.error ?? null).toBeNull();
    const request = gate.requests.find((entry) => entry.runId === runId);
    for (let i = 0; i < 50 && request?.aborted !== true; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(request).toEqual({ runId, aborted: true });
    // And cancelling it again is a conflict
    expect((await api.call('POST', `/runs/${runId}/cancel`)).status).toBe(409);
  });
});
