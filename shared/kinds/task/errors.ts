/** How a task run fails, by what its target did; each message names the target. */
import { FinalRunError } from '../../errors.ts';

/**
 * The user's function threw. The run records the function's own error type and message, so its
 * `name` is the function's `errorType` (data the function reported, not a class of ours: an operator
 * reads `OrderNotFound`, not a wrapper). Not final: Lambda's retries run the function again.
 */
export class TaskFunctionError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

/** The HTTP target answered, but not with a 2xx. Not final: Lambda's retries call it again. */
export class TaskHttpError extends Error {
  constructor(
    readonly status: number,
    readonly bodyExcerpt: string,
    target: string,
  ) {
    super(`${target} answered HTTP ${status}${bodyExcerpt === '' ? '' : `: ${bodyExcerpt}`}`);
    this.name = 'TaskHttpError';
  }
}

/**
 * The event bus refused the event (PutEvents answered with `FailedEntryCount` 1): its ErrorCode and
 * ErrorMessage. Not final: a throttle or an internal failure of the bus passes; nothing was put.
 */
export class EventRejectedError extends Error {
  constructor(
    readonly errorCode: string,
    readonly errorMessage: string,
    eventBusName: string,
  ) {
    super(
      `event bus ${eventBusName} refused the event: ${errorCode}${errorMessage === '' ? '' : `: ${errorMessage}`}`,
    );
    this.name = 'EventRejectedError';
  }
}

/**
 * The target's answer cannot become the run's result (too large, not JSON, not storable), or the call
 * cannot be made as configured (the function does not exist or may not be invoked, the event is too
 * large). Final: the target already acted or would refuse again, and another attempt repeats the call.
 */
export class TaskTargetError extends FinalRunError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TaskTargetError';
  }
}
