/**
 * A cancel racing the start of a prompt run. The API answers a cancel of a running run with
 * `cancelRequested: true`; that must mean something on both sides of the webhook POST:
 * - accepted before the POST starts (here: while the run fetches its signing secret), it stops the run
 *   and nothing is delivered, even within the first second of the run (when a checkpoint would answer
 *   from what the run knew at its start);
 * - accepted once the POST is under way and the receiver answers, it is too late: the run ends
 *   `succeeded` with `cancelRequested` and a reason saying so, and a cancel after that is refused.
 * Deterministic: the secret source and the receiver hold until the test has cancelled; the clock does
 * not move, so no watcher read can stand in for the point-of-no-return check. Real lifecycle, dynalite,
 * a local receiver.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SafeHttpClient } from '../../../shared/adapters/http/client.ts';
import { LocalSecretSource } from '../../../shared/adapters/secrets/local.ts';
import { RunConflictError } from '../../../shared/errors.ts';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import type { JobEvent, SecretSource } from '../../../shared/jobs/ports.ts';
import { promptKind } from '../../../shared/kinds/prompt/definition.ts';
import { promptWork } from '../../../shared/kinds/prompt/work.ts';
import { kindWork } from '../../../shared/kinds/work.ts';
import { cancelRun } from '../../../shared/runs/cancel.ts';
import { executeRun, type RunDeps } from '../../../shared/runs/lifecycle.ts';
import { newManualRun } from '../../../shared/runs/manual.ts';
import { captureLog, type Engine, ManualClock, promptJob, runDeps, startEngine } from '../ledger/support.ts';
import { type Receiver, startReceiver } from './receiver.ts';

let engine: Engine;
let receiver: Receiver;
let dataDir: string;
let counter = 0;

beforeAll(async () => {
  engine = await startEngine();
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-cancel-race-'));
  await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ 'demo/webhook': 'race-secret' }));
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

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

const SLOT = '2026-03-01T12:00:00.000Z';

/** A secret source whose next lookup waits until the test opens the gate (a slow Secrets Manager call). */
function gatedSecrets(inner: SecretSource) {
  const entered = deferred();
  const gate = deferred();
  const source: SecretSource = {
    async get(name) {
      entered.resolve();
      await gate.promise;
      return inner.get(name);
    },
    check: (name) => inner.check(name),
  };
  return { source, entered: entered.promise, open: gate.resolve };
}

async function setup() {
  const clock = new ManualClock(SLOT);
  const deps = runDeps(engine, clock, captureLog().logger);
  const secrets = gatedSecrets(new LocalSecretSource({ file: join(dataDir, 'secrets.json'), env: {} }));
  const work = kindWork(promptKind, promptWork, {
    secrets: secrets.source,
    http: new SafeHttpClient({ mode: 'local', allowedHosts: [] }),
  });
  counter++;
  const job: Job = promptJob(`race-${counter}`, {
    config: {
      prompt: 'Summarize the overnight alerts.',
      target: { type: 'webhook', url: receiver.url, signingSecret: 'demo/webhook' },
    },
  });
  await deps.jobs.create(job);
  return { clock, deps, work, job, secrets };
}

/** The event of a scheduled slot, or of a pending manual run recorded the way the API records it. */
async function eventOf(trigger: 'schedule' | 'manual', deps: RunDeps, job: Job, clock: ManualClock) {
  if (trigger === 'schedule') {
    const event: JobEvent = { job: job.name, scheduledTime: SLOT, executionId: 'e-1', trigger };
    return { event, slot: SLOT };
  }
  const manual = newManualRun(job, clock.now(), { retentionDays: 30 });
  await deps.runs.claim(manual.run);
  return { event: manual.event, slot: manual.run.slot };
}

async function runAt(deps: RunDeps, job: Job, slot: string): Promise<Run> {
  const run = await deps.runs.get(job.name, slot);
  if (run === undefined) throw new Error('no run recorded');
  return run;
}

describe('a cancel racing the start of a prompt run', () => {
  it.each(['schedule', 'manual'] as const)(
    'Given a %s run fetching its secret, When a cancel is accepted, Then nothing is delivered and the run ends cancelled',
    async (trigger) => {
      // Given a run that is running (claimed) and still before its POST
      const { clock, deps, work, job, secrets } = await setup();
      const { event, slot } = await eventOf(trigger, deps, job, clock);
      const execution = executeRun(deps, event, work);
      await secrets.entered;
      const running = await runAt(deps, job, slot);
      expect(running.status).toBe('running');

      // When the cancel is accepted, within the run's first second, and the run goes on
      const answer = await cancelRun(deps, running.runId);
      expect(answer).toMatchObject({ status: 'running', cancelRequested: true });
      secrets.open();

      // Then the webhook received nothing and the run is cancelled
      const outcome = await execution;
      expect(outcome.outcome).toBe('cancelled');
      expect(receiver.received).toEqual([]);
      expect(await runAt(deps, job, slot)).toMatchObject({
        status: 'cancelled',
        reason: 'cancelled by request',
        cancelRequested: true,
      });
    },
  );

  it('Given a run whose POST has reached the receiver, When a cancel is accepted before the answer, Then the run ends succeeded and says the cancel came too late', async () => {
    // Given a receiver that holds its answer until the test has cancelled
    const { deps, work, job, secrets } = await setup();
    const arrived = deferred();
    const answerNow = deferred();
    receiver.answer = {
      status: 200,
      hold: async () => {
        arrived.resolve();
        await answerNow.promise;
      },
    };
    secrets.open();
    const execution = executeRun(deps, { job: job.name, scheduledTime: SLOT, executionId: 'e-1' }, work);
    await arrived.promise;

    // When the cancel is accepted while the POST is under way, then the receiver answers
    const running = await runAt(deps, job, SLOT);
    const answer = await cancelRun(deps, running.runId);
    expect(answer).toMatchObject({ status: 'running', cancelRequested: true });
    answerNow.resolve();

    // Then the delivery happened, and the record says the cancel did not stop it
    const outcome = await execution;
    expect(outcome.outcome).toBe('succeeded');
    expect(receiver.received).toHaveLength(1);
    const run = await runAt(deps, job, SLOT);
    expect(run).toMatchObject({
      status: 'succeeded',
      cancelRequested: true,
      result: { httpStatus: 200 },
      reason:
        'a cancel was requested after the webhook delivery had started: too late to stop it, and the run completed',
    });
    // And a cancel now is refused: the run is over
    await expect(cancelRun(deps, run.runId)).rejects.toBeInstanceOf(RunConflictError);
  });
});
