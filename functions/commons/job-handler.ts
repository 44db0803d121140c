/**
 * The composition root every job function shares: from a kind's definition, its work and the providers
 * of the capabilities it declared, builds once per container (config read once, clients created once)
 * the run lifecycle's dependencies, and returns the Lambda handler. A kind's `handler.ts` is one call.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { DynamoHealthStore } from '../../shared/adapters/dynamodb/health-store.ts';
import { DynamoJobStore } from '../../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../../shared/adapters/dynamodb/run-ledger.ts';
import { createContextSource } from '../../shared/adapters/fan-out/context-source.ts';
import { createLambdaJobInvoker } from '../../shared/adapters/lambda/job-invoker.ts';
import { Alerts } from '../../shared/alerts/alerts.ts';
import { systemClock } from '../../shared/clock.ts';
import { type Env, loadJobFunctionConfig } from '../../shared/config.ts';
import { LoggedHealthAlerts } from '../../shared/health/log-alerts.ts';
import type { Capabilities, CapabilityId } from '../../shared/kinds/capabilities.ts';
import type { KindDefinition } from '../../shared/kinds/kind.ts';
import type { JobKind } from '../../shared/kinds/registry.ts';
import { kindWork } from '../../shared/kinds/work.ts';
import { meteredRunLedger } from '../../shared/metrics-ledger.ts';
import type { RunContext, RunResult } from '../../shared/runs/context.ts';
import { parseJobEvent } from '../../shared/runs/event.ts';
import { executeRun, type RunDeps, type RunOutcome } from '../../shared/runs/lifecycle.ts';
import { createAlertsDeps } from './alerts.ts';
import { http as outboundHttp } from './capabilities/http.ts';
import type { CapabilityProviders } from './capabilities/provider.ts';
import { createObservability } from './observability.ts';

/** What Lambda passes besides the event; only the remaining time is used. */
export type JobHandlerContext = Pick<Context, 'getRemainingTimeInMillis'>;

/** Returns the outcome (for logs and tests); throws when the run failed, so Lambda retries it. */
export type JobHandler = (event: unknown, context?: JobHandlerContext) => Promise<RunOutcome>;

export function createJobHandler<Id extends JobKind, Config, Params, Caps extends CapabilityId>(
  kind: KindDefinition<Id, Config, Params, Caps>,
  work: (context: RunContext<Config, Params, Pick<Capabilities, Caps>>) => Promise<RunResult>,
  providers: CapabilityProviders<Caps>,
): JobHandler {
  // The environment is read here, once, at cold start: nothing below this root touches process.env.
  const env: Env = { ...process.env };
  const clock = systemClock;
  const config = loadJobFunctionConfig(env, kind.function);
  const { log, metrics, instrument } = createObservability(config, clock);
  const doc = createDocumentClient();
  const capabilities = Object.fromEntries(
    kind.capabilities.map((id) => [id, providers[id]({ env, config, clock })]),
  ) as unknown as Pick<Capabilities, Caps>;
  const lambda = new LambdaClient({});
  const deps: RunDeps = {
    jobs: new DynamoJobStore(doc, config.jobsTable, clock),
    // Every run this function records is of its kind.
    runs: meteredRunLedger(new DynamoRunLedger(doc, config.runsTable, clock), metrics, () => kind.id, log),
    clock,
    log: log.child({ kind: kind.id }),
    retentionDays: config.runRetentionDays,
    leaseSeconds: config.timeoutSeconds,
    retryPolicy: config.retryPolicy,
    invoker: createLambdaJobInvoker({ client: lambda, functionArns: config.jobFunctionArns }),
    // Any job may fan out: every job function can ask a source for contexts, through the outbound guard.
    contexts: createContextSource({ http: outboundHttp({ env, config, clock }), lambda }),
    // Each health change a run's end records is logged, then sent to the topic and the job's webhook.
    health: {
      store: new DynamoHealthStore(doc, config.jobsTable),
      alerts: new LoggedHealthAlerts(log, new Alerts(createAlertsDeps({ env, config, clock, doc, log }))),
      clock,
      log,
    },
  };
  const kindRunWork = kindWork(kind, work, capabilities);
  const { resultMetrics } = kind;
  const runWork =
    resultMetrics === undefined
      ? kindRunWork
      : async (context: Parameters<typeof kindRunWork>[0]) => {
          const result = await kindRunWork(context);
          resultMetrics(metrics, context.run, result);
          return result;
        };
  return instrument(async (event: unknown, context?: JobHandlerContext) =>
    executeRun(
      deps,
      parseJobEvent(event),
      runWork,
      context === undefined ? {} : { remainingTimeMs: () => context.getRemainingTimeInMillis() },
    ),
  );
}
