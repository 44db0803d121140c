/**
 * What a failed AWS SDK call that waits for an answer (Bedrock Converse, a synchronous Lambda Invoke)
 * means for the caller's retries: the run's own abort is rethrown as it is; no answer in time is retryable
 * and may have been billed; a throttle, a 5xx or a service error the caller names as transient is
 * retryable; anything else is not.
 */

/** The caller's error class (ModelCallError, FunctionInvokeError): both carry `retryable` and `timedOut`. */
export type CallErrorClass = new (
  message: string,
  options: ErrorOptions & { readonly retryable: boolean; readonly timedOut?: boolean },
) => Error;

export interface SdkCallContext {
  /** Names what was called in the message, e.g. `Bedrock model anthropic.claude-3-haiku`. */
  readonly where: string;
  /** The run's signal: its abort reason is what the caller sees. */
  readonly signal: AbortSignal;
  /** The call's own timeout signal, and its length. */
  readonly timeout: AbortSignal;
  readonly timeoutMs: number;
  /** Error names the service documents as transient. */
  readonly retryable: ReadonlySet<string>;
  /** What to throw when the failure is not the run's abort. */
  readonly errorClass: CallErrorClass;
}

/** The error to throw for `error`, thrown by the SDK's `send`. */
export function sdkCallFailure(error: unknown, context: SdkCallContext): unknown {
  if (context.signal.aborted) return context.signal.reason;
  if (context.timeout.aborted) {
    return new context.errorClass(`${context.where}: no answer within ${context.timeoutMs / 1000} s`, {
      retryable: true,
      timedOut: true,
      cause: error,
    });
  }
  const name = error instanceof Error ? error.name : 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const message = error instanceof Error ? error.message : String(error);
  return new context.errorClass(
    `${context.where}: ${name}${status === undefined ? '' : ` (HTTP ${status})`}: ${message}`,
    {
      retryable: context.retryable.has(name) || status === 429 || (status !== undefined && status >= 500),
      cause: error,
    },
  );
}
