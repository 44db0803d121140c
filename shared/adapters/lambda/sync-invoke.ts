/**
 * A synchronous Invoke (`RequestResponse`) of a user's Lambda function, with a timeout, the caller's
 * signal and a bounded answer. What the function returned, or the error it threw, is the answer; what
 * kept the call from getting one (Lambda refused or failed it, no answer in time, an answer too large or
 * not JSON) is a FunctionInvokeError that says whether another try may help.
 *
 * (Written to the signature the task kind's brief fixes, so the fan-out's expansion can use it; the
 * task kind's helper writes the same file and the two are reconciled at merge.)
 */
import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';

export interface SyncInvokeRequest {
  readonly functionArn: string;
  readonly payload: unknown;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

export type SyncInvokeResult =
  /** JSON-parsed payload (null when empty). */
  | { readonly kind: 'returned'; readonly body: unknown }
  | { readonly kind: 'function-error'; readonly errorType: string; readonly errorMessage: string };

/** Lambda refused or failed the call, no answer in time, an answer too large or not JSON. */
export class FunctionInvokeError extends Error {
  readonly retryable: boolean;

  constructor(message: string, options: ErrorOptions & { readonly retryable: boolean }) {
    super(message, options);
    this.name = 'FunctionInvokeError';
    this.retryable = options.retryable;
  }
}

/** Lambda's errors worth another try: throttling, and the service's own or a function's capacity failures. */
const RETRYABLE = new Set([
  'TooManyRequestsException',
  'ServiceException',
  'EC2ThrottledException',
  'ResourceNotReadyException',
  'ResourceConflictException',
]);

export async function invokeFunctionSync(
  client: LambdaClient,
  request: SyncInvokeRequest,
): Promise<SyncInvokeResult> {
  const where = `function ${request.functionArn}`;
  const timeout = AbortSignal.timeout(request.timeoutMs);
  let output: InvokeCommandOutput;
  try {
    output = await client.send(
      new InvokeCommand({
        FunctionName: request.functionArn,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(request.payload)),
      }),
      { abortSignal: AbortSignal.any([request.signal, timeout]) },
    );
  } catch (error) {
    if (request.signal.aborted) throw request.signal.reason;
    if (timeout.aborted) {
      throw new FunctionInvokeError(`${where}: no answer within ${request.timeoutMs / 1000} s`, {
        retryable: true,
        cause: error,
      });
    }
    const name = error instanceof Error ? error.name : 'Error';
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    throw new FunctionInvokeError(
      `${where}: ${name}${status === undefined ? '' : ` (HTTP ${status})`}: ${error instanceof Error ? error.message : String(error)}`,
      {
        retryable: RETRYABLE.has(name) || status === 429 || (status !== undefined && status >= 500),
        cause: error,
      },
    );
  }
  const bytes = output.Payload ?? new Uint8Array();
  if (bytes.byteLength > request.maxResponseBytes) {
    throw new FunctionInvokeError(`${where} answered more than ${request.maxResponseBytes} bytes`, {
      retryable: false,
    });
  }
  const text = new TextDecoder().decode(bytes);
  let body: unknown = null;
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new FunctionInvokeError(`${where} answered something that is not JSON`, {
        retryable: false,
        cause: error,
      });
    }
  }
  if (output.FunctionError !== undefined) {
    const thrown = (body ?? {}) as { errorType?: unknown; errorMessage?: unknown };
    return {
      kind: 'function-error',
      errorType: typeof thrown.errorType === 'string' ? thrown.errorType : output.FunctionError,
      errorMessage: typeof thrown.errorMessage === 'string' ? thrown.errorMessage : text.slice(0, 1_000),
    };
  }
  return { kind: 'returned', body };
}
