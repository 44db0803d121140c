/**
 * What every function's composition root logs and measures with, built once from its config: one call,
 * `createObservability(config)`, and one wrapper, `instrument(handler)`.
 *
 * - In AWS (`mode: aws`): the logger port over Powertools Logger (request id, cold start, function, trace
 *   id on every line) and the metrics port over Powertools Metrics (EMF). `instrument` gives the logger
 *   each invocation's Lambda context and flushes the metrics once when the invocation ends, thrown or not.
 * - Locally (`mode: local`): the project's own logger, in the format the stack asked for (text lines for
 *   a terminal by default), and no metrics: the functions share one process with the stack's own lines,
 *   there is no CloudWatch to read EMF, and the local ledger answers the same questions. `instrument`
 *   adds nothing there.
 */
import type { Context } from 'aws-lambda';
import { createPowertoolsLogger, powertoolsLogger } from '../../shared/adapters/powertools/logger.ts';
import { EmfMetrics } from '../../shared/adapters/powertools/metrics.ts';
import type { Clock } from '../../shared/clock.ts';
import type { CommonConfig } from '../../shared/config.ts';
import { createLogger, type Logger } from '../../shared/logger.ts';
import { type Metrics, noMetrics } from '../../shared/metrics.ts';

/** The `service` of every log line and metric of a deployment: `tickwork-<stage>`. */
export function serviceName(stage: string): string {
  return `tickwork-${stage}`;
}

export interface Observability {
  readonly log: Logger;
  readonly metrics: Metrics;
  /** `handler` with each invocation's context given to the logger, and the metrics flushed after it. */
  instrument<Event, Ctx, Result>(
    handler: (event: Event, context: Ctx) => Promise<Result>,
  ): (event: Event, context: Ctx) => Promise<Result>;
}

export function createObservability(
  config: Pick<CommonConfig, 'stage' | 'mode' | 'logLevel' | 'logFormat'>,
  clock: Clock,
): Observability {
  if (config.mode === 'local') {
    return {
      log: createLogger({ level: config.logLevel, format: config.logFormat, now: () => clock.now() }),
      metrics: noMetrics,
      instrument: (handler) => handler,
    };
  }
  const service = serviceName(config.stage);
  const powertools = createPowertoolsLogger({ serviceName: service, level: config.logLevel });
  const metrics = new EmfMetrics({ serviceName: service });
  return {
    log: powertoolsLogger(powertools),
    metrics,
    instrument: (handler) => async (event, context) => {
      if (isLambdaContext(context)) powertools.addContext(context);
      try {
        return await handler(event, context);
      } finally {
        metrics.flush();
      }
    },
  };
}

/** Tests call job handlers with no context, or with only the remaining time. */
function isLambdaContext(context: unknown): context is Context {
  return typeof (context as Partial<Context> | undefined)?.awsRequestId === 'string';
}
