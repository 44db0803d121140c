/**
 * Model functions on Lambda: a synchronous Invoke (`RequestResponse`) of the user's function with
 * `{prompt, model, maxTokens}`, answered `{text, usage?: {inputTokens, outputTokens}}` (the serverless form
 * of an `invoke_model` callback). The client makes one attempt: the calibration's retries know the deadline.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  type ModelAnswer,
  ModelCallError,
  type ModelFunctionRequest,
  type ModelFunctions,
} from '../../kinds/capabilities.ts';
import { FunctionInvokeError, invokeFunctionSync, type SyncInvokeResult } from './sync-invoke.ts';

/** Lambda's own limit on a synchronous answer: a model function's answer is bounded by Lambda alone. */
const MAX_ANSWER_BYTES = 6 * 1024 * 1024;

export class LambdaModelFunctions implements ModelFunctions {
  constructor(private readonly client: LambdaClient) {}

  async invoke(request: ModelFunctionRequest): Promise<ModelAnswer> {
    let result: SyncInvokeResult;
    try {
      result = await invokeFunctionSync(this.client, { ...request, maxResponseBytes: MAX_ANSWER_BYTES });
    } catch (error) {
      // The calibration's retries read ModelCallError; the message names the function as a model's.
      if (!(error instanceof FunctionInvokeError)) throw error;
      throw new ModelCallError(`model ${error.message}`, {
        retryable: error.retryable,
        timedOut: error.timedOut,
        cause: error.cause ?? error,
      });
    }
    const where = `model function ${request.functionArn}`;
    if (result.kind === 'function-error') {
      // The function threw: its own error, not Lambda's; another try would most likely throw again.
      throw new ModelCallError(`${where} failed (${result.errorType}): ${result.errorMessage}`, {
        retryable: false,
      });
    }
    return readAnswer(result.body, where);
  }
}

function readAnswer(body: unknown, where: string): ModelAnswer {
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
