/**
 * The deployment's CloudWatch dashboard, `tickwork-<stage>`: one screen that answers "did everything run,
 * what failed, is anything stuck". Rows, top to bottom: Tickwork's own run metrics per kind (what the
 * operator cares about), then the plumbing that explains them: Scheduler per schedule group (one group per
 * kind, so a row per kind), the dead-letter queues, and every function's errors and throttles.
 */
import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, type IMetric, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { METRIC_NAMES } from '../shared/metric-names.ts';
import {
  functionErrorsMetric,
  functionThrottlesMetric,
  type MonitoredResources,
  queueDepthMetric,
  SCHEDULER_GROUP_METRICS,
  schedulerMetric,
  tickworkMetric,
} from './metrics.ts';

/** The dashboard's name for a stage (CloudWatch dashboard names are unique per account, not per Region). */
export function dashboardName(stage: string): string {
  return `tickwork-${stage}`;
}

// Five minutes: Scheduler and Lambda publish per minute, and a 24-hour graph of one-minute points is noise.
const PERIOD = Duration.minutes(5);
const WIDTH = 24;
const HALF = WIDTH / 2;
const HEIGHT = 6;

export class TickworkDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, resources: MonitoredResources) {
    super(scope, id);
    const { stage, kinds } = resources;
    const perKind = (name: string, statistic: string): IMetric[] =>
      kinds.map((kind) =>
        tickworkMetric(stage, name, kind, { statistic, period: PERIOD }).with({ label: kind }),
      );
    const graph = (title: string, left: IMetric[], width = HALF) =>
      new GraphWidget({ title, left, width, height: HEIGHT });

    this.dashboard = new Dashboard(this, 'Resource', {
      dashboardName: dashboardName(stage),
      defaultInterval: Duration.hours(24),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          `# Tickwork ${stage}\nRuns per kind (Tickwork's own metrics), then EventBridge Scheduler per schedule ` +
          'group, the dead-letter queues and the functions. Any non-zero failure, miss, drop or queued message is ' +
          'worth a look: `tickwork status`, `tickwork runs`, `tickwork dead-letters`.',
        width: WIDTH,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('Failed runs (failed or timed out)', perKind(METRIC_NAMES.runsFailed, 'Sum')),
      graph('Missed slots', perKind(METRIC_NAMES.slotsMissed, 'Sum')),
    );
    this.dashboard.addWidgets(
      // One count over every kind: each sweep emits how many jobs it found late.
      graph(
        'Late jobs',
        [tickworkMetric(stage, METRIC_NAMES.jobsLate, undefined, { statistic: 'Maximum', period: PERIOD })],
        WIDTH / 3,
      ),
      graph('Start lag p95 (start − slot, ms)', perKind(METRIC_NAMES.startLag, 'p95'), WIDTH / 3),
      graph('Run duration p95 (ms)', perKind(METRIC_NAMES.duration, 'p95'), WIDTH / 3),
    );
    // One graph per group: Scheduler's metrics have no kind dimension, the group is the kind.
    for (const { kind, group } of resources.scheduleGroups) {
      this.dashboard.addWidgets(
        graph(
          `Scheduler: ${kind} (group ${group.scheduleGroupName})`,
          SCHEDULER_GROUP_METRICS.map((name) => schedulerMetric(group, name, PERIOD).with({ label: name })),
          WIDTH,
        ),
      );
    }
    this.dashboard.addWidgets(
      graph(
        'Dead-letter queues: messages visible',
        resources.queues.map(({ label, queue }) => queueDepthMetric(queue, PERIOD).with({ label })),
        WIDTH / 3,
      ),
      graph(
        'Function errors',
        resources.functions.map(({ id, fn }) => functionErrorsMetric(fn, PERIOD).with({ label: id })),
        WIDTH / 3,
      ),
      graph(
        'Function throttles',
        resources.functions.map(({ id, fn }) => functionThrottlesMetric(fn, PERIOD).with({ label: id })),
        WIDTH / 3,
      ),
    );
  }
}
