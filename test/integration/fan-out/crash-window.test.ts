/**
 * The crash window between a child's final record and its count on the parent, on dynalite with the
 * real lifecycle, the prompt kind's work against a local receiver, the real context source and a clock
 * the test moves. The child's function "dies" at its count: the run ledger's next `countChild` fails
 * (test/support/faults.ts), so the child is recorded final and its parent never hears of it. Lambda's
 * async queue is played by the test: every invoke is queued, and the test delivers the events.
 * - (a) a later delivery of the child counts it, exactly once however often it comes;
 * - (b) with no delivery coming, a reader of the parent (`GET /runs/{id}`'s use case) recounts its
 *   children after PARENT_STALL_MS, ends it, and starts what follows the parent (`then`);
 * - (c) a lane longer than Lambda's event age: no child is failed for waiting its turn; a head whose
 *   invocation was dropped is started by the recount; a deleted job's pending children are skipped.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContextSource } from '../../../shared/adapters/fan-out/context-source.ts';
import { SafeHttpClient } from '../../../shared/adapters/http/client.ts';
import { LocalSecretSource } from '../../../shared/adapters/secrets/local.ts';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import type { JobEvent, JobInvoker, RunLedger } from '../../../shared/jobs/ports.ts';
import { getRun, listChildRuns } from '../../../shared/jobs/runs.ts';
import { promptKind } from '../../../shared/kinds/prompt/definition.ts';
import { promptWork } from '../../../shared/kinds/prompt/work.ts';
import { kindWork } from '../../../shared/kinds/work.ts';
import { executeRun, type RunDeps } from '../../../shared/runs/lifecycle.ts';
import { startPendingRun } from '../../../shared/runs/manual.ts';
import { PARENT_STALL_MS } from '../../../shared/runs/settle.ts';
import { faulty } from '../../support/faults.ts';
import { UNUSED_AWS_CLIENT } from '../../support/unused-aws-client.ts';
import { captureLog, type Engine, ManualClock, promptJob, runDeps, startEngine } from '../ledger/support.ts';
import { type FanOutWorld, startFanOutWorld } from './support.ts';

const SECRET = 'crash/hook';
let engine: Engine;
let world: FanOutWorld;
let dataDir: string;

beforeAll(async () => {
  engine = await startEngine();
  world = await startFanOutWorld();
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-fan-crash-'));
  await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ [SECRET]: 'crash-secret' }));
});

afterAll(async () => {
  await world?.close();
  await engine?.close();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

/** Lambda's async queue, held by the test: each invoke is an event the test delivers when it says. */
function queuedInvoker(): JobInvoker & { readonly events: JobEvent[]; take(runId: string): JobEvent } {
  const events: JobEvent[] = [];
  return {
    events,
    async invoke(_kind, event) {
      events.push(event);
    },
    take(runId) {
      const index = events.findIndex((event) => event.runId === runId);
      const [event] = index < 0 ? [] : events.splice(index, 1);
      if (event === undefined) throw new Error(`no queued event for run ${runId}`);
      return event;
    },
  };
}

let counter = 0;

function setup() {
  counter++;
  const clock = new ManualClock('2026-05-04T08:00:00.000Z');
  const log = captureLog();
  const invoker = queuedInvoker();
  const base = runDeps(engine, clock, log.logger, { leaseSeconds: 900, invoker });
  const ledger = faulty<RunLedger>(base.runs);
  const http = new SafeHttpClient({ mode: 'local', allowedHosts: [] });
  const deps: RunDeps = {
    ...base,
    runs: ledger.port,
    contexts: createContextSource({ http, lambda: new LambdaClient(UNUSED_AWS_CLIENT) }),
  };
  const work = kindWork(promptKind, promptWork, {
    secrets: new LocalSecretSource({ file: join(dataDir, 'secrets.json'), env: {} }),
    http,
  });
  /** The API's reader of a run, on the same stores and clock. */
  const read = (runId: string) => getRun({ ...deps, runRetentionDays: deps.retentionDays }, runId);
  return { clock, deps, invoker, ledger, work, read };
}

type World = ReturnType<typeof setup>;

/** A job fanning out into `keys` (all at once unless `concurrency` says), whose success starts the job `after`. */
async function givenFanOut(
  w: World,
  keys: readonly string[],
  concurrency = keys.length,
): Promise<{ job: Job; after: Job }> {
  const name = `crash-${counter}`;
  const target = { type: 'webhook', url: world.hookUrl, signingSecret: SECRET };
  world.sources.set(`/crash/${name}`, { status: 200, body: { contexts: keys.map((key) => ({ key })) } });
  const after = promptJob(`${name}-after`, { config: { prompt: 'After the fan-out', target } });
  const job = promptJob(name, {
    config: { prompt: 'Session {{key}}', target },
    expand: { url: world.sourceUrl(`/crash/${name}`), maxChildren: 10, concurrency },
    // biome-ignore lint/suspicious/noThenProperty: the job's field of chained jobs
    then: { onSuccess: [after.name] },
  });
  await w.deps.jobs.create(after);
  await w.deps.jobs.create(job);
  return { job, after };
}

/** Starts the parent by hand and delivers it: it expands, records its children and waits. */
async function fanOut(w: World, job: Job): Promise<{ parent: Run; children: Run[] }> {
  const pending = await startPendingRun(w.deps, job);
  const outcome = await executeRun(w.deps, w.invoker.take(pending.runId), w.work);
  expect(outcome.outcome).toBe('waiting');
  const children = (await w.deps.runs.listChildren({ parent: pending, limit: 100 })).items;
  return { parent: pending, children };
}

/** Delivers a child whose function dies right after its final record: the count on its parent fails. */
async function deliverDyingAtCount(w: World, child: Run): Promise<void> {
  w.ledger.failNext('countChild', new Error('the function stopped before the count'));
  await expect(executeRun(w.deps, w.invoker.take(child.runId), w.work)).rejects.toThrow(
    'the function stopped before the count',
  );
  expect((await w.deps.runs.get(child.job, child.slot))?.status).toBe('succeeded');
}

const childEvent = (child: Run): JobEvent => ({
  job: child.job,
  scheduledTime: child.scheduledFor,
  runId: child.runId,
  trigger: 'fan-out',
  slot: child.slot,
});

async function parentOf(w: World, parent: Run): Promise<Run | undefined> {
  return w.deps.runs.get(parent.job, parent.slot);
}

async function chainedRuns(w: World, after: Job): Promise<Run[]> {
  return (await w.deps.runs.list({ job: after.name, limit: 100 })).items;
}

describe('a child whose count was lost', () => {
  it('Given a child recorded succeeded whose count failed, When Lambda delivers it twice more, Then it is counted once and the parent ends with the right counts', async () => {
    const w = setup();
    const { job, after } = await givenFanOut(w, ['a', 'b']);
    const { parent, children } = await fanOut(w, job);
    const [a, b] = children as [Run, Run];

    await deliverDyingAtCount(w, a);
    await executeRun(w.deps, w.invoker.take(b.runId), w.work);
    expect(await parentOf(w, parent)).toMatchObject({ status: 'waiting', children: { succeeded: 1 } });

    // Lambda's retries of the failed delivery, and one more of the child that was counted.
    const first = await executeRun(w.deps, childEvent(a), w.work);
    await executeRun(w.deps, childEvent(a), w.work);
    await executeRun(w.deps, childEvent(b), w.work);

    expect(first.outcome).toBe('duplicate');
    expect(await parentOf(w, parent)).toMatchObject({
      status: 'succeeded',
      children: { total: 2, succeeded: 2, failed: 0, cancelled: 0, skipped: 0, timed_out: 0 },
    });
    expect(world.deliveries.filter((d) => d.runId === a.runId)).toHaveLength(1);
    const chained = await chainedRuns(w, after);
    expect(chained).toHaveLength(1);
    expect(chained[0]).toMatchObject({
      trigger: 'chain',
      upstream: { runId: parent.runId, status: 'succeeded' },
    });
  });
});

describe('a parent whose counts stalled', () => {
  it('Given a lost count and no delivery after it, When the parent is read before PARENT_STALL_MS, Then it still waits; after it, Then the reader recounts, ends it and starts its chained job', async () => {
    const w = setup();
    const { job, after } = await givenFanOut(w, ['a', 'b', 'c']);
    const { parent, children } = await fanOut(w, job);
    const [a, b, c] = children as [Run, Run, Run];
    await executeRun(w.deps, w.invoker.take(a.runId), w.work);
    await executeRun(w.deps, w.invoker.take(b.runId), w.work);
    w.clock.advance(60_000);
    await deliverDyingAtCount(w, c);

    // The stall is counted from the last count the parent heard of (b's).
    const lastCount = Date.parse((await parentOf(w, parent))?.lastChildAt ?? '');
    w.clock.set(new Date(lastCount + PARENT_STALL_MS - 1));
    expect(await w.read(parent.runId)).toMatchObject({ status: 'waiting', children: { succeeded: 2 } });
    expect(await chainedRuns(w, after)).toEqual([]);

    w.clock.set(new Date(lastCount + PARENT_STALL_MS + 1));
    const read = await w.read(parent.runId);
    expect(read).toMatchObject({
      status: 'succeeded',
      children: { total: 3, succeeded: 3, failed: 0, cancelled: 0, skipped: 0, timed_out: 0 },
    });
    const chained = await chainedRuns(w, after);
    expect(chained).toHaveLength(1);
    expect(chained[0]).toMatchObject({
      status: 'pending',
      trigger: 'chain',
      upstream: { job: job.name, runId: parent.runId, status: 'succeeded' },
    });
    // And the chained run was handed to its function, once, however often the parent is read.
    expect(w.invoker.events.filter((event) => event.job === after.name)).toHaveLength(1);
    expect(await w.read(parent.runId)).toMatchObject({ status: 'succeeded' });
    expect(await chainedRuns(w, after)).toHaveLength(1);
    expect(w.invoker.events.filter((event) => event.job === after.name)).toHaveLength(1);

    // A late delivery of the child changes nothing now.
    await executeRun(w.deps, childEvent(c), w.work);
    expect(await parentOf(w, parent)).toMatchObject({ status: 'succeeded', children: { succeeded: 3 } });
    expect(await chainedRuns(w, after)).toHaveLength(1);
  });
});

describe('a lane whose next child was never started', () => {
  it('Given one lane whose first child died at its count (its successor still pending) and no delivery after it, When the stalled parent is read, Then the reader starts the successor, and the parent ends with it', async () => {
    const w = setup();
    const { job, after } = await givenFanOut(w, ['a', 'b'], 1);
    const { parent, children } = await fanOut(w, job);
    const [a, b] = children as [Run, Run];
    expect(w.invoker.events.map((event) => event.runId)).toEqual([a.runId]);
    await deliverDyingAtCount(w, a);
    expect(w.invoker.events).toEqual([]);

    w.clock.advance(PARENT_STALL_MS + 1);
    expect(await w.read(parent.runId)).toMatchObject({ status: 'waiting', children: { succeeded: 0 } });
    // The recount found b pending behind a lane that ended: it hands b to its function, once.
    expect(w.invoker.events.map((event) => event.runId)).toEqual([b.runId]);
    expect(await w.read(parent.runId)).toMatchObject({ status: 'waiting' });
    expect(w.invoker.events).toHaveLength(1);

    await executeRun(w.deps, w.invoker.take(b.runId), w.work);
    // b's count ends nothing yet (a's count is still lost); the next stalled read recounts and ends it.
    w.clock.advance(PARENT_STALL_MS + 1);
    expect(await w.read(parent.runId)).toMatchObject({
      status: 'succeeded',
      children: { total: 2, succeeded: 2 },
    });
    expect(await chainedRuns(w, after)).toHaveLength(1);
  });
});

describe('a lane longer than Lambda keeps an event', () => {
  it('Given one lane of three children whose last waits 7 hours for its turn, When its children are listed meanwhile, Then none is failed for its age, and the lane runs to the end', async () => {
    const w = setup();
    const { job, after } = await givenFanOut(w, ['a', 'b', 'c'], 1);
    const { parent, children } = await fanOut(w, job);
    const [a, b, c] = children as [Run, Run, Run];
    const listChildren = async () =>
      (
        await listChildRuns({ ...w.deps, runRetentionDays: w.deps.retentionDays }, parent.runId, {
          limit: 100,
        })
      ).items;

    await executeRun(w.deps, w.invoker.take(a.runId), w.work);
    // b's turn came; c is pending since the parent recorded it. Past Lambda's event age (6 h) and the
    // grace, a manual run still pending is settled InvocationLost: a child in a lane is not.
    w.clock.advance(3.5 * 3_600_000);
    await executeRun(w.deps, w.invoker.take(b.runId), w.work);
    w.clock.advance(3.5 * 3_600_000);
    expect((await listChildren()).map((child) => child.status)).toEqual([
      'succeeded',
      'succeeded',
      'pending',
    ]);
    expect(await w.read(parent.runId)).toMatchObject({ status: 'waiting', children: { succeeded: 2 } });

    await executeRun(w.deps, w.invoker.take(c.runId), w.work);
    expect(await parentOf(w, parent)).toMatchObject({
      status: 'succeeded',
      children: { total: 3, succeeded: 3, failed: 0 },
    });
    expect(await chainedRuns(w, after)).toHaveLength(1);
  });

  it("Given a lane's head whose invocation Lambda dropped, When the stalled parent is read, Then the reader starts the head, once per stall, and the lane runs to the end", async () => {
    const w = setup();
    const { job } = await givenFanOut(w, ['a', 'b'], 1);
    const { parent, children } = await fanOut(w, job);
    const [a, b] = children as [Run, Run];
    w.invoker.take(a.runId); // dropped: no delivery of it will come

    w.clock.advance(PARENT_STALL_MS - 1);
    expect(await w.read(parent.runId)).toMatchObject({ status: 'waiting' });
    expect(w.invoker.events).toEqual([]);

    w.clock.advance(2);
    expect(await w.read(parent.runId)).toMatchObject({ status: 'waiting' });
    expect(w.invoker.events.map((event) => event.runId)).toEqual([a.runId]);
    // The recount noted its time: the next read does not start the head again.
    expect(await w.read(parent.runId)).toMatchObject({ status: 'waiting' });
    expect(w.invoker.events).toHaveLength(1);

    await executeRun(w.deps, w.invoker.take(a.runId), w.work);
    await executeRun(w.deps, w.invoker.take(b.runId), w.work);
    expect(await parentOf(w, parent)).toMatchObject({
      status: 'succeeded',
      children: { total: 2, succeeded: 2 },
    });
  });

  it('Given a job deleted while its lane waits, When the stalled parent is read, Then its children not started are recorded skipped and the parent ends failed', async () => {
    const w = setup();
    const { job } = await givenFanOut(w, ['a', 'b', 'c'], 1);
    const { parent, children } = await fanOut(w, job);
    const [a, b, c] = children as [Run, Run, Run];
    await executeRun(w.deps, w.invoker.take(a.runId), w.work);
    await w.deps.jobs.delete(job.name, undefined);

    w.clock.advance(PARENT_STALL_MS + 1);
    expect(await w.read(parent.runId)).toMatchObject({
      status: 'failed',
      children: { total: 3, succeeded: 1, skipped: 2, failed: 0 },
    });
    for (const child of [b, c]) {
      expect(await w.deps.runs.get(child.job, child.slot)).toMatchObject({
        status: 'skipped',
        reason: 'job deleted before the run started',
      });
    }
    // Nothing was handed to a function: the job has none left.
    expect(w.invoker.events.map((event) => event.runId)).toEqual([b.runId]);
  });
});

describe('children a parent left behind', () => {
  it('Given a parent whose last attempt failed while it recorded its children, When its pending children are read past Lambda event age, Then they are recorded skipped, not left pending forever', async () => {
    const w = setup();
    const { job } = await givenFanOut(w, ['a', 'b', 'c'], 1);
    const pending = await startPendingRun(w.deps, job);
    // The first child's claim fails: the attempt ends (no retry here), the other two are recorded.
    w.ledger.failNext('claim', new Error('DynamoDB was unreachable'));
    await expect(executeRun(w.deps, w.invoker.take(pending.runId), w.work)).rejects.toThrow('unreachable');
    expect(await parentOf(w, pending)).toMatchObject({ status: 'failed' });
    const list = async () =>
      (
        await listChildRuns({ ...w.deps, runRetentionDays: w.deps.retentionDays }, pending.runId, {
          limit: 100,
        })
      ).items;
    expect((await list()).map((child) => child.status)).toEqual(['pending', 'pending']);

    // Within Lambda's event age nothing changes; past it, nothing can start them any more.
    w.clock.advance(6 * 3_600_000);
    expect((await list()).map((child) => child.status)).toEqual(['pending', 'pending']);
    w.clock.advance(16 * 60_000);
    const read = await list();
    expect(read.map((child) => [child.context?.key, child.status, child.reason])).toEqual([
      ['b', 'skipped', 'its fan-out parent ended failed before the child started'],
      ['c', 'skipped', 'its fan-out parent ended failed before the child started'],
    ]);
    expect(w.invoker.events).toEqual([]);
  });
});
