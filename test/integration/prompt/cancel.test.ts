/**
 * Cancelling a prompt run while its webhook POST is in flight: the run lifecycle watches the run's
 * cancel flag (one read per interval, backing off, the first only once the run has lasted an interval)
 * and aborts the run's signal, which aborts the request, so the run ends `cancelled` instead of waiting
 * out the delivery timeout. Real lifecycle, dynalite, a local receiver that never answers; the clock is
 * moved by hand to drive the watch interval.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SafeHttpClient } from '../../../shared/adapters/http/client.ts';
import { LocalSecretSource } from '../../../shared/adapters/secrets/local.ts';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import { promptKind } from '../../../shared/kinds/prompt/definition.ts';
import { promptWork } from '../../../shared/kinds/prompt/work.ts';
import { kindWork } from '../../../shared/kinds/work.ts';
import { cancelRun } from '../../../shared/runs/cancel.ts';
import { executeRun, type RunDeps } from '../../../shared/runs/lifecycle.ts';
import { captureLog, type Engine, ManualClock, promptJob, runDeps, startEngine } from '../ledger/support.ts';

/** A receiver that reads each request and never answers; it records when a client gives up on one. */
interface SlowReceiver {
  readonly url: string;
  readonly requests: { aborted: boolean }[];
  /** Resolves once `count` requests have arrived in full. */
  arrived(count: number): Promise<void>;
  /** Resolves once request `index` has been closed by the client without an answer. */
  aborted(index: number): Promise<void>;
  close(): Promise<void>;
}

async function startSlowReceiver(): Promise<SlowReceiver> {
  const requests: { aborted: boolean }[] = [];
  const waiters: (() => void)[] = [];
  const notify = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  const server: Server = createServer((request, response) => {
    const entry = { aborted: false };
    request.resume();
    request.on('end', () => {
      requests.push(entry);
      notify();
    });
    response.on('close', () => {
      if (!response.writableEnded) {
        entry.aborted = true;
        notify();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return {
    url: `http://127.0.0.1:${port}/hooks/slow`,
    requests,
    arrived: (count) => until(() => requests.length >= count),
    aborted: (index) => until(() => requests[index]?.aborted === true),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let engine: Engine;
let receiver: SlowReceiver;
let dataDir: string;
let counter = 0;

beforeAll(async () => {
  engine = await startEngine();
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-cancel-'));
  await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ 'demo/webhook': 'cancel-test-secret' }));
});
afterAll(async () => {
  await engine.close();
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  receiver = await startSlowReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const SLOT = '2026-03-01T12:00:00.000Z';

async function setup() {
  const clock = new ManualClock(SLOT);
  const log = captureLog();
  const deps = runDeps(engine, clock, log.logger, { cancelCheckIntervalMs: 1_000 });
  const work = kindWork(promptKind, promptWork, {
    secrets: new LocalSecretSource({ file: join(dataDir, 'secrets.json'), env: {} }),
    http: new SafeHttpClient({ mode: 'local', allowedHosts: [] }),
  });
  counter++;
  const job: Job = promptJob(`cancel-${counter}`, {
    config: {
      prompt: 'Summarize the overnight alerts.',
      // Real time: without the watch, the run would wait this long and end failed, not cancelled.
      target: { type: 'webhook', url: receiver.url, signingSecret: 'demo/webhook', timeoutSeconds: 30 },
    },
  });
  await deps.jobs.create(job);
  return { clock, deps, work, job };
}

async function runOf(deps: RunDeps, job: Job): Promise<Run> {
  const run = await deps.runs.get(job.name, SLOT);
  if (run === undefined) throw new Error('no run recorded');
  return run;
}

describe('cancelling a prompt run during delivery', () => {
  it('aborts the in-flight POST and records the run as cancelled', async () => {
    // Given a run whose webhook POST is in flight to a receiver that does not answer
    const { clock, deps, work, job } = await setup();
    const execution = executeRun(deps, { job: job.name, scheduledTime: SLOT, executionId: 'e-1' }, work);
    await receiver.arrived(1);
    const running = await runOf(deps, job);
    expect(running.status).toBe('running');

    // When the run is cancelled and a watch interval passes
    const requested = await cancelRun(deps, running.runId);
    expect(requested).toMatchObject({ status: 'running', cancelRequested: true });
    clock.advance(1_000);

    // Then the request is aborted and the run ends cancelled, not failed; the reason does not pretend
    // the receiver got nothing (the POST had reached it)
    const outcome = await execution;
    expect(outcome.outcome).toBe('cancelled');
    await receiver.aborted(0);
    expect(receiver.requests).toEqual([{ aborted: true }]);
    const run = await runOf(deps, job);
    expect(run).toMatchObject({
      status: 'cancelled',
      reason:
        'cancelled by request after the webhook delivery had started: it was stopped where it stood and may have taken effect',
      attempt: 1,
    });
    expect(run.error).toBeUndefined();
  });

  it('keeps waiting for the answer when no cancel was asked', async () => {
    // Given a run whose POST is in flight
    const { clock, deps, work, job } = await setup();
    const execution = executeRun(deps, { job: job.name, scheduledTime: SLOT, executionId: 'e-1' }, work);
    await receiver.arrived(1);

    // When several watch intervals pass without a cancel request
    for (let tick = 0; tick < 3; tick++) {
      clock.advance(1_000);
      // Let the watch read the run record before the next tick.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // Then the request is still open and the run still running
    expect(receiver.requests).toEqual([{ aborted: false }]);
    expect((await runOf(deps, job)).status).toBe('running');

    // And a cancel asked later is still seen at the next interval
    await cancelRun(deps, (await runOf(deps, job)).runId);
    let settled = false;
    const outcome = execution.finally(() => {
      settled = true;
    });
    // The watch may be between a read and its next sleep: tick until it has seen the request.
    while (!settled) {
      clock.advance(1_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await outcome).outcome).toBe('cancelled');
    expect((await runOf(deps, job)).status).toBe('cancelled');
  });
});
