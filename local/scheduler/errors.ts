/**
 * The emulator's errors, one class per service error. They carry no HTTP status: the HTTP adapter
 * maps each to the service's error code and status at one boundary.
 */
abstract class SchedulerEmulatorError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input the service would refuse (ValidationException). */
export class SchedulerValidationError extends SchedulerEmulatorError {}

/** A schedule or group that does not exist (ResourceNotFoundException). */
export class SchedulerNotFoundError extends SchedulerEmulatorError {}

/** A name that is already taken (ConflictException). */
export class SchedulerConflictError extends SchedulerEmulatorError {}

/** An account limit, such as 500 schedule groups (ServiceQuotaExceededException). */
export class SchedulerQuotaError extends SchedulerEmulatorError {}

/** A request that matches no operation of the API. */
export class UnknownOperationError extends SchedulerEmulatorError {}
