/**
 * The `calibration` kind's work. For each flow the config names (responses, then registry): fetch the
 * prompts, answer them with the provider (bounded concurrency, retries, budget), submit the answers.
 *
 * Across attempts and runs nothing is answered twice and nothing is lost: response ids and the submit's
 * idempotency keys are derived from (job, slot, flow, prompt), and the responses platform lists only the
 * prompts still unanswered. A run that cannot finish before its deadline (or that a budget stops) submits
 * what it answered, then fails, so Lambda's retry or the next run answers the rest. A cancel stops
 * between prompts, aborts the calls in flight, and submits nothing (the submit is the point of no return).
 */

import { deadlineMarginMs } from '../../runs/deadline.ts';
import type { KindWork } from '../kind.ts';
import { SIGNATURE_HEADER, signPayload } from '../signature.ts';
import { type Answer, type AnswerOutcome, answerPrompts, type PromptFailure } from './answer.ts';
import { BudgetGuard, costUsd } from './budget.ts';
import {
  CALIBRATION_FUNCTION_TIMEOUT_SECONDS,
  DEFAULT_CONCURRENCY,
  DEFAULT_PROMPT_TIMEOUT_SECONDS,
  type FlowId,
  MAX_PROMPTS_PER_FLOW,
} from './config.ts';
import type { calibrationKind } from './definition.ts';
import { CalibrationFailuresError, CalibrationIncompleteError } from './errors.ts';
import { CALIBRATION_LOG_TYPE } from './log-type.ts';
import {
  authorizationHeader,
  chunk,
  type FetchedPrompts,
  fetchPrompts,
  idempotencyKey,
  PLATFORM_TIMEOUT_MS,
  PlatformStatusError,
  responseIdOf,
  submitChunk,
} from './platform.ts';
import { type AskModel, maxOutputTokens, openAiCompatible } from './providers.ts';
import { NoTimeLeftError, retryAfterMs, withRetries } from './retry.ts';

/** The side effect a calibration cannot take back, as run reasons name it. */
const SUBMIT = 'the submit of the answers';

/**
 * Time kept after the last model call: the submits (a few platform requests with their retries) and
 * the lifecycle's own margin to record the outcome.
 */
const SUBMIT_RESERVE_MS = 3 * PLATFORM_TIMEOUT_MS + deadlineMarginMs(CALIBRATION_FUNCTION_TIMEOUT_SECONDS);

export interface FlowResult {
  readonly prompts: number;
  readonly answered: number;
  readonly failed: number;
  /** Prompts left for the next attempt or run (out of time, a budget, `maxPrompts`). */
  readonly left: number;
  readonly failures?: readonly PromptFailure[];
}

export const calibrationWork: KindWork<typeof calibrationKind> = async (context) => {
  const { job, run, config, params, capabilities, clock, signal, log } = context;
  const secrets = await resolveSecrets(context);
  const ask = askModel(context, secrets.apiKey);
  const budget =
    config.budget === undefined
      ? undefined
      : new BudgetGuard(capabilities.budgets, config.budget, config.pricing, clock, job.name, run.slot);
  const callTimeoutMs = (config.promptTimeoutSeconds ?? DEFAULT_PROMPT_TIMEOUT_SECONDS) * 1000;
  const fits = (ms: number) => context.remainingTimeMs() - SUBMIT_RESERVE_MS >= ms;
  const retry = {
    clock,
    signal,
    fits,
    callTimeoutMs: PLATFORM_TIMEOUT_MS,
    read: (error: unknown) =>
      error instanceof PlatformStatusError
        ? { retryable: error.retryable, retryAfterMs: retryAfterMs(error.retryAfter, clock.now()) }
        : { retryable: error instanceof Error && error.name === 'OutboundRequestError' },
  };

  const flows: Partial<Record<FlowId, FlowResult>> = {};
  const usage = { inputTokens: 0, outputTokens: 0 };
  let stopped: AnswerOutcome['stop'];
  let flowError: unknown;

  for (const flow of ['responses', 'registry'] as const) {
    const settings = config.flows[flow];
    if (settings === undefined || stopped !== undefined) continue;
    await context.checkpoint();
    let fetched: FetchedPrompts;
    try {
      fetched = await withRetries(
        () =>
          fetchPrompts(capabilities.http, {
            flow,
            url:
              flow === 'registry'
                ? registryPromptsUrl(settings.promptsUrl, config.model)
                : settings.promptsUrl,
            authorization: secrets[flow]?.auth,
            maxPrompts: MAX_PROMPTS_PER_FLOW,
            signal,
          }),
        retry,
      );
    } catch (error) {
      if (signal.aborted || error instanceof NoTimeLeftError) throw signal.reason ?? outOfTime(flows, flow);
      log.warn('calibration flow failed', { flow, error: error instanceof Error ? error.name : 'Error' });
      flowError ??= error;
      continue;
    }
    const prompts = fetched.prompts.slice(0, params.maxPrompts ?? fetched.prompts.length);
    const outcome = await answerPrompts({
      prompts,
      ask,
      concurrency: config.concurrency ?? DEFAULT_CONCURRENCY,
      callTimeoutMs,
      fits,
      maxOutputTokens: maxOutputTokens(config.provider),
      budget,
      clock,
      signal,
      checkpoint: context.checkpoint,
    });
    if (outcome.stop?.reason === 'aborted') throw outcome.stop.error;
    for (const answer of outcome.answers) {
      usage.inputTokens += answer.usage.inputTokens;
      usage.outputTokens += answer.usage.outputTokens;
    }
    flows[flow] = {
      prompts: fetched.prompts.length,
      answered: outcome.answers.length,
      failed: outcome.failed,
      left: fetched.prompts.length - outcome.answers.length - outcome.failed,
      ...(outcome.failures.length === 0 ? {} : { failures: outcome.failures }),
    };
    stopped = outcome.stop;
    if (outcome.answers.length === 0) continue;
    try {
      await submit(context, flow, fetched, outcome.answers, secrets, retry);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      log.warn('calibration submit failed', { flow, error: error instanceof Error ? error.name : 'Error' });
      flowError ??= error instanceof NoTimeLeftError ? outOfTime(flows, flow) : error;
    }
  }

  if (flowError !== undefined) throw flowError;
  if (stopped?.reason === 'budget') throw stopped.error;
  if (stopped?.reason === 'deadline') throw outOfTime(flows);
  checkFailures(flows, config.maxFailureRatio ?? 0);
  const result = {
    flows,
    usage,
    costUsd: costUsd(usage, config.pricing),
    ...(budget === undefined ? {} : { budget: await budget.report() }),
  };
  log.info('calibration done', { flows: Object.keys(flows), ...usage });
  return result;
};

interface FlowSecrets {
  readonly auth: string | undefined;
  readonly signing?: string;
}

type Secrets = { readonly apiKey: string | undefined } & Partial<Record<FlowId, FlowSecrets>>;

/** Every secret the config names, read once before any call, so a missing one fails before anything is spent. */
async function resolveSecrets({
  config,
  capabilities,
}: Parameters<typeof calibrationWork>[0]): Promise<Secrets> {
  const get = (name: string | undefined) => (name === undefined ? undefined : capabilities.secrets.get(name));
  const { responses, registry } = config.flows;
  return {
    apiKey:
      config.provider.type === 'openai-compatible' ? await get(config.provider.apiKeySecret) : undefined,
    ...(responses === undefined ? {} : { responses: { auth: await get(responses.authSecret) } }),
    ...(registry === undefined
      ? {}
      : {
          registry: {
            auth: await get(registry.authSecret),
            signing: await capabilities.secrets.get(registry.signingSecret),
          },
        }),
  };
}

function askModel(context: Parameters<typeof calibrationWork>[0], apiKey: string | undefined): AskModel {
  const { config, capabilities, clock, job, run } = context;
  const provider = config.provider;
  switch (provider.type) {
    case 'openai-compatible':
      return openAiCompatible(capabilities.http, provider, apiKey, clock);
    case 'bedrock':
      return ({ prompt, timeoutMs, signal }) =>
        capabilities.bedrock.converse({
          modelId: provider.modelId,
          prompt,
          inferenceConfig: provider.inferenceConfig,
          // Tags every invocation, so model-invocation logs (and telemetry) tell calibration traffic apart.
          requestMetadata: { job: job.name, runId: run.runId },
          timeoutMs,
          signal,
        });
    case 'lambda':
      return ({ prompt, timeoutMs, signal }) =>
        capabilities.modelFunctions.invoke({
          functionArn: provider.functionArn,
          payload: { prompt, model: config.model, maxTokens: maxOutputTokens(provider) },
          timeoutMs,
          signal,
        });
  }
}

/** The registry's prompts for this model: `?model=<name>&version=<version>` on the configured URL. */
function registryPromptsUrl(url: string, model: { readonly name: string; readonly version: string }): string {
  const parsed = new URL(url);
  parsed.searchParams.set('model', model.name);
  parsed.searchParams.set('version', model.version);
  return parsed.toString();
}

async function submit(
  context: Parameters<typeof calibrationWork>[0],
  flow: FlowId,
  fetched: FetchedPrompts,
  answers: readonly Answer[],
  secrets: Secrets,
  retry: Parameters<typeof withRetries>[1],
): Promise<void> {
  const { job, run, config, capabilities, clock, signal } = context;
  const responses = answers.map((answer) => ({
    promptId: answer.promptId,
    responseId: responseIdOf(job.name, run.slot, flow, answer.promptId),
    text: answer.text,
    usage: answer.usage,
  }));
  // Once a chunk is posted the platform may act on it: a cancel accepted before this stops the run here.
  await context.pointOfNoReturn(SUBMIT);
  for (const part of chunk(responses)) {
    const key = idempotencyKey(
      job.name,
      run.slot,
      flow,
      part.map((response) => response.responseId),
    );
    const flowSecrets = secrets[flow];
    if (flow === 'responses') {
      const settings = config.flows.responses;
      if (settings === undefined) return;
      const body = JSON.stringify({
        calibrationRunId: fetched.calibrationRunId,
        model: config.model,
        responses: part,
      });
      await withRetries(
        () =>
          submitChunk(capabilities.http, {
            flow,
            url: settings.submitUrl,
            body,
            headers: { 'Idempotency-Key': key, ...authorizationHeader(flowSecrets?.auth) },
            signal,
          }),
        retry,
      );
    } else {
      const settings = config.flows.registry;
      if (settings === undefined || flowSecrets?.signing === undefined) return;
      const signing = flowSecrets.signing;
      const body = JSON.stringify({ model: config.model, log_type: CALIBRATION_LOG_TYPE, responses: part });
      await withRetries(
        () =>
          submitChunk(capabilities.http, {
            flow,
            url: settings.ingestUrl,
            body,
            headers: {
              'Idempotency-Key': key,
              // Signed at each try: receivers refuse signatures older than their tolerance.
              [SIGNATURE_HEADER]: signPayload(signing, Math.floor(clock.now().getTime() / 1000), body),
              ...authorizationHeader(flowSecrets.auth),
            },
            signal,
          }),
        retry,
      );
    }
  }
}

function outOfTime(flows: Partial<Record<FlowId, FlowResult>>, pending?: FlowId): CalibrationIncompleteError {
  const done = Object.entries(flows)
    .map(([flow, result]) => `${flow}: ${result.answered} of ${result.prompts} answered, ${result.left} left`)
    .join('; ');
  return new CalibrationIncompleteError(
    `the run reached its deadline before answering every prompt (${done || 'nothing answered'}${
      pending === undefined ? '' : `; flow ${pending} not finished`
    }); what was answered was submitted, the next attempt answers the rest`,
  );
}

function checkFailures(flows: Partial<Record<FlowId, FlowResult>>, maxFailureRatio: number): void {
  for (const [flow, result] of Object.entries(flows)) {
    const tried = result.answered + result.failed;
    if (result.failed === 0) continue;
    const first = result.failures?.[0];
    const example = first === undefined ? '' : `; first: ${first.promptId}: ${first.error}`;
    if (result.answered === 0) {
      throw new CalibrationFailuresError(`flow ${flow}: every prompt failed (${result.failed})${example}`);
    }
    if (result.failed / tried > maxFailureRatio) {
      throw new CalibrationFailuresError(
        `flow ${flow}: ${result.failed} of ${tried} prompts failed, more than maxFailureRatio ${maxFailureRatio} allows${example}`,
      );
    }
  }
}
