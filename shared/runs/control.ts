/**
 * What stops a run while its work is under way: a cancel request (the run record's `cancelRequested`)
 * and the function's deadline. Both abort the one signal the work receives, with a RunCancelledError or a
 * DeadlineReachedError as its reason, so a request in flight is aborted at once rather than at the next
 * step. The lifecycle starts one control per run and stops it when the work returns.
 */
import type { Clock } from '../clock.ts';
import type { Run } from '../jobs/model.ts';
import type { RunLedger } from '../jobs/ports.ts';
import type { Logger } from '../logger.ts';
import { DeadlineReachedError, deadlineMarginMs } from './deadline.ts';

/** Thrown (or the signal's reason) when the run was asked to stop; the lifecycle records it `cancelled`. */
export class RunCancelledError extends Error {
  constructor(
    readonly runId: string,
    readonly reason: string,
  ) {
    super(`run ${runId} stopped: ${reason}`);
    this.name = 'RunCancelledError';
  }
}

/**
 * A run's state is known fresh when it starts (the claim or the pending → running write). Within this
 * window a check answers from that knowledge instead of reading the record again, so a fast run (most
 * prompt deliveries) costs no extra read.
 */
export const DEFAULT_CANCEL_CHECK_INTERVAL_MS = 1_000;
/** The watcher's reads back off to this: a long run costs a read per 8 s, and a cancel waits at most that. */
export const MAX_CANCEL_CHECK_INTERVAL_MS = 8_000;

export interface RunControlOptions {
  readonly runs: RunLedger;
  readonly clock: Clock;
  readonly log: Logger;
  readonly run: Run;
  /** Time left before the function is stopped. */
  readonly remainingTimeMs: () => number;
  /** The function's timeout: sets the margin kept before the deadline. */
  readonly timeoutSeconds: number;
  /** @default DEFAULT_CANCEL_CHECK_INTERVAL_MS */
  readonly checkIntervalMs?: number;
}

export interface RunControl {
  readonly signal: AbortSignal;
  remainingTimeMs(): number;
  /** Throws the reason the run must stop, if any (reading the cancel flag unless it was read just now). */
  checkpoint(): Promise<void>;
  /** Ends the watcher and the deadline timer. */
  stop(): void;
}

export function startRunControl(options: RunControlOptions): RunControl {
  const { runs, clock, run } = options;
  const controller = new AbortController();
  const stopped = new AbortController();
  const firstIntervalMs = options.checkIntervalMs ?? DEFAULT_CANCEL_CHECK_INTERVAL_MS;
  let knownAt = clock.now().getTime();

  const abort = (reason: Error) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };

  let reading: Promise<void> | undefined;
  /**
   * Reads the record and aborts if the run was asked to stop or this attempt no longer owns it. One read
   * at a time: a checkpoint during the watcher's read waits for that read instead of making another.
   */
  const read = (): Promise<void> => {
    reading ??= (async () => {
      const startedAt = clock.now().getTime();
      try {
        const current = await runs.get(run.job, run.slot);
        if (current?.cancelRequested === true) {
          abort(new RunCancelledError(run.runId, 'cancelled by request'));
        } else if (current === undefined || current.status !== 'running' || current.attempt !== run.attempt) {
          // Settled by a reader after the deadline, or taken over by a retry: this attempt no longer owns it.
          const state = current === undefined ? 'gone' : `${current.status}, attempt ${current.attempt}`;
          abort(new RunCancelledError(run.runId, `the run record moved on (${state})`));
        }
        // What was read is the state as of the read's start, at the earliest.
        knownAt = startedAt;
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  };

  const watch = async () => {
    let intervalMs = firstIntervalMs;
    while (!stopped.signal.aborted && !controller.signal.aborted) {
      await clock.sleep(intervalMs, stopped.signal);
      if (stopped.signal.aborted) return;
      try {
        await read();
      } catch (error) {
        // A failed read must not fail the run: the next check reads again.
        options.log.warn('cancel check failed', {
          error: error instanceof Error ? error.name : 'UnknownError',
        });
      }
      intervalMs = Math.min(intervalMs * 2, MAX_CANCEL_CHECK_INTERVAL_MS);
    }
  };

  const deadline = async () => {
    const marginMs = deadlineMarginMs(options.timeoutSeconds);
    await clock.sleep(Math.max(0, options.remainingTimeMs() - marginMs), stopped.signal);
    if (!stopped.signal.aborted) abort(new DeadlineReachedError(options.remainingTimeMs()));
  };

  void watch();
  void deadline();

  return {
    signal: controller.signal,
    remainingTimeMs: options.remainingTimeMs,
    async checkpoint() {
      if (!controller.signal.aborted) {
        if (reading !== undefined) await reading;
        else if (clock.now().getTime() - knownAt >= firstIntervalMs) await read();
      }
      if (controller.signal.aborted) throw controller.signal.reason;
    },
    stop() {
      stopped.abort();
    },
  };
}
