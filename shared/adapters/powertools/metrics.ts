/**
 * The metrics port over Powertools Metrics: Embedded Metric Format lines on stdout, which CloudWatch Logs
 * turns into metrics with no API call (and no latency added to a run). Calls are buffered and written by
 * `flush()`, which the function's handler wrapper calls once at the end of each invocation
 * (functions/commons/observability.ts).
 *
 * An EMF line gives all its metrics the same dimensions and properties, so the buffer is written as one
 * line per (dimensions, run id): an invocation that ends one run writes one line for `Runs` (kind and
 * outcome) and one for the rest (kind). Names, namespace and dimensions come from shared/metric-names.ts.
 */
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRICS_NAMESPACE } from '../../metric-names.ts';
import type { CalibrationUsage, Metrics, RunEnded, RunNamed, RunStarted } from '../../metrics.ts';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

interface Datum {
  readonly name: string;
  readonly unit: Unit;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly runId: string | undefined;
}

/** Final statuses the failure alarm counts. */
const FAILED_OUTCOMES: ReadonlySet<string> = new Set(['failed', 'timed_out']);

export interface EmfMetricsOptions {
  /** The `service` dimension of every metric: `tickwork-<stage>`. */
  readonly serviceName: string;
  /** @default a Powertools Metrics writing to stdout under METRICS_NAMESPACE */
  readonly emf?: PowertoolsMetrics;
}

export class EmfMetrics implements Metrics {
  readonly #emf: PowertoolsMetrics;
  #pending: Datum[] = [];

  constructor(options: EmfMetricsOptions) {
    this.#emf =
      options.emf ??
      new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, serviceName: options.serviceName });
  }

  runStarted({ kind, runId, startLagMs }: RunStarted): void {
    this.#add(METRIC_NAMES.startLag, MetricUnit.Milliseconds, Math.max(0, startLagMs), { kind }, runId);
  }

  runEnded({ kind, runId, outcome, durationMs }: RunEnded): void {
    this.#add(METRIC_NAMES.runs, MetricUnit.Count, 1, { kind, outcome }, runId);
    if (FAILED_OUTCOMES.has(outcome))
      this.#add(METRIC_NAMES.runsFailed, MetricUnit.Count, 1, { kind }, runId);
    if (durationMs !== undefined) {
      this.#add(METRIC_NAMES.duration, MetricUnit.Milliseconds, durationMs, { kind }, runId);
    }
  }

  duplicateSuppressed({ kind, runId }: RunNamed): void {
    this.#add(METRIC_NAMES.duplicatesSuppressed, MetricUnit.Count, 1, { kind }, runId);
  }

  slotMissed({ kind, runId }: { readonly kind: string; readonly runId?: string }): void {
    this.#add(METRIC_NAMES.slotsMissed, MetricUnit.Count, 1, { kind }, runId);
  }

  jobsLate(count: number): void {
    this.#add(METRIC_NAMES.jobsLate, MetricUnit.Count, count, {}, undefined);
  }

  calibrationUsage({ runId, tokens, costUsd }: CalibrationUsage): void {
    this.#add(METRIC_NAMES.calibrationTokens, MetricUnit.Count, tokens, {}, runId);
    this.#add(METRIC_NAMES.calibrationCostUsd, MetricUnit.NoUnit, costUsd, {}, runId);
  }

  /** Writes what was buffered since the last flush, one EMF line per (dimensions, run id); then nothing is left. */
  flush(): void {
    const pending = this.#pending;
    this.#pending = [];
    const lines = new Map<string, Datum[]>();
    for (const datum of pending) {
      const key = JSON.stringify([datum.dimensions, datum.runId ?? null]);
      const line = lines.get(key);
      if (line === undefined) lines.set(key, [datum]);
      else line.push(datum);
    }
    for (const data of lines.values()) {
      const [first] = data;
      if (first === undefined) continue;
      this.#emf.addDimensions({ ...first.dimensions });
      if (first.runId !== undefined) this.#emf.addMetadata('runId', first.runId);
      for (const datum of data) this.#emf.addMetric(datum.name, datum.unit, datum.value);
      this.#emf.publishStoredMetrics();
    }
  }

  #add(
    name: string,
    unit: Unit,
    value: number,
    dimensions: Readonly<Partial<Record<'kind' | 'outcome', string>>>,
    runId: string | undefined,
  ): void {
    const named: Record<string, string> = {};
    for (const [key, dimension] of Object.entries(dimensions)) {
      if (dimension !== undefined) named[METRIC_DIMENSIONS[key as 'kind' | 'outcome']] = dimension;
    }
    this.#pending.push({ name, unit, value, dimensions: named, runId });
  }
}
