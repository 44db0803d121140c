/**
 * The sweeper function: invoked every minute (an EventBridge Scheduler schedule of the stack in AWS, the
 * local runtime's timer locally), it runs one sweeper tick (shared/health/tick.ts): a sweep of the due
 * index, the alerts owed, the late jobs as a metric. Composition root: config read once, clients
 * created once, at cold start.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { systemClock } from '../../shared/clock.ts';
import { type Env, loadJobFunctionConfig } from '../../shared/config.ts';
import { sweeperFunction } from '../../shared/health/function.ts';
import { type SweeperTickReport, sweeperTick } from '../../shared/health/tick.ts';
import { createObservability } from '../commons/observability.ts';
import { createSweeperDeps } from '../commons/sweeper.ts';

const env: Env = { ...process.env };
const clock = systemClock;
const config = loadJobFunctionConfig(env, sweeperFunction);
const { log, metrics, instrument } = createObservability(config, clock);
const deps = createSweeperDeps({
  env,
  config,
  clock,
  doc: createDocumentClient(),
  lambda: new LambdaClient({}),
  log: log.child({ function: 'sweeper' }),
  metrics,
});

/** The schedule's event carries nothing the sweep needs: it reads the index as of now. */
export const handler = instrument(async (): Promise<SweeperTickReport> => sweeperTick(deps));
