/**
 * A one-time job changed while its run is in flight keeps running on its new timing. The job's `at()`
 * slot fires (the Scheduler emulator), its prompt run posts to a receiver that holds the answer, and
 * meanwhile the job is given a new `at()`, a recurring schedule, or is deleted and created again (the
 * job service over the real Scheduler adapter). When the old delivery finishes, the job must not be
 * marked `executed` (nor purged later): its next slot is delivered.
 *
 * Everything is real but the time: dynalite, the emulator over HTTP through the unmodified SDK client,
 * the lifecycle, the prompt kind, a local receiver; one manual clock drives the emulator's timers, the
 * service, the stores and the lifecycle.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ManualClock,
  type SchedulerEmulator,
  startSchedulerEmulator,
} from '../../../local/scheduler/index.ts';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { DynamoJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../../../shared/adapters/dynamodb/run-ledger.ts';
import { SafeHttpClient } from '../../../shared/adapters/http/client.ts';
import { createSchedulerSchedulePort } from '../../../shared/adapters/scheduler/schedule-port.ts';
import { LocalSecretSource } from '../../../shared/adapters/secrets/local.ts';
import { ConcurrentModificationError } from '../../../shared/errors.ts';
import type { JobEvent } from '../../../shared/jobs/ports.ts';
import {
  createJob,
  deleteJob,
  type JobServiceDeps,
  patchJob,
  pauseJob,
  replaceJob,
} from '../../../shared/jobs/service.ts';
import { promptKind } from '../../../shared/kinds/prompt/definition.ts';
import { promptWork } from '../../../shared/kinds/prompt/work.ts';
import { kindWork } from '../../../shared/kinds/work.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { parseJobEvent } from '../../../shared/runs/event.ts';
import { executeRun, type RunDeps, type RunOutcome } from '../../../shared/runs/lifecycle.ts';
import { createKindScheduleGroups } from '../../support/schedules.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';
import { unusedJobInvoker } from '../../support/unused-invoker.ts';
import { captureLog, type Engine, startEngine } from '../ledger/support.ts';
import { type Receiver, startReceiver } from './receiver.ts';

const GROUP = 'tickwork-one-time-edits';
const START = new Date('2026-03-01T12:00:00.000Z');
/** The job's first slot, and the new one-time slot an edit gives it. */
const T = '2026-03-01T12:01:00';
const T_PLUS_20 = '2026-03-01T12:01:20';

let engine: Engine;
let dataDir: string;
let receiver: Receiver;
let emulator: SchedulerEmulator;
let scheduler: SchedulerClient;
let clock: ManualClock;
let counter = 0;
/** Every run the emulator (or a manual trigger) started, to await. */
const runs: Promise<RunOutcome>[] = [];

beforeAll(async () => {
  engine = await startEngine();
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-one-time-edits-'));
  await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ 'demo/webhook': 'edit-secret' }));
});
afterAll(async () => {
  await engine.close();
  await rm(dataDir, { recursive: true, force: true });
});

let runDeps: RunDeps;
let service: JobServiceDeps;

beforeEach(async () => {
  receiver = await startReceiver();
  clock = new ManualClock(START);
  const log = captureLog().logger;
  const stores = {
    jobs: new DynamoJobStore(engine.doc, engine.tables.jobs, clock),
    runs: new DynamoRunLedger(engine.doc, engine.tables.runs, clock),
  };
  runDeps = {
    ...stores,
    clock,
    log,
    retentionDays: 30,
    leaseSeconds: 60,
    invoker: unusedJobInvoker(),
    retryPolicy: { delaysMs: [] },
  };
  const work = kindWork(promptKind, promptWork, {
    secrets: new LocalSecretSource({ file: join(dataDir, 'secrets.json'), env: {} }),
    http: new SafeHttpClient({ mode: 'local', allowedHosts: [] }),
  });
  // As Lambda's async invoke: accepted at once, the run goes on by itself.
  const start = (event: JobEvent) => {
    runs.push(executeRun(runDeps, event, work));
  };
  emulator = await startSchedulerEmulator({
    dataDir: await mkdtemp(join(dataDir, 'scheduler-')),
    port: 0,
    clock,
    invoker: { invoke: async (target) => start(parseJobEvent(JSON.parse(target.input ?? '{}'))) },
    log: silentLogger,
    credentials: TEST_CREDENTIALS,
  });
  scheduler = new SchedulerClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { ...TEST_CREDENTIALS },
  });
  const groups = await createKindScheduleGroups(scheduler, GROUP);
  service = {
    ...stores,
    schedules: createSchedulerSchedulePort({ client: scheduler, groups, clock }),
    invoker: { invoke: async (_kind, event) => start(event) },
    clock,
    deployment: {
      targetArns: { prompt: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-test-prompt' },
      roleArn: 'arn:aws:iam::000000000000:role/tickwork-test-scheduler',
    },
    mode: 'local',
    runRetentionDays: 30,
    retryPolicy: { delaysMs: [] },
    secrets: new LocalSecretSource({ file: join(dataDir, 'secrets.json'), env: {} }),
    log,
  };
});
afterEach(async () => {
  // The receiver first: a run still waiting for its answer (a failed test) ends when it closes.
  await receiver.close();
  await Promise.allSettled(runs.splice(0));
  scheduler.destroy();
  await emulator.close();
});

function definition(name: string, schedule: string) {
  return {
    name,
    kind: 'prompt',
    schedule,
    config: {
      prompt: 'Summarize the overnight alerts.',
      target: { type: 'webhook', url: receiver.url, signingSecret: 'demo/webhook' },
    },
  };
}

/** Moves the clock to `instant`, letting the emulator fire what falls due on the way. */
async function advanceTo(instant: string) {
  await clock.advanceTo(new Date(`${instant}Z`), async () => {
    await new Promise((resolve) => setImmediate(resolve));
    await emulator.idle();
  });
}

/** The runs started so far, once they are over. */
async function settledRuns(): Promise<RunOutcome[]> {
  return Promise.all(runs.splice(0));
}

/**
 * A one-time job due at T whose run is under way at T + 1.5 s, its POST held by the receiver;
 * `release` lets the receiver answer 200.
 */
async function oneTimeJobInFlight() {
  counter++;
  const name = `edited-${counter}`;
  await createJob(service, definition(name, `at(${T})`));
  let release: () => void = () => undefined;
  const arrived = new Promise<void>((resolveArrived) => {
    const held = new Promise<void>((resolveHeld) => {
      release = resolveHeld;
    });
    receiver.answer = {
      status: 200,
      hold: async () => {
        resolveArrived();
        await held;
      },
    };
  });
  await advanceTo(T);
  await arrived;
  receiver.answer = { status: 200 };
  await clock.advance(1_500);
  return { name, release };
}

describe('a one-time job changed while its run is in flight', () => {
  it.each<[string, (name: string) => Promise<unknown>, string]>([
    ['given a new at()', (name) => patchJob(service, name, { schedule: `at(${T_PLUS_20})` }), T_PLUS_20],
    [
      'deleted and created again with a new at()',
      async (name) => {
        await deleteJob(service, name);
        return replaceJob(service, name, definition(name, `at(${T_PLUS_20})`));
      },
      T_PLUS_20,
    ],
    [
      'given a recurring schedule',
      (name) => patchJob(service, name, { schedule: 'cron(* * * * ? *)' }),
      '2026-03-01T12:02:00',
    ],
  ])(
    'Given a job %s during its run, Then the old run does not mark it executed and its next slot is delivered',
    async (_case, edit, next) => {
      // Given a one-time job whose delivery is under way
      const { name, release } = await oneTimeJobInFlight();
      // When it is changed, then the old delivery finishes
      await edit(name);
      const changed = await runDeps.jobs.get(name);
      release();
      const [first] = await settledRuns();
      expect(first).toMatchObject({ outcome: 'succeeded', run: { scheduledFor: `${T}.000Z` } });
      // Then the job is as the change left it: not executed, not set to be purged
      const after = await runDeps.jobs.get(name);
      expect(after).toStrictEqual(changed);
      expect(after?.oneTimeState).not.toBe('executed');
      expect(after?.expiresAt).toBeUndefined();
      // And its next slot is delivered
      await advanceTo(next);
      const [second] = await settledRuns();
      expect(second).toMatchObject({
        outcome: 'succeeded',
        run: { scheduledFor: `${next}.000Z`, status: 'succeeded' },
      });
      expect(receiver.received).toHaveLength(2);
    },
  );

  it('Given a job paused during its run (its timing unchanged), Then the run marks it executed', async () => {
    // Given
    const { name, release } = await oneTimeJobInFlight();
    // When an edit leaves its timing as it was
    await pauseJob(service, name);
    release();
    await settledRuns();
    // Then its one slot is done
    expect(await runDeps.jobs.get(name)).toMatchObject({
      enabled: false,
      oneTimeState: 'executed',
      expiresAt: Math.floor(clock.now().getTime() / 1000) + 30 * 86_400,
    });
  });
});

describe('deleting a one-time job while another request changes it', () => {
  it('Given a DELETE that read the job before a PATCH gave it a recurring schedule, Then the DELETE answers a conflict and the recurring job keeps running', async () => {
    // Given a one-time job still to fire, and a DELETE whose cancel mark is preceded (at the wire) by a
    // PATCH of another request
    counter++;
    const name = `raced-delete-${counter}`;
    await createJob(service, definition(name, `at(${T})`));
    const doc = createDocumentClient({ endpoint: engine.endpoint, region: 'us-east-1' });
    let patched = false;
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (
          !patched &&
          context.commandName === 'UpdateItemCommand' &&
          input.UpdateExpression?.includes('#state')
        ) {
          patched = true;
          await patchJob(service, name, { schedule: 'cron(* * * * ? *)' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'patchBeforeCancelMark' },
    );
    const deleting: JobServiceDeps = { ...service, jobs: new DynamoJobStore(doc, engine.tables.jobs, clock) };
    try {
      // When
      const error = await deleteJob(deleting, name).catch((caught: unknown) => caught);
      // Then the DELETE says the job changed under it, and nothing of a cancel is left on the job
      expect(patched).toBe(true);
      expect(error).toBeInstanceOf(ConcurrentModificationError);
      const job = await runDeps.jobs.get(name);
      expect(job).toMatchObject({ schedule: { expression: 'cron(* * * * ? *)' } });
      expect(job?.oneTimeState).toBeUndefined();
      expect(job?.expiresAt).toBeUndefined();
      // And its schedule follows the job as it is now: its minutes are delivered
      expect(await service.schedules.get({ name, kind: 'prompt' })).toMatchObject({
        expression: 'cron(* * * * ? *)',
      });
      await advanceTo('2026-03-01T12:00:30');
      await settledRuns();
      await advanceTo('2026-03-01T12:01:00');
      expect(await settledRuns()).toMatchObject([
        { outcome: 'succeeded', run: { scheduledFor: '2026-03-01T12:01:00.000Z' } },
      ]);
      expect(receiver.received.length).toBeGreaterThanOrEqual(1);
    } finally {
      doc.destroy();
    }
  });
});
