/**
 * The metrics a Tickwork deployment is watched by, defined once for the dashboard (cdk/dashboard.ts) and
 * the alarms (cdk/alarms.ts), so a graph and the alarm beside it always read the same series.
 */
import type { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRICS_NAMESPACE } from '../shared/metric-names.ts';

/**
 * What a deployment's dashboard and alarms watch: the construct hands over its own resources.
 * Functions and kinds are lists so a function or kind added to the catalog appears without an edit here.
 */
export interface MonitoredResources {
  readonly stage: string;
  /** One per job kind, in registry order. */
  readonly scheduleGroups: readonly { readonly kind: string; readonly group: IScheduleGroup }[];
  /** The dead-letter queues: a message in any of them is a run that did not happen or did not finish. */
  readonly queues: readonly { readonly label: string; readonly queue: IQueue }[];
  readonly functions: readonly { readonly id: string; readonly fn: IFunction }[];
  /** Job kind ids, the `kind` dimension of Tickwork's own run metrics. */
  readonly kinds: readonly string[];
}

/**
 * EventBridge Scheduler's per-group metrics that mean a schedule's event did not reach its target
 * (namespace `AWS/Scheduler`, dimension `ScheduleGroup`; Scheduler user guide, "Monitoring with
 * CloudWatch"). Each is a count: any non-zero sum is worth a look.
 */
export const SCHEDULER_GROUP_METRICS = [
  'InvocationDroppedCount',
  'TargetErrorCount',
  'InvocationThrottleCount',
  'InvocationsFailedToBeSentToDeadLetterCount',
] as const;

export type SchedulerGroupMetric = (typeof SCHEDULER_GROUP_METRICS)[number];

/**
 * Tickwork's own metrics the alarms watch: counts per kind (dimensions `service` and `kind`, as
 * shared/metric-names.ts defines them), but `JobsLate`, one count per deployment (`service` only). StartLag and Duration are graphed, not alarmed: a slow run is the
 * job's business, a failed, missed or late one is the operator's.
 */
export const TICKWORK_ALARM_METRICS = [
  METRIC_NAMES.runsFailed,
  METRIC_NAMES.slotsMissed,
  METRIC_NAMES.jobsLate,
] as const;

export type TickworkAlarmMetric = (typeof TICKWORK_ALARM_METRICS)[number];

/** The `service` dimension the functions put on every metric (shared/metric-names.ts). */
export function metricsServiceName(stage: string): string {
  return `tickwork-${stage}`;
}

export function schedulerMetric(group: IScheduleGroup, name: SchedulerGroupMetric, period: Duration): Metric {
  return group.metric(name, { statistic: 'Sum', period });
}

/** Messages waiting: the maximum over the period, so one message that came and went still shows. */
export function queueDepthMetric(queue: IQueue, period: Duration): Metric {
  return queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period });
}

export function functionErrorsMetric(fn: IFunction, period: Duration): Metric {
  return fn.metricErrors({ statistic: 'Sum', period });
}

export function functionThrottlesMetric(fn: IFunction, period: Duration): Metric {
  return fn.metricThrottles({ statistic: 'Sum', period });
}

/**
 * One of Tickwork's metrics for one kind of one deployment, or (kind undefined) for the whole deployment:
 * `JobsLate`, which each sweep emits as one count over every kind (shared/health/tick.ts).
 */
export function tickworkMetric(
  stage: string,
  name: string,
  kind: string | undefined,
  options: { readonly statistic: string; readonly period: Duration },
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: {
      [METRIC_DIMENSIONS.service]: metricsServiceName(stage),
      ...(kind === undefined ? {} : { [METRIC_DIMENSIONS.kind]: kind }),
    },
    statistic: options.statistic,
    period: options.period,
  });
}
