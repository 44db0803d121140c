/**
 * The cancellation token a kind's step function receives. A cancel request sets `cancelRequested` on
 * the run record; the token sees it when the work checks between its steps.
 */
import type { Clock } from '../clock.ts';
import type { Run } from '../jobs/model.ts';
import type { RunLedger } from '../jobs/ports.ts';

/** Thrown by `checkpoint()`; the lifecycle records the run as cancelled (and does not rethrow). */
export class RunCancelledError extends Error {
  constructor(
    readonly runId: string,
    readonly reason: string,
  ) {
    super(`run ${runId} stopped: ${reason}`);
    this.name = 'RunCancelledError';
  }
}

export interface CancellationToken {
  /** Aborted once a check has seen a cancel request; pass it to anything that accepts a signal. */
  readonly signal: AbortSignal;
  /** True once the run has been asked to stop (reads the run record unless it was read just now). */
  isCancelled(): Promise<boolean>;
  /** Throws RunCancelledError if the run has been asked to stop. Call between steps. */
  checkpoint(): Promise<void>;
}

/**
 * A run's state is known fresh when it starts (the claim or the pending → running write). Within this
 * window a check answers from that knowledge instead of reading the record again: a fast run (most
 * prompt deliveries) costs no extra read, and a cancel is still seen at the first check after it.
 */
export const DEFAULT_CANCEL_CHECK_INTERVAL_MS = 1_000;

export function createCancellationToken(
  runs: RunLedger,
  clock: Clock,
  run: Run,
  checkIntervalMs = DEFAULT_CANCEL_CHECK_INTERVAL_MS,
): CancellationToken {
  const controller = new AbortController();
  let knownAt = clock.now().getTime();
  let stopReason: string | undefined;

  const isCancelled = async (): Promise<boolean> => {
    if (stopReason !== undefined) return true;
    const now = clock.now().getTime();
    if (now - knownAt < checkIntervalMs) return false;
    knownAt = now;
    const current = await runs.get(run.job, run.slot);
    if (current?.cancelRequested === true) stopReason = 'cancelled by request';
    else if (current === undefined || current.status !== 'running' || current.attempt !== run.attempt) {
      // Timed out by a later run, or taken over by a retry: this attempt no longer owns the run.
      stopReason = `the run record moved on (${current === undefined ? 'gone' : `${current.status}, attempt ${current.attempt}`})`;
    }
    if (stopReason === undefined) return false;
    controller.abort(new RunCancelledError(run.runId, stopReason));
    return true;
  };

  return {
    signal: controller.signal,
    isCancelled,
    async checkpoint() {
      if (await isCancelled()) throw new RunCancelledError(run.runId, stopReason ?? 'cancelled');
    },
  };
}
