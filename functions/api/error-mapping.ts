/**
 * The one place where errors become HTTP answers. Domain errors carry no codes; this table gives
 * them one. Anything not listed is a bug or an outage: a 500 with a fixed message, and the details
 * go to the log only.
 *
 * Status rule: 400 for any input the client got wrong, whether its form (JSON syntax, query string,
 * path) or a rule (an unknown field, a bad cron, an endDate before the startDate); the `type` says
 * which. 404 unknown job/run/route, 405 wrong method, 409 conflicts with the current state, 413 body
 * too large, 415 not JSON, 429 Scheduler quota, 502 Scheduler or Lambda refused or unreachable,
 * 503 Scheduler throttling (with Retry-After).
 */
import {
  ConcurrentModificationError,
  JobAlreadyExistsError,
  JobChainedToError,
  JobConflictError,
  JobInvokeError,
  JobManagedError,
  JobNotFoundError,
  type Problem,
  RunConflictError,
  RunNotFoundError,
  SchedulerQuotaExceededError,
  SchedulerRequestError,
  SchedulerThrottledError,
  SecretNotFoundError,
  UnsafeTargetError,
  ValidationError,
} from '../../shared/errors.ts';
import { CheckpointLeasedError, CheckpointNotFoundError } from '../../shared/jobs/checkpoints.ts';
import { ScheduleExpressionError, TimeZoneError } from '../../shared/schedule/index.ts';
import { HttpRequestError } from './http.ts';

export interface HttpError {
  readonly statusCode: number;
  readonly type: string;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
  /** False for the generic 500: its real cause is logged, not sent. */
  readonly expose: boolean;
  /** Every problem of a request that broke several rules. */
  readonly details?: readonly Problem[];
}

type ErrorClass<E extends Error> = new (...args: never[]) => E;
/** An error class, its status and type, and optionally the message in the API's terms. */
type Rule<E extends Error = Error> = readonly [ErrorClass<E>, number, string, ((error: E) => string)?];

const rule = <E extends Error>(...entry: Rule<E>): Rule => entry as unknown as Rule;

const RULES: readonly Rule[] = [
  [ScheduleExpressionError, 400, 'ValidationError'],
  [TimeZoneError, 400, 'ValidationError'],
  [UnsafeTargetError, 400, 'ValidationError'],
  [SecretNotFoundError, 400, 'ValidationError'],
  [JobNotFoundError, 404, 'JobNotFound'],
  [RunNotFoundError, 404, 'RunNotFound'],
  [CheckpointNotFoundError, 404, 'CheckpointNotFound'],
  rule(
    JobAlreadyExistsError,
    409,
    'JobAlreadyExists',
    (error) => `${error.message}; use PUT /jobs/${error.jobName} to replace it`,
  ),
  rule(
    JobChainedToError,
    409,
    'JobChainedTo',
    (error) =>
      `${error.message}; remove those links first, or DELETE /jobs/${error.jobName}?unlinkChains=true to remove them with the job`,
  ),
  [ConcurrentModificationError, 409, 'ConcurrentModification'],
  [JobConflictError, 409, 'JobConflict'],
  [JobManagedError, 409, 'JobManaged'],
  [RunConflictError, 409, 'RunConflict'],
  [CheckpointLeasedError, 409, 'CheckpointLeased'],
  [SchedulerQuotaExceededError, 429, 'SchedulerQuotaExceeded'],
  [SchedulerRequestError, 502, 'SchedulerError'],
  [JobInvokeError, 502, 'JobInvokeFailed'],
];

export const INTERNAL_ERROR_MESSAGE = 'internal error';

export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpRequestError) {
    return {
      statusCode: error.statusCode,
      type: error.type,
      message: error.message,
      headers: error.headers,
      expose: true,
      ...(error.details === undefined ? {} : { details: error.details }),
    };
  }
  if (error instanceof ValidationError) {
    return {
      statusCode: 400,
      type: 'ValidationError',
      message: error.message,
      headers: {},
      expose: true,
      details: error.details,
    };
  }
  if (error instanceof SchedulerThrottledError) {
    return {
      statusCode: 503,
      type: 'SchedulerThrottled',
      message: error.message,
      headers: { 'retry-after': String(error.retryAfterSeconds) },
      expose: true,
    };
  }
  for (const [type, statusCode, name, message] of RULES) {
    if (error instanceof type) {
      return {
        statusCode,
        type: name,
        message: message?.(error) ?? error.message,
        headers: {},
        expose: true,
      };
    }
  }
  return {
    statusCode: 500,
    type: 'InternalError',
    message: INTERNAL_ERROR_MESSAGE,
    headers: {},
    expose: false,
  };
}
