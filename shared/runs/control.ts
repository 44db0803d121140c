/**
 * What stops a run while its work is under way: a cancel request (the run record's `cancelRequested`)
 * and the function's deadline. Both abort the one signal the work receives, with a RunCancelledError or a
 * DeadlineReachedError as its reason, so a request in flight is aborted at once rather than at the next
 * step. The lifecycle starts one control per run and stops it when the work returns.
 *
 * A cancel is honoured for certain only up to the work's point of no return (`pointOfNoReturn`, called
 * right before the side effect that cannot be taken back, e.g. the webhook POST): that check always
 * reads the record. A cancel seen after it is recorded as having come after the effect had started.
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
  /**
   * The check right before `effect` (e.g. 'the webhook delivery') starts: reads the cancel flag fresh,
   * always, and throws the reason the run must stop, if any; a failed read throws too (the effect must
   * not start without knowing). Once it has passed, the effect counts as started.
   */
  pointOfNoReturn(effect: string): Promise<void>;
  /** The effect the work started at its point of no return, once it has passed it. */
  effectStarted(): string | undefined;
  /** Ends the watcher and the deadline timer. */
  stop(): void;
}

/** The reason of a run a cancel request stopped, before or after its effect had started. */
export function cancelledReason(effect: string | undefined): string {
  return effect === undefined
    ? 'cancelled by request'
    : `cancelled by request after ${effect} had started: it was stopped where it stood and may have taken effect`;
}

/** The reason of a run that completed although a cancel was requested: the request came too late. */
export function lateCancelReason(effect: string | undefined): string {
  return effect === undefined
    ? 'a cancel was requested, but the work completed before it checked again'
    : `a cancel was requested after ${effect} had started: too late to stop it, and the run completed`;
}

export function startRunControl(options: RunControlOptions): RunControl {
  const { runs, clock, run } = options;
  const controller = new AbortController();
  const stopped = new AbortController();
  const firstIntervalMs = options.checkIntervalMs ?? DEFAULT_CANCEL_CHECK_INTERVAL_MS;
  let knownAt = clock.now().getTime();
  let effect: string | undefined;

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
        const current = await runs.getState(run.job, run.slot);
        if (current?.cancelRequested === true) {
          abort(new RunCancelledError(run.runId, cancelledReason(effect)));
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
    async pointOfNoReturn(started) {
      // Why a read every time: a run's state is known from its start, and checkpoint() answers from that
      // knowledge for an interval, but a cancel accepted after the start (the API answers it with
      // cancelRequested) must stop the effect if it came before it. This read, started after the
      // work asked, is the one that can see it: one projected GetItem per run that reaches its effect.
      if (!controller.signal.aborted) {
        // A read already under way may have started before a cancel this one must see: wait, then read.
        if (reading !== undefined) await reading.catch(() => undefined);
        if (!controller.signal.aborted) await read();
      }
      if (controller.signal.aborted) throw controller.signal.reason;
      effect = started;
    },
    effectStarted: () => effect,
    stop() {
      stopped.abort();
    },
  };
}
