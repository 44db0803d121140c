/**
 * Chained runs: when a run ends, the jobs its job names in `then` are started, each as a run with
 * trigger `chain` that records the run whose end started it (`upstream`).
 *
 * - `succeeded` starts `onSuccess`; `failed` (for good: the lifecycle calls followers only after the
 *   last attempt, or at once for a FinalRunError) starts `onFailure`. `cancelled` and `skipped` start
 *   nothing: the run did not do its work, so neither list describes what happened. `timed_out` starts
 *   nothing either: it is recorded by whoever reads the run after its deadline (shared/runs/settle.ts),
 *   maybe much later or never, so a chain on it would start at no predictable time.
 * - A child run of a fan-out starts nothing: the job's run is the parent, whose end starts the chain.
 * - A target is started like a manual run (startPendingRun): a paused job runs, as it does by hand;
 *   a job that no longer exists (deleted between the check and the end of this run) is logged and left.
 * - Once per (upstream run, target): the chained run's slot names the upstream run, so a follower run
 *   again for the same run (a repeated delivery) finds it instead of starting a second one, and invokes
 *   it again only if it is still `pending` (the first start stopped between the claim and the invoke;
 *   a second invoke of a pending run is harmless: the lifecycle moves it to running once).
 * - One target failing to start does not stop the others. A failed invoke is recorded on the chained
 *   run (`failed`, JobInvokeError), where an operator sees it; any other error (the store) is rethrown
 *   after every target was tried, so the invocation of the upstream run fails, Lambda delivers it again,
 *   and the delivery, finding the run ended, runs its followers again (lifecycle.ts).
 */
import { JobInvokeError } from '../errors.ts';
import type { Job, Run, UpstreamRun } from '../jobs/model.ts';
import type { Logger } from '../logger.ts';
import type { RunDeps } from './lifecycle.ts';
import { runEvent, startPendingRun } from './manual.ts';
import { newRunId } from './run-id.ts';

/**
 * A chained run carries its upstream's result up to this size (JSON, UTF-8): the run item holds it
 * beside its own result, within DynamoDB's 400 KB per item. A larger one is left out (`resultOmitted`).
 */
export const MAX_UPSTREAM_RESULT_BYTES = 32 * 1024;

/**
 * A run this many links down a chain starts no further run. The API refuses cycles, but two writes at
 * once (a→b and b→a, each checked before the other was stored) can still close one; this bound is what
 * stops such a loop.
 */
export const MAX_CHAIN_DEPTH = 100;

/** Which list of `then` a run ending in each status starts. */
const LIST_BY_STATUS: Partial<Record<Run['status'], 'onSuccess' | 'onFailure'>> = {
  succeeded: 'onSuccess',
  failed: 'onFailure',
};

/** The slot of the run of `target` that `upstream`'s end starts: the same every time it is computed. */
export function chainSlot(upstream: Pick<Run, 'runId' | 'finishedAt' | 'scheduledFor'>): string {
  return `${upstream.finishedAt ?? upstream.scheduledFor}#chain#${upstream.runId}`;
}

/** What a chained run records of the run whose end started it. */
export function upstreamOf(run: Run): UpstreamRun {
  const depth = (run.upstream?.depth ?? 0) + 1;
  const base = { job: run.job, runId: run.runId, status: run.status, depth };
  if (run.result === undefined) return base;
  return Buffer.byteLength(JSON.stringify(run.result), 'utf8') <= MAX_UPSTREAM_RESULT_BYTES
    ? { ...base, result: run.result }
    : { ...base, resultOmitted: true };
}

/** What starting chained runs uses: the lifecycle's dependencies, or a reader's (settle.ts). */
export type ChainDeps = Pick<RunDeps, 'jobs' | 'runs' | 'clock' | 'invoker' | 'retentionDays' | 'newRunId'>;

/** The follower of shared/runs/ended.ts: starts the chained runs of `run`'s end. */
export async function startChainedRuns(deps: ChainDeps, job: Job, run: Run, log: Logger): Promise<void> {
  const list = LIST_BY_STATUS[run.status];
  const targets = list === undefined || run.parentRunId !== undefined ? [] : (job.then?.[list] ?? []);
  if (targets.length === 0) return;
  const upstream = upstreamOf(run);
  if ((upstream.depth ?? 1) > MAX_CHAIN_DEPTH) {
    log.error('chain not followed: too many chained runs in a row (a cycle?)', {
      depth: upstream.depth,
      maxDepth: MAX_CHAIN_DEPTH,
      targets,
    });
    return;
  }
  const failures: unknown[] = [];
  for (const target of targets) {
    try {
      await startChainedRun(deps, target, run, upstream, log);
    } catch (error) {
      if (error instanceof JobInvokeError) {
        log.error('chained run could not be invoked; recorded failed', { target, error: error.message });
        continue;
      }
      log.error('chained run not started', {
        target,
        error: error instanceof Error ? error.name : 'UnknownError',
      });
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new AggregateError(
      failures,
      `${failures.length} chained runs of run ${run.runId} were not started`,
    );
  }
}

async function startChainedRun(
  deps: ChainDeps,
  name: string,
  run: Run,
  upstream: UpstreamRun,
  log: Logger,
): Promise<void> {
  const target = await deps.jobs.get(name);
  if (target === undefined || target.oneTimeState === 'cancelled') {
    log.warn('chained job does not exist; not started', { target: name });
    return;
  }
  const now = deps.clock.now();
  const runId = (deps.newRunId ?? newRunId)(now);
  const slot = chainSlot(run);
  const started = await startPendingRun({ ...deps, newRunId: () => runId }, target, {
    trigger: 'chain',
    slot,
    scheduledFor: run.finishedAt ?? run.scheduledFor,
    upstream,
  });
  if (started.runId === runId) {
    log.info('chained run started', { target: name, chainedRunId: runId });
    return;
  }
  // Started before, by an earlier delivery of this run's end.
  if (started.status === 'pending') {
    try {
      await deps.invoker.invoke(target.kind, runEvent(started));
    } catch (error) {
      // Not a JobInvokeError: the run stays pending, and the next delivery of this run's end tries again.
      throw new Error(`chained run ${started.runId} is still pending and could not be invoked again`, {
        cause: error,
      });
    }
    log.info('chained run invoked again (it was still pending)', {
      target: name,
      chainedRunId: started.runId,
    });
  }
}
