/**
 * The stateless half of a deployment: the functions, the HTTP API, the schedule group, the role
 * Scheduler assumes, and the queues that catch what could not be delivered. Everything here can be
 * destroyed and recreated; the data lives in the stateful stack.
 */
import {
  Arn,
  ArnFormat,
  Aws,
  CfnOutput,
  CrossStackReferences,
  Duration,
  ReferenceStrength,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { apiRoutes } from '../shared/api/routes.ts';
import {
  ASYNC_RETRY_DELAYS_SECONDS,
  DEFAULT_RUN_RETENTION_DAYS,
  ENV,
  type RuntimeMode,
  scheduleGroupName,
} from '../shared/config.ts';
import { functionName, jobFunctionDefinitions } from '../shared/functions.ts';
import { type JobKind, kindDefinition } from '../shared/kinds/registry.ts';
import type { TableId } from '../shared/tables.ts';
import { capabilityBindings, grantStageSecrets } from './capabilities.ts';
import { MAX_RUN_RETENTION_DAYS } from './context.ts';
import { acknowledgeWildcardResource, nagArn } from './nag.ts';
import { pascalCase } from './naming.ts';
import { TickworkFunction } from './tickwork-function.ts';

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

export interface ServiceStackProps extends StackProps {
  /** Deployment stage; part of every resource name. Validated by the app (see `infra/context.ts`). */
  readonly stage: string;
  /** The tables of the stateful stack, by table id. */
  readonly tables: Readonly<Record<TableId, ITableV2>>;
  /**
   * Hosts a prompt webhook may reach even if the outbound guard would refuse them (lower-case host names).
   * @default - none
   */
  readonly webhookAllowedHosts?: readonly string[];
  /**
   * Log groups the job functions' Logs Insights queries may read (names; a trailing `*` names a prefix).
   * @default - none: a `logs` capability is granted nothing
   */
  readonly queryLogGroups?: readonly string[];
  /**
   * Amazon Bedrock foundation-model ids (e.g. `anthropic.claude-3-haiku-20240307-v1:0`) the job functions
   * may invoke, in the stack's Region; each gets `bedrock:InvokeModel` on exactly its ARN.
   * @default - none: no Bedrock permission at all
   */
  readonly bedrockModelIds?: readonly string[];
  /**
   * ARNs of users' model functions (Lambda) that calibration jobs may invoke synchronously; each gets
   * `lambda:InvokeFunction` on exactly that ARN.
   * @default - none: no invoke permission at all
   */
  readonly modelFunctionArns?: readonly string[];
  /**
   * ARNs of users' functions (Lambda) that task jobs may invoke synchronously; each gets
   * `lambda:InvokeFunction` on exactly that ARN.
   * @default - none: no invoke permission at all
   */
  readonly taskFunctionArns?: readonly string[];
  /**
   * Event buses task jobs may put events on (names in the stack's account and Region, or ARNs); each gets
   * `events:PutEvents` on exactly that bus.
   * @default - none: no EventBridge permission at all
   */
  readonly eventBusNames?: readonly string[];
  /**
   * Days finished runs (and executed one-time jobs) stay queryable before their TTL expires.
   * @default DEFAULT_RUN_RETENTION_DAYS (shared/config.ts)
   */
  readonly runRetentionDays?: number;
  /**
   * How long function logs and API access logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

export class ServiceStack extends Stack {
  readonly api: HttpApi;
  /** The API's `$default` stage; its URL is the API's base URL. */
  readonly apiStage: HttpStage;
  readonly apiFunction: IFunction;
  readonly jobFunctions: Readonly<Record<JobFunctionId, IFunction>>;
  /** Holds every job's schedule; the API may manage schedules in this group only. */
  readonly scheduleGroup: ScheduleGroup;
  /** The role Scheduler assumes to invoke the job functions. */
  readonly schedulerRole: Role;
  /** Events Scheduler could not deliver to a job function. */
  readonly schedulerDeadLetterQueue: Queue;
  /** Asynchronous invocations a job function failed after Lambda's retries. */
  readonly jobFailureQueue: Queue;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    // Strong (exports and imports): CloudFormation then refuses to remove or replace a table while this stack
    // still uses it. Stated explicitly: the library warns when the strength is left to its default.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { stage, tables } = props;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const runRetentionDays = props.runRetentionDays ?? DEFAULT_RUN_RETENTION_DAYS;
    if (
      !Number.isInteger(runRetentionDays) ||
      runRetentionDays < 1 ||
      runRetentionDays > MAX_RUN_RETENTION_DAYS
    ) {
      throw new Error(
        `runRetentionDays must be a whole number from 1 to ${MAX_RUN_RETENTION_DAYS}, got ${runRetentionDays}`,
      );
    }

    this.schedulerDeadLetterQueue = this.deadLetterQueue(
      'SchedulerDeadLetterQueue',
      `tickwork-${stage}-scheduler-dlq`,
      'it is the dead-letter queue of the schedules (Target.DeadLetterConfig) that the API creates at run time',
    );
    this.jobFailureQueue = this.deadLetterQueue(
      'JobFailureQueue',
      `tickwork-${stage}-job-failures`,
      "it is the job functions' on-failure destination for asynchronous invocations",
    );

    this.scheduleGroup = new ScheduleGroup(this, 'ScheduleGroup', {
      scheduleGroupName: scheduleGroupName(stage),
    });

    this.schedulerRole = new Role(this, 'SchedulerRole', {
      // Only schedules of this account may assume the role (confused-deputy protection).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
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
        this.formatArn({
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
        environment: { ...common, [ENV.jobFunctionArns]: this.toJsonString(jobFunctionArns) },
        // Scheduler and manual runs invoke asynchronously; a run that still fails after Lambda's retries
        // lands here with its event, next to the run's failed record in the runs table.
        onFailure: this.jobFailureQueue,
      });
      for (const capability of kindDefinition(definition.jobKind).capabilities) {
        capabilityBindings[capability]({
          stack: this,
          stage,
          fn: job,
          allowedHosts: props.webhookAllowedHosts ?? [],
          queryLogGroups: props.queryLogGroups ?? [],
          tables,
          bedrockModelIds: props.bedrockModelIds ?? [],
          modelFunctionArns: props.modelFunctionArns ?? [],
          taskFunctionArns: props.taskFunctionArns ?? [],
          eventBusNames: props.eventBusNames ?? [],
        });
      }
      const fn = job.function;
      jobFunctions[definition.id] = fn;
      jobs.push(job);
      fn.grantInvoke(this.schedulerRole);
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
      const expansionFunctions = props.taskFunctionArns ?? [];
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

    const api = new TickworkFunction(this, 'ApiFunction', {
      stage,
      functionId: 'api',
      logRetention,
      environment: {
        ...common,
        [ENV.scheduleGroup]: this.scheduleGroup.scheduleGroupName,
        [ENV.schedulerRoleArn]: this.schedulerRole.roleArn,
        [ENV.schedulerDeadLetterArn]: this.schedulerDeadLetterQueue.queueArn,
        [ENV.jobFunctionArns]: this.toJsonString(jobFunctionArns),
      },
    });
    const apiFunction = api.function;
    this.apiFunction = apiFunction;
    // The API warns when a job names a secret that does not exist yet: DescribeSecret reads metadata, never a value.
    grantStageSecrets(
      {
        stack: this,
        stage,
        fn: api,
        allowedHosts: props.webhookAllowedHosts ?? [],
        queryLogGroups: [],
        tables,
        bedrockModelIds: [],
        modelFunctionArns: [],
        taskFunctionArns: [],
        eventBusNames: [],
      },
      ['secretsmanager:DescribeSecret'],
    );
    tables.jobs.grants.actions(apiFunction, ...API_JOBS_ACTIONS);
    tables.runs.grants.actions(apiFunction, ...API_RUNS_ACTIONS);
    this.scheduleGroup.grants.readSchedules(apiFunction);
    this.scheduleGroup.grants.writeSchedules(apiFunction);
    this.scheduleGroup.grants.deleteSchedules(apiFunction);
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
    this.acknowledgeGrantWildcards(
      api.role,
      { tables: Object.values(tables), functions: jobs },
      {
        [nagArn(this, this.scheduleGroup, this.schedulesArn('*'))]:
          'Schedules are created at run time, one per job and named after it; the grant covers only schedules ' +
          `in this deployment's group (${scheduleGroupName(stage)}).`,
      },
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

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      logGroupName: `/aws/apigateway/tickwork-${stage}-api`,
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new HttpApi(this, 'Api', {
      apiName: `tickwork-${stage}-api`,
      description: `Tickwork ${stage} jobs API (IAM-authorized)`,
      // Created below with access logging, which the implicit default stage cannot have.
      createDefaultStage: false,
    });
    this.apiStage = new HttpStage(this, 'ApiDefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            sourceIp: '$context.identity.sourceIp',
            caller: '$context.identity.userArn',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    // One function serves every route, so a per-route invoke permission (16 statements) adds nothing over one
    // permission for this API.
    const integration = new HttpLambdaIntegration('ApiIntegration', apiFunction, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      scopePermissionToRoute: false,
    });
    const authorizer = new HttpIamAuthorizer();
    for (const route of apiRoutes) {
      this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration, authorizer });
    }

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the jobs API (SigV4-signed requests)',
      value: this.apiStage.url,
    });
    new CfnOutput(this, 'ScheduleGroupName', {
      description: 'EventBridge Scheduler group holding the job schedules',
      value: this.scheduleGroup.scheduleGroupName,
    });
    new CfnOutput(this, 'SchedulerDeadLetterQueueUrl', {
      description: 'Events Scheduler could not deliver to a job function',
      value: this.schedulerDeadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'JobFailureQueueUrl', {
      description: 'Asynchronous job invocations that failed after Lambda retries',
      value: this.jobFailureQueue.queueUrl,
    });
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

  /** ARN of schedules in the group, written exactly as the group's grants write it. */
  private schedulesArn(scheduleName: string): string {
    const group = this.scheduleGroup;
    return Arn.format({
      partition: Aws.PARTITION,
      region: group.env.region,
      account: group.env.account,
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${group.scheduleGroupRef.scheduleGroupName}/${scheduleName}`,
    });
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
        `${nagArn(this, table, table.tableArn)}/index/*`,
        `The data grant on table ${table.node.id} includes its global secondary indexes (listing jobs, run ` +
          'history, runs by status); the wildcard matches only index names of that one table.',
      );
    }
    for (const { node, function: fn } of grants.functions ?? []) {
      acknowledgeWildcardResource(
        role,
        `${nagArn(this, fn, fn.functionArn)}:*`,
        `The invoke grant on ${node.id} also covers the qualified ARNs (versions and aliases) of that one ` +
          'function, nothing else.',
      );
    }
    for (const [resource, reason] of Object.entries(extra))
      acknowledgeWildcardResource(role, resource, reason);
  }
}
