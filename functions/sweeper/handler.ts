/**
 * The sweeper function: invoked every minute (an EventBridge Scheduler schedule of the stack in AWS, the
 * local runtime's timer locally), it runs one sweep (shared/health/sweep.ts). Composition root: config
 * read once, clients created once, at cold start.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { DynamoHealthStore } from '../../shared/adapters/dynamodb/health-store.ts';
import { DynamoJobStore } from '../../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../../shared/adapters/dynamodb/run-ledger.ts';
import { createLambdaJobInvoker } from '../../shared/adapters/lambda/job-invoker.ts';
import { systemClock } from '../../shared/clock.ts';
import { type Env, loadJobFunctionConfig } from '../../shared/config.ts';
import { sweeperFunction } from '../../shared/functions.ts';
import { LoggedHealthAlerts } from '../../shared/health/log-alerts.ts';
import { type SweepDeps, type SweepReport, sweep } from '../../shared/health/sweep.ts';
import { createLogger } from '../../shared/logger.ts';

const env: Env = { ...process.env };
const clock = systemClock;
const config = loadJobFunctionConfig(env, sweeperFunction);
const log = createLogger({ level: config.logLevel, format: config.logFormat, now: () => clock.now() }).child({
  function: 'sweeper',
});
const doc = createDocumentClient();
const runs = new DynamoRunLedger(doc, config.runsTable, clock);
const deps: SweepDeps = {
  jobs: new DynamoJobStore(doc, config.jobsTable, clock),
  runs,
  // Until the alert channels are composed in, each health change is logged (warn for trouble).
  health: {
    store: new DynamoHealthStore(doc, config.jobsTable),
    alerts: new LoggedHealthAlerts(log),
    clock,
    log,
  },
  pending: {
    runs,
    invoker: createLambdaJobInvoker({ client: new LambdaClient({}), functionArns: config.jobFunctionArns }),
    clock,
    retentionDays: config.runRetentionDays,
  },
  clock,
  log,
  retentionDays: config.runRetentionDays,
};

/** The schedule's event carries nothing the sweep needs: it reads the index as of now. */
export const handler = async (): Promise<SweepReport> => sweep(deps);
