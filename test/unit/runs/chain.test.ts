/**
 * The chain follower's rules that need no running function (shared/runs/chain.ts), on the in-memory
 * ports (which pass the same contract suites as DynamoDB): which end starts which list, what the
 * chained run records of its upstream, and the depth bound that stops a cycle two racing writes closed.
 * With functions running the chained runs: test/integration/api/chains.test.ts and chain-follower.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { MemoryJobStore, MemoryRunLedger } from '../../../shared/adapters/memory/index.ts';
import type { Job, Run, RunStatus } from '../../../shared/jobs/model.ts';
import {
  chainSlot,
  MAX_CHAIN_DEPTH,
  MAX_UPSTREAM_RESULT_BYTES,
  startChainedRuns,
  upstreamOf,
} from '../../../shared/runs/chain.ts';
import type { RunDeps } from '../../../shared/runs/lifecycle.ts';
import { promptJob } from '../../support/jobs.ts';
import { captureLogs } from '../../support/logs.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { unusedJobInvoker } from '../../support/unused-invoker.ts';

const NOW = '2026-03-02T08:00:00.000Z';

function ended(status: RunStatus, overrides: Partial<Run> = {}): Run {
  return {
    runId: '01KJP1Q2W3E4R5T6Y7U8I9O0PA',
    job: 'upstream',
    slot: '2026-03-02T07:59:00.000Z',
    trigger: 'schedule',
    status,
    scheduledFor: '2026-03-02T07:59:00.000Z',
    startedAt: '2026-03-02T07:59:00.100Z',
    finishedAt: '2026-03-02T07:59:01.000Z',
    attempt: 1,
    duplicatesSuppressed: 0,
    expiresAt: 1_800_000_000,
    ...overrides,
  };
}

async function setup() {
  const clock = new ManualClock(NOW);
  const jobs = new MemoryJobStore(clock);
  const runs = new MemoryRunLedger(clock);
  const logs = captureLogs();
  const deps: RunDeps = {
    jobs,
    runs,
    clock,
    log: logs.log,
    retentionDays: 30,
    leaseSeconds: 60,
    retryPolicy: { delaysMs: [] },
    // No function is configured: a start that gets as far as the invoke records its run `failed`.
    invoker: unusedJobInvoker(),
  };
  const then = { onSuccess: ['on-ok'], onFailure: ['on-error'] };
  const upstream: Job = promptJob('upstream', { then });
  await jobs.create(upstream);
  await jobs.create(promptJob('on-ok'));
  await jobs.create(promptJob('on-error'));
  const runsOf = async (job: string) => (await runs.list({ job, limit: 100 })).items;
  return { deps, logs, upstream, runsOf };
}

describe('startChainedRuns', () => {
  it.each([
    ['succeeded', ['on-ok'], []],
    ['failed', [], ['on-error']],
    ['cancelled', [], []],
    ['skipped', [], []],
    ['timed_out', [], []],
  ] as const)('a run that ended %s starts %j on success and %j on failure', async (status, onOk, onError) => {
    const { deps, logs, upstream, runsOf } = await setup();
    await startChainedRuns(deps, upstream, ended(status), logs.log);
    expect((await runsOf('on-ok')).map((run) => run.job)).toEqual(onOk);
    expect((await runsOf('on-error')).map((run) => run.job)).toEqual(onError);
  });

  it('records the chained run pending-then-failed when its function cannot be invoked, and carries on', async () => {
    const { deps, logs, upstream, runsOf } = await setup();
    const run = ended('succeeded', { result: { delivered: 3 } });
    await startChainedRuns(deps, upstream, run, logs.log);
    const [chained] = await runsOf('on-ok');
    expect(chained).toMatchObject({
      trigger: 'chain',
      slot: chainSlot(run),
      scheduledFor: run.finishedAt,
      status: 'failed',
      error: { type: 'JobInvokeError' },
      upstream: {
        job: 'upstream',
        runId: run.runId,
        status: 'succeeded',
        result: { delivered: 3 },
        depth: 1,
      },
    });
  });

  it('starts nothing from a child run of a fan-out (its parent ends the job’s run)', async () => {
    const { deps, logs, upstream, runsOf } = await setup();
    await startChainedRuns(
      deps,
      upstream,
      ended('succeeded', { parentRunId: '01KJP1Q2W3E4R5T6Y7U8I9O0PB' }),
      logs.log,
    );
    expect(await runsOf('on-ok')).toEqual([]);
  });

  it('leaves a chained job that no longer exists, logging it', async () => {
    const { deps, logs, upstream, runsOf } = await setup();
    await deps.jobs.delete('on-ok', undefined);
    await startChainedRuns(deps, upstream, ended('succeeded'), logs.log);
    expect(await runsOf('on-ok')).toEqual([]);
    expect(logs.entries).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining('does not exist'), target: 'on-ok' }),
    );
  });

  it(`starts nothing ${MAX_CHAIN_DEPTH} chained runs down, logging why`, async () => {
    const { deps, logs, upstream, runsOf } = await setup();
    const deep = ended('succeeded', {
      trigger: 'chain',
      upstream: {
        job: 'before',
        runId: '01KJP1Q2W3E4R5T6Y7U8I9O0PC',
        status: 'succeeded',
        depth: MAX_CHAIN_DEPTH,
      },
    });
    await startChainedRuns(deps, upstream, deep, logs.log);
    expect(await runsOf('on-ok')).toEqual([]);
    expect(logs.entries).toContainEqual(
      expect.objectContaining({ level: 'error', depth: MAX_CHAIN_DEPTH + 1 }),
    );
    // One link less still starts its chain.
    const allowed = ended('succeeded', {
      trigger: 'chain',
      upstream: {
        job: 'before',
        runId: '01KJP1Q2W3E4R5T6Y7U8I9O0PC',
        status: 'succeeded',
        depth: MAX_CHAIN_DEPTH - 1,
      },
    });
    await startChainedRuns(deps, upstream, allowed, logs.log);
    expect(await runsOf('on-ok')).toHaveLength(1);
  });
});

describe('upstreamOf', () => {
  it('carries a result up to its bound, and says when it left one out', () => {
    const small = { text: 'x'.repeat(MAX_UPSTREAM_RESULT_BYTES - 20) };
    expect(upstreamOf(ended('succeeded', { result: small })).result).toEqual(small);
    const large = { text: 'x'.repeat(MAX_UPSTREAM_RESULT_BYTES) };
    const omitted = upstreamOf(ended('succeeded', { result: large }));
    expect(omitted.result).toBeUndefined();
    expect(omitted.resultOmitted).toBe(true);
  });
});
