/**
 * Model functions on Lambda: a synchronous Invoke (`RequestResponse`) of the user's function with
 * `{prompt, model, maxTokens}`, answered `{text, usage?: {inputTokens, outputTokens}}` (the serverless form
 * of an `invoke_model` callback). The client makes one attempt: the calibration's retries know the deadline.
 */
import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  type ModelAnswer,
  ModelCallError,
  type ModelFunctionRequest,
  type ModelFunctions,
} from '../../kinds/capabilities.ts';
import { sdkCallFailure } from '../models/sdk-call-failure.ts';

/** Lambda's errors worth another try: throttling, and the service's own or a function's capacity failures. */
const RETRYABLE = new Set([
  'TooManyRequestsException',
  'ServiceException',
  'EC2ThrottledException',
  'ResourceNotReadyException',
  'ResourceConflictException',
]);

export class LambdaModelFunctions implements ModelFunctions {
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  constructor(private readonly client: LambdaClient) {}

  async invoke(request: ModelFunctionRequest): Promise<ModelAnswer> {
    const where = `model function ${request.functionArn}`;
    const timeout = AbortSignal.timeout(request.timeoutMs);
    let output: InvokeCommandOutput;
    try {
      output = await this.client.send(
        new InvokeCommand({
          FunctionName: request.functionArn,
          InvocationType: 'RequestResponse',
          Payload: this.encoder.encode(JSON.stringify(request.payload)),
        }),
        { abortSignal: AbortSignal.any([request.signal, timeout]) },
      );
    } catch (error) {
      throw sdkCallFailure(error, {
        where,
        signal: request.signal,
        timeout,
        timeoutMs: request.timeoutMs,
        retryable: RETRYABLE,
      });
    }
    const text = output.Payload === undefined ? '' : this.decoder.decode(output.Payload);
    if (output.FunctionError !== undefined) {
      // The function threw: its own error, not Lambda's; another try would most likely throw again.
      throw new ModelCallError(`${where} failed (${output.FunctionError}): ${text.slice(0, 200)}`, {
        retryable: false,
      });
    }
    return readAnswer(text, where);
  }
}

function readAnswer(text: string, where: string): ModelAnswer {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ModelCallError(`${where} answered something that is not JSON`, { retryable: false });
  }
  const answer = body as { text?: unknown; usage?: { inputTokens?: unknown; outputTokens?: unknown } } | null;
  if (typeof answer?.text !== 'string') {
    throw new ModelCallError(`${where} answered without a string "text"; expected {text, usage?}`, {
      retryable: false,
    });
  }
  const input = answer.usage?.inputTokens;
  const output = answer.usage?.outputTokens;
  const counted = (value: unknown): value is number =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0;
  return {
    text: answer.text,
    ...(counted(input) && counted(output) ? { usage: { inputTokens: input, outputTokens: output } } : {}),
  };
}
