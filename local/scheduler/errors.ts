/**
 * The emulator's errors, one class per service error. They carry no HTTP status: the HTTP adapter
 * maps each to the service's error code and status at one boundary.
 */
abstract class SchedulerEmulatorError extends Error {}

/** Input the service would refuse (ValidationException). */
export class SchedulerValidationError extends SchedulerEmulatorError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SchedulerValidationError';
  }
}

/** A schedule or group that does not exist (ResourceNotFoundException). */
export class SchedulerNotFoundError extends SchedulerEmulatorError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SchedulerNotFoundError';
  }
}

/** A name that is already taken (ConflictException). */
export class SchedulerConflictError extends SchedulerEmulatorError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SchedulerConflictError';
  }
}

/** An account limit, such as 500 schedule groups (ServiceQuotaExceededException). */
export class SchedulerQuotaError extends SchedulerEmulatorError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SchedulerQuotaError';
  }
}

/** A request that matches no operation of the API. */
export class UnknownOperationError extends SchedulerEmulatorError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnknownOperationError';
  }
}
