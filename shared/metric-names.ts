/**
 * Tickwork's own CloudWatch metrics: the names the functions emit (Embedded Metric Format) and the
 * stack's dashboard and alarms read. Defined once so the two cannot drift.
 */

/** The namespace of every Tickwork metric. */
export const METRICS_NAMESPACE = 'Tickwork';

/**
 * Dimensions: every metric carries `service` (`tickwork-<stage>`); run metrics also `kind`, and `Runs`
 * also `outcome` (a final run status: succeeded, failed, timed_out, cancelled, skipped, missed).
 */
export const METRIC_DIMENSIONS = { service: 'service', kind: 'kind', outcome: 'outcome' } as const;

export const METRIC_NAMES = {
  /** Count: runs that ended, by kind and outcome. */
  runs: 'Runs',
  /** Count: runs that ended failed or timed out, by kind (what the failure alarm watches). */
  runsFailed: 'RunsFailed',
  /** Milliseconds: a scheduled run's start minus its slot. */
  startLag: 'StartLag',
  /** Milliseconds: a run's duration. */
  duration: 'Duration',
  /** Count: slots recorded missed (a late delivery past the starting deadline, or none by it). */
  slotsMissed: 'SlotsMissed',
  /** Count: jobs that turned late (gauge-like: emitted by each sweep for the jobs it found late). */
  jobsLate: 'JobsLate',
  /** Count: duplicate deliveries the run lifecycle suppressed. */
  duplicatesSuppressed: 'DuplicatesSuppressed',
  /** Count: model tokens of calibration runs, and their estimated cost in USD. */
  calibrationTokens: 'CalibrationTokens',
  calibrationCostUsd: 'CalibrationCostUsd',
} as const;
