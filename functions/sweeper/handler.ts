/**
 * The sweeper function: invoked every minute (an EventBridge Scheduler schedule of the stack in AWS, the
 * local runtime's timer locally), it runs one sweeper tick (shared/health/tick.ts): a sweep of the due
 * index, the alerts owed, the late jobs as a metric. Composition root: config read once, clients
 * created once, at cold start.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { DynamoHealthStore } from '../../shared/adapters/dynamodb/health-store.ts';
import { DynamoJobStore } from '../../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../../shared/adapters/dynamodb/run-ledger.ts';
import { createLambdaJobInvoker } from '../../shared/adapters/lambda/job-invoker.ts';
import { Alerts } from '../../shared/alerts/alerts.ts';
import { systemClock } from '../../shared/clock.ts';
import { type Env, loadJobFunctionConfig } from '../../shared/config.ts';
import { sweeperFunction } from '../../shared/functions.ts';
import { LoggedHealthAlerts } from '../../shared/health/log-alerts.ts';
import type { SweepDeps } from '../../shared/health/sweep.ts';
import { type SweeperTickReport, sweeperTick } from '../../shared/health/tick.ts';
import { meteredRunLedger } from '../../shared/metrics-ledger.ts';
import { createAlertsDeps } from '../commons/alerts.ts';
import { createObservability } from '../commons/observability.ts';

const env: Env = { ...process.env };
const clock = systemClock;
const config = loadJobFunctionConfig(env, sweeperFunction);
const observability = createObservability(config, clock);
const { metrics, instrument } = observability;
const log = observability.log.child({ function: 'sweeper' });
const doc = createDocumentClient();
const jobs = new DynamoJobStore(doc, config.jobsTable, clock);
// The missed runs it records are counted by their job's kind (read on those writes only).
const runs = meteredRunLedger(
  new DynamoRunLedger(doc, config.runsTable, clock),
  metrics,
  async (job) => (await jobs.get(job))?.kind,
  log,
);
const alertsDeps = createAlertsDeps({ env, config, clock, doc, log });
const sweepDeps: SweepDeps = {
  jobs,
  runs,
  health: {
    store: new DynamoHealthStore(doc, config.jobsTable),
    alerts: new LoggedHealthAlerts(log, new Alerts(alertsDeps)),
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
export const handler = instrument(
  async (): Promise<SweeperTickReport> => sweeperTick({ sweep: sweepDeps, alerts: alertsDeps, metrics, log }),
);
