/**
 * The validation vocabulary, defined once: how a received value is described in a message, how a zod
 * schema's complaints become `Problem`s (`<field> <rule>, got <value>`), and a collector that gathers
 * every problem of a request before one ValidationError reports them all.
 *
 * Received values are shortened and objects are never echoed, so a secret pasted into the wrong field
 * does not come back in an error message or a log line.
 */
import type * as z from 'zod';
import { type Problem, ValidationError } from './errors.ts';

/** A short, printable rendering of a received value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * JSON Merge Patch (RFC 7396): objects merge, `null` removes a key, anything else replaces. Recursive
 * over `patch`: the caller bounds its depth first (user input).
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Bytes of a string as UTF-8 (what DynamoDB and HTTP bodies count). */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Nesting levels of a JSON value: a scalar is 0, `{}` and `{"a": 1}` are 1, `{"a": {}}` is 2. Past
 * `limit` the exact depth does not matter: the walk stops, so a hostile document stays cheap.
 */
export function jsonDepth(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (limit < 0) return 1;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, jsonDepth(child, limit - 1));
  return deepest + 1;
}

export interface ZodProblemOptions {
  /** Prefix of every field path, e.g. `config` for a kind's config. @default none */
  readonly root?: string;
  /** The subject of a problem of the whole value (an empty path). @default 'the request' */
  readonly what?: string;
}

/** Every issue of a zod error as a Problem naming the field, the rule and what was received. */
export function problemsFromZod(error: z.ZodError, options: ZodProblemOptions = {}): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    const path = [...(options.root === undefined ? [] : [options.root]), ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const field = path === '' ? key : `${path}.${key}`;
        problems.push({ field, message: `${field} is not a known field; unknown fields are rejected` });
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      // A record key that breaks its rule: name the record and quote the key.
      const parent = path.split('.').slice(0, -1).join('.');
      const inner = issue.issues[0];
      const rule = inner === undefined ? 'has an invalid key' : ruleOf(inner);
      problems.push({ field: parent, message: `${parent} ${rule}, got key ${describeValue(issue.input)}` });
      continue;
    }
    const subject = path === '' ? (options.what ?? 'the request') : path;
    const rule = ruleOf(issue);
    // Authored rules (custom checks, or messages that say what they received) speak for themselves.
    const received =
      issue.code === 'custom' || /\bgot\b/.test(rule) || issue.input === undefined
        ? ''
        : `, got ${describeValue(issue.input)}`;
    problems.push({ field: path, message: `${subject} ${rule}${received}` });
  }
  return problems;
}

/** One ValidationError for every issue of a zod error. */
export function validationErrorFromZod(error: z.ZodError, options: ZodProblemOptions = {}): ValidationError {
  const problems = problemsFromZod(error, options);
  if (problems.length === 0) {
    const field = options.root ?? '';
    return new ValidationError(field, `${options.what ?? field} is invalid`, { cause: error });
  }
  return ValidationError.of(problems, { cause: error });
}

/** Parses `value` with `schema`, or throws one ValidationError listing every problem. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  options: ZodProblemOptions = {},
): z.output<T> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw validationErrorFromZod(result.error, options);
}

/**
 * Gathers the problems of one request from several checks, so the client learns them all at once:
 * `collect` runs a check and keeps its problems instead of stopping at the first.
 */
export class Problems {
  readonly #problems: Problem[] = [];

  /** Runs `check`; a ValidationError it throws is recorded and `undefined` returned. Other errors pass. */
  collect<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.#problems.push(...error.details);
      return undefined;
    }
  }

  add(problem: Problem): void {
    this.#problems.push(problem);
  }

  /** True when no problem concerns `field` or a field below it. */
  clean(field: string): boolean {
    return !this.#problems.some(
      (problem) => problem.field === field || problem.field.startsWith(`${field}.`),
    );
  }

  get empty(): boolean {
    return this.#problems.length === 0;
  }

  /** Throws one ValidationError for everything gathered; returns when nothing was. */
  throwIfAny(): void {
    if (this.#problems.length > 0) throw ValidationError.of(this.#problems);
  }
}

function ruleOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.message.startsWith('must')) return issue.message;
      if (issue.input === undefined) return `is required (${article(issue.expected)})`;
      return `must be ${article(issue.expected)}`;
    case 'invalid_value':
      if (issue.message.startsWith('must')) return issue.message;
      if (issue.input === undefined) {
        return `is required (one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')})`;
      }
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_small':
    case 'too_big': {
      if (issue.message && !issue.message.startsWith('Too ')) return issue.message;
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const word = issue.code === 'too_small' ? 'at least' : 'at most';
      if (issue.origin === 'string') return `must be ${word} ${bound} characters long`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must have ${word} ${bound} items`;
      return `must be ${word} ${bound}`;
    }
    default:
      return issue.message.startsWith('must') || issue.message.startsWith('a ')
        ? issue.message
        : `is invalid: ${issue.message}`;
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'a whole number';
  if (expected === 'record') return 'an object';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
