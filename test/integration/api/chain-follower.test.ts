import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { chainSlot, startChainedRuns, upstreamOf } from '../../../shared/runs/chain.ts';
import { manualSlot } from '../../../shared/runs/event.ts';
import type { RunDeps } from '../../../shared/runs/lifecycle.ts';
import { newManualRun, retentionExpiresAt, runEvent } from '../../../shared/runs/manual.ts';
import { newRunId } from '../../../shared/runs/run-id.ts';
import { RETRY_GRACE_MS } from '../../../shared/runs/settle.ts';
import { type Receiver, startReceiver } from '../prompt/receiver.ts';
import { type LocalRunDeps, localRunDeps } from './run-deps.ts';
import { type ApiAnswer, type ApiHarness, promptJob, startApiHarness, until } from './support.ts';

const SECRET = 'follower-hook';

let api: ApiHarness;
let receiver: Receiver;
let local: LocalRunDeps;
let deps: RunDeps;

beforeAll(async () => {
  api = await startApiHarness();
  await api.writeSecrets({ [SECRET]: 'follower-secret' });
  receiver = await startReceiver();
  local = localRunDeps(api);
  deps = local.deps;
});

afterAll(async () => {
  local?.close();
  await receiver?.close();
  await api?.close();
});

/** `upstream` (then onSuccess, or onFailure: [downstream]) and `downstream`, created through the API; the upstream job as stored. */
async function givenChain(
  upstream: string,
  downstream: string,
  on: 'onSuccess' | 'onFailure' = 'onSuccess',
): Promise<Job> {
  for (const [name, then] of [
    [downstream, undefined],
    [upstream, { [on]: [downstream] }],
  ] as const) {
    const answer = await api.call('PUT', `/jobs/${name}`, {
      body: promptJob(name, {
        config: {
          prompt: `Work of ${name}`,
          target: { type: 'webhook', url: receiver.url, signingSecret: SECRET },
        },
        ...(then === undefined ? {} : { then }),
      }),
    });
    expect(answer.status, answer.text).toBe(201);
  }
  const job = await deps.jobs.get(upstream);
  if (job === undefined) throw new Error(`job ${upstream} was not stored`);
  return job;
}

/** A manual run of `job` recorded `succeeded`, as a delivery that ended it leaves it. */
async function givenSucceededRun(job: Job): Promise<Run> {
  const now = new Date();
  const runId = newRunId(now);
  const scheduledFor = now.toISOString();
  const run: Run = {
    runId,
    job: job.name,
    slot: manualSlot(scheduledFor, runId),
    trigger: 'manual',
    status: 'succeeded',
    scheduledFor,
    startedAt: scheduledFor,
    finishedAt: new Date(now.getTime() + 5).toISOString(),
    durationMs: 5,
    attempt: 1,
    duplicatesSuppressed: 0,
    result: { delivered: true },
    expiresAt: retentionExpiresAt(now, 30),
  };
  const claim = await deps.runs.claim(run);
  expect(claim.claimed).toBe(true);
  return run;
}

/** The runs of `job` started by `upstream`, once `count` of them ended (or the wait ran out). */
async function chainedRuns(
  job: string,
  upstream: Run,
  count: number,
): Promise<{ runId: string; status: string }[]> {
  const of = (answer: ApiAnswer) =>
    (answer.json?.runs ?? []).filter(
      (run: { upstream?: { runId: string } }) => run.upstream?.runId === upstream.runId,
    );
  const answer = await until(
    () => api.call('GET', `/jobs/${job}/runs`),
    (read) => of(read).filter((run: { status: string }) => run.status === 'succeeded').length >= count,
    30_000,
  );
  return of(answer);
}

describe('a run its reader settles', () => {
  it('Given a run whose retry never arrived, When readers read it after the grace, Then it is recorded failed once and its onFailure job runs once', async () => {
    // Given a run of a job chained onFailure, left retrying: its retry was due 15 minutes and 1 minute ago
    const job = await givenChain('lost-retry-up', 'lost-retry-down', 'onFailure');
    const now = Date.now();
    const runId = newRunId(new Date(now - RETRY_GRACE_MS - 5 * 60_000));
    const scheduledFor = new Date(now - RETRY_GRACE_MS - 5 * 60_000).toISOString();
    const run: Run = {
      runId,
      job: job.name,
      slot: manualSlot(scheduledFor, runId),
      trigger: 'manual',
      status: 'retrying',
      scheduledFor,
      startedAt: scheduledFor,
      attempt: 1,
      duplicatesSuppressed: 0,
      error: { type: 'WebhookRejectedError', message: 'webhook answered HTTP 500' },
      nextAttemptAt: new Date(now - RETRY_GRACE_MS - 60_000).toISOString(),
      expiresAt: retentionExpiresAt(new Date(now), 30),
    };
    expect((await deps.runs.claim(run)).claimed).toBe(true);

    // When two readers read it at once through the API
    const reads = await Promise.all([
      api.call('GET', `/runs/${runId}`),
      api.call('GET', `/jobs/${job.name}/runs`),
    ]);

    // Then both see it failed, saying why
    expect(reads[0].json).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('did not arrive'),
    });
    expect(reads[1].json?.runs).toEqual([expect.objectContaining({ runId, status: 'failed' })]);
    // And the job it chains to on failure ran once, as the settled run's chained run
    const chained = await chainedRuns('lost-retry-down', { ...run, status: 'failed' }, 1);
    expect(chained).toEqual([
      expect.objectContaining({
        trigger: 'chain',
        status: 'succeeded',
        upstream: expect.objectContaining({ runId, status: 'failed' }),
      }),
    ]);
  });
});

describe('the chain follower, started again for the same run', () => {
  it('Given an ended run, When its follower runs twice at once, Then one chained run is started', async () => {
    const job = await givenChain('twice-up', 'twice-down');
    const run = await givenSucceededRun(job);

    await Promise.all([
      startChainedRuns(deps, job, run, silentLogger),
      startChainedRuns(deps, job, run, silentLogger),
    ]);
    await startChainedRuns(deps, job, run, silentLogger);

    const runs = await chainedRuns('twice-down', run, 1);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'chain', status: 'succeeded', upstream: upstreamOf(run) });
  });

  it('Given a chained run left pending (no invoke after its claim), When the follower runs again, Then it invokes that run', async () => {
    const job = await givenChain('pending-up', 'pending-down');
    const run = await givenSucceededRun(job);
    const downstream = await deps.jobs.get('pending-down');
    if (downstream === undefined) throw new Error('pending-down was not stored');
    const { run: pending } = newManualRun(downstream, new Date(), {
      retentionDays: 30,
      trigger: 'chain',
      slot: chainSlot(run),
      scheduledFor: run.finishedAt,
      upstream: upstreamOf(run),
    });
    expect((await deps.runs.claim(pending)).claimed).toBe(true);

    await startChainedRuns(deps, job, run, silentLogger);

    const runs = await chainedRuns('pending-down', run, 1);
    expect(runs).toEqual([expect.objectContaining({ runId: pending.runId, status: 'succeeded' })]);
  });

  it('Given an ended run whose followers never ran, When its event is delivered again, Then the duplicate starts its chained run', async () => {
    const job = await givenChain('redelivered-up', 'redelivered-down');
    const run = await givenSucceededRun(job);

    await deps.invoker.invoke('prompt', runEvent(run));

    const runs = await chainedRuns('redelivered-down', run, 1);
    expect(runs).toHaveLength(1);
    const upstream = await api.call('GET', `/runs/${run.runId}`);
    expect(upstream.json).toMatchObject({ status: 'succeeded', duplicatesSuppressed: 1 });
  });
});
