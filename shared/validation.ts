/**
 * The validation vocabulary, defined once: how a received value is described in a message, how a zod
 * schema's complaints become `Problem`s (`<field> <rule>, got <value>`), and a collector that gathers
 * every problem of a request before one ValidationError reports them all.
 *
 * Received values are shortened and objects are never echoed, so a secret pasted into the wrong field
 * does not come back in an error message or a log line.
 */

import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { type Problem, ValidationError } from './errors.ts';

// Schemas are built with zod/mini, which a function loads far faster than zod's chained API (see
// bench/README-coldstart.md) and which, unlike it, registers no locale: the default messages that
// ruleOf reads ("Too small: …", "Invalid input …") are English ones, so English is registered here,
// where every schema's complaints are translated.
z.config(en());

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
 * The schema behind a lazy one (`z.lazy(() => …)`), built on this first call. Schemas are lazy at module
 * scope so that a function builds, at its first parse, only the ones it uses: building every schema at
 * import (zod's first calls included) was about a tenth of the API's cold start on Node 20.
 */
export function builtSchema<T extends z.core.SomeType>(schema: z.ZodMiniLazy<T>): T {
  return schema._zod.innerType;
}

/**
 * JSON Merge Patch (RFC 7396): objects merge, `null` removes a key, anything else replaces. Recursive
 * over `patch`: the caller bounds its depth first (user input). Keys are read and written as own
 * properties only (a Map, then `Object.fromEntries`): `result[key] = value` would set the prototype
 * for the key `__proto__`, and `result[key]` would read `toString` from Object.prototype.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result = new Map(isPlainObject(target) ? Object.entries(target) : []);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) result.delete(key);
    else result.set(key, mergePatch(result.get(key), value));
  }
  return Object.fromEntries(result);
}

/** Bytes of a string as UTF-8 (what DynamoDB and HTTP bodies count). */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Nesting levels of a JSON value: a scalar is 0, `{}` and `{"a": 1}` are 1, `{"a": {}}` is 2. Past
 * `limit` the exact depth does not matter: the walk stops at `limit + 1`, so a hostile document stays
 * cheap. Iterative (an explicit stack), so no nesting can exhaust the call stack.
 */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [node, depth] = entry;
    if (typeof node !== 'object' || node === null) continue;
    const level = depth + 1;
    if (level > limit) return level;
    deepest = Math.max(deepest, level);
    for (const child of Object.values(node)) stack.push([child, level]);
  }
  return deepest;
}

/** One value met by {@link walkJson}: where it is and how deep. */
export interface JsonVisit {
  readonly value: unknown;
  /** The key or index it sits under; undefined for the document itself. */
  readonly key: string | number | undefined;
  /** Objects and arrays around it: 0 for the document, 1 for a member of it. */
  readonly depth: number;
  readonly parent: JsonVisit | undefined;
}

/**
 * Visits a JSON value and everything in it, parents before children, iteratively (an explicit stack:
 * no nesting can exhaust the call stack). `visit` returns false to leave a value's children out, and
 * `'stop'` to end the walk.
 */
export function walkJson(value: unknown, visit: (node: JsonVisit) => boolean | 'stop'): void {
  const stack: JsonVisit[] = [{ value, key: undefined, depth: 0, parent: undefined }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const answer = visit(node);
    if (answer === 'stop') return;
    if (answer === false || typeof node.value !== 'object' || node.value === null) continue;
    const children = Array.isArray(node.value)
      ? node.value.map((child, index) => [index, child] as const)
      : Object.entries(node.value);
    // Pushed in reverse, so they are visited in document order.
    for (let i = children.length - 1; i >= 0; i--) {
      const [key, child] = children[i] as readonly [string | number, unknown];
      stack.push({ value: child, key, depth: node.depth + 1, parent: node });
    }
  }
}

/** The keys and indexes from the walked document down to a visited value. */
export function jsonKeys(node: JsonVisit): (string | number)[] {
  const keys: (string | number)[] = [];
  for (let at: JsonVisit | undefined = node; at?.key !== undefined; at = at.parent) keys.push(at.key);
  return keys.reverse();
}

/** The dotted path of a visited value (`config.metadata.a.0`). */
export function jsonPath(node: JsonVisit): string {
  return jsonKeys(node).join('.');
}

/**
 * The deepest a request body may nest. Far deeper than any field accepts (metadata takes 16 levels, a
 * config patch 32), so those fields still answer with their own rule; a body past it is refused before
 * anything walks it recursively.
 */
export const MAX_JSON_DEPTH = 64;

/** Problems reported for one document at most: a hostile one could otherwise make an endless answer. */
const MAX_DOCUMENT_PROBLEMS = 10;

/**
 * A lone UTF-16 surrogate (`"\ud800"`): JSON can spell it, but it is not Unicode text, UTF-8 (what
 * DynamoDB and Scheduler store) cannot encode it, and I-JSON (RFC 7493) excludes it.
 */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * The rules every JSON document a client sends keeps, whatever its fields, checked once at the body's
 * boundary: nested at most MAX_JSON_DEPTH levels, every string and key well-formed Unicode, and no key
 * `__proto__`. That key is refused rather than stored because it cannot be stored faithfully: dynalite
 * (the engine `tickwork local` embeds) drops a map key named `__proto__` from every write, so it would
 * vanish locally and survive in AWS; and a receiver whose JSON handling assigns keys would take it as
 * the object's prototype. Throws one ValidationError naming where each problem is.
 */
export function checkJsonDocument(document: unknown, what = 'the request body'): void {
  const problems = new Problems();
  walkJson(document, (node) => {
    const problem = documentProblem(node, what);
    if (problem === undefined) return true;
    problems.add(problem);
    return problems.count >= MAX_DOCUMENT_PROBLEMS ? 'stop' : false;
  });
  problems.throwIfAny();
}

function documentProblem(node: JsonVisit, what: string): Problem | undefined {
  const named = (field: string, rule: string): Problem => ({
    field,
    message: `${field === '' ? what : field} ${rule}`,
  });
  if (typeof node.key === 'string' && (node.key === '__proto__' || LONE_SURROGATE.test(node.key))) {
    // Named by its object: the key itself is what is wrong with it.
    const parent = node.parent === undefined ? '' : jsonPath(node.parent);
    return node.key === '__proto__'
      ? named(
          parent,
          'must not have the key "__proto__": it cannot be stored as sent, and receivers may take it for the prototype',
        )
      : named(parent, 'must have well-formed Unicode keys; one has an unpaired UTF-16 surrogate');
  }
  if (typeof node.value === 'string' && LONE_SURROGATE.test(node.value)) {
    return named(jsonPath(node), 'must be well-formed Unicode text; it has an unpaired UTF-16 surrogate');
  }
  if (typeof node.value === 'object' && node.value !== null && node.depth >= MAX_JSON_DEPTH) {
    return named(
      shorten(jsonPath(node)),
      `is nested too deep: a request nests at most ${MAX_JSON_DEPTH} levels (objects and arrays)`,
    );
  }
  return undefined;
}

/** A path cut after a few keys: a deep one would fill the message. */
function shorten(path: string): string {
  const keys = path.split('.');
  return keys.length <= 8 ? path : `${keys.slice(0, 8).join('.')}.…`;
}

export interface ZodProblemOptions {
  /** Prefix of every field path, e.g. `config` for a kind's config. @default none */
  readonly root?: string;
  /** The subject of a problem of the whole value (an empty path). @default 'the request' */
  readonly what?: string;
}

/** Every issue of a zod error as a Problem naming the field, the rule and what was received. */
export function problemsFromZod(error: z.core.$ZodError, options: ZodProblemOptions = {}): Problem[] {
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
export function validationErrorFromZod(
  error: z.core.$ZodError,
  options: ZodProblemOptions = {},
): ValidationError {
  const problems = problemsFromZod(error, options);
  if (problems.length === 0) {
    const field = options.root ?? '';
    return new ValidationError(field, `${options.what ?? field} is invalid`, { cause: error });
  }
  return ValidationError.of(problems, { cause: error });
}

/** Parses `value` with `schema`, or throws one ValidationError listing every problem. */
export function parseWith<T extends z.ZodMiniType>(
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

  get count(): number {
    return this.#problems.length;
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
