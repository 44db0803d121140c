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
import { createSweeperDeps } from '../functions/commons/sweeper.ts';
import { createDocumentClient } from '../shared/adapters/dynamodb/client.ts';
import { type Env, loadJobFunctionConfig } from '../shared/config.ts';
import { sweeperFunction } from '../shared/functions.ts';
import { type SweeperTickReport, sweeperTick } from '../shared/health/tick.ts';
import type { Logger } from '../shared/logger.ts';
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
  /**
   * The due index fill at start (shared/health/fill.ts), settled whether it succeeded or not (a failure
   * is logged, and the next tick tries again): the stack's start waits for it, so the table the stack
   * shows from its first answer has it. The first sweep follows it without holding the start (its alert
   * pass may wait on slow webhooks).
   */
  readonly started: Promise<void>;
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
  // The same tick as the function's, without metrics: locally the run records answer the same questions.
  const deps = createSweeperDeps({ env: options.environment, config, clock, doc, lambda, log });

  let stopped = false;
  let cancel: CancelTimer | undefined;
  let inFlight: Promise<SweeperTickReport | undefined> = Promise.resolve(undefined);
  const run = (): Promise<SweeperTickReport> => {
    const next = inFlight.then(() => sweeperTick(deps));
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
  const started = deps.fill.ensure().catch((error: unknown) => {
    log.error('due index not filled', { error: error instanceof Error ? error.message : String(error) });
  });
  void started.then(() => {
    if (stopped) return;
    void run()
      .catch(() => undefined)
      .finally(arm);
  });

  return {
    started,
    sweepNow: run,
    stop: async () => {
      stopped = true;
      cancel?.();
      await started;
      await inFlight;
      doc.destroy();
      lambda.destroy();
    },
  };
}
