/** Errors of the in-process Lambda runtime. They name the function and say what was expected. */
abstract class LambdaRuntimeError extends Error {}

/** `Name: message` of what a handler threw (anything can be thrown), for messages and log lines. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** No function of that ARN or name in this runtime (Lambda: ResourceNotFoundException). */
export class UnknownFunctionError extends LambdaRuntimeError {
  constructor(
    readonly reference: string,
    known: readonly string[],
  ) {
    super(`function ${reference} does not exist in the local runtime; known functions: ${known.join(', ')}`);
    this.name = 'UnknownFunctionError';
  }
}

/** The handler ran longer than the function's timeout ("Task timed out after N seconds"). */
export class FunctionTimeoutError extends LambdaRuntimeError {
  constructor(
    readonly functionName: string,
    readonly timeoutSeconds: number,
    readonly awsRequestId: string,
  ) {
    super(
      `${functionName}: task timed out after ${timeoutSeconds.toFixed(2)} seconds (request ${awsRequestId})`,
    );
    this.name = 'FunctionTimeoutError';
  }
}

/** The handler module cannot be used: missing, failing at load, or without an exported `handler` function. */
export class HandlerModuleError extends LambdaRuntimeError {
  constructor(
    readonly functionName: string,
    readonly entry: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`${functionName}: handler module ${entry} ${reason}`, options);
    this.name = 'HandlerModuleError';
  }
}

/** The invocation payload is not JSON (Lambda: InvalidRequestContentException). */
export class InvalidPayloadError extends LambdaRuntimeError {
  constructor(
    readonly functionName: string,
    reason: string,
  ) {
    super(`${functionName}: the invocation payload must be JSON: ${reason}`);
    this.name = 'InvalidPayloadError';
  }
}

/** The handler returned something that does not serialize to JSON (Lambda: Runtime.MarshalError). */
export class ResponseSerializationError extends LambdaRuntimeError {
  constructor(
    readonly functionName: string,
    reason: string,
  ) {
    super(`${functionName}: the handler's result cannot be serialized to JSON: ${reason}`);
    this.name = 'ResponseSerializationError';
  }
}

/** The runtime is shutting down and accepts no new invocations. */
export class RuntimeClosedError extends LambdaRuntimeError {
  constructor(readonly functionName: string) {
    super(`${functionName}: the local Lambda runtime is shutting down and accepts no new invocations`);
    this.name = 'RuntimeClosedError';
  }
}

/**
 * A handler module was already loaded in this process with other configuration. Handlers read
 * their configuration once at module load, as in Lambda, and Node cannot unload an ES module.
 */
export class EnvironmentConflictError extends LambdaRuntimeError {
  constructor(entry: string, variable: string, loaded: string | undefined, wanted: string | undefined) {
    super(
      `${entry} was already loaded in this process with ${variable}=${loaded ?? '(unset)'}; it cannot be reloaded with ${variable}=${wanted ?? '(unset)'}. ` +
        'Run one local stack per process, or restart it with the same data directory and ports.',
    );
    this.name = 'EnvironmentConflictError';
  }
}
