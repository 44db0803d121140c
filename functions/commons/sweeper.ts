/**
 * What a sweeper tick runs on (shared/health/tick.ts), built from the clients its composition root made:
 * the AWS function (functions/sweeper/handler.ts) and the local stack's timer (local/sweeper.ts) differ
 * only in their clients, their clock and whether the runs they record are metered.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoHealthStore } from '../../shared/adapters/dynamodb/health-store.ts';
import { DynamoJobStore } from '../../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../../shared/adapters/dynamodb/run-ledger.ts';
import { createLambdaJobInvoker } from '../../shared/adapters/lambda/job-invoker.ts';
import { Alerts } from '../../shared/alerts/alerts.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Env, JobFunctionConfig } from '../../shared/config.ts';
import { DueIndexFill } from '../../shared/health/fill.ts';
import { LoggedHealthAlerts } from '../../shared/health/log-alerts.ts';
import type { SweeperTickDeps } from '../../shared/health/tick.ts';
import type { Logger } from '../../shared/logger.ts';
import { type Metrics, noMetrics } from '../../shared/metrics.ts';
import { meteredRunLedger } from '../../shared/metrics-ledger.ts';
import { createAlertsDeps } from './alerts.ts';

export interface SweeperRootContext {
  readonly env: Env;
  readonly config: JobFunctionConfig;
  readonly clock: Clock;
  readonly doc: DynamoDBDocumentClient;
  readonly lambda: LambdaClient;
  readonly log: Logger;
  /** Meters the missed runs the sweep records (by their job's kind, read on those writes only). */
  readonly metrics?: Metrics;
}

export function createSweeperDeps(context: SweeperRootContext): SweeperTickDeps {
  const { env, config, clock, doc, lambda, log, metrics } = context;
  const jobs = new DynamoJobStore(doc, config.jobsTable, clock);
  const ledger = new DynamoRunLedger(doc, config.runsTable, clock);
  const runs =
    metrics === undefined
      ? ledger
      : meteredRunLedger(ledger, metrics, async (job) => (await jobs.get(job))?.kind, log);
  // Without a topic in the environment (the local stack) the alerts go to the jobs' webhooks only.
  const alerts = createAlertsDeps({ env, config, clock, doc, log });
  const store = new DynamoHealthStore(doc, config.jobsTable);
  return {
    fill: new DueIndexFill({ jobs, store, clock, log }),
    sweep: {
      jobs,
      runs,
      health: {
        store,
        alerts: new LoggedHealthAlerts(log, new Alerts(alerts)),
        clock,
        log,
      },
      pending: {
        runs,
        invoker: createLambdaJobInvoker({ client: lambda, functionArns: config.jobFunctionArns }),
        clock,
        retentionDays: config.runRetentionDays,
      },
      clock,
      log,
      retentionDays: config.runRetentionDays,
      retryPolicy: config.retryPolicy,
    },
    alerts,
    metrics: metrics ?? noMetrics,
    log,
  };
}
