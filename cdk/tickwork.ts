/**
 * Tickwork as a construct: the functions (one per job kind, the API), the HTTP API with IAM auth, one
 * schedule group per job kind, the role Scheduler assumes and the dead-letter queues, a CloudWatch
 * dashboard and alarms, and, once it has jobs as code
 * (addJob, a jobs file), the jobs custom resource that applies them. Place it in a stack of your own;
 * give it tables from a stateful stack (`addTables`) to keep the data apart from what can be replaced.
 *
 * Built to the aws-cdk design guidelines: readonly documented props with defaults, constructs rather than
 * ARNs, grants of exact actions on exact resources, and props and jobs checked while the construct is
 * built, so `cdk synth` fails on a bad value with its name and the rule.
 */
import { ArnFormat, CfnOutput, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type { HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Role as IamRole, Policy, PolicyStatement, type Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { type BindingContext, capabilityBindings, grantStageSecrets } from '../infra/capabilities.ts';
import { acknowledgeWildcardResource, nagArn } from '../infra/nag.ts';
import { pascalCase } from '../infra/naming.ts';
import { TickworkFunction } from '../infra/tickwork-function.ts';
import { deadLetterQueueNames } from '../shared/adapters/sqs/queue-names.ts';
import {
  ASYNC_RETRY_DELAYS_SECONDS,
  DEFAULT_RUN_RETENTION_DAYS,
  ENV,
  type RuntimeMode,
} from '../shared/config.ts';
import { functionName, jobFunctionDefinitions } from '../shared/functions.ts';
import { JOB_KINDS, type JobKind, kindDefinition } from '../shared/kinds/registry.ts';
import type { IndexName } from '../shared/tables.ts';
import { TickworkAlarmSet } from './alarms.ts';
import { type AlertPublisher, AlertsTopic } from './alerts.ts';
import { addHttpApi } from './api.ts';
import { TickworkDashboard } from './dashboard.ts';
import { checkJobDefinition, jobDefinition, TickworkJobError, type TickworkJobProps } from './jobs.ts';
import { loadJobsFileDefinitions } from './jobs-file.ts';
import { JobsResource } from './jobs-resource.ts';
import type { MonitoredResources } from './metrics.ts';
import { checkProps, type TickworkProps } from './props.ts';
import {
  addScheduleGroups,
  grantScheduleGroups,
  scheduleGroupEnvironment,
  schedulesNagReasons,
  type TickworkScheduleGroups,
} from './schedule-groups.ts';
import { addSweeper } from './sweeper.ts';
import { addTables, type TickworkTables } from './tables.ts';

/**
 * DynamoDB actions per function and table: the commands its adapters send (shared/adapters/dynamodb), and
 * nothing more. No Scan, no writes in batches, and history is removed by TTL, not by DeleteItem. The API's
 * status page reads the jobs' run states and their latest runs with one BatchGetItem each
 * (shared/adapters/dynamodb/batch-get.ts).
 */
export const JOB_FUNCTION_JOBS_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'] as const;
export const JOB_FUNCTION_RUNS_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
] as const;
/** The alert records owing a send (shared/adapters/dynamodb/alert-store.ts), which the sweeper Queries. */
const ALERTS_DUE_INDEX: IndexName<'jobs'> = 'alerts-due';
/** The jobs API creates, replaces, patches, deletes, reads and lists jobs (Query on the name and kind indexes). */
export const API_JOBS_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
] as const;
/** The jobs API claims manual runs, cancels runs, and reads them by id, job, status or across jobs. */
export const API_RUNS_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
] as const;

/** The functions Scheduler invokes: one per job kind. */
export type JobFunctionId = JobKind;

type ResourceLists = Pick<
  BindingContext,
  | 'allowedHosts'
  | 'queryLogGroups'
  | 'bedrockModelIds'
  | 'modelFunctionArns'
  | 'taskFunctionArns'
  | 'eventBusArns'
>;

const NO_RESOURCES: ResourceLists = {
  allowedHosts: [],
  queryLogGroups: [],
  bedrockModelIds: [],
  modelFunctionArns: [],
  taskFunctionArns: [],
  eventBusArns: [],
};

export class Tickwork extends Construct {
  readonly stage: string;
  readonly tables: TickworkTables;
  readonly api: HttpApi;
  /** The API's `$default` stage; its URL is the API's base URL. */
  readonly apiStage: HttpStage;
  readonly apiFunction: IFunction;
  readonly jobFunctions: Readonly<Record<JobFunctionId, IFunction>>;
  /**
   * One schedule group per job kind, holding the schedules of that kind's jobs (so Scheduler's per-group
   * metrics are per kind); the API manages schedules in these groups only.
   */
  readonly scheduleGroups: Readonly<Record<JobKind, ScheduleGroup>>;
  /**
   * The single group every schedule lived in before one group per kind (`tickwork-<stage>`), kept for one
   * version: reconcile moves its schedules to their kinds' groups, and the API may only delete there.
   * Removing it deletes whatever schedules are left in it.
   */
  readonly legacyScheduleGroup: ScheduleGroup;
  /** The role Scheduler assumes to invoke the job functions. */
  readonly schedulerRole: Role;
  /** Events Scheduler could not deliver to a job function. */
  readonly schedulerDeadLetterQueue: Queue;
  /** Asynchronous invocations a job function failed after Lambda's retries. */
  readonly jobFailureQueue: Queue;
  /** Where health changes are published (and the alarms' action): see {@link Tickwork.grantAlerts}. */
  readonly alerts: AlertsTopic;
  /**
   * Where this deployment's jobs as code are defined (`stack <stack name>`): the jobs are managed by it,
   * and the API refuses to change or delete them (409 naming it).
   */
  readonly source: string;
  /** The CloudWatch dashboard `tickwork-<stage>` (cdk/dashboard.ts). */
  readonly dashboard: TickworkDashboard;
  /** The CloudWatch alarms (cdk/alarms.ts); undefined when the `alarms` prop disables them. */
  readonly alarms: TickworkAlarmSet | undefined;

  private readonly jobFunctionConstructs = {} as Record<JobKind, TickworkFunction>;
  private jobFunctionList: TickworkFunction[] = [];
  private readonly definitions: Record<string, unknown>[] = [];
  private readonly environment: Record<string, string>;
  private readonly logRetention: RetentionDays;
  private jobsResource?: JobsResource;

  constructor(scope: Construct, id: string, props: TickworkProps) {
    super(scope, id);
    const checked = checkProps(props);
    const { stage } = checked;
    const stack = Stack.of(this);
    const tables = props.tables ?? addTables(new Construct(this, 'Tables'), stage);
    this.tables = tables;
    this.stage = stage;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const runRetentionDays = checked.runRetentionDays ?? DEFAULT_RUN_RETENTION_DAYS;
    const lists = {
      allowedHosts: checked.webhookAllowedHosts,
      queryLogGroups: (props.queryLogGroups ?? []).map((group) => group.logGroupName),
      bedrockModelIds: checked.allowedModelIds,
      modelFunctionArns: (props.modelFunctions ?? []).map((fn) => fn.functionArn),
      taskFunctionArns: (props.taskFunctions ?? []).map((fn) => fn.functionArn),
      eventBusArns: (props.eventBuses ?? []).map((bus) => bus.eventBusArn),
    };

    const queueNames = deadLetterQueueNames(stage);
    this.schedulerDeadLetterQueue = this.deadLetterQueue(
      'SchedulerDeadLetterQueue',
      queueNames.scheduler,
      'it is the dead-letter queue of the schedules (Target.DeadLetterConfig) that the API creates at run time',
    );
    this.jobFailureQueue = this.deadLetterQueue(
      'JobFailureQueue',
      queueNames.lambda,
      "it is the job functions' on-failure destination for asynchronous invocations",
    );

    this.alerts = new AlertsTopic(this, 'Alerts', { stage });

    const groups = addScheduleGroups(this, stage);
    this.scheduleGroups = groups.byKind;
    this.legacyScheduleGroup = groups.legacy;
    const kindGroups = Object.values(this.scheduleGroups);
    const scheduleEnvironment = scheduleGroupEnvironment(stage, groups);

    this.schedulerRole = new IamRole(this, 'SchedulerRole', {
      // Only schedules of this account may assume the role (confused-deputy protection).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `Assumed by EventBridge Scheduler to invoke the Tickwork ${stage} job functions`,
    });
    this.schedulerDeadLetterQueue.grants.sendMessages(this.schedulerRole);

    const common: Record<string, string> = {
      [ENV.stage]: stage,
      [ENV.mode]: 'aws' satisfies RuntimeMode,
      [ENV.jobsTable]: tables.jobs.tableName,
      [ENV.runsTable]: tables.runs.tableName,
      [ENV.runRetentionDays]: String(runRetentionDays),
      // What the functions' async invoke config below tells Lambda, so runs read `retrying` while a retry is left.
      [ENV.asyncRetryDelaysMs]: ASYNC_RETRY_DELAYS_SECONDS.map((seconds) => seconds * 1000).join(','),
    };

    const jobFunctions = {} as Record<JobFunctionId, IFunction>;
    const jobs: TickworkFunction[] = [];
    // Built from the functions' fixed names, not their ARN attributes: every job function names and may
    // invoke every job function (a run's end starts chained runs of any kind, a fan-out its children), and
    // attribute references among them would form a dependency cycle.
    const jobFunctionArns: Record<string, string> = Object.fromEntries(
      jobFunctionDefinitions.map((definition) => [
        definition.jobKind,
        stack.formatArn({
          service: 'lambda',
          resource: 'function',
          resourceName: functionName(stage, definition.id),
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ]),
    );
    // One function per kind, each with exactly the grants of the capabilities its kind declares.
    for (const definition of jobFunctionDefinitions) {
      const job = new TickworkFunction(this, `${pascalCase(definition.id)}Function`, {
        stage,
        functionId: definition.id,
        logRetention,
        environment: { ...common, [ENV.jobFunctionArns]: stack.toJsonString(jobFunctionArns) },
        // Scheduler and manual runs invoke asynchronously; a run that still fails after Lambda's retries
        // lands here with its event, next to the run's failed record in the runs table.
        onFailure: this.jobFailureQueue,
      });
      for (const capability of kindDefinition(definition.jobKind).capabilities) {
        capabilityBindings[capability]({ stack, stage, fn: job, tables, ...lists });
      }
      const fn = job.function;
      jobFunctions[definition.id] = fn;
      this.jobFunctionConstructs[definition.jobKind] = job;
      jobs.push(job);
      fn.grantInvoke(this.schedulerRole);
      // A run's end may change the job's health, which is alerted.
      this.alerts.grantAlerts(job.function);
      // Chained runs and fan-out children: an asynchronous Invoke of exactly the job functions.
      job.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: Object.values(jobFunctionArns),
        }),
      );
      // A fan-out's expansion function (`expand.functionArn`, any kind's job) is one of the deployment's task
      // functions (context `tickwork:taskFunctionArns`): a synchronous Invoke of exactly those. The task
      // kind's own capability grants the same ARNs already.
      const expansionFunctions = lists.taskFunctionArns;
      const kindCapabilities: readonly string[] = kindDefinition(definition.jobKind).capabilities;
      if (expansionFunctions.length > 0 && !kindCapabilities.includes('taskFunctions')) {
        job.role.addToPrincipalPolicy(
          new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [...expansionFunctions] }),
        );
      }
      // The run lifecycle reads the job and updates its lease and one-time state (jobs); it claims the slot, reads
      // and moves the run, and may look runs up by id or status through the indexes (runs).
      tables.jobs.grants.actions(fn, ...JOB_FUNCTION_JOBS_ACTIONS);
      tables.runs.grants.actions(fn, ...JOB_FUNCTION_RUNS_ACTIONS);
      this.acknowledgeGrantWildcards(job.role, { tables: Object.values(tables) });
    }
    this.jobFunctions = jobFunctions;
    // Late jobs, missed slots and their catch-up, every minute (cdk/sweeper.ts).
    const sweeper = addSweeper(this, {
      stage,
      logRetention,
      environment: { ...common, [ENV.jobFunctionArns]: stack.toJsonString(jobFunctionArns) },
      tables,
      jobFunctionArns: Object.values(jobFunctionArns),
    });
    // Each minute the sweeper also sends the alerts owed (failed sends again, reminders): the topic, the
    // records owing one (their index; a record is dropped once its job is gone), the webhooks' signing
    // secrets and outbound HTTP, as a job function has them.
    this.alerts.grantAlerts(sweeper.function.function);
    sweeper.function.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${tables.jobs.tableArn}/index/${ALERTS_DUE_INDEX}`],
      }),
    );
    sweeper.function.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:DeleteItem'], resources: [tables.jobs.tableArn] }),
    );
    for (const capability of ['secrets', 'http'] as const) {
      capabilityBindings[capability]({ stack, stage, fn: sweeper.function, tables, ...lists });
    }

    const api = new TickworkFunction(this, 'ApiFunction', {
      stage,
      functionId: 'api',
      logRetention,
      environment: {
        ...common,
        ...scheduleEnvironment,
        [ENV.schedulerRoleArn]: this.schedulerRole.roleArn,
        [ENV.schedulerDeadLetterArn]: this.schedulerDeadLetterQueue.queueArn,
        [ENV.jobFunctionArns]: stack.toJsonString(jobFunctionArns),
      },
    });
    const apiFunction = api.function;
    this.apiFunction = apiFunction;
    // The API warns when a job names a secret that does not exist yet: DescribeSecret reads metadata, never a value.
    grantStageSecrets(this.bindingContext(api, { allowedHosts: lists.allowedHosts }), [
      'secretsmanager:DescribeSecret',
    ]);
    tables.jobs.grants.actions(apiFunction, ...API_JOBS_ACTIONS);
    tables.runs.grants.actions(apiFunction, ...API_RUNS_ACTIONS);
    grantScheduleGroups(apiFunction, groups);
    // Creating or updating a schedule passes the scheduler role; the condition keeps the role from being
    // handed to any other service. (Role.grants.passRole cannot carry a condition.)
    apiFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    // Manual runs invoke the job functions asynchronously, the same way Scheduler does.
    for (const job of jobs) job.function.grantInvoke(apiFunction);
    this.jobFunctionList = jobs;
    this.acknowledgeGrantWildcards(
      api.role,
      { tables: Object.values(tables), functions: jobs },
      schedulesNagReasons(
        stack,
        groups,
        'Schedules are created at run time, one per job and named after it; the grant covers only schedules in',
      ),
    );
    this.acknowledgeGrantWildcards(this.schedulerRole, { functions: jobs });

    // ListSchedules has no resource type in the service authorization reference, so only "*" authorizes it
    // (the readSchedules grant above also lists it on the group's ARN, where it has no effect). It sits in a
    // policy of its own so that its acknowledgment covers this one statement.
    const listSchedules = new Policy(this, 'ApiListSchedulesPolicy', {
      statements: [new PolicyStatement({ actions: ['scheduler:ListSchedules'], resources: ['*'] })],
      roles: [api.role],
    });
    acknowledgeWildcardResource(
      listSchedules,
      '*',
      'scheduler:ListSchedules supports no resource-level permissions ("*" is the only resource the service ' +
        'authorization reference lists); it reveals schedule names and states, not targets or inputs, and the ' +
        'API filters by its own group when it reconciles jobs with schedules.',
    );

    ({ api: this.api, apiStage: this.apiStage } = addHttpApi(this, { stage, apiFunction, logRetention }));

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the jobs API (SigV4-signed requests)',
      value: this.apiStage.url,
    });
    new CfnOutput(this, 'ScheduleGroupNames', {
      description: 'EventBridge Scheduler groups holding the job schedules, one per job kind',
      value: kindGroups.map((group) => group.scheduleGroupName).join(','),
    });
    new CfnOutput(this, 'SchedulerDeadLetterQueueUrl', {
      description: 'Events Scheduler could not deliver to a job function',
      value: this.schedulerDeadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'AlertsTopicArn', {
      description: "SNS topic of the jobs' health changes (subscribe to be alerted)",
      value: this.alerts.topic.topicArn,
    });
    new CfnOutput(this, 'JobFailureQueueUrl', {
      description: 'Asynchronous job invocations that failed after Lambda retries',
      value: this.jobFailureQueue.queueUrl,
    });
    this.environment = {
      ...common,
      ...scheduleEnvironment,
      [ENV.schedulerRoleArn]: this.schedulerRole.roleArn,
      [ENV.schedulerDeadLetterArn]: this.schedulerDeadLetterQueue.queueArn,
      [ENV.jobFunctionArns]: stack.toJsonString(jobFunctionArns),
    };
    this.logRetention = logRetention;
    this.source = `stack ${stack.stackName}`;

    const monitored: MonitoredResources = {
      stage,
      scheduleGroups: JOB_KINDS.map((kind) => ({ kind, group: this.scheduleGroups[kind] })),
      queues: [
        { label: 'scheduler-dlq', queue: this.schedulerDeadLetterQueue },
        { label: 'job-failures', queue: this.jobFailureQueue },
      ],
      // The jobs custom resource's function is left out: it runs only during a deployment, whose failure
      // CloudFormation reports itself.
      functions: [
        { id: 'api', fn: apiFunction },
        { id: 'sweeper', fn: sweeper.function.function },
        ...jobFunctionDefinitions.map((definition) => ({
          id: definition.id,
          fn: jobFunctions[definition.id],
        })),
      ],
      kinds: jobFunctionDefinitions.map((definition) => definition.jobKind),
    };
    this.dashboard = new TickworkDashboard(this, 'Dashboard', monitored);
    this.alarms =
      checked.alarms === undefined
        ? undefined
        : new TickworkAlarmSet(this, 'Alarms', monitored, {
            ...checked.alarms,
            // The stack's alerts topic unless the app names another: alarms and health changes in one place.
            topic: checked.alarms.topic ?? this.alerts.topic,
          });
    if (props.jobsFile !== undefined) {
      for (const definition of loadJobsFileDefinitions(props.jobsFile, stage)) this.addDefinition(definition);
    }
  }

  /**
   * Lets a function of the stack publish health-change alerts (e.g. the sweeper): sns:Publish on exactly
   * the alerts topic, and the topic's ARN in its environment. Every job function has it already.
   */
  grantAlerts(fn: AlertPublisher): void {
    this.alerts.grantAlerts(fn);
  }

  /**
   * Adds a job, deployed with the stack and managed by it: the kind's fields beside the job's, typed per
   * kind and checked now with the API's rules (a bad job throws, naming it, the field and the rule).
   * What its config names (a task's function or bus, a calibration's model) is granted to its kind's
   * function, exactly that.
   *
   * @example
   * tickwork.addJob('nightly-eval', {
   *   kind: 'task', schedule: 'daily', timezone: 'Europe/Berlin', target: TaskTarget.lambda(evalFn),
   * });
   */
  addJob(name: string, props: TickworkJobProps): void {
    this.addDefinition(jobDefinition(name, props));
  }

  private addDefinition(definition: Record<string, unknown>): void {
    const name = String(definition.name);
    const label = `Tickwork job "${name}" (${this.node.path})`;
    if (this.definitions.some((existing) => existing.name === name)) {
      throw new TickworkJobError(`${label} is added twice; job names are unique in a deployment`);
    }
    checkJobDefinition(definition, label);
    this.definitions.push(definition);
    this.grantConfigResources(definition);
    this.jobsResource ??= new JobsResource(this, 'Jobs', {
      stage: this.stage,
      source: this.source,
      environment: this.environment,
      tables: this.tables,
      grantSchedules: (fn) => grantScheduleGroups(fn, this.groups()),
      scheduleGroups: [...Object.values(this.scheduleGroups), this.legacyScheduleGroup],
      schedulerRole: this.schedulerRole,
      jobFunctions: this.jobFunctionList,
      logRetention: this.logRetention,
      definitions: () => this.definitions,
      schedulesNagReasons: schedulesNagReasons(
        Stack.of(this),
        this.groups(),
        "Each job's schedule is named after it; the grant covers only schedules in",
      ),
      grantSecrets: (fn) => grantStageSecrets(this.bindingContext(fn, {}), ['secretsmanager:DescribeSecret']),
    });
  }

  private groups(): TickworkScheduleGroups {
    return { byKind: this.scheduleGroups, legacy: this.legacyScheduleGroup };
  }

  /** Grants the job's kind function what the job's config names (KindDefinition.resourcesOf). */
  private grantConfigResources(definition: Record<string, unknown>): void {
    const kind = kindDefinition(definition.kind);
    const job = this.jobFunctionConstructs[kind.id as JobKind];
    const stack = Stack.of(this);
    for (const { capability, id } of kind.resourcesOf?.(definition.config) ?? []) {
      const lists: Partial<ResourceLists> = {
        taskFunctions: { taskFunctionArns: [id] },
        modelFunctions: { modelFunctionArns: [id] },
        bedrock: { bedrockModelIds: [id] },
        eventBuses: {
          eventBusArns: [
            id.startsWith('arn:') || Token.isUnresolved(id)
              ? id
              : stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: id }),
          ],
        },
      }[capability];
      capabilityBindings[capability](this.bindingContext(job, lists));
    }
  }

  private bindingContext(fn: TickworkFunction, lists: Partial<ResourceLists>): BindingContext {
    return { stack: Stack.of(this), stage: this.stage, fn, tables: this.tables, ...NO_RESOURCES, ...lists };
  }

  private deadLetterQueue(id: string, queueName: string, purpose: string): Queue {
    const queue = new Queue(this, id, {
      queueName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS allows: time to inspect and redrive failures after a weekend or a holiday.
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself a dead-letter queue: ${purpose}. Nothing consumes it automatically, so it needs no dead-letter queue of its own.`,
    });
    return queue;
  }

  /**
   * Accepts the wildcards that grants produce by design on a grantee's role: the tables' index ARNs
   * (`<table>/index/*`), the job functions' qualifiers (`<function>:*`), and the given extra resources.
   */
  private acknowledgeGrantWildcards(
    role: IConstruct,
    grants: { readonly tables?: readonly ITableV2[]; readonly functions?: readonly TickworkFunction[] },
    extra: Readonly<Record<string, string>> = {},
  ): void {
    for (const table of grants.tables ?? []) {
      acknowledgeWildcardResource(
        role,
        `${nagArn(Stack.of(this), table, table.tableArn)}/index/*`,
        `The data grant on table ${table.node.id} includes its global secondary indexes (listing jobs, run ` +
          'history, runs by status); the wildcard matches only index names of that one table.',
      );
    }
    for (const { node, function: fn } of grants.functions ?? []) {
      acknowledgeWildcardResource(
        role,
        `${nagArn(Stack.of(this), fn, fn.functionArn)}:*`,
        `The invoke grant on ${node.id} also covers the qualified ARNs (versions and aliases) of that one ` +
          'function, nothing else.',
      );
    }
    for (const [resource, reason] of Object.entries(extra))
      acknowledgeWildcardResource(role, resource, reason);
  }
}
