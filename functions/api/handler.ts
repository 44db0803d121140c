/**
 * Composition root of the API function: configuration read once, AWS clients created once, the
 * service's dependencies wired once at cold start; the exported handler is the middy chain.
 * The local runtime loads this same module with local endpoints in the environment.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { DynamoCheckpointStore } from '../../shared/adapters/dynamodb/checkpoints.ts';
import {
  createDocumentClient,
  DynamoJobStore,
  DynamoRunLedger,
} from '../../shared/adapters/dynamodb/index.ts';
import { createLambdaJobInvoker } from '../../shared/adapters/lambda/job-invoker.ts';
import { createSchedulerSchedulePort } from '../../shared/adapters/scheduler/schedule-port.ts';
import { systemClock } from '../../shared/clock.ts';
import { loadApiConfig } from '../../shared/config.ts';
import { createLogger } from '../../shared/logger.ts';
import { secrets } from '../commons/capabilities/secrets.ts';
import { createApiHandler } from './app.ts';
import type { ApiDeps } from './routes.ts';

const env = { ...process.env };
const config = loadApiConfig(env);
const clock = systemClock;
const log = createLogger({ level: config.logLevel, format: config.logFormat, now: () => clock.now() });
const documentClient = createDocumentClient();
// One attempt per SDK call: the Scheduler adapter retries throttling itself, with backoff on the clock.
const schedulerClient = new SchedulerClient({ maxAttempts: 1 });
const lambdaClient = new LambdaClient({});

const deps: ApiDeps = {
  jobs: new DynamoJobStore(documentClient, config.jobsTable, clock),
  runs: new DynamoRunLedger(documentClient, config.runsTable, clock),
  checkpoints: new DynamoCheckpointStore(documentClient, config.jobsTable),
  schedules: createSchedulerSchedulePort({ client: schedulerClient, groupName: config.scheduleGroup, clock }),
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
  // Existence checks only (DescribeSecret): the API never reads a secret's value.
  secrets: secrets({ env, config, clock }),
  log,
};

export const handler = createApiHandler(deps, { log });
