/**
 * The construct's dashboard and alarms in the synthesized template: the dashboard names every metric an
 * operator needs (Scheduler's four per schedule group, the dead-letter queues' depth, every function's
 * errors and throttles, Tickwork's own metrics), each alarm watches the metric, dimensions and threshold it
 * says and notifies the topic, and the `alarms` prop turns them off, points them at a topic of the team's,
 * and refuses bad values.
 */
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tickwork, type TickworkProps, TickworkPropsError } from '../../cdk/index.ts';
import { SCHEDULER_GROUP_METRICS } from '../../cdk/metrics.ts';
import { type functionDefinitions, functionName } from '../../shared/functions.ts';
import { JOB_KINDS } from '../../shared/kinds/registry.ts';
import { METRIC_NAMES, METRICS_NAMESPACE } from '../../shared/metric-names.ts';

const STAGE = 'team';
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
type Dimension = { Name: string; Value: unknown };
type AlarmProperties = {
  AlarmName: string;
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
  Statistic: string;
  Period: number;
  Threshold: number;
  EvaluationPeriods: number;
  ComparisonOperator: string;
  TreatMissingData: string;
  AlarmActions?: unknown[];
  OKActions?: unknown[];
};

function synth(extra: Partial<TickworkProps> = {}, withTopic = false) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'TeamStack', { env: { account: '111122223333', region: 'eu-central-1' } });
  let topic: Topic | undefined;
  if (withTopic) {
    topic = new Topic(stack, 'OpsTopic', { enforceSSL: true });
    // The team's own topic: its findings are the team's to settle.
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: "The test's stand-in for a team's topic.",
    });
  }
  const tickwork = new Tickwork(stack, 'Tickwork', {
    stage: STAGE,
    ...extra,
    ...(topic === undefined ? {} : { alarms: { ...extra.alarms, topic } }),
  });
  const template = Template.fromStack(stack);
  return { app, stack, tickwork, template, topic, resources: template.toJSON().Resources as Resources };
}

/** A template value with its references written out: `{Ref: X}` as `ref:X`, `{Fn::GetAtt: [X, Y]}` as `X.Y`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return `ref:${String(object.Ref)}`;
  if ('Fn::GetAtt' in object) return (object['Fn::GetAtt'] as string[]).join('.');
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(separator);
  }
  throw new Error(`unexpected template value ${JSON.stringify(value)}`);
}

const logicalIdOf = (resources: Resources, type: string, key: string, value: string) => {
  const found = Object.entries(resources).filter(
    ([, resource]) => resource.Type === type && resource.Properties[key] === value,
  );
  expect(found, `${type} ${key}=${value}`).toHaveLength(1);
  return found[0]?.[0] as string;
};

const functionIds = ['api', ...JOB_KINDS];
/** The logical id of the function `id` of the stage. */
const functionLogicalIdOf = (resources: Resources, id: string) =>
  logicalIdOf(
    resources,
    'AWS::Lambda::Function',
    'FunctionName',
    functionName(STAGE, id as keyof typeof functionDefinitions),
  );
const alarmsOf = (resources: Resources) =>
  Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
    .map((resource) => resource.Properties as AlarmProperties);

describe('Given the construct with its defaults and a team topic for the alarms', () => {
  let built: ReturnType<typeof synth>;
  let widgets: { type: string; properties: { title?: string; metrics?: unknown[][] } }[];
  let alarms: AlarmProperties[];
  /** One schedule group per kind. */
  const groupNames = JOB_KINDS.map((kind) => `tickwork-${STAGE}-${kind}`);

  beforeAll(() => {
    built = synth({}, true);
    Validations.of(built.app).addPlugins(new AwsSolutionsChecks(built.app, { verbose: true }));
    const [dashboard] = Object.values(built.template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.parse(flatten(dashboard?.Properties.DashboardBody));
    widgets = body.widgets;
    alarms = alarmsOf(built.resources);
  });

  /** The graphed metrics as [namespace, name, dimension name, dimension value, ...]. */
  const graphed = () =>
    widgets
      .flatMap((widget) => widget.properties.metrics ?? [])
      .map((row) => row.filter((cell) => typeof cell === 'string'));

  it('Then the dashboard is tickwork-<stage>', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: `tickwork-${STAGE}`,
    });
  });

  it("Then the dashboard graphs Scheduler's four metrics for each kind's schedule group", () => {
    for (const group of groupNames) {
      for (const name of SCHEDULER_GROUP_METRICS) {
        expect(graphed()).toContainEqual(['AWS/Scheduler', name, 'ScheduleGroup', group]);
      }
    }
  });

  it("Then the dashboard graphs both dead-letter queues' depth", () => {
    for (const queueName of [`tickwork-${STAGE}-scheduler-dlq`, `tickwork-${STAGE}-job-failures`]) {
      const queue = logicalIdOf(built.resources, 'AWS::SQS::Queue', 'QueueName', queueName);
      expect(graphed()).toContainEqual([
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        `${queue}.QueueName`,
      ]);
    }
  });

  it("Then the dashboard graphs every function's errors and throttles", () => {
    for (const id of functionIds) {
      const fn = functionLogicalIdOf(built.resources, id);
      expect(graphed()).toContainEqual(['AWS/Lambda', 'Errors', 'FunctionName', `ref:${fn}`]);
      expect(graphed()).toContainEqual(['AWS/Lambda', 'Throttles', 'FunctionName', `ref:${fn}`]);
    }
  });

  it("Then the dashboard graphs Tickwork's own metrics per kind", () => {
    // JobsLate is one count per deployment (checked below); the others are per kind.
    expect(graphed()).toContainEqual([
      METRICS_NAMESPACE,
      METRIC_NAMES.jobsLate,
      'service',
      `tickwork-${STAGE}`,
    ]);
    const names = [
      METRIC_NAMES.runsFailed,
      METRIC_NAMES.slotsMissed,
      METRIC_NAMES.startLag,
      METRIC_NAMES.duration,
    ];
    for (const name of names) {
      for (const kind of JOB_KINDS) {
        expect(graphed()).toContainEqual([
          METRICS_NAMESPACE,
          name,
          // CloudWatch's dashboard JSON lists dimensions by name.
          'kind',
          kind,
          'service',
          `tickwork-${STAGE}`,
        ]);
      }
    }
  });

  it('Then every alarm compares > threshold over 5 minutes, treats missing data as fine, and tells the topic on ALARM and OK', () => {
    const topic = built.stack.getLogicalId(built.topic?.node.defaultChild as never);
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        Period: 300,
        EvaluationPeriods: 1,
        AlarmActions: [{ Ref: topic }],
        OKActions: [{ Ref: topic }],
      });
    }
  });

  const alarmOn = (namespace: string, metric: string, dimensions: Record<string, string>) => {
    const found = alarms.filter(
      (alarm) =>
        alarm.Namespace === namespace &&
        alarm.MetricName === metric &&
        JSON.stringify(alarm.Dimensions.map(({ Name, Value }) => [Name, flatten(Value)]).sort()) ===
          JSON.stringify(Object.entries(dimensions).sort()),
    );
    expect(found, `${namespace} ${metric} ${JSON.stringify(dimensions)}`).toHaveLength(1);
    return found[0] as AlarmProperties;
  };

  it("Then Scheduler's four metrics of each kind's group each have an alarm at > 0 (Sum)", () => {
    for (const group of groupNames) {
      for (const name of SCHEDULER_GROUP_METRICS) {
        const alarm = alarmOn('AWS/Scheduler', name, { ScheduleGroup: group });
        expect(alarm).toMatchObject({ Threshold: 0, Statistic: 'Sum' });
      }
    }
  });

  it('Then each dead-letter queue has an alarm on any message visible (Maximum > 0)', () => {
    for (const queueName of [`tickwork-${STAGE}-scheduler-dlq`, `tickwork-${STAGE}-job-failures`]) {
      const queue = logicalIdOf(built.resources, 'AWS::SQS::Queue', 'QueueName', queueName);
      const alarm = alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', {
        QueueName: `${queue}.QueueName`,
      });
      expect(alarm).toMatchObject({ Threshold: 0, Statistic: 'Maximum' });
    }
  });

  it('Then every function has an errors and a throttles alarm', () => {
    for (const id of functionIds) {
      const fn = functionLogicalIdOf(built.resources, id);
      for (const metric of ['Errors', 'Throttles']) {
        expect(alarmOn('AWS/Lambda', metric, { FunctionName: `ref:${fn}` })).toMatchObject({
          Threshold: 0,
          Statistic: 'Sum',
        });
      }
    }
  });

  it('Then failed runs and missed slots of every kind, and late jobs of the deployment, each have an alarm at > 0', () => {
    // The sweep emits JobsLate as one count with the `service` dimension only.
    expect(alarmOn(METRICS_NAMESPACE, METRIC_NAMES.jobsLate, { service: `tickwork-${STAGE}` })).toMatchObject(
      {
        Threshold: 0,
        Statistic: 'Maximum',
      },
    );
    for (const kind of JOB_KINDS) {
      const dimensions = { service: `tickwork-${STAGE}`, kind };
      expect(alarmOn(METRICS_NAMESPACE, METRIC_NAMES.runsFailed, dimensions)).toMatchObject({
        Threshold: 0,
        Statistic: 'Sum',
      });
      expect(alarmOn(METRICS_NAMESPACE, METRIC_NAMES.slotsMissed, dimensions)).toMatchObject({
        Threshold: 0,
        Statistic: 'Sum',
      });
    }
  });

  it('Then alarm names are unique and carry the stage', () => {
    const names = alarms.map((alarm) => alarm.AlarmName);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(new RegExp(`^tickwork-${STAGE}-`));
  });

  it('Then cdk-nag finds nothing unacknowledged', () => {
    expect(() => built.app.synth()).not.toThrow();
  });
});

describe('the alarms prop', () => {
  it('Given alarms disabled, Then there is no alarm and the dashboard is still there', () => {
    const { template, tickwork } = synth({ alarms: { enabled: false } });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(tickwork.alarms).toBeUndefined();
  });

  it("Given no topic, Then the alarms act on the stack's alerts topic, where health changes go too", () => {
    const { resources } = synth();
    const alarms = alarmsOf(resources);
    const [topicId] = Object.entries(resources)
      .filter(([, resource]) => (resource as { Type: string }).Type === 'AWS::SNS::Topic')
      .map(([id]) => id);
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  it('Given a period, evaluation periods and thresholds, Then the alarms use them', () => {
    const { resources } = synth({
      alarms: {
        period: Duration.minutes(15),
        evaluationPeriods: 3,
        functionErrorThreshold: 2,
        failedRunThreshold: 4,
      },
    });
    const alarms = alarmsOf(resources);
    for (const alarm of alarms) expect(alarm).toMatchObject({ Period: 900, EvaluationPeriods: 3 });
    const thresholds = (metric: string) =>
      new Set(alarms.filter((alarm) => alarm.MetricName === metric).map((alarm) => alarm.Threshold));
    expect(thresholds('Errors')).toEqual(new Set([2]));
    expect(thresholds(METRIC_NAMES.runsFailed)).toEqual(new Set([4]));
    expect(thresholds('Throttles')).toEqual(new Set([0]));
  });

  it.each([
    ['a period in seconds', { period: Duration.seconds(90) }, /"alarms\.period" must be whole minutes/],
    ['a period over a day', { period: Duration.days(2) }, /"alarms\.period" must be whole minutes/],
    [
      'zero evaluation periods',
      { evaluationPeriods: 0 },
      /"alarms\.evaluationPeriods" must be a whole number/,
    ],
    [
      'a window longer than a day',
      { period: Duration.hours(6), evaluationPeriods: 5 },
      /"alarms\.evaluationPeriods" times alarms\.period \(6 hours\) must be at most one day/,
    ],
    [
      'a negative threshold',
      { failedRunThreshold: -1 },
      /"alarms\.failedRunThreshold" must be a number of 0/,
    ],
  ])('Given %s, Then the construct throws naming the prop and the rule', (_case, alarms, message) => {
    const stack = () => new Stack(new App(), 'TeamStack');
    expect(() => new Tickwork(stack(), 'Tickwork', { stage: STAGE, alarms })).toThrow(TickworkPropsError);
    expect(() => new Tickwork(stack(), 'Tickwork', { stage: STAGE, alarms })).toThrow(message);
  });
});
