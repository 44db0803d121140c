/**
 * The deployment's CloudWatch alarms: each one watches a signal that means a run did not happen, did not
 * finish, or will not be retried, and tells an SNS topic when it turns ALARM and when it is OK again.
 * - Scheduler, per schedule group (one per kind): dropped invocations, target errors, throttled invocations,
 *   and events that could not even be sent to the dead-letter queue.
 * - The dead-letter queue and the job functions' on-failure queue: any message waiting.
 * - Every function: errors and throttles.
 * - Tickwork's own metrics per kind: failed runs, missed slots, late jobs.
 * Missing data is "not breaching": these metrics are only published when something happens, so silence is
 * the healthy state, not an unknown one.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { pascalCase } from '../infra/naming.ts';
import { METRIC_NAMES } from '../shared/metric-names.ts';
import {
  functionErrorsMetric,
  functionThrottlesMetric,
  type MonitoredResources,
  queueDepthMetric,
  SCHEDULER_GROUP_METRICS,
  schedulerMetric,
  TICKWORK_ALARM_METRICS,
  type TickworkAlarmMetric,
  tickworkMetric,
} from './metrics.ts';

/** The alarms' settings, after the construct's props were checked (cdk/props.ts). */
export interface AlarmSettings {
  /** Where ALARM and OK notifications go; without one, the alarms show in the console only. */
  readonly topic: ITopic | undefined;
  readonly period: Duration;
  readonly evaluationPeriods: number;
  /** Function errors per period that are still tolerated (the alarm fires above). */
  readonly functionErrorThreshold: number;
  /** Failed runs per kind and period that are still tolerated. */
  readonly failedRunThreshold: number;
}

export const DEFAULT_ALARM_PERIOD = Duration.minutes(5);
export const DEFAULT_EVALUATION_PERIODS = 1;

export class TickworkAlarmSet extends Construct {
  /** Every alarm, in a stable order (groups, queues, functions, Tickwork's metrics). */
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, resources: MonitoredResources, settings: AlarmSettings) {
    super(scope, id);
    const { stage } = resources;
    const { period } = settings;
    const action = settings.topic === undefined ? undefined : new SnsAction(settings.topic);
    const add = (alarmId: string, name: string, description: string, metric: IMetric, threshold = 0) => {
      const alarm = new Alarm(this, alarmId, {
        alarmName: `tickwork-${stage}-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: settings.evaluationPeriods,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      if (action !== undefined) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
      this.alarms.push(alarm);
    };

    for (const { kind, group } of resources.scheduleGroups) {
      for (const name of SCHEDULER_GROUP_METRICS) {
        add(
          `Scheduler${pascalCase(kind)}${name}`,
          `scheduler-${kind}-${name}`,
          `EventBridge Scheduler ${name} > 0 in schedule group ${group.scheduleGroupName} (${kind} jobs): ` +
            'scheduled runs of this kind did not reach their function. See the dead-letter queue.',
          schedulerMetric(group, name, period),
        );
      }
    }
    for (const { label, queue } of resources.queues) {
      add(
        `Queue${pascalCase(label)}`,
        `queue-${label}`,
        `Messages are waiting in ${queue.queueName} (${label}): runs that were not delivered or failed after ` +
          'every retry. `tickwork dead-letters` explains and redrives them.',
        queueDepthMetric(queue, period),
      );
    }
    for (const { id: functionId, fn } of resources.functions) {
      add(
        `Function${pascalCase(functionId)}Errors`,
        `function-${functionId}-errors`,
        `Function ${functionId} returned errors (more than ${settings.functionErrorThreshold} in a period).`,
        functionErrorsMetric(fn, period),
        settings.functionErrorThreshold,
      );
      add(
        `Function${pascalCase(functionId)}Throttles`,
        `function-${functionId}-throttles`,
        `Function ${functionId} was throttled: its invocations wait or are retried (concurrency limits).`,
        functionThrottlesMetric(fn, period),
      );
    }
    const statistic: Record<TickworkAlarmMetric, string> = {
      RunsFailed: 'Sum',
      SlotsMissed: 'Sum',
      // A gauge-like count each sweep emits: the most late jobs seen in the period.
      JobsLate: 'Maximum',
    };
    const meaning: Record<TickworkAlarmMetric, string> = {
      RunsFailed: 'runs failed or timed out',
      SlotsMissed: 'slots were missed (no run by the starting deadline)',
      JobsLate: 'jobs are late (no run by slot + grace)',
    };
    add(
      'TickworkJobsLate',
      'JobsLate',
      `Tickwork ${stage}: ${meaning.JobsLate}. \`tickwork status\` says which.`,
      tickworkMetric(stage, METRIC_NAMES.jobsLate, undefined, { statistic: statistic.JobsLate, period }),
      0,
    );
    for (const kind of resources.kinds) {
      for (const name of TICKWORK_ALARM_METRICS) {
        // Late jobs are counted over the whole deployment (above), not per kind.
        if (name === METRIC_NAMES.jobsLate) continue;
        const metric: Metric = tickworkMetric(stage, name, kind, { statistic: statistic[name], period });
        add(
          `Tickwork${pascalCase(kind)}${name}`,
          `${kind}-${name}`,
          `Tickwork ${stage}: ${kind} ${meaning[name]}. \`tickwork status\` and \`tickwork runs --status failed\` say which.`,
          metric,
          name === 'RunsFailed' ? settings.failedRunThreshold : 0,
        );
      }
    }
  }
}
