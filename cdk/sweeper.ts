/**
 * The sweeper in AWS: its function (shared/health/sweep.ts through functions/sweeper/handler.ts) and the
 * EventBridge Scheduler schedule that invokes it every minute, with least-privilege grants: a Query of
 * exactly the due index and the job list (walked once, by the fill of the due index), reads and writes of
 * single items (the run states it moves, the missed runs it claims, the fill's record), and an
 * asynchronous Invoke of exactly the job functions (catch-up runs).
 *
 * The schedule lives in the account's default group, not the deployment's job group: reconcile reads
 * every schedule of that group as a job's, and the sweeper is none.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import { acknowledgeWildcardResource, nagArn } from '../infra/nag.ts';
import { TickworkFunction } from '../infra/tickwork-function.ts';
import type { IndexName } from '../shared/tables.ts';

/** The due index the sweeper Queries (shared/tables.ts). */
export const DUE_INDEX: IndexName<'jobs'> = 'jobs-by-due';
/** The job list, which the one-time fill of the due index walks (shared/health/fill.ts). */
export const JOB_LIST_INDEX: IndexName<'jobs'> = 'jobs-by-name';
/** PutItem: the fill's record, and a run state for a job an earlier version stored without one. */
export const SWEEPER_JOBS_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;
export const SWEEPER_RUNS_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;

export interface SweeperProps {
  readonly stage: string;
  readonly logRetention: RetentionDays;
  /** The functions' common environment plus the job function ARNs. */
  readonly environment: Readonly<Record<string, string>>;
  readonly tables: { readonly jobs: ITableV2; readonly runs: ITableV2 };
  /** The job functions a catch-up invokes. */
  readonly jobFunctionArns: readonly string[];
}

export interface Sweeper {
  readonly function: TickworkFunction;
  readonly schedule: Schedule;
  /** The role the schedule assumes: it may invoke the sweeper function, nothing else. */
  readonly scheduleRole: Role;
}

export function addSweeper(scope: Construct, props: SweeperProps): Sweeper {
  const sweeper = new TickworkFunction(scope, 'SweeperFunction', {
    stage: props.stage,
    functionId: 'sweeper',
    logRetention: props.logRetention,
    environment: { ...props.environment },
  });
  const role = sweeper.role;
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [DUE_INDEX, JOB_LIST_INDEX].map((index) => `${props.tables.jobs.tableArn}/index/${index}`),
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...SWEEPER_JOBS_ACTIONS], resources: [props.tables.jobs.tableArn] }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...SWEEPER_RUNS_ACTIONS], resources: [props.tables.runs.tableArn] }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [...props.jobFunctionArns] }),
  );
  const stack = Stack.of(scope);
  // A role of its own (not the job functions' scheduler role, nor the target's shared default role): it
  // invokes the sweeper and nothing else.
  const scheduleRole = new Role(scope, 'SweeperScheduleRole', {
    // Only schedules of this account may assume the role (confused-deputy protection).
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: `Assumed by EventBridge Scheduler to invoke the Tickwork ${props.stage} sweeper every minute`,
  });
  const schedule = new Schedule(scope, 'SweeperSchedule', {
    description: `Tickwork ${props.stage}: the sweeper, every minute (late jobs, missed slots, catch-up)`,
    schedule: ScheduleExpression.rate(Duration.minutes(1)),
    // A sweep not delivered within the minute is replaced by the next one: no retries, no dead letters.
    target: new LambdaInvoke(sweeper.function, {
      role: scheduleRole,
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
    }),
  });
  acknowledgeWildcardResource(
    scheduleRole,
    `${nagArn(stack, sweeper, sweeper.function.functionArn)}:*`,
    'The invoke grant on the sweeper function also covers its qualified ARNs (versions and aliases), nothing else.',
  );
  return { function: sweeper, schedule, scheduleRole };
}
