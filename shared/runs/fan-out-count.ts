/**
 * Fan-out, the children's side: when the lifecycle records a child final, the child adds itself to its
 * parent's counts (one conditional update that also marks its index counted, so a retried delivery
 * counts nothing twice), starts the next child of its lane, and, when the counts reach the total, ends
 * the parent (`waiting` → final, a conditional transition: exactly once) and runs what follows the
 * parent's end. Every step is safe to run again: a child whose function died between its final record
 * and its count is counted when Lambda delivers it again (start.ts), and a parent whose counts stall
 * anyway is recounted by its readers (settle.ts).
 */
import type { Job, Run } from '../jobs/model.ts';
import type { Logger } from '../logger.ts';
import { countedTotal, isChildStatus, parentOutcome } from './fan-out-spec.ts';
import type { RunDeps } from './lifecycle.ts';
import { runEvent } from './manual.ts';

/** What follows a run's end (afterRunEnded), passed in: the follower list imports this module. */
export type RunEnded = (deps: RunDeps, job: Job, run: Run, log: Logger) => Promise<void>;

/** The slot of a child's parent: the child's slot without `#<key>`. */
export function parentSlotOf(child: Run): string | undefined {
  const key = child.context?.key;
  if (child.parentRunId === undefined || key === undefined || !child.slot.endsWith(`#${key}`))
    return undefined;
  return child.slot.slice(0, -(key.length + 1));
}

/** The follower: a final child counts on its parent and starts its successor. */
export async function countFanOutChild(
  deps: RunDeps,
  job: Job,
  child: Run,
  log: Logger,
  ended: RunEnded,
): Promise<void> {
  const parentSlot = parentSlotOf(child);
  if (parentSlot === undefined || child.childIndex === undefined || !isChildStatus(child.status)) return;
  const parent = await deps.runs.countChild(
    { job: child.job, slot: parentSlot },
    child.childIndex,
    child.status,
    deps.clock.now(),
  );
  if (child.nextChildSlot !== undefined) await startSuccessor(deps, job, child.nextChildSlot, log);
  if (parent !== undefined) {
    await finishParentIfDone(deps, parent, log, (finished) => ended(deps, job, finished, log));
  }
}

/** Starts the next child of the lane if it is still pending (a cancelled one is counted by the cancel). */
async function startSuccessor(deps: RunDeps, job: Job, slot: string, log: Logger): Promise<void> {
  const successor = await deps.runs.get(job.name, slot);
  if (successor?.status !== 'pending') return;
  // A failed invoke fails this child's delivery: Lambda delivers it again, and the count above is a no-op then.
  await deps.invoker.invoke(job.kind, runEvent(successor));
  log.debug('fan-out child started the next of its lane', { next: successor.runId });
}

/**
 * Ends `parent` (as just read or updated) if its counts reached the total and it is `waiting`; returns
 * it as ended, or undefined when it goes on waiting (or someone else ended it first).
 */
export async function finishParentIfDone(
  deps: Pick<RunDeps, 'runs' | 'clock'>,
  parent: Run,
  log: Logger | undefined,
  ended: ((finished: Run) => Promise<void>) | undefined,
): Promise<Run | undefined> {
  const counts = parent.children;
  if (parent.status !== 'waiting' || counts === undefined || countedTotal(counts) < counts.total) {
    return undefined;
  }
  const now = deps.clock.now();
  const started = parent.startedAt === undefined ? now.getTime() : Date.parse(parent.startedAt);
  const finished = await deps.runs.transition(parent.job, parent.slot, ['waiting'], {
    ...parentOutcome(counts, parent.cancelRequested === true),
    finishedAt: now.toISOString(),
    durationMs: Math.max(0, now.getTime() - started),
  });
  if (finished === undefined) return undefined;
  log?.info(`fan-out parent ${finished.status}`, { parentRunId: finished.runId, children: counts });
  // What follows the parent's end runs where the lifecycle's dependencies are (not the API's cancel).
  if (ended !== undefined) await ended(finished);
  return finished;
}
