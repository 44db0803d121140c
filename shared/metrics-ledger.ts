/**
 * Run metrics counted where runs are recorded: a RunLedger that tells the metrics port about the writes
 * that start and end runs, around the ledger a composition root already has.
 *
 * Why here and not at each place the lifecycle ends a run: a run ends in many places (the lifecycle's
 * outcomes, a skipped claim, a cancel before the start, the last child of a fan-out, a reader settling a
 * dead attempt), and each of those is one conditional write that succeeds exactly once. Counting the
 * successful write counts every end once, whatever the retries and redeliveries, and a new way to end a
 * run is counted without anyone remembering to.
 *
 * - `claim` of a scheduled run that starts running: its start lag (start − slot), once per run (a retry
 *   of the slot is a transition of the claimed record, not a claim).
 * - `claim` or `transition` that records a final status: the run ended, with its outcome and duration.
 * - `recordDuplicate`: a suppressed duplicate, named by the run id the ledger last read for that slot
 *   (the lifecycle always reads the run it suppresses a delivery of, through this ledger, just before).
 */
import type { Run, RunStatus } from './jobs/model.ts';
import { FINAL_RUN_STATUSES } from './jobs/model.ts';
import type { RunLedger } from './jobs/ports.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

/** The kind of a job; undefined when it cannot be known (the job was deleted): its run is not counted. */
export type KindOf = (job: string) => string | undefined | Promise<string | undefined>;

/** Run ids remembered for duplicates: a delivery reads its slot's run just before suppressing it. */
const REMEMBERED_RUNS = 64;

const isFinal = (status: RunStatus): boolean => FINAL_RUN_STATUSES.includes(status);

export function meteredRunLedger(
  ledger: RunLedger,
  metrics: Metrics,
  kindOf: KindOf,
  log: Logger,
): RunLedger {
  const runIds = new Map<string, string>();
  const slotKey = (job: string, slot: string) => `${job}\u0000${slot}`;
  const remember = (run: Run | undefined): void => {
    if (run === undefined) return;
    const key = slotKey(run.job, run.slot);
    runIds.delete(key);
    runIds.set(key, run.runId);
    if (runIds.size > REMEMBERED_RUNS) {
      const oldest = runIds.keys().next().value;
      if (oldest !== undefined) runIds.delete(oldest);
    }
  };
  // A metric must never fail a write that succeeded: the caller would take the run for unrecorded.
  const emit = async (job: string, runId: string, send: (kind: string) => void): Promise<void> => {
    try {
      const kind = await kindOf(job);
      if (kind !== undefined) send(kind);
    } catch (error) {
      log.warn('run metric not emitted: its job kind could not be read', { job, runId, error });
    }
  };
  const ended = (run: Run): Promise<void> =>
    emit(run.job, run.runId, (kind) => {
      metrics.runEnded({
        kind,
        runId: run.runId,
        outcome: run.status,
        ...(run.durationMs === undefined ? {} : { durationMs: run.durationMs }),
      });
      // A missed slot is a run recorded `missed` (by a late delivery or by the sweeper): counted here, once.
      if (run.status === 'missed') metrics.slotMissed({ kind, runId: run.runId });
    });

  return {
    async claim(run) {
      const outcome = await ledger.claim(run);
      if (!outcome.claimed) {
        remember(outcome.existing);
        return outcome;
      }
      remember(run);
      if (isFinal(run.status)) await ended(run);
      else if (run.trigger === 'schedule' && run.startedAt !== undefined) {
        const startLagMs = Date.parse(run.startedAt) - Date.parse(run.scheduledFor);
        await emit(run.job, run.runId, (kind) => metrics.runStarted({ kind, runId: run.runId, startLagMs }));
      }
      return outcome;
    },
    async recordDuplicate(job, slot) {
      await ledger.recordDuplicate(job, slot);
      const runId = runIds.get(slotKey(job, slot));
      if (runId === undefined) return;
      await emit(job, runId, (kind) => metrics.duplicateSuppressed({ kind, runId }));
    },
    async transition(job, slot, from, changes, guard) {
      const run = await ledger.transition(job, slot, from, changes, guard);
      remember(run);
      // A transition that sets a final status ends the run; one that only notes something on an ended
      // run (a late cancel's reason) does not end it again.
      if (
        run !== undefined &&
        changes.status !== undefined &&
        isFinal(run.status) &&
        !from.includes(run.status)
      ) {
        await ended(run);
      }
      return run;
    },
    async get(job, slot) {
      const run = await ledger.get(job, slot);
      remember(run);
      return run;
    },
    getState: (job, slot) => ledger.getState(job, slot),
    getById: (runId) => ledger.getById(runId),
    getMany: (keys) => ledger.getMany(keys),
    list: (query) => ledger.list(query),
    listChildren: (parent) => ledger.listChildren(parent),
    countChild: (parent, index, status, now) => ledger.countChild(parent, index, status, now),
  };
}
