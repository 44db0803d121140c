import { describe, expect, it } from 'vitest';
import { EmfMetrics } from '../../../../shared/adapters/powertools/metrics.ts';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRICS_NAMESPACE } from '../../../../shared/metric-names.ts';
import { captureOutputJson } from '../../../support/output-lines.ts';

interface EmfLine {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [field: string]: unknown;
}

/** One EMF line as CloudWatch reads it: its namespace, dimension set, metrics with units, values and properties. */
function read(line: Record<string, unknown>) {
  const { _aws, ...fields } = line as unknown as EmfLine;
  const [directive] = _aws.CloudWatchMetrics;
  if (directive === undefined || _aws.CloudWatchMetrics.length !== 1)
    throw new Error('expected one directive');
  return {
    namespace: directive.Namespace,
    dimensions: directive.Dimensions,
    metrics: Object.fromEntries(directive.Metrics.map((metric) => [metric.Name, metric.Unit])),
    fields,
  };
}

describe('the metrics port over a real Powertools Metrics flush (EMF)', () => {
  const lines = captureOutputJson();

  it('Given a run that started late, ended failed, and a duplicate, When flushed, Then one EMF line per dimension set carries the run id as a property', () => {
    // Given
    const metrics = new EmfMetrics({ serviceName: 'tickwork-test' });
    metrics.runStarted({ kind: 'prompt', runId: '01JRUN', startLagMs: 2_500 });
    metrics.duplicateSuppressed({ kind: 'prompt', runId: '01JRUN' });
    metrics.runEnded({ kind: 'prompt', runId: '01JRUN', outcome: 'failed', durationMs: 340 });
    expect(lines()).toEqual([]);
    // When
    metrics.flush();
    // Then
    const [byKind, byOutcome, ...rest] = lines().map(read);
    expect(rest).toEqual([]);
    expect(byKind).toEqual({
      namespace: METRICS_NAMESPACE,
      dimensions: [[METRIC_DIMENSIONS.service, METRIC_DIMENSIONS.kind]],
      metrics: {
        [METRIC_NAMES.startLag]: 'Milliseconds',
        [METRIC_NAMES.duplicatesSuppressed]: 'Count',
        [METRIC_NAMES.runsFailed]: 'Count',
        [METRIC_NAMES.duration]: 'Milliseconds',
      },
      fields: {
        service: 'tickwork-test',
        kind: 'prompt',
        runId: '01JRUN',
        StartLag: 2_500,
        DuplicatesSuppressed: 1,
        RunsFailed: 1,
        Duration: 340,
      },
    });
    expect(byOutcome).toEqual({
      namespace: METRICS_NAMESPACE,
      dimensions: [[METRIC_DIMENSIONS.service, METRIC_DIMENSIONS.kind, METRIC_DIMENSIONS.outcome]],
      metrics: { [METRIC_NAMES.runs]: 'Count' },
      fields: { service: 'tickwork-test', kind: 'prompt', outcome: 'failed', runId: '01JRUN', Runs: 1 },
    });
  });

  it('Given a succeeded run, Then it counts no failure; and a second flush writes nothing', () => {
    const metrics = new EmfMetrics({ serviceName: 'tickwork-test' });
    metrics.runEnded({ kind: 'task', runId: '01JOK', outcome: 'succeeded', durationMs: 5 });
    metrics.flush();
    metrics.flush();
    const names = lines().flatMap((line) => Object.keys(read(line).metrics));
    expect(names.sort()).toEqual([METRIC_NAMES.duration, METRIC_NAMES.runs].sort());
  });

  it('Given a sweep and a calibration run, Then late jobs carry only the service, calibration usage its run id', () => {
    const metrics = new EmfMetrics({ serviceName: 'tickwork-test' });
    metrics.jobsLate(3);
    metrics.calibrationUsage({ runId: '01JCAL', tokens: 1_200, costUsd: 0.0042 });
    metrics.slotMissed({ kind: 'sync' });
    metrics.flush();
    expect(lines().map(read)).toEqual([
      {
        namespace: METRICS_NAMESPACE,
        dimensions: [[METRIC_DIMENSIONS.service]],
        metrics: { [METRIC_NAMES.jobsLate]: 'Count' },
        fields: { service: 'tickwork-test', JobsLate: 3 },
      },
      {
        namespace: METRICS_NAMESPACE,
        dimensions: [[METRIC_DIMENSIONS.service]],
        metrics: { [METRIC_NAMES.calibrationTokens]: 'Count', [METRIC_NAMES.calibrationCostUsd]: 'None' },
        fields: {
          service: 'tickwork-test',
          runId: '01JCAL',
          CalibrationTokens: 1_200,
          CalibrationCostUsd: 0.0042,
        },
      },
      {
        namespace: METRICS_NAMESPACE,
        dimensions: [[METRIC_DIMENSIONS.service, METRIC_DIMENSIONS.kind]],
        metrics: { [METRIC_NAMES.slotsMissed]: 'Count' },
        fields: { service: 'tickwork-test', kind: 'sync', SlotsMissed: 1 },
      },
    ]);
  });
});
