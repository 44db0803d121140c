/**
 * The Bedrock capability over the unmodified Bedrock Runtime client: one `ConverseCommand` per prompt.
 * The client makes one attempt (`maxAttempts: 1`): the calibration's own retries wait as the model
 * asks and never past the run's deadline, which the SDK's retries would not know of.
 */
import {
  type BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import {
  type BedrockModels,
  type ConverseRequest,
  type ModelAnswer,
  ModelCallError,
} from '../../kinds/capabilities.ts';
import { sdkCallFailure } from '../sdk-call-failure.ts';

/** Errors Bedrock documents as transient: another try later may work. */
const RETRYABLE = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'InternalServerException',
  'ModelNotReadyException',
  'ModelTimeoutException',
]);

export class BedrockConverse implements BedrockModels {
  constructor(private readonly client: BedrockRuntimeClient) {}

  async converse(request: ConverseRequest): Promise<ModelAnswer> {
    const timeout = AbortSignal.timeout(request.timeoutMs);
    let output: ConverseCommandOutput;
    try {
      output = await this.client.send(
        new ConverseCommand({
          modelId: request.modelId,
          messages: [{ role: 'user', content: [{ text: request.prompt }] }],
          inferenceConfig: request.inferenceConfig,
          requestMetadata: { ...request.requestMetadata },
        }),
        { abortSignal: AbortSignal.any([request.signal, timeout]) },
      );
    } catch (error) {
      throw sdkCallFailure(error, {
        where: `Bedrock model ${request.modelId}`,
        signal: request.signal,
        timeout,
        timeoutMs: request.timeoutMs,
        retryable: RETRYABLE,
        errorClass: ModelCallError,
      });
    }
    const text = (output.output?.message?.content ?? []).map((block) => block.text ?? '').join('');
    const input = output.usage?.inputTokens;
    const outputTokens = output.usage?.outputTokens;
    return {
      text,
      ...(input === undefined || outputTokens === undefined
        ? {}
        : { usage: { inputTokens: input, outputTokens } }),
    };
  }
}
