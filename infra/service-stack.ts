/**
 * The stateless half of the project's deployment: the Tickwork construct (cdk/tickwork.ts) with the
 * settings the app reads from context, which names functions, buses and log groups by ARN or name; they
 * are imported here as the constructs the construct takes. The construct sits at the stack's root under
 * the id `Default`, which CDK leaves out of logical ids, so every resource keeps the logical id it had
 * when this stack built them itself: a deployed stack updates in place.
 */
import { CrossStackReferences, Duration, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { TickworkTables } from '../cdk/tables.ts';
import { Tickwork } from '../cdk/tickwork.ts';

export {
  API_JOBS_ACTIONS,
  API_RUNS_ACTIONS,
  JOB_FUNCTION_JOBS_ACTIONS,
  JOB_FUNCTION_RUNS_ACTIONS,
  type JobFunctionId,
} from '../cdk/tickwork.ts';

export interface ServiceStackProps extends StackProps {
  /** Deployment stage; part of every resource name. Validated by the app (see `infra/context.ts`). */
  readonly stage: string;
  /** The tables of the stateful stack, by table id. */
  readonly tables: TickworkTables;
  /** @default - none */
  readonly webhookAllowedHosts?: readonly string[];
  /** Log group names (a trailing `*` names a prefix). @default - none */
  readonly queryLogGroups?: readonly string[];
  /** @default - none */
  readonly bedrockModelIds?: readonly string[];
  /** @default - none */
  readonly modelFunctionArns?: readonly string[];
  /** @default - none */
  readonly taskFunctionArns?: readonly string[];
  /** Names in the stack's account and Region, or ARNs. @default - none */
  readonly eventBusNames?: readonly string[];
  /** @default DEFAULT_RUN_RETENTION_DAYS (shared/config.ts) */
  readonly runRetentionDays?: number;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** A jobs file whose jobs the stack deploys. @default - none */
  readonly jobsFile?: string;
}

export class ServiceStack extends Stack {
  readonly tickwork: Tickwork;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    // Strong (exports and imports): CloudFormation then refuses to remove or replace a table while this stack
    // still uses it. Stated explicitly: the library warns when the strength is left to its default.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const imported = (list: readonly string[] | undefined) =>
      (list ?? []).map((entry, index) => ({ entry, index }));
    this.tickwork = new Tickwork(this, 'Default', {
      stage: props.stage,
      tables: props.tables,
      webhookAllowedHosts: props.webhookAllowedHosts,
      allowedModelIds: props.bedrockModelIds,
      modelFunctions: imported(props.modelFunctionArns).map(({ entry, index }) =>
        LambdaFunction.fromFunctionArn(this, `ModelFunction${index}`, entry),
      ),
      taskFunctions: imported(props.taskFunctionArns).map(({ entry, index }) =>
        LambdaFunction.fromFunctionArn(this, `TaskFunction${index}`, entry),
      ),
      eventBuses: imported(props.eventBusNames).map(({ entry, index }) =>
        entry.startsWith('arn:')
          ? EventBus.fromEventBusArn(this, `EventBus${index}`, entry)
          : EventBus.fromEventBusName(this, `EventBus${index}`, entry),
      ),
      queryLogGroups: imported(props.queryLogGroups).map(({ entry, index }) =>
        LogGroup.fromLogGroupName(this, `QueryLogGroup${index}`, entry),
      ),
      runRetention: props.runRetentionDays === undefined ? undefined : Duration.days(props.runRetentionDays),
      logRetention: props.logRetention,
      jobsFile: props.jobsFile,
    });
  }

  get api() {
    return this.tickwork.api;
  }
  get apiStage() {
    return this.tickwork.apiStage;
  }
  get apiFunction() {
    return this.tickwork.apiFunction;
  }
  get jobFunctions() {
    return this.tickwork.jobFunctions;
  }
  get scheduleGroups() {
    return this.tickwork.scheduleGroups;
  }
  get legacyScheduleGroup() {
    return this.tickwork.legacyScheduleGroup;
  }
  get schedulerRole() {
    return this.tickwork.schedulerRole;
  }
  get schedulerDeadLetterQueue() {
    return this.tickwork.schedulerDeadLetterQueue;
  }
  get jobFailureQueue() {
    return this.tickwork.jobFailureQueue;
  }
}
