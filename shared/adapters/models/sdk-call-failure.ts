/**
 * What a failed AWS SDK call to a model (Bedrock Converse, a model function's Invoke) means for the
 * calibration's retries: the run's own abort is rethrown as it is; no answer in time is retryable and may
 * have been billed; a throttle, a 5xx or a service error the caller names as transient is retryable.
 */
import { ModelCallError } from '../../kinds/capabilities.ts';

export interface SdkCallContext {
  /** Names the model in the message, e.g. `Bedrock model anthropic.claude-3-haiku`. */
  readonly where: string;
  /** The run's signal: its abort reason is what the caller sees. */
  readonly signal: AbortSignal;
  /** The call's own timeout signal, and its length. */
  readonly timeout: AbortSignal;
  readonly timeoutMs: number;
  /** Error names the service documents as transient. */
  readonly retryable: ReadonlySet<string>;
}

/** The error to throw for `error`, thrown by the SDK's `send`. */
export function sdkCallFailure(error: unknown, context: SdkCallContext): unknown {
  if (context.signal.aborted) return context.signal.reason;
  if (context.timeout.aborted) {
    return new ModelCallError(`${context.where}: no answer within ${context.timeoutMs / 1000} s`, {
      retryable: true,
      timedOut: true,
      cause: error,
    });
  }
  const name = error instanceof Error ? error.name : 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const message = error instanceof Error ? error.message : String(error);
  return new ModelCallError(
    `${context.where}: ${name}${status === undefined ? '' : ` (HTTP ${status})`}: ${message}`,
    {
      retryable: context.retryable.has(name) || status === 429 || (status !== undefined && status >= 500),
      cause: error,
    },
  );
}
