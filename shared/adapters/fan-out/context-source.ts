/**
 * The ContextSource of the job functions: `GET url` through the outbound guard (the run's signal, a
 * bounded answer, no redirects), or the function invoked synchronously with the run. A failure another
 * try may fix (no answer, a 5xx or 429, Lambda throttling, the function throwing) is an ordinary error:
 * the parent's attempt fails and Lambda retries it. One that no retry fixes (a 4xx, an answer that is not
 * JSON or too large, a function Lambda refuses to call) is an ExpansionError: the parent fails at once.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { OutboundHttp } from '../../kinds/capabilities.ts';
import type { ContextSource, ExpansionRequest } from '../../runs/fan-out.ts';
import { describeSource } from '../../runs/fan-out.ts';
import { ExpansionError, MAX_EXPANSION_RESPONSE_BYTES } from '../../runs/fan-out-spec.ts';
import { ResponseTooLargeError } from '../http/client.ts';
import { FunctionInvokeError, invokeFunctionSync } from '../lambda/sync-invoke.ts';

/** The source answered, but not with contexts this time: a 5xx, 429 or a function's error. */
export class ExpansionUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExpansionUnavailableError';
  }
}

export interface ContextSourceParts {
  readonly http: OutboundHttp;
  readonly lambda: LambdaClient;
}

export function createContextSource(parts: ContextSourceParts): ContextSource {
  return {
    fetch: (request) =>
      request.expand.url !== undefined
        ? fromUrl(parts.http, request.expand.url, request)
        : fromFunction(parts.lambda, request.expand.functionArn ?? '', request),
  };
}

async function fromUrl(http: OutboundHttp, url: string, request: ExpansionRequest): Promise<unknown> {
  const source = describeSource(request.expand);
  let answer: Awaited<ReturnType<OutboundHttp['request']>>;
  try {
    answer = await http.request({
      method: 'GET',
      url,
      headers: { accept: 'application/json' },
      timeoutMs: request.timeoutMs,
      signal: request.signal,
      maxResponseBytes: MAX_EXPANSION_RESPONSE_BYTES,
    });
  } catch (error) {
    if (error instanceof ResponseTooLargeError) {
      throw new ExpansionError(
        `the expansion source ${source} answered more than ${MAX_EXPANSION_RESPONSE_BYTES} bytes`,
      );
    }
    throw error;
  }
  if (answer.status === 429 || answer.status >= 500) {
    throw new ExpansionUnavailableError(`the expansion source ${source} answered HTTP ${answer.status}`);
  }
  if (answer.status < 200 || answer.status > 299) {
    throw new ExpansionError(
      `the expansion source ${source} answered HTTP ${answer.status}; expected 200 with {"contexts": [...]}`,
    );
  }
  try {
    return JSON.parse(answer.body);
  } catch {
    throw new ExpansionError(`the expansion source ${source} answered something that is not JSON`);
  }
}

async function fromFunction(
  lambda: LambdaClient,
  functionArn: string,
  request: ExpansionRequest,
): Promise<unknown> {
  let result: Awaited<ReturnType<typeof invokeFunctionSync>>;
  try {
    result = await invokeFunctionSync(lambda, {
      functionArn,
      payload: {
        job: request.job,
        runId: request.runId,
        scheduledFor: request.scheduledFor,
        trigger: request.trigger,
        params: request.params,
      },
      signal: request.signal,
      timeoutMs: request.timeoutMs,
      maxResponseBytes: MAX_EXPANSION_RESPONSE_BYTES,
    });
  } catch (error) {
    if (error instanceof FunctionInvokeError && !error.retryable) {
      throw new ExpansionError(`the expansion source ${error.message}`, { cause: error });
    }
    throw error;
  }
  if (result.kind === 'function-error') {
    throw new ExpansionUnavailableError(
      `the expansion function ${functionArn} failed (${result.errorType}): ${result.errorMessage}`,
    );
  }
  return result.body;
}
