/**
 * Answering a flow's prompts: a few model calls in flight at once (the config's concurrency), each
 * with its timeout and its retries, each reserved against the budget before it starts and settled to
 * its real usage after. The run stops taking prompts when it is cancelled (the signal; calls in flight
 * are aborted), when a budget refuses the next call, or when another call would no longer leave time
 * to submit before the deadline; what was answered until then is kept for the submit.
 */
import type { Clock } from '../../clock.ts';
import { ModelCallError, type TokenUsage } from '../capabilities.ts';
import type { CallBudget } from './budget.ts';
import { BudgetExceededError } from './errors.ts';
import type { CalibrationPrompt } from './platform.ts';
import type { AskModel } from './providers.ts';
import { NoTimeLeftError, withRetries } from './retry.ts';

/** The first failures a flow's result lists (the count covers all). */
export const MAX_LISTED_FAILURES = 5;

export interface Answer {
  /** The prompt's place in the platform's list: answers are submitted in that order, whatever finished first. */
  readonly index: number;
  readonly promptId: string;
  readonly text: string;
  readonly usage: TokenUsage;
}

export interface PromptFailure {
  readonly promptId: string;
  readonly error: string;
}

/** Why a flow stopped before every prompt was tried. */
export type Stop =
  | { readonly reason: 'deadline' }
  | { readonly reason: 'budget'; readonly error: BudgetExceededError }
  | { readonly reason: 'aborted'; readonly error: unknown };

export interface AnswerOutcome {
  readonly answers: readonly Answer[];
  readonly failed: number;
  readonly failures: readonly PromptFailure[];
  readonly stop?: Stop;
}

export interface AnswerOptions {
  readonly prompts: readonly CalibrationPrompt[];
  readonly ask: AskModel;
  readonly concurrency: number;
  readonly callTimeoutMs: number;
  /** Whether `ms` more still fit before the run must stop starting calls (it keeps time to submit). */
  readonly fits: (ms: number) => boolean;
  /** The most tokens an answer may have (the worst case a budget reserves). */
  readonly maxOutputTokens: number;
  readonly budget: CallBudget | undefined;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly checkpoint: () => Promise<void>;
}

export async function answerPrompts(options: AnswerOptions): Promise<AnswerOutcome> {
  const answers: Answer[] = [];
  const failures: PromptFailure[] = [];
  let failed = 0;
  let stop: Stop | undefined;
  let next = 0;

  const answerOne = async (prompt: CalibrationPrompt, index: number): Promise<void> => {
    const text = await withRetries(
      async () => {
        const reservation = await options.budget?.reserve(worstCase(prompt.text, options.maxOutputTokens));
        let used: TokenUsage | undefined;
        try {
          const answer = await options.ask({
            prompt: prompt.text,
            timeoutMs: options.callTimeoutMs,
            signal: options.signal,
          });
          // A provider that reports no usage is counted at what it was sent and what it answered.
          used = answer.usage ?? estimate(prompt.text, answer.text);
          return { text: answer.text, usage: used };
        } catch (error) {
          // A call that got no answer in time may still have been billed: it keeps its reservation.
          if (!(error instanceof ModelCallError && error.timedOut))
            used = { inputTokens: 0, outputTokens: 0 };
          throw error;
        } finally {
          if (reservation !== undefined && used !== undefined)
            await options.budget?.settle(reservation, used);
        }
      },
      {
        clock: options.clock,
        signal: options.signal,
        fits: options.fits,
        callTimeoutMs: options.callTimeoutMs,
        read: (error) =>
          error instanceof ModelCallError
            ? { retryable: error.retryable, retryAfterMs: error.retryAfterMs }
            : { retryable: false },
      },
    );
    answers.push({ index, promptId: prompt.promptId, ...text });
  };

  const worker = async (): Promise<void> => {
    while (stop === undefined) {
      const index = next++;
      const prompt = options.prompts[index];
      if (prompt === undefined) return;
      try {
        await options.checkpoint();
        await answerOne(prompt, index);
      } catch (error) {
        if (options.signal.aborted) {
          stop ??= { reason: 'aborted', error: options.signal.reason };
        } else if (error instanceof BudgetExceededError) {
          stop ??= { reason: 'budget', error };
        } else if (error instanceof NoTimeLeftError) {
          stop ??= { reason: 'deadline' };
        } else {
          failed++;
          if (failures.length < MAX_LISTED_FAILURES) {
            failures.push({
              promptId: prompt.promptId,
              error: error instanceof Error ? error.message : String(error),
            });
          }
        }
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.prompts.length) }, worker));
  answers.sort((a, b) => a.index - b.index);
  return { answers, failed, failures, ...(stop === undefined ? {} : { stop }) };
}

/**
 * The most a call can use: its prompt's UTF-8 bytes (a BPE token covers at least one byte, so no
 * tokenizer counts more) plus the longest answer it may give.
 */
function worstCase(prompt: string, maxOutputTokens: number): TokenUsage {
  return { inputTokens: Buffer.byteLength(prompt, 'utf8'), outputTokens: maxOutputTokens };
}

function estimate(prompt: string, answer: string): TokenUsage {
  return { inputTokens: Buffer.byteLength(prompt, 'utf8'), outputTokens: Buffer.byteLength(answer, 'utf8') };
}
