/**
 * The jobs custom resource: a Tickwork's jobs as code (typed jobs, a jobs file) applied at deploy by the
 * same use cases as the API, through the Provider framework and the `jobs-resource` function
 * (functions/jobs-resource/). One resource per Tickwork holds every job in its properties:
 * - CloudFormation sends its events to the framework asynchronously (256 KB of event), and an Update
 *   carries the old properties as well as the new, so a Tickwork's jobs may take up to
 *   MAX_JOBS_PROPERTY_BYTES of JSON; synth fails beyond that, naming the limit.
 * - One resource makes the whole set one unit: an Update sees which jobs the new set drops (a rename is a
 *   drop and an add) and chained jobs are written in order in one place; a failed Update is rolled back
 *   by CloudFormation with the old set, on the same idempotent path. One resource per job would spend a
 *   stack resource (500 per stack) and two invocations per job, and leave chain order to dependencies.
 */
import { CustomResource, Lazy, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource, nagArn } from '../infra/nag.ts';
import { TickworkFunction } from '../infra/tickwork-function.ts';
import { functionName } from '../shared/functions.ts';

/** Half of the 256 KB an asynchronous event may carry, less room for the rest of CloudFormation's event. */
export const MAX_JOBS_PROPERTY_BYTES = 120 * 1024;

/** What the job service reads and writes (shared/adapters/dynamodb), on the jobs table and its indexes. */
export const JOBS_RESOURCE_JOBS_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
] as const;
/** A job written with `runImmediately` starts a manual run: claimed and moved in the runs table. */
export const JOBS_RESOURCE_RUNS_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
] as const;

export interface JobsResourceProps {
  readonly stage: string;
  /** Where the jobs are defined, e.g. `stack Tickwork-dev-Service`: they are managed by it. */
  readonly source: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly tables: Readonly<Record<'jobs' | 'runs', ITableV2>>;
  /** Every schedule group it writes in (each kind's, and the legacy one): the resource's delete needs them. */
  readonly scheduleGroups: readonly ScheduleGroup[];
  /** Grants the handler the schedule groups (the same grants as the API's). */
  readonly grantSchedules: (fn: IFunction) => void;
  readonly schedulerRole: Role;
  /** The job functions: a job written with `runImmediately` invokes its kind's. */
  readonly jobFunctions: readonly TickworkFunction[];
  readonly logRetention: RetentionDays;
  /** The job definitions (API bodies), read at synth. */
  readonly definitions: () => readonly Record<string, unknown>[];
  /** The groups' schedules (`.../schedule/<group>/*`) as cdk-nag prints the grants' wildcards, with why. */
  readonly schedulesNagReasons: Readonly<Record<string, string>>;
  /** Grants the handler DescribeSecret on the stage's secrets (warnings about secrets that do not exist). */
  readonly grantSecrets: (fn: TickworkFunction) => void;
}

export class JobsResource extends Construct {
  readonly handler: TickworkFunction;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: JobsResourceProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { stage, tables, scheduleGroups, schedulerRole } = props;

    const handler = new TickworkFunction(this, 'HandlerFunction', {
      stage,
      functionId: 'jobs-resource',
      logRetention: props.logRetention,
      environment: props.environment,
    });
    this.handler = handler;
    const fn = handler.function;
    tables.jobs.grants.actions(fn, ...JOBS_RESOURCE_JOBS_ACTIONS);
    tables.runs.grants.actions(fn, ...JOBS_RESOURCE_RUNS_ACTIONS);
    props.grantSchedules(fn);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    for (const job of props.jobFunctions) job.function.grantInvoke(fn);
    props.grantSecrets(handler);
    for (const table of Object.values(tables)) {
      acknowledgeWildcardResource(
        handler.role,
        `${nagArn(stack, table, table.tableArn)}/index/*`,
        `The data grant on table ${table.node.id} includes its indexes (a delete finds the jobs chaining to it ` +
          'through the jobs-by-name index); the wildcard matches only index names of that one table.',
      );
    }
    for (const { node, function: jobFunction } of props.jobFunctions) {
      acknowledgeWildcardResource(
        handler.role,
        `${nagArn(stack, jobFunction, jobFunction.functionArn)}:*`,
        `The invoke grant on ${node.id} (a job written with runImmediately starts a run) also covers that one ` +
          "function's versions and aliases, nothing else.",
      );
    }
    for (const [resource, reason] of Object.entries(props.schedulesNagReasons)) {
      acknowledgeWildcardResource(handler.role, resource, reason);
    }

    // The framework's own function gets a role and log group of ours: no managed policy (the basic execution
    // role may write to every log group of the account), logs kept as long as the others.
    const frameworkLogs = new LogGroup(this, 'ProviderLogs', { retention: props.logRetention });
    const frameworkRole = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the Provider framework of the Tickwork ${stage} jobs custom resource`,
    });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new Provider(this, 'Provider', {
      onEventHandler: fn,
      frameworkOnEventRole: frameworkRole,
      logGroup: frameworkLogs,
      providerFunctionName: functionName(stage, 'jobs-resource').replace(/-resource$/, '-provider'),
    });
    acknowledgeWildcardResource(
      frameworkRole,
      `${nagArn(stack, fn, fn.functionArn)}:*`,
      "The Provider framework invokes the jobs handler; the grant covers that one function's versions and aliases.",
    );
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "The Provider framework's function is aws-cdk-lib's, with the runtime the library pins; it only relays " +
        "CloudFormation's events to the jobs handler, which runs on the latest Node.js runtime.",
    });

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::TickworkJobs',
      properties: {
        Source: props.source,
        // One string: CloudFormation hands a custom resource every scalar property as a string.
        Jobs: Lazy.string({ produce: () => stack.toJsonString(props.definitions()) }),
      },
    });
    // Deleting the jobs needs the handler's permissions, the groups and the role: all still there then.
    this.resource.node.addDependency(handler, ...scheduleGroups, schedulerRole, ...props.jobFunctions);
    this.node.addValidation({
      validate: () => {
        const bytes = Buffer.byteLength(JSON.stringify(props.definitions()));
        return bytes <= MAX_JOBS_PROPERTY_BYTES
          ? []
          : [
              `the jobs of this Tickwork take ${bytes} bytes of JSON, more than the ${MAX_JOBS_PROPERTY_BYTES} ` +
                "a custom resource's event can carry with its previous version; split them over several Tickwork deployments",
            ];
      },
    });
  }
}
