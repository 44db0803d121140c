/**
 * The job service's dependencies for a function that writes jobs (the API, the jobs custom resource):
 * configuration read once from the environment given, AWS clients created once. Called at module scope
 * by each such function's composition root.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createDocumentClient,
  DynamoJobStore,
  DynamoRunLedger,
} from '../../shared/adapters/dynamodb/index.ts';
import { createLambdaJobInvoker } from '../../shared/adapters/lambda/job-invoker.ts';
import { createSchedulerSchedulePort } from '../../shared/adapters/scheduler/schedule-port.ts';
import { systemClock } from '../../shared/clock.ts';
import { type ApiConfig, type Env, loadApiConfig } from '../../shared/config.ts';
import type { JobServiceDeps } from '../../shared/jobs/service.ts';
import type { Logger } from '../../shared/logger.ts';
import type { Metrics } from '../../shared/metrics.ts';
import { meteredRunLedger } from '../../shared/metrics-ledger.ts';
import { kindScheduleGroups } from '../../shared/schedule-groups.ts';
import { secrets } from './capabilities/secrets.ts';
import { createObservability, type Observability } from './observability.ts';

export interface JobServiceRoot {
  readonly config: ApiConfig;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Wraps the function's handler: the invocation's context for the logger, the metrics flushed after it. */
  readonly instrument: Observability['instrument'];
  readonly documentClient: DynamoDBDocumentClient;
  readonly deps: JobServiceDeps;
}

export function createJobServiceRoot(env: Env): JobServiceRoot {
  const config = loadApiConfig(env);
  const clock = systemClock;
  const { log, metrics, instrument } = createObservability(config, clock);
  const documentClient = createDocumentClient();
  const jobs = new DynamoJobStore(documentClient, config.jobsTable, clock);
  // One attempt per SDK call: the Scheduler adapter retries throttling itself, with backoff on the clock.
  const schedulerClient = new SchedulerClient({ maxAttempts: 1 });
  const lambdaClient = new LambdaClient({});
  const deps: JobServiceDeps = {
    jobs,
    // Runs this function ends (a cancel before the start, a reader settling a dead attempt) are counted
    // too; their kind costs a read of the job, on those rare writes only.
    runs: meteredRunLedger(
      new DynamoRunLedger(documentClient, config.runsTable, clock),
      metrics,
      async (job) => (await jobs.get(job))?.kind,
      log,
    ),
    schedules: createSchedulerSchedulePort({
      client: schedulerClient,
      groups: kindScheduleGroups(config.scheduleGroupPrefix),
      legacyGroup: config.legacyScheduleGroup,
      clock,
    }),
    invoker: createLambdaJobInvoker({ client: lambdaClient, functionArns: config.jobFunctionArns }),
    clock,
    deployment: {
      targetArns: config.jobFunctionArns,
      roleArn: config.schedulerRoleArn,
      deadLetterArn: config.schedulerDeadLetterArn,
    },
    mode: config.mode,
    runRetentionDays: config.runRetentionDays,
    retryPolicy: config.retryPolicy,
    // Existence checks only (DescribeSecret): a job writer never reads a secret's value.
    secrets: secrets({ env, config, clock }),
    log,
  };
  return { config, log, metrics, instrument, documentClient, deps };
}
