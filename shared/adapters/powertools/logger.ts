/**
 * The logger port over Powertools Logger: the lines Lambda functions write in AWS. Powertools adds what
 * the project's own logger cannot know: the invocation's request id, cold start, function name and
 * X-Ray trace id, from the Lambda context the handler wrapper gives it once per invocation
 * (functions/commons/observability.ts). Its lines are JSON with `level` (upper case), `message`,
 * `timestamp`, `service`, those fields, and the caller's fields.
 *
 * `child(fields)` does not create a Powertools child logger: one Powertools instance holds the
 * invocation's context, and a child only adds its fields to each line. So a child made at cold start
 * (the lifecycle's `kind`) still carries the request id of every later invocation, and the per-run
 * children (job, run id, attempt) cost an object, not a Logger.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogFields, Logger, LogLevel } from '../../logger.ts';

/** Powertools' thresholds (its LogLevelThreshold) for the port's levels. */
const THRESHOLD: Readonly<Record<LogLevel, number>> = { debug: 8, info: 12, warn: 16, error: 20 };

const NAME: Readonly<Record<LogLevel, 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'>> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
};

export interface PowertoolsLoggerOptions {
  /** The `service` of every line: `tickwork-<stage>`, as the metrics' service dimension. */
  readonly serviceName: string;
  /** @default 'info' */
  readonly level?: LogLevel;
}

/** A Powertools Logger configured from the function's config (never from its own environment variables). */
export function createPowertoolsLogger(options: PowertoolsLoggerOptions): PowertoolsLogger {
  return new PowertoolsLogger({ serviceName: options.serviceName, logLevel: NAME[options.level ?? 'info'] });
}

/** The port over `powertools`; every line also carries `fields`. */
export function powertoolsLogger(powertools: PowertoolsLogger, fields: LogFields = {}): Logger {
  const line = (extra: LogFields | undefined): LogFields =>
    extra === undefined ? fields : { ...fields, ...extra };
  return {
    debug: (message, extra) => powertools.debug(message, line(extra)),
    info: (message, extra) => powertools.info(message, line(extra)),
    warn: (message, extra) => powertools.warn(message, line(extra)),
    error: (message, extra) => powertools.error(message, line(extra)),
    child: (extra) => powertoolsLogger(powertools, { ...fields, ...extra }),
    enabled: (level) => THRESHOLD[level] >= powertools.level,
  };
}
