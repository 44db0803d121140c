/**
 * Cancelling a fan-out parent: its unfinished children go with it. A pending child (not started) or one
 * waiting for a retry is cancelled at once and counted on the parent; a running child is asked to stop
 * and ends `cancelled` itself (the lifecycle counts it then). A child that had already ended is counted
 * again (a no-op unless its own count was lost). The parent ends `cancelled` when the last child has
 * ended: here, if none was running, or with the last running child's count.
 */

import type { Clock } from '../clock.ts';
import type { Run } from '../jobs/model.ts';
import type { RunKey, RunLedger } from '../jobs/ports.ts';
import type { Logger } from '../logger.ts';
import { finishParentIfDone, parentSlotOf } from './fan-out-count.ts';
import { isChildStatus } from './fan-out-spec.ts';

export interface CancelChildrenDeps {
  readonly runs: RunLedger;
  readonly clock: Clock;
}

const PAGE = 100;

/**
 * Cancels the unfinished children of `parent` (a `waiting` parent whose cancel was asked); returns the
 * parent as it stands after, ended when every child has. `ended` runs what follows the parent's end.
 */
export async function cancelChildren(
  deps: CancelChildrenDeps,
  parent: Run,
  log: Logger | undefined,
  ended: ((finished: Run) => Promise<void>) | undefined,
): Promise<Run> {
  let latest = parent;
  let cursor: string | undefined;
  do {
    const page = await deps.runs.listChildren({
      parent,
      limit: PAGE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const child of page.items) {
      const counted = await cancelChild(deps, { job: parent.job, slot: parent.slot }, child);
      if (counted !== undefined) latest = counted;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return (await finishParentIfDone(deps, latest, log, ended)) ?? latest;
}

/** Cancels one child; returns the parent if the child was counted on it. */
async function cancelChild(deps: CancelChildrenDeps, parent: RunKey, child: Run): Promise<Run | undefined> {
  let current: Run | undefined = child;
  if (current.status === 'pending' || current.status === 'retrying') {
    const cancelled = await deps.runs.transition(child.job, child.slot, [current.status], {
      status: 'cancelled',
      cancelRequested: true,
      reason: 'cancelled with its parent run',
      finishedAt: deps.clock.now().toISOString(),
      nextAttemptAt: undefined,
    });
    // It started (or its retry came) in the meantime: read it and treat it as it is now.
    current = cancelled ?? (await deps.runs.get(child.job, child.slot));
  }
  if (current === undefined) return undefined;
  if (current.status === 'running' && current.cancelRequested !== true) {
    await deps.runs.transition(child.job, child.slot, ['running'], { cancelRequested: true });
    return undefined;
  }
  if (!isChildStatus(current.status) || current.childIndex === undefined) return undefined;
  if (parentSlotOf(current) !== parent.slot) return undefined;
  return deps.runs.countChild(parent, current.childIndex, current.status, deps.clock.now());
}
