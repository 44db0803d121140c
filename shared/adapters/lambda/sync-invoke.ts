/**
 * A synchronous Invoke (`RequestResponse`) of a user's function with the unmodified Lambda client: the
 * payload as JSON in, the function's JSON answer or its own error out. Generic over what the payload
 * means: the task kind's lambda target, a fan-out's expansion function. The client should make one
 * attempt (`maxAttempts: 1`): whether to try again is the caller's decision (it knows the deadline).
 */
import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import { FunctionInvokeError, type SyncInvokeRequest, type SyncInvokeResult } from '../../kinds/targets.ts';
import { sdkCallFailure } from '../sdk-call-failure.ts';

export { FunctionInvokeError, type SyncInvokeRequest, type SyncInvokeResult } from '../../kinds/targets.ts';

/** Lambda's errors worth another try: throttling, and the service's own or a function's capacity failures. */
export const RETRYABLE_LAMBDA_ERRORS: ReadonlySet<string> = new Set([
  'TooManyRequestsException',
  'ServiceException',
  'EC2ThrottledException',
  'ResourceNotReadyException',
  'ResourceConflictException',
]);

/** A function's error type is its own text; a run's error type stays a name, not a page. */
const MAX_ERROR_TYPE_CHARS = 256;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

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
        Payload: encoder.encode(JSON.stringify(request.payload)),
      }),
      { abortSignal: AbortSignal.any([request.signal, timeout]) },
    );
  } catch (error) {
    throw sdkCallFailure(error, {
      where,
      signal: request.signal,
      timeout,
      timeoutMs: request.timeoutMs,
      retryable: RETRYABLE_LAMBDA_ERRORS,
      errorClass: FunctionInvokeError,
    });
  }
  const bytes = output.Payload ?? new Uint8Array();
  if (output.FunctionError !== undefined) return functionError(output.FunctionError, decoder.decode(bytes));
  // Lambda answers up to 6 MB; the caller keeps much less (a run's result lives in its DynamoDB item).
  if (bytes.byteLength > request.maxResponseBytes) {
    throw new FunctionInvokeError(
      `${where} answered ${bytes.byteLength} bytes, more than the ${request.maxResponseBytes} bytes accepted`,
      { retryable: false },
    );
  }
  const text = decoder.decode(bytes);
  if (text.trim() === '') return { kind: 'returned', body: null };
  try {
    return { kind: 'returned', body: JSON.parse(text) as unknown };
  } catch {
    throw new FunctionInvokeError(`${where} answered something that is not JSON: ${excerpt(text)}`, {
      retryable: false,
    });
  }
}

/**
 * The function threw: the Node.js (and every managed) runtime answers `{errorType, errorMessage, trace}`;
 * anything else (a custom runtime's text) keeps Lambda's own word for it (`Unhandled`) and an excerpt.
 */
function functionError(header: string, text: string): SyncInvokeResult {
  let reported: { errorType?: unknown; errorMessage?: unknown } | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) reported = parsed;
  } catch {
    reported = undefined;
  }
  const errorType =
    typeof reported?.errorType === 'string' && reported.errorType.trim() !== ''
      ? reported.errorType.slice(0, MAX_ERROR_TYPE_CHARS)
      : header;
  const errorMessage = typeof reported?.errorMessage === 'string' ? reported.errorMessage : excerpt(text);
  return { kind: 'function-error', errorType, errorMessage };
}

function excerpt(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
