/**
 * The local stack's sweeper: what the stack's `rate(1 minute)` schedule of the sweeper function does in
 * AWS, as a timer on the runtime's clock (tests drive it with a ManualClock). It runs the same use case
 * (shared/health/tick.ts: the sweep, then the alerts owed) over the same tables, with the stack's Lambda Invoke endpoint starting
 * catch-up runs. It sweeps once at start: the index of next expected slots persists in the data
 * directory's DynamoDB, so slots missed while the stack was down are recorded and caught up then.
 *
 * Why not invoke the sweeper function through the Lambda runtime: the functions read the system clock,
 * and the sweep's "now" must be the runtime's clock, as the emulator's fires are.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createAlertsDeps } from '../functions/commons/alerts.ts';
import { createDocumentClient } from '../shared/adapters/dynamodb/client.ts';
import { DynamoHealthStore } from '../shared/adapters/dynamodb/health-store.ts';
import { DynamoJobStore } from '../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../shared/adapters/dynamodb/run-ledger.ts';
import { createLambdaJobInvoker } from '../shared/adapters/lambda/job-invoker.ts';
import { Alerts } from '../shared/alerts/alerts.ts';
import { type Env, loadJobFunctionConfig } from '../shared/config.ts';
import { sweeperFunction } from '../shared/functions.ts';
import { LoggedHealthAlerts } from '../shared/health/log-alerts.ts';
import { type SweeperTickReport, sweeperTick } from '../shared/health/tick.ts';
import type { Logger } from '../shared/logger.ts';
import { noMetrics } from '../shared/metrics.ts';
import type { CancelTimer, TimerClock } from './clock.ts';
import type { LocalCredentials } from './credentials.ts';

/** As often as the stack's schedule invokes the sweeper function in AWS. */
export const SWEEP_INTERVAL_MS = 60_000;

export interface LocalSweeperOptions {
  /** The functions' environment (tables, job function ARNs, retention). */
  readonly environment: Env;
  readonly dynamodbEndpoint: string;
  readonly lambdaEndpoint: string;
  readonly credentials: LocalCredentials;
  readonly region: string;
  readonly clock: TimerClock;
  readonly log: Logger;
}

export interface LocalSweeper {
  /** Runs one sweep now (after the one in flight, if any). */
  sweepNow(): Promise<SweeperTickReport>;
  /** Stops the timer and waits for a sweep in flight. */
  stop(): Promise<void>;
}

export function startLocalSweeper(options: LocalSweeperOptions): LocalSweeper {
  const { clock } = options;
  const log = options.log.child({ component: 'sweeper' });
  const config = loadJobFunctionConfig(options.environment, sweeperFunction);
  const doc = createDocumentClient({
    endpoint: options.dynamodbEndpoint,
    region: options.region,
    clientConfig: { credentials: { ...options.credentials } },
  });
  const lambda = new LambdaClient({
    endpoint: options.lambdaEndpoint,
    region: options.region,
    credentials: { ...options.credentials },
  });
  const runs = new DynamoRunLedger(doc, config.runsTable, clock);
  // No SNS locally (the functions' environment names no topic): alerts go to the jobs' webhooks only.
  const alertsDeps = createAlertsDeps({ env: options.environment, config, clock, doc, log });
  const deps = {
    jobs: new DynamoJobStore(doc, config.jobsTable, clock),
    runs,
    health: {
      store: new DynamoHealthStore(doc, config.jobsTable),
      alerts: new LoggedHealthAlerts(log, new Alerts(alertsDeps)),
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
  };

  let stopped = false;
  let cancel: CancelTimer | undefined;
  let inFlight: Promise<SweeperTickReport | undefined> = Promise.resolve(undefined);
  const run = (): Promise<SweeperTickReport> => {
    const next = inFlight.then(() =>
      sweeperTick({ sweep: deps, alerts: alertsDeps, metrics: noMetrics, log }),
    );
    inFlight = next.catch((error: unknown) => {
      log.error('sweep failed', { error: error instanceof Error ? error.message : String(error) });
      return undefined;
    });
    return next;
  };
  const arm = () => {
    if (stopped) return;
    cancel = clock.setTimer(SWEEP_INTERVAL_MS, () => {
      void run()
        .catch(() => undefined)
        .finally(arm);
    });
  };
  void run()
    .catch(() => undefined)
    .finally(arm);

  return {
    sweepNow: run,
    stop: async () => {
      stopped = true;
      cancel?.();
      await inFlight;
      doc.destroy();
      lambda.destroy();
    },
  };
}
