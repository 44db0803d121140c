/**
 * The metrics port: what the run lifecycle, the kinds and the sweeper tell CloudWatch, by intention.
 * The adapter (shared/adapters/powertools/metrics.ts) writes them as Embedded Metric Format lines under
 * the names, namespace and dimensions of shared/metric-names.ts, which the stack's dashboard and alarms
 * read. Every call about a run names the run: its id travels as a property of the line, never as a
 * dimension (a dimension per run would be a metric per run), so one Logs Insights query on `runId`
 * finds a run's metrics beside its log lines.
 */
import type { RunStatus } from './jobs/model.ts';

export interface RunEnded {
  readonly kind: string;
  readonly runId: string;
  /** The final status the run was recorded with. */
  readonly outcome: RunStatus;
  /** The duration of its last attempt, when it ran at all. */
  readonly durationMs?: number;
}

export interface RunStarted {
  readonly kind: string;
  readonly runId: string;
  /** Its start minus its slot: how late the platform delivered it (Scheduler's flexible window, retries). */
  readonly startLagMs: number;
}

export interface RunNamed {
  readonly kind: string;
  readonly runId: string;
}

export interface CalibrationUsage {
  readonly runId: string;
  /** Input plus output tokens of the run's model calls. */
  readonly tokens: number;
  /** Their estimated cost with the job's pricing (0 without pricing). */
  readonly costUsd: number;
}

export interface Metrics {
  /** A scheduled run's first attempt started (emitted once per run, on its claim). */
  runStarted(started: RunStarted): void;
  /** A run was recorded in a final status (emitted once per run: the write that records it succeeds once). */
  runEnded(ended: RunEnded): void;
  /** A repeated delivery of a run's slot was recognized and not run again. */
  duplicateSuppressed(duplicate: RunNamed): void;
  /** A slot was recorded missed (delivered past its starting deadline, or not at all by it). */
  slotMissed(missed: { readonly kind: string; readonly runId?: string }): void;
  /** How many jobs a sweep found late. */
  jobsLate(count: number): void;
  /** What a calibration run spent on its model. */
  calibrationUsage(usage: CalibrationUsage): void;
}

/**
 * Emits nothing. The local stack composes it: there is no CloudWatch to read EMF there, and the runs'
 * records (`tickwork runs`, `status`) answer the same questions. Tests of code that takes a port use it.
 */
export const noMetrics: Metrics = {
  runStarted: () => {},
  runEnded: () => {},
  duplicateSuppressed: () => {},
  slotMissed: () => {},
  jobsLate: () => {},
  calibrationUsage: () => {},
};
