/**
 * Ports for the targets a job hands its work to, beside outbound HTTP: a user's Lambda function invoked
 * synchronously (its answer is data for the run), and an event bus that takes an event. Owned by the
 * domain like the other capabilities; the AWS SDK clients live in the adapters
 * (`shared/adapters/lambda/sync-invoke.ts`, `shared/adapters/eventbridge/put-events.ts`).
 */

/** One synchronous invoke (`RequestResponse`) of a function. */
export interface SyncInvokeRequest {
  readonly functionArn: string;
  /** Sent as JSON. */
  readonly payload: unknown;
  /** The run's signal: its abort reason is what the caller sees when it fires. */
  readonly signal: AbortSignal;
  /** How long to wait for the answer; FunctionInvokeError (retryable, timedOut) after it. */
  readonly timeoutMs: number;
  /** The most of the answer's payload accepted; a longer one is a FunctionInvokeError (not retryable). */
  readonly maxResponseBytes: number;
}

export type SyncInvokeResult =
  /** The function returned: its payload parsed as JSON (null when it returned nothing). */
  | { readonly kind: 'returned'; readonly body: unknown }
  /** The function threw: the error it reported (Lambda's `errorType` and `errorMessage`). */
  | { readonly kind: 'function-error'; readonly errorType: string; readonly errorMessage: string };

/**
 * Lambda refused or failed the call, no answer came in time, or the answer was too large or not JSON:
 * no result from the function itself. `retryable` when the same call may work later (throttled, a 5xx
 * of the service, no answer in time); `timedOut` when the function may still have done the work.
 */
export class FunctionInvokeError extends Error {
  readonly retryable: boolean;
  readonly timedOut: boolean;

  constructor(
    message: string,
    options: ErrorOptions & { readonly retryable: boolean; readonly timedOut?: boolean },
  ) {
    super(message, options);
    this.name = 'FunctionInvokeError';
    this.retryable = options.retryable;
    this.timedOut = options.timedOut ?? false;
  }
}

/** Users' own functions on Lambda, on the ARNs the stack allows, invoked synchronously. */
export interface UserFunctions {
  /** The function's answer or its own error; FunctionInvokeError when there is neither. */
  invoke(request: SyncInvokeRequest): Promise<SyncInvokeResult>;
}

/** An event bus name (EventBridge: 1–256 of A-Z a-z 0-9 . _ - /). */
export const EVENT_BUS_NAME_PATTERN = /^[A-Za-z0-9._\-/]{1,256}$/;
/** The ARN of an event bus (another account's bus is named by its ARN). */
export const EVENT_BUS_ARN_PATTERN =
  /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._\-/]{1,256}$/;

/** One event for an event bus (EventBridge `PutEvents` takes up to 10; a job puts one). */
export interface BusEvent {
  /** A bus name or ARN (`default` is the account's default bus). */
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  /** The event's detail: a JSON object, as text. */
  readonly detail: string;
}

export type PutEventResult =
  | { readonly kind: 'put'; readonly eventId: string }
  /** The bus refused the entry (`FailedEntryCount` > 0): the entry's error code and message. */
  | { readonly kind: 'failed'; readonly errorCode: string; readonly errorMessage: string };

export interface PutEventOptions {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

/** Event buses (EventBridge), on the buses the stack allows; the SDK's error when the call failed. */
export interface EventBuses {
  put(event: BusEvent, options: PutEventOptions): Promise<PutEventResult>;
}
