/**
 * The demo platform's model: an OpenAI-compatible `POST /v1/chat/completions` whose answers are
 * deterministic ("Answer to: <the first 60 characters of the last user message>", tokens counted as
 * ceil(characters / 4)), so a calibration job's results can be checked exactly.
 *
 * `latencyMs` delays each answer on a timer (requests wait side by side; none holds up another), and
 * `failRate` scripts 429s without randomness: the n-th accepted request (n from 1) is refused when
 * floor(n·R) > floor((n−1)·R), so R = 0.25 refuses requests 4, 8, 12… and R = 1 refuses them all.
 * Errors have OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`, which OpenAI clients read.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../shared/errors.ts';
import { isPlainObject } from '../../shared/validation.ts';

const ROLES: ReadonlySet<string> = new Set(['system', 'developer', 'user', 'assistant', 'tool']);
const EXCERPT_CHARS = 60;

export interface ModelOptions {
  readonly latencyMs: number;
  readonly failRate: number;
  /** Unix seconds in `created`. */
  readonly now: () => Date;
  /** Told of each call once it is answered. */
  readonly onCall?: (call: ModelCall) => void;
}

export interface ModelAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export interface ModelCall {
  readonly n: number;
  /**
   * When the call arrived and when it was answered, as positions in one sequence of the model's
   * events: calls that waited side by side all arrived before any was answered.
   */
  readonly order: { readonly received: number; readonly answered: number };
  readonly model: string;
  readonly prompt: string;
  readonly outcome: 'completed' | 'throttled';
}

interface ChatRequest {
  readonly model: string;
  readonly messages: ReadonlyArray<{ readonly role: string; readonly content: string }>;
}

/** The text of a message's content: a string, or OpenAI's array of `{type: "text", text}` parts. */
function contentText(content: unknown, at: string): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown, index) => {
        if (isPlainObject(part) && part.type === 'text' && typeof part.text === 'string') return part.text;
        throw new ValidationError(
          `${at}[${index}]`,
          `${at}[${index}] must be a {"type": "text", "text"} part`,
        );
      })
      .join('');
  }
  throw new ValidationError(at, `${at} must be a string or an array of text parts`);
}

function optionalNumber(
  body: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
  whole: boolean,
) {
  const value = body[name];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || value < min || value > max || (whole && !Number.isInteger(value))) {
    throw new ValidationError(name, `${name} must be a ${whole ? 'whole ' : ''}number from ${min} to ${max}`);
  }
}

export function parseChatRequest(body: unknown): ChatRequest {
  if (!isPlainObject(body)) throw new ValidationError('body', 'the body must be a JSON object');
  const { model, messages } = body;
  if (typeof model !== 'string' || model === '')
    throw new ValidationError('model', 'model must be a non-empty string');
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new ValidationError('messages', 'messages must be a non-empty array');
  }
  optionalNumber(body, 'max_tokens', 1, 1_000_000, true);
  optionalNumber(body, 'temperature', 0, 2, false);
  optionalNumber(body, 'top_p', 0, 1, false);
  return {
    model,
    messages: messages.map((message: unknown, index) => {
      const at = `messages[${index}]`;
      if (!isPlainObject(message)) throw new ValidationError(at, `${at} must be an object`);
      if (typeof message.role !== 'string' || !ROLES.has(message.role)) {
        throw new ValidationError(`${at}.role`, `${at}.role must be one of ${[...ROLES].join(', ')}`);
      }
      return { role: message.role, content: contentText(message.content, `${at}.content`) };
    }),
  };
}

const tokens = (text: string) => Math.ceil(text.length / 4);

export function openAiError(status: number, message: string, param: string | null = null): ModelAnswer {
  const type =
    status === 429 ? 'rate_limit_error' : status === 401 ? 'authentication_error' : 'invalid_request_error';
  const code = status === 429 ? 'rate_limit_exceeded' : status === 401 ? 'invalid_api_key' : null;
  return { status, headers: {}, body: { error: { message, type, param, code } } };
}

export class DemoModel {
  readonly #options: ModelOptions;
  #count = 0;
  #events = 0;
  readonly #calls: ModelCall[] = [];

  constructor(options: ModelOptions) {
    this.#options = options;
  }

  /** Answers one request body (already authenticated); `signal` ends the wait when the client goes. */
  async complete(body: unknown, signal: AbortSignal): Promise<ModelAnswer> {
    let request: ChatRequest;
    try {
      request = parseChatRequest(body);
    } catch (error) {
      if (error instanceof ValidationError) return openAiError(400, error.message, error.field);
      throw error;
    }
    const n = ++this.#count;
    const received = ++this.#events;
    const rate = this.#options.failRate;
    const lastUser =
      [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
    if (Math.floor(n * rate) > Math.floor((n - 1) * rate)) {
      const order = { received, answered: ++this.#events };
      this.#record({ n, order, model: request.model, prompt: lastUser, outcome: 'throttled' });
      const refusal = openAiError(
        429,
        `Rate limit reached for ${request.model} (scripted: request ${n}); retry after 1 s`,
      );
      return { ...refusal, headers: { 'retry-after': '1' } };
    }
    await delay(this.#options.latencyMs, signal);
    const order = { received, answered: ++this.#events };
    this.#record({ n, order, model: request.model, prompt: lastUser, outcome: 'completed' });
    const content = `Answer to: ${lastUser.slice(0, EXCERPT_CHARS)}`;
    const promptTokens = request.messages.reduce((sum, message) => sum + tokens(message.content), 0);
    const completionTokens = tokens(content);
    const id = createHash('sha256').update(`${n}\n${request.model}\n${lastUser}`).digest('hex').slice(0, 24);
    return {
      status: 200,
      headers: {},
      body: {
        id: `chatcmpl-${id}`,
        object: 'chat.completion',
        created: Math.floor(this.#options.now().getTime() / 1000),
        model: request.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
      },
    };
  }

  #record(call: ModelCall): void {
    this.#calls.push(call);
    this.#options.onCall?.(call);
  }

  calls(): readonly ModelCall[] {
    return [...this.#calls];
  }
}

/** Waits `ms` on a timer, or until `signal` aborts: the configured latency, never blocking the loop. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
