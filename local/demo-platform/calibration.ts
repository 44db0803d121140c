/**
 * The demo platform's calibration side. Two flows, as the calibration kind reads them:
 *
 * - responses: `GET /calibration/prompts` lists the prompts of the current calibration run that still
 *   need an answer; `POST /calibration/responses` takes answers. A prompt answered is no longer listed;
 *   once every prompt of the run is answered, the next GET starts a new run. A responseId seen before
 *   is a duplicate and is not counted again (a retried submission is harmless).
 * - registry: `GET /registry/prompts?model&version` answers a fixed list per model and version.
 *
 * Prompt texts are deterministic, so tests and the README's walk-through show the same answers.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../shared/errors.ts';
import { isPlainObject } from '../../shared/validation.ts';

export const DEFAULT_PROMPTS = 5;
export const MAX_PROMPTS = 100_000;
/** Far more than a run needs; a submission above it is refused whole rather than half-recorded. */
const MAX_RESPONSES_PER_SUBMISSION = MAX_PROMPTS;
const MAX_ID_CHARS = 256;

const QUESTIONS = [
  'Summarize the causes of the 2008 financial crisis in three sentences.',
  'Translate "the meeting is moved to Thursday" into French and German.',
  'A train leaves at 09:40 and arrives at 13:05. How long is the journey?',
  'List three risks of deploying a model without an evaluation set.',
  'Write a haiku about scheduled jobs.',
  'Explain the difference between precision and recall to a product manager.',
  'Which is larger, 9.11 or 9.9? Explain.',
  'Give a one-line SQL query that counts orders per customer.',
] as const;

export interface CalibrationPrompt {
  readonly promptId: string;
  readonly text: string;
}

export interface RecordedResponse {
  readonly calibrationRunId: string;
  readonly promptId: string;
  readonly responseId: string;
  readonly text: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

interface Submitted {
  readonly calibrationRunId: string;
  readonly responses: readonly RecordedResponse[];
}

interface CalibrationRun {
  readonly id: string;
  readonly prompts: readonly CalibrationPrompt[];
  readonly answered: Set<string>;
}

export class CalibrationDesk {
  readonly #promptCount: number;
  readonly #runs = new Map<string, CalibrationRun>();
  #current: CalibrationRun | undefined;
  readonly #responseIds = new Set<string>();
  readonly #accepted: RecordedResponse[] = [];
  #duplicates = 0;

  constructor(promptCount: number) {
    this.#promptCount = promptCount;
  }

  /** The current run's unanswered prompts; a new run when there is none or the last one is complete. */
  pending(): { calibrationRunId: string; prompts: CalibrationPrompt[] } {
    let run = this.#current;
    if (run === undefined || run.answered.size === run.prompts.length) {
      const id = `calrun-${String(this.#runs.size + 1).padStart(4, '0')}`;
      const prompts = Array.from({ length: this.#promptCount }, (_, index) => ({
        promptId: `${id}-p${index + 1}`,
        text: `${QUESTIONS[index % QUESTIONS.length]} (calibration prompt ${index + 1})`,
      }));
      run = { id, prompts, answered: new Set() };
      this.#runs.set(id, run);
      this.#current = run;
    }
    const { answered } = run;
    return { calibrationRunId: run.id, prompts: run.prompts.filter((p) => !answered.has(p.promptId)) };
  }

  /**
   * Records a submission, all of it or nothing: the whole body is checked first (ValidationError
   * naming the first bad field), then every new responseId is counted once.
   */
  submit(body: unknown): { accepted: number; duplicates: number; fresh: RecordedResponse[] } {
    const submitted = this.#check(body);
    const run = this.#runs.get(submitted.calibrationRunId) as CalibrationRun;
    const fresh: RecordedResponse[] = [];
    let duplicates = 0;
    for (const response of submitted.responses) {
      if (this.#responseIds.has(response.responseId)) {
        duplicates++;
        continue;
      }
      this.#responseIds.add(response.responseId);
      run.answered.add(response.promptId);
      fresh.push(response);
    }
    this.#accepted.push(...fresh);
    this.#duplicates += duplicates;
    return { accepted: fresh.length, duplicates, fresh };
  }

  /** What was submitted so far. */
  received(): { runs: number; accepted: readonly RecordedResponse[]; duplicates: number } {
    return { runs: this.#runs.size, accepted: [...this.#accepted], duplicates: this.#duplicates };
  }

  #check(body: unknown): Submitted {
    if (!isPlainObject(body)) throw new ValidationError('body', 'the body must be a JSON object');
    const { calibrationRunId, model, responses } = body;
    if (typeof calibrationRunId !== 'string') {
      throw new ValidationError('calibrationRunId', 'calibrationRunId must be a string');
    }
    const run = this.#runs.get(calibrationRunId);
    if (run === undefined) {
      throw new ValidationError(
        'calibrationRunId',
        `calibrationRunId "${calibrationRunId.slice(0, MAX_ID_CHARS)}" is not a calibration run of this platform (GET /calibration/prompts names the current one)`,
      );
    }
    if (!isPlainObject(model)) throw new ValidationError('model', 'model must be an object');
    if (!Array.isArray(responses)) throw new ValidationError('responses', 'responses must be an array');
    if (responses.length > MAX_RESPONSES_PER_SUBMISSION) {
      throw new ValidationError(
        'responses',
        `responses must hold at most ${MAX_RESPONSES_PER_SUBMISSION} items; got ${responses.length}`,
      );
    }
    const known = new Set(run.prompts.map((prompt) => prompt.promptId));
    return {
      calibrationRunId,
      responses: responses.map((item: unknown, index) =>
        checkResponse(item, `responses[${index}]`, known, calibrationRunId),
      ),
    };
  }
}

function checkResponse(
  item: unknown,
  at: string,
  known: ReadonlySet<string>,
  calibrationRunId: string,
): RecordedResponse {
  if (!isPlainObject(item)) throw new ValidationError(at, `${at} must be an object`);
  const { promptId, responseId, text, usage } = item;
  if (typeof promptId !== 'string' || !known.has(promptId)) {
    throw new ValidationError(
      `${at}.promptId`,
      `${at}.promptId must name a prompt of the calibration run; got ${JSON.stringify(promptId)?.slice(0, MAX_ID_CHARS)}`,
    );
  }
  if (typeof responseId !== 'string' || responseId.length < 1 || responseId.length > MAX_ID_CHARS) {
    throw new ValidationError(
      `${at}.responseId`,
      `${at}.responseId must be a string of 1-${MAX_ID_CHARS} characters`,
    );
  }
  if (typeof text !== 'string') throw new ValidationError(`${at}.text`, `${at}.text must be a string`);
  if (!isPlainObject(usage)) throw new ValidationError(`${at}.usage`, `${at}.usage must be an object`);
  const tokens = (name: 'inputTokens' | 'outputTokens'): number => {
    const value = usage[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new ValidationError(`${at}.usage.${name}`, `${at}.usage.${name} must be a whole number ≥ 0`);
    }
    return value;
  };
  return {
    calibrationRunId,
    promptId,
    responseId,
    text,
    inputTokens: tokens('inputTokens'),
    outputTokens: tokens('outputTokens'),
  };
}

const REGISTRY_FIELD = /^[\x21-\x7e]{1,256}$/;

/** The registry's calibration prompts of a model version: the same list for the same pair. */
export function registryPrompts(params: {
  readonly model: string;
  readonly version: string;
  readonly count: number;
}): CalibrationPrompt[] {
  for (const name of ['model', 'version'] as const) {
    if (!REGISTRY_FIELD.test(params[name])) {
      throw new ValidationError(name, `${name} must be 1-256 printable characters without spaces`);
    }
  }
  const tag = createHash('sha256').update(`${params.model}\n${params.version}`).digest('hex').slice(0, 8);
  const offset = Number.parseInt(tag.slice(0, 2), 16);
  return Array.from({ length: params.count }, (_, index) => ({
    promptId: `reg-${tag}-${index + 1}`,
    text: `${QUESTIONS[(index + offset) % QUESTIONS.length]} (registry prompt ${index + 1} for ${params.model} ${params.version})`,
  }));
}
