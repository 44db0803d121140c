/**
 * Domain errors. They carry no HTTP codes: the API maps them at one boundary (functions/api), the CLI
 * prints their messages. Messages say what was expected and what was received.
 */
abstract class TickworkError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that breaks a rule. `field` is a dotted path such as `config.target.url`. */
export class ValidationError extends TickworkError {
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class JobNotFoundError extends TickworkError {
  constructor(readonly jobName: string) {
    super(`job "${jobName}" does not exist`);
  }
}

export class JobAlreadyExistsError extends TickworkError {
  constructor(readonly jobName: string) {
    super(`job "${jobName}" already exists; use PUT /jobs/${jobName} to replace it`);
  }
}

/** The record changed between read and write (optimistic concurrency). */
export class ConcurrentModificationError extends TickworkError {
  constructor(what: string) {
    super(`${what} was changed by another request; read it again and retry`);
  }
}

export class RunNotFoundError extends TickworkError {
  constructor(readonly runId: string) {
    super(`run "${runId}" does not exist`);
  }
}

/** The run is in a state that does not allow the operation (e.g. cancelling a finished run). */
export class RunConflictError extends TickworkError {}

/** Scheduler kept throttling (ThrottlingException) after retries. */
export class SchedulerThrottledError extends TickworkError {
  /** How long a caller should wait before trying again (the API's Retry-After). */
  readonly retryAfterSeconds: number;

  constructor(message: string, options?: ErrorOptions & { readonly retryAfterSeconds?: number }) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds ?? 5;
  }
}

/** Scheduler refused for a quota (ServiceQuotaExceededException), still after retries. */
export class SchedulerQuotaExceededError extends TickworkError {}

/**
 * Scheduler answered a request with an error Tickwork does not retry (e.g. ResourceNotFoundException
 * for a missing schedule group) or could not be reached. `code` is the service's error code.
 */
export class SchedulerRequestError extends TickworkError {
  constructor(
    readonly operation: string,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The job's function could not be started (Lambda Invoke failed or no function is configured for the kind). */
export class JobInvokeError extends TickworkError {}

/** The job is in a state that does not allow the operation (e.g. resuming a cancelled one-time job). */
export class JobConflictError extends TickworkError {}

export class SecretNotFoundError extends TickworkError {
  /** @param where where it was looked for (e.g. the Secrets Manager id, the file and env variable); never a value. */
  constructor(
    readonly secretName: string,
    where?: string,
  ) {
    super(`secret "${secretName}" was not found${where === undefined ? '' : ` (looked in ${where})`}`);
  }
}

/** An outbound URL that job configs may not reach (private, loopback, metadata, or not https in AWS). */
export class UnsafeTargetError extends TickworkError {}
