/**
 * Runs whose attempt ended without a word, settled where they are first read. Lambda stops a function
 * at its timeout (or it crashes) and no outcome is written: the record stays `running` past its
 * deadline. And a `retrying` run waits for a retry that Lambda may never deliver (its async queue gave
 * up, or the local stack stopped). A manual run left `pending` (the API died between writing it and
 * invoking the function) would wait forever. Readers (the API, the status view, the lifecycle) settle such runs
 * with a write conditional on the attempt, so the lifecycle never has to read a previous run, and no
 * run stays unfinished forever. The storage adapters only store; this is the rule.
 */
import type { Clock } from '../clock.ts';
import { ASYNC_MAX_EVENT_AGE_SECONDS, type RetryPolicy } from '../config.ts';
import type { ChildCounts, ChildStatus, Run } from '../jobs/model.ts';
import type { JobInvoker, JobStore, RunLedger } from '../jobs/ports.ts';
import type { Logger } from '../logger.ts';
import { startChainedRuns } from './chain.ts';
import { parentSlotOf } from './fan-out-count.ts';
import { isChildStatus, parentOutcome } from './fan-out-spec.ts';
import { JOB_DELETED_REASON, runEvent } from './manual.ts';
import { RUN_ID_PATTERN, runIdTime } from './run-id.ts';

export interface SettleDeps {
  readonly runs: RunLedger;
  readonly clock: Clock;
  readonly retryPolicy: RetryPolicy;
  /**
   * What a reader needs to start the chained runs of a fan-out parent it ends (settleParent): the
   * parent's job, the invoker of the chained jobs' functions, their runs' retention, and where a
   * chained run that could not be started is reported.
   */
  readonly jobs: JobStore;
  readonly invoker: JobInvoker;
  readonly runRetentionDays: number;
  readonly log: Logger;
}

/**
 * How long after its expected time a retry may still arrive before the run counts as failed. Lambda
 * delivers retries "about" one and two minutes later, and later still while the function is throttled;
 * a retry that comes after this still runs (the lifecycle retries a failed run), it just no longer
 * keeps the run open meanwhile.
 */
export const RETRY_GRACE_MS = 15 * 60_000;

/** When the next attempt of a run whose attempt `attempt` failed at `failedAt` is due; undefined: none left. */
export function nextAttemptAt(policy: RetryPolicy, attempt: number, failedAt: Date): string | undefined {
  const delayMs = policy.delaysMs[attempt - 1];
  return delayMs === undefined ? undefined : new Date(failedAt.getTime() + delayMs).toISOString();
}

/**
 * A fan-out parent none of whose children was counted for this long is recounted by its reader. Longer
 * than a child can take between two counts of a lane (an attempt up to the 15-minute function timeout,
 * Lambda's retries, the grace for a retry): a recount reads every child, so it is kept for a parent
 * that really stalled (a child's function died between its final record and its count, and no delivery
 * of it came again).
 */
export const PARENT_STALL_MS = 60 * 60_000;

/**
 * Fan-out parents read while settling their children, by slot: one read per parent for a page of its
 * children, whatever their number.
 */
type ParentReads = Map<string, Promise<Run | undefined>>;

/** The run as it stands now: a stopped attempt or an overdue retry recorded as such. */
export async function settleRun(deps: SettleDeps, run: Run, parents: ParentReads = new Map()): Promise<Run> {
  if (run.status === 'waiting') return settleParent(deps, run);
  const now = deps.clock.now();
  const changes = isFanOutChild(run)
    ? await childSettlement(deps, run, now, parents)
    : settlement(deps, run, now);
  if (changes === undefined) return run;
  const settled = await deps.runs.transition(run.job, run.slot, [run.status], changes, {
    attempt: run.attempt,
  });
  // Someone moved it first (the attempt finished, or a retry took it over): read what they wrote.
  if (settled === undefined) return (await deps.runs.get(run.job, run.slot)) ?? run;
  // This reader ended it failed (its retry never came, or its invocation was lost): its chained jobs
  // start as after any run that failed for good. (A `timed_out` run starts none: README, Chained jobs.)
  if (settled.status === 'failed') await followSettledRun(deps, settled, 'settled run');
  return settled;
}

export function settleRuns(
  deps: SettleDeps,
  runs: readonly Run[],
  parents: ParentReads = new Map(),
): Promise<Run[]> {
  return Promise.all(runs.map((run) => settleRun(deps, run, parents)));
}

/** The changes that settle `run` at `now`, or undefined when it needs none. */
function settlement(deps: SettleDeps, run: Run, now: Date): Partial<Run> | undefined {
  if (run.status === 'running' && run.deadline !== undefined && Date.parse(run.deadline) < now.getTime()) {
    const deadline = new Date(run.deadline);
    const started = run.startedAt === undefined ? deadline.getTime() : Date.parse(run.startedAt);
    const timeoutSeconds = Math.round((deadline.getTime() - started) / 1000);
    const message = `no outcome within the function timeout of ${timeoutSeconds} s (deadline ${run.deadline})`;
    const stopped = { finishedAt: run.deadline, durationMs: Math.max(0, deadline.getTime() - started) };
    const next = nextAttemptAt(deps.retryPolicy, run.attempt, deadline);
    return next === undefined
      ? { ...stopped, status: 'timed_out', reason: message, settled: true }
      : { ...stopped, status: 'retrying', error: { type: 'FunctionTimeout', message }, nextAttemptAt: next };
  }
  if (
    run.status === 'retrying' &&
    run.nextAttemptAt !== undefined &&
    Date.parse(run.nextAttemptAt) + RETRY_GRACE_MS < now.getTime()
  ) {
    return {
      status: 'failed',
      reason: `attempt ${run.attempt} failed and its retry, due at ${run.nextAttemptAt}, did not arrive`,
      settled: true,
    };
  }
  if (run.status !== 'pending' || !invocationLost(run, now)) return undefined;
  // The request that created it died before its Invoke, or Lambda dropped the event: nothing starts it.
  return {
    status: 'failed',
    finishedAt: now.toISOString(),
    settled: true,
    error: {
      type: 'InvocationLost',
      message: `requested at ${new Date(requestedAt(run)).toISOString()} and never started: no invocation of it is left (Lambda drops an event after ${ASYNC_MAX_EVENT_AGE_SECONDS / 3600} h)`,
    },
  };
}

/** Whether a pending run is older than any invocation of it Lambda still keeps (its event age, and a grace). */
function invocationLost(run: Run, now: Date): boolean {
  return requestedAt(run) + ASYNC_MAX_EVENT_AGE_SECONDS * 1000 + RETRY_GRACE_MS < now.getTime();
}

/** A child run of a fan-out (its parent claimed it `pending`; its lane starts it). */
function isFanOutChild(run: Run): boolean {
  return run.trigger === 'fan-out' && run.parentRunId !== undefined;
}

/**
 * A fan-out child settles as any run once it started. Pending, it waits for its lane (the child before it
 * starts it when it ends), however long the lane takes: its age says nothing of a lost invocation while
 * its parent waits (the parent's recount starts a lane that stopped, settleParent). A child older than
 * Lambda's event age whose parent no longer waits (it failed or timed out while recording its children,
 * or is gone) will never start: it is recorded `skipped`.
 */
async function childSettlement(
  deps: SettleDeps,
  child: Run,
  now: Date,
  parents: ParentReads,
): Promise<Partial<Run> | undefined> {
  if (child.status !== 'pending') return settlement(deps, child, now);
  const parentSlot = parentSlotOf(child);
  if (parentSlot === undefined || !invocationLost(child, now)) return undefined;
  let read = parents.get(parentSlot);
  if (read === undefined) {
    read = deps.runs.get(child.job, parentSlot);
    parents.set(parentSlot, read);
  }
  const parent = await read;
  if (parent !== undefined && OPEN_PARENT_STATUSES.has(parent.status)) return undefined;
  return {
    status: 'skipped',
    finishedAt: now.toISOString(),
    reason:
      parent === undefined
        ? 'its fan-out parent is gone; the child never started'
        : `its fan-out parent ended ${parent.status} before the child started`,
  };
}

/** A parent in these may still start its pending children (`running`: it is recording them). */
const OPEN_PARENT_STATUSES: ReadonlySet<Run['status']> = new Set([
  'pending',
  'running',
  'retrying',
  'waiting',
]);

/**
 * When a pending run was requested (epoch ms): its id's time, or its slot's when later (a manual run
 * scheduled ahead). A backfill or catch-up run stands for a slot that may be days old, so its slot is
 * not when it was handed to Lambda.
 */
function requestedAt(run: Run): number {
  const slot = Date.parse(run.scheduledFor);
  // Every run id is a ULID; one that is not (none is known) falls back to the slot, as before.
  return RUN_ID_PATTERN.test(run.runId) ? Math.max(slot, runIdTime(run.runId).getTime()) : slot;
}

/**
 * A `waiting` parent whose counts stalled: its children are read (and settled) and counted by a Query.
 * When all have ended, the parent ends with the recount; otherwise the recount's time is noted, so the
 * next reader does not read them all again for another PARENT_STALL_MS.
 */
async function settleParent(deps: SettleDeps, parent: Run): Promise<Run> {
  const now = deps.clock.now();
  const since = parent.lastChildAt ?? parent.startedAt ?? parent.scheduledFor;
  if (parent.children === undefined || Date.parse(since) + PARENT_STALL_MS > now.getTime()) return parent;
  const tally: Record<ChildStatus, number> = {
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    skipped: 0,
    timed_out: 0,
  };
  let seen = 0;
  let open = 0;
  const children = new Map<string, Run>();
  let cursor: string | undefined;
  do {
    const page = await deps.runs.listChildren({
      parent,
      limit: 100,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const child of await settleRuns(
      deps,
      page.items,
      new Map([[parent.slot, Promise.resolve(parent)]]),
    )) {
      seen++;
      children.set(child.slot, child);
      if (isChildStatus(child.status)) tally[child.status]++;
      else open++;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  if (open > 0) {
    for (const skipped of await resumeStalledLanes(deps, parent, children)) {
      children.set(skipped.slot, skipped);
      tally.skipped++;
      open--;
    }
  }
  if (open > 0) {
    const noted = await deps.runs.transition(parent.job, parent.slot, ['waiting'], {
      lastChildAt: now.toISOString(),
    });
    return noted ?? parent;
  }
  // Children purged before their parent ended (or never recorded) did not run: counted skipped.
  const counts: ChildCounts = {
    total: parent.children.total,
    ...tally,
    skipped: tally.skipped + Math.max(0, parent.children.total - seen),
  };
  const started = parent.startedAt === undefined ? now.getTime() : Date.parse(parent.startedAt);
  const ended = await deps.runs.transition(parent.job, parent.slot, ['waiting'], {
    ...parentOutcome(counts, parent.cancelRequested === true),
    children: counts,
    finishedAt: now.toISOString(),
    durationMs: Math.max(0, now.getTime() - started),
  });
  if (ended === undefined) return (await deps.runs.get(parent.job, parent.slot)) ?? parent;
  await followSettledRun(deps, ended, 'recounted fan-out parent');
  return ended;
}

/**
 * A lane stops when nothing is left to start its next child: the child that ended in it never started
 * its successor (its function died between its final record and its count, and Lambda delivered it no
 * more), or the invocation of a child (a lane's head, which the parent started, or a successor) was
 * dropped by Lambda. Pending children are not failed for their age (a child waits for its lane), so the
 * recount hands the first pending child of each lane that has nothing running to its function: a head
 * still pending, or a child behind one that ended. A second invoke of a pending run is harmless (the
 * lifecycle starts it once). A failed invoke is reported and tried again at the next stalled read.
 *
 * A deleted job has no function to run its children: its pending children are recorded `skipped`, as
 * the lifecycle records a run whose job is gone, and returned so the recount counts them.
 */
async function resumeStalledLanes(
  deps: SettleDeps,
  parent: Run,
  children: ReadonlyMap<string, Run>,
): Promise<Run[]> {
  const pending = [...children.values()].filter((child) => child.status === 'pending');
  if (pending.length === 0) return [];
  const before = new Map<string, Run>();
  for (const child of children.values()) {
    if (child.nextChildSlot !== undefined) before.set(child.nextChildSlot, child);
  }
  const stalled = pending.filter((child) => {
    const previous = before.get(child.slot);
    return previous === undefined || isChildStatus(previous.status);
  });
  const log = deps.log.child({ job: parent.job, runId: parent.runId });
  try {
    const job = await deps.jobs.get(parent.job);
    if (job === undefined) return await skipOrphans(deps, pending, log);
    if (stalled.length === 0) return [];
    for (const child of stalled) await deps.invoker.invoke(job.kind, runEvent(child));
    log.warn('fan-out lanes restarted by a recount', { children: stalled.map((child) => child.runId) });
  } catch (error) {
    log.error('fan-out lanes of a stalled parent not restarted', {
      error: error instanceof Error ? `${error.name}: ${error.message}` : 'UnknownError',
    });
  }
  return [];
}

/** The pending children of a deleted job, recorded skipped (each conditional on still being pending). */
async function skipOrphans(deps: SettleDeps, pending: readonly Run[], log: Logger): Promise<Run[]> {
  const finishedAt = deps.clock.now().toISOString();
  const skipped: Run[] = [];
  for (const child of pending) {
    const ended = await deps.runs.transition(child.job, child.slot, ['pending'], {
      status: 'skipped',
      reason: JOB_DELETED_REASON,
      finishedAt,
    });
    if (ended !== undefined) skipped.push(ended);
  }
  if (skipped.length > 0) log.warn('fan-out children of a deleted job skipped', { children: skipped.length });
  return skipped;
}

/**
 * What follows the end of a run its reader settled (an attempt that never came back, a fan-out parent
 * it recounted): its chained jobs (`then`), as the lifecycle starts them when a run ends. Only the reader
 * whose conditional transition ended the run gets here, so they start once. No delivery repeats a
 * reader's request, so a chained run that cannot be started is reported, not thrown: the reader still
 * gets the run as it ended.
 */
async function followSettledRun(deps: SettleDeps, ended: Run, what: string): Promise<void> {
  const log = deps.log.child({ job: ended.job, runId: ended.runId });
  try {
    const job = await deps.jobs.get(ended.job);
    if (job === undefined) return;
    await startChainedRuns({ ...deps, retentionDays: deps.runRetentionDays }, job, ended, log);
  } catch (error) {
    log.error(`chained runs of a ${what} not started`, {
      error: error instanceof Error ? `${error.name}: ${error.message}` : 'UnknownError',
    });
  }
}
