/**
 * Domain errors. They carry no HTTP codes: the API maps them at one boundary (functions/api), the CLI
 * prints their messages. Messages say what was expected and what was received.
 *
 * Each class sets its `name` to a string literal, as Powertools does: a minified bundle renames classes,
 * and a run history that records the error type `e` tells an operator nothing.
 */

/**
 * A run failure that no retry can help (a budget reached): the lifecycle records the run `failed` at
 * once and returns, so Lambda does not run the attempt again. Kinds extend it for such failures.
 */
export class FinalRunError extends Error {
  readonly retryable = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FinalRunError';
  }
}

/** One broken rule of a request: the field as a dotted path (`config.target.url`) and the message. */
export interface Problem {
  readonly field: string;
  readonly message: string;
}

/**
 * Input that breaks one or more rules. `field` and `message` are the first problem's; `details` lists
 * every problem found, so a client fixes them all in one round trip.
 */
export class ValidationError extends Error {
  readonly field: string;
  readonly details: readonly Problem[];

  constructor(
    field: string,
    message: string,
    options?: ErrorOptions & { readonly details?: readonly Problem[] },
  ) {
    super(message, options);
    this.name = 'ValidationError';
    this.field = field;
    this.details =
      options?.details !== undefined && options.details.length > 0 ? options.details : [{ field, message }];
  }

  /** One error for several problems (at least one); the first leads. */
  static of(problems: readonly Problem[], options?: ErrorOptions): ValidationError {
    const first = problems[0];
    if (first === undefined) throw new RangeError('ValidationError.of needs at least one problem');
    return new ValidationError(first.field, first.message, { ...options, details: problems });
  }
}

export class JobNotFoundError extends Error {
  constructor(readonly jobName: string) {
    super(`job "${jobName}" does not exist`);
    this.name = 'JobNotFoundError';
  }
}

/** The name is taken by a live job. The message leaves the remedy to the boundary (API or CLI). */
export class JobAlreadyExistsError extends Error {
  constructor(readonly jobName: string) {
    super(`job "${jobName}" already exists`);
    this.name = 'JobAlreadyExistsError';
  }
}

/** The record changed between read and write (optimistic concurrency). */
export class ConcurrentModificationError extends Error {
  constructor(what: string) {
    super(`${what} was changed by another request; read it again and retry`);
    this.name = 'ConcurrentModificationError';
  }
}

export class RunNotFoundError extends Error {
  constructor(readonly runId: string) {
    super(`run "${runId}" does not exist`);
    this.name = 'RunNotFoundError';
  }
}

/** The run is in a state that does not allow the operation (e.g. cancelling a finished run). */
export class RunConflictError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RunConflictError';
  }
}

/** Scheduler kept throttling (ThrottlingException) after retries. */
export class SchedulerThrottledError extends Error {
  /** How long a caller should wait before trying again (the API's Retry-After). */
  readonly retryAfterSeconds: number;

  constructor(message: string, options?: ErrorOptions & { readonly retryAfterSeconds?: number }) {
    super(message, options);
    this.name = 'SchedulerThrottledError';
    this.retryAfterSeconds = options?.retryAfterSeconds ?? 5;
  }
}

/** Scheduler refused for a quota (ServiceQuotaExceededException), still after retries. */
export class SchedulerQuotaExceededError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SchedulerQuotaExceededError';
  }
}

/**
 * Scheduler answered a request with an error Tickwork does not retry (e.g. ResourceNotFoundException
 * for a missing schedule group) or could not be reached. `code` is the service's error code.
 */
export class SchedulerRequestError extends Error {
  constructor(
    readonly operation: string,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SchedulerRequestError';
  }
}

/** The job's function could not be started (Lambda Invoke failed or no function is configured for the kind). */
export class JobInvokeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'JobInvokeError';
  }
}

/** The job is in a state that does not allow the operation (e.g. resuming a cancelled one-time job). */
export class JobConflictError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'JobConflictError';
  }
}

/**
 * The job is managed by a source (a stack, a jobs file applied at start; `Job.managedBy`) and the writer
 * is not that source: its definition changes where it is defined, not here.
 */
export class JobManagedError extends Error {
  constructor(
    readonly jobName: string,
    readonly managedBy: string,
    readonly verb: string,
  ) {
    super(
      `job "${jobName}" is managed by ${managedBy} and cannot be ${verb} here; change it where it is defined (pause, resume, run and cancel still work)`,
    );
    this.name = 'JobManagedError';
  }
}

/**
 * The job is named in the `then` of other jobs (`referrers`): deleting it would leave their chains
 * naming a job that does not exist. The boundary adds how to remove the links with the job.
 */
export class JobChainedToError extends Error {
  constructor(
    readonly jobName: string,
    readonly referrers: readonly string[],
  ) {
    super(
      `job "${jobName}" is named in the then of ${referrers.length === 1 ? 'job' : 'jobs'} ${referrers.map((name) => `"${name}"`).join(', ')}`,
    );
    this.name = 'JobChainedToError';
  }
}

export class SecretNotFoundError extends Error {
  /** @param where where it was looked for (e.g. the Secrets Manager id, the file and env variable); never a value. */
  constructor(
    readonly secretName: string,
    where?: string,
  ) {
    super(`secret "${secretName}" was not found${where === undefined ? '' : ` (looked in ${where})`}`);
    this.name = 'SecretNotFoundError';
  }
}

/** An outbound URL that job configs may not reach (private, loopback, metadata, or not https in AWS). */
export class UnsafeTargetError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnsafeTargetError';
  }
}
