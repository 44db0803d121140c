/**
 * The model a calibration asks, behind one function per provider: a prompt in, an answer (text and
 * token usage) out, ModelCallError when the call failed (`retryable` when another try may work).
 * `openai-compatible` is a Chat Completions POST through the outbound guard; `bedrock` and `lambda`
 * are capabilities of their own (the AWS SDK clients live in adapters).
 */
import type { Clock } from '../../clock.ts';
import type { ModelAnswer, OutboundHttp } from '../capabilities.ts';
import { ModelCallError } from '../capabilities.ts';
import { type CalibrationProvider, DEFAULT_MAX_TOKENS } from './config.ts';
import { describeUrl } from './platform.ts';
import { retryAfterMs, retryableStatus } from './retry.ts';

/** Read no more of a model's answer than this (a chat completion is a few KB). */
export const MAX_MODEL_ANSWER_BYTES = 1024 * 1024;

export interface ModelCall {
  readonly prompt: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

export type AskModel = (call: ModelCall) => Promise<ModelAnswer>;

export type OpenAiProvider = Extract<CalibrationProvider, { type: 'openai-compatible' }>;

/** The most tokens an answer may have: what a budget reserves for the answer. */
export function maxOutputTokens(provider: CalibrationProvider): number {
  return provider.type === 'bedrock'
    ? provider.inferenceConfig.maxTokens
    : (provider.maxTokens ?? DEFAULT_MAX_TOKENS);
}

/** An OpenAI-compatible Chat Completions endpoint (OpenAI, Azure OpenAI, vLLM, Ollama, LiteLLM). */
export function openAiCompatible(
  http: OutboundHttp,
  provider: OpenAiProvider,
  apiKey: string | undefined,
  clock: Clock,
): AskModel {
  const url = `${provider.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const where = describeUrl(url);
  const headers = {
    ...provider.headers,
    'Content-Type': 'application/json',
    Accept: 'application/json',
    ...(apiKey === undefined ? {} : { Authorization: `Bearer ${apiKey}` }),
  };
  return async ({ prompt, timeoutMs, signal }) => {
    const body = JSON.stringify({
      model: provider.model,
      messages: [{ role: 'user', content: prompt }],
      max_tokens: maxOutputTokens(provider),
    });
    let response: Awaited<ReturnType<OutboundHttp['request']>>;
    try {
      response = await http.request({
        method: 'POST',
        url,
        headers,
        body,
        timeoutMs,
        signal,
        maxResponseBytes: MAX_MODEL_ANSWER_BYTES,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      // No answer in time, or the connection failed: worth another try. A refused target or an
      // oversized answer is not.
      const retryable = error instanceof Error && error.name === 'OutboundRequestError';
      throw new ModelCallError(`${where}: ${error instanceof Error ? error.message : String(error)}`, {
        retryable,
        timedOut: retryable && (error as { timedOut?: unknown }).timedOut === true,
        cause: error,
      });
    }
    if (response.status < 200 || response.status > 299) {
      throw new ModelCallError(`${where} answered HTTP ${response.status}: ${response.body.slice(0, 200)}`, {
        retryable: retryableStatus(response.status),
        retryAfterMs: retryAfterMs(response.headers['retry-after'], clock.now()),
      });
    }
    return readCompletion(response.body, where);
  };
}

function readCompletion(text: string, where: string): ModelAnswer {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ModelCallError(`${where} answered something that is not JSON`, { retryable: false });
  }
  const answer = body as {
    choices?: { message?: { content?: unknown } }[];
    usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  };
  const content = Array.isArray(answer.choices) ? answer.choices[0]?.message?.content : undefined;
  if (typeof content !== 'string') {
    throw new ModelCallError(`${where} answered without choices[0].message.content`, { retryable: false });
  }
  const input = answer.usage?.prompt_tokens;
  const output = answer.usage?.completion_tokens;
  return {
    text: content,
    ...(tokenCount(input) && tokenCount(output)
      ? { usage: { inputTokens: input, outputTokens: output } }
      : {}),
  };
}

function tokenCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
