/**
 * Fan-out, the parent's side. A run of a job with `expand` that is not itself a child asks the
 * expansion source for contexts (instead of doing the kind's work), records one `pending` child per
 * context, starts the first `concurrency` of them, and waits (`waiting`) while they run:
 *
 *   expand → count from 0 → claim every child → start lane heads → waiting → (children count) → final
 *
 * A child's slot is the parent's slot plus its key, and each claim is a conditional put: a repeated
 * delivery or a retry of the parent finds its children and creates none twice. The children bound
 * their own concurrency without a coordinator: child i names child i+concurrency (`nextChildSlot`), the
 * parent starts children 0..concurrency-1, and each child starts its successor when it ends
 * (fan-out-count.ts), so at most `concurrency` lanes run at once.
 *
 * The counts start (at 0, with `total`) before any child exists, so a child that ends while its parent
 * is still starting the others is counted; the parent moves to `waiting` last, and whichever of "the
 * last count" and "the move to waiting" comes second sees both and ends the parent (each is one
 * conditional write, so exactly one sees it).
 */
import type { FanOutContext, Job, JobExpand, Run } from '../jobs/model.ts';
import type { Logger } from '../logger.ts';
import type { BaseRunContext } from './context.ts';
import { cancelChildren } from './fan-out-cancel.ts';
import { finishParentIfDone, type RunEnded } from './fan-out-count.ts';
import { childSlot, ExpansionError, parseContexts, zeroCounts } from './fan-out-spec.ts';
import type { RunDeps, RunOutcome } from './lifecycle.ts';
import { newManualRun, runEvent } from './manual.ts';

/** What the expansion source is asked: the run, as a task target would see it. */
export interface ExpansionRequest {
  readonly expand: JobExpand;
  readonly job: string;
  readonly runId: string;
  readonly scheduledFor: string;
  readonly trigger: Run['trigger'];
  readonly params: Readonly<Record<string, unknown>>;
  /** The run's signal: a cancel or the deadline aborts the request. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

/**
 * Where a fan-out's contexts come from: a URL (`GET`, through the outbound guard) or a function
 * (invoked synchronously). Answers the source's JSON, unchecked (parseContexts checks it). A failure no
 * retry helps is an ExpansionError; any other error is transient (the parent's attempt fails and Lambda
 * retries it).
 */
export interface ContextSource {
  fetch(request: ExpansionRequest): Promise<unknown>;
}

/** How long the source may take: most of the function's time, as a webhook delivery may. */
const MAX_SOURCE_TIMEOUT_MS = 30_000;
/** Claims in flight at once: enough to create 1,000 children in seconds, few enough for one table partition. */
const CLAIMS_AT_ONCE = 16;

export function isFanOutParent(job: Job, run: Run): boolean {
  return job.expand !== undefined && run.parentRunId === undefined;
}

/** A source as run errors name it: the URL's origin and path (no query), or the function. */
export function describeSource(expand: JobExpand): string {
  if (expand.functionArn !== undefined) return `function ${expand.functionArn}`;
  const url = new URL(expand.url ?? '');
  return `${url.origin}${url.pathname}`;
}

/**
 * Expands the parent and records its children (all of them, before any starts); returns them as
 * stored. ExpansionError (final) for a bad answer or a slot another run holds.
 */
export async function spawnChildren(deps: RunDeps, context: BaseRunContext): Promise<Run[]> {
  const { job, run } = context;
  const expand = job.expand;
  if (expand === undefined) throw new Error('spawnChildren: the job has no expand');
  if (deps.contexts === undefined) {
    throw new ExpansionError('this function was built without an expansion source; the job cannot fan out');
  }
  const answer = await deps.contexts.fetch({
    expand,
    job: job.name,
    runId: run.runId,
    scheduledFor: run.scheduledFor,
    trigger: run.trigger,
    params: run.params ?? {},
    signal: context.signal,
    timeoutMs: Math.min(MAX_SOURCE_TIMEOUT_MS, Math.max(1_000, context.remainingTimeMs() - 10_000)),
  });
  const contexts = parseContexts(answer, expand, describeSource(expand));
  // A cancel accepted before any child exists stops the parent here, with nothing to undo.
  await context.checkpoint();
  await startCounting(deps, run, contexts.length);
  const now = deps.clock.now();
  const planned = contexts.map((fanOutContext, index) =>
    plannedChild(deps, job, run, fanOutContext, index, contexts, expand.concurrency, now),
  );
  const stored: Run[] = new Array(planned.length);
  for (let next = 0; next < planned.length; next += CLAIMS_AT_ONCE) {
    const batch = planned.slice(next, next + CLAIMS_AT_ONCE);
    const claimed = await Promise.all(batch.map((child) => claimChild(deps, run, child)));
    claimed.forEach((child, offset) => {
      stored[next + offset] = child;
    });
  }
  context.log.info('fan-out children recorded', { children: stored.length, concurrency: expand.concurrency });
  return stored;
}

/** The counts from 0, unless an earlier attempt of this run started them for the same number of children. */
async function startCounting(deps: RunDeps, run: Run, total: number): Promise<void> {
  if (run.children !== undefined) {
    if (run.children.total === total) return;
    throw new ExpansionError(
      `the expansion source answered ${total} contexts, but an earlier attempt of this run created ${run.children.total} children; the source must answer the same contexts for the same run`,
    );
  }
  const counting = await deps.runs.transition(
    run.job,
    run.slot,
    ['running'],
    { children: zeroCounts(total), countedChildren: {} },
    { attempt: run.attempt },
  );
  if (counting === undefined) throw new Error('the parent run changed while it was expanding');
}

function plannedChild(
  deps: RunDeps,
  job: Job,
  parent: Run,
  context: FanOutContext,
  index: number,
  contexts: readonly FanOutContext[],
  concurrency: number,
  now: Date,
): Run {
  const successor = contexts[index + concurrency];
  const { run } = newManualRun(job, now, {
    trigger: 'fan-out',
    slot: childSlot(parent.slot, context.key),
    scheduledFor: now.toISOString(),
    parentRunId: parent.runId,
    context,
    retentionDays: deps.retentionDays,
    ...(parent.params === undefined ? {} : { params: parent.params }),
    ...(deps.newRunId === undefined ? {} : { newRunId: deps.newRunId }),
  });
  return {
    ...run,
    childIndex: index,
    ...(successor === undefined ? {} : { nextChildSlot: childSlot(parent.slot, successor.key) }),
  };
}

async function claimChild(deps: RunDeps, parent: Run, child: Run): Promise<Run> {
  const claim = await deps.runs.claim(child);
  if (claim.claimed) return child;
  // Created by an earlier delivery or attempt of this parent: it is this child.
  if (claim.existing.parentRunId === parent.runId) return claim.existing;
  throw new ExpansionError(
    `the slot of child "${child.context?.key ?? ''}" (${child.slot}) is held by run ${claim.existing.runId}, not a child of this run`,
  );
}

/**
 * After the children are recorded: start the lane heads that have not started, then move the parent
 * to `waiting` (no deadline: it waits for its children, not for its function). A parent whose cancel
 * was asked meanwhile cancels its children; one whose children all ended already ends now.
 */
export async function awaitChildren(
  deps: RunDeps,
  job: Job,
  parent: Run,
  children: readonly Run[],
  log: Logger,
  ended: RunEnded,
): Promise<RunOutcome> {
  const concurrency = job.expand?.concurrency ?? children.length;
  const heads = children.slice(0, concurrency).filter((child) => child.status === 'pending');
  await Promise.all(heads.map((child) => deps.invoker.invoke(job.kind, runEvent(child))));
  const waiting = await deps.runs.transition(
    parent.job,
    parent.slot,
    ['running'],
    { status: 'waiting', deadline: undefined },
    { attempt: parent.attempt },
  );
  if (waiting === undefined) {
    log.warn('fan-out parent no longer running this attempt; its children run on their own');
    return { outcome: 'duplicate', run: parent };
  }
  log.info('fan-out parent waiting for its children', { children: children.length });
  if (waiting.cancelRequested === true) {
    const cancelled = await cancelChildren(deps, waiting, log, (finished) => ended(deps, job, finished, log));
    return { outcome: cancelled.status === 'cancelled' ? 'cancelled' : 'waiting', run: cancelled };
  }
  const finished = await finishParentIfDone(deps, waiting, log, (done) => ended(deps, job, done, log));
  return finished === undefined
    ? { outcome: 'waiting', run: waiting }
    : { outcome: finished.status === 'succeeded' ? 'succeeded' : 'failed', run: finished };
}
