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
import { createLogger, type Logger } from '../../shared/logger.ts';
import { kindScheduleGroups } from '../../shared/schedule-groups.ts';
import { secrets } from './capabilities/secrets.ts';

export interface JobServiceRoot {
  readonly config: ApiConfig;
  readonly log: Logger;
  readonly documentClient: DynamoDBDocumentClient;
  readonly deps: JobServiceDeps;
}

export function createJobServiceRoot(env: Env): JobServiceRoot {
  const config = loadApiConfig(env);
  const clock = systemClock;
  const log = createLogger({ level: config.logLevel, format: config.logFormat, now: () => clock.now() });
  const documentClient = createDocumentClient();
  // One attempt per SDK call: the Scheduler adapter retries throttling itself, with backoff on the clock.
  const schedulerClient = new SchedulerClient({ maxAttempts: 1 });
  const lambdaClient = new LambdaClient({});
  const deps: JobServiceDeps = {
    jobs: new DynamoJobStore(documentClient, config.jobsTable, clock),
    runs: new DynamoRunLedger(documentClient, config.runsTable, clock),
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
  return { config, log, documentClient, deps };
}
