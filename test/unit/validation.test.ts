/**
 * The JSON helpers of the validation vocabulary under hostile documents: the rules every request body
 * keeps (nesting, Unicode, no `__proto__` key), walks that no nesting can make overflow the call
 * stack, and a JSON Merge Patch that treats every key as data.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.ts';
import {
  checkJsonDocument,
  jsonDepth,
  jsonPath,
  MAX_JSON_DEPTH,
  mergePatch,
  walkJson,
} from '../../shared/validation.ts';

/** `{"a": {"a": ... 1}}`, `levels` objects deep, built without recursion. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level++) value = { a: value };
  return value;
}

function problemsOf(document: unknown): { field: string; message: string }[] {
  try {
    checkJsonDocument(document);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.details];
    throw error;
  }
  return [];
}

describe('checkJsonDocument', () => {
  it.each([
    ['a __proto__ key', '{"tags": {"__proto__": "v"}}', 'tags', /must not have the key "__proto__"/],
    ['a __proto__ key in an array', '{"a": [{"__proto__": {}}]}', 'a.0', /must not have the key "__proto__"/],
    ['a lone surrogate in a value', '{"prompt": "a\\ud800"}', 'prompt', /well-formed Unicode text/],
    ['a lone surrogate in a key', '{"m": {"\\udfff": 1}}', 'm', /well-formed Unicode keys/],
    [
      'a document itself too deep',
      JSON.stringify(nested(MAX_JSON_DEPTH + 1)),
      'a.a.a.a.a.a.a.a.…',
      /nested too deep/,
    ],
  ])('Given %s, Then it is refused naming where', (_, text, field, message) => {
    const problems = problemsOf(JSON.parse(text));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.field).toBe(field);
    expect(problems[0]?.message).toMatch(message);
  });

  it('Given a __proto__ key at the top, Then the problem names the request body', () => {
    expect(problemsOf(JSON.parse('{"__proto__": {}}'))).toEqual([
      {
        field: '',
        message: expect.stringMatching(/^the request body must not have the key "__proto__"/),
      },
    ]);
  });

  it.each([
    [
      'keys named like Object.prototype members',
      { constructor: { name: 'String' }, toString: 1, valueOf: [] },
    ],
    ['paired surrogates (an emoji) and odd Unicode', { '😀': '𝌆 e\u0301 \u202e \u0000' }],
    ['the deepest document taken', nested(MAX_JSON_DEPTH - 1)],
    ['scalars', 'text'],
  ])('Given %s, Then it passes', (_, document) => {
    expect(problemsOf(document)).toEqual([]);
  });

  it('Given a document nested 100,000 levels, Then it is refused without overflowing the call stack', () => {
    expect(problemsOf(nested(100_000))[0]?.message).toMatch(/nested too deep/);
  });

  it('Given many problems, Then it reports ten', () => {
    const document = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, '\ud800']));
    expect(problemsOf(document)).toHaveLength(10);
  });
});

describe('jsonDepth', () => {
  it.each([
    [1, 0],
    [{}, 1],
    [{ a: 1 }, 1],
    [{ a: {} }, 2],
    [[[[]]], 3],
    [{ a: [{ b: null }] }, 3],
  ])('Given %j, Then its depth is %i', (value, depth) => {
    expect(jsonDepth(value, 32)).toBe(depth);
  });

  it('Given 100,000 levels, Then it stops past the limit without overflowing the call stack', () => {
    expect(jsonDepth(nested(100_000), 16)).toBe(17);
  });
});

describe('walkJson', () => {
  it('visits parents before children, in document order, with their paths', () => {
    const paths: string[] = [];
    walkJson({ a: [1, { b: 2 }], c: 3 }, (node) => {
      paths.push(jsonPath(node));
      return true;
    });
    expect(paths).toEqual(['', 'a', 'a.0', 'a.1', 'a.1.b', 'c']);
  });

  it('leaves out the children of a value when told, and stops when told', () => {
    const skipped: string[] = [];
    walkJson({ a: { b: 1 }, c: 2, d: 3 }, (node) => {
      skipped.push(jsonPath(node));
      if (node.key === 'c') return 'stop';
      return node.key !== 'a';
    });
    expect(skipped).toEqual(['', 'a', 'c']);
  });
});

const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'a',
  '',
];

/** RFC 7396 as the RFC writes it, on own properties defined one by one. */
function reference(target: unknown, patch: unknown): unknown {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = {};
  const define = (key: string, value: unknown) =>
    Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
  for (const [key, value] of Object.entries(isObject(target) ? target : {})) define(key, value);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else define(key, reference(Object.hasOwn(result, key) ? result[key] : undefined, value));
  }
  return result;
}

describe('mergePatch', () => {
  const key = fc.constantFrom(...HOSTILE_KEYS);
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.integer(),
      fc.string(),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  }));

  it('merges as RFC 7396 says, every key as data', () => {
    fc.assert(
      fc.property(fc.dictionary(key, value), fc.dictionary(key, value), (target, patch) => {
        const merged = mergePatch(target, patch);
        expect(merged).toEqual(reference(target, patch));
        expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
      }),
    );
  });

  it.each([
    ['a __proto__ key', '{}', '{"__proto__": {"a": 1}}', ['__proto__']],
    [
      'into a key named like an Object.prototype member',
      '{"toString": {"a": 1}}',
      '{"toString": {"b": 2}}',
      ['toString'],
    ],
    ['a key named constructor', '{"constructor": 1}', '{"constructor": {"name": "String"}}', ['constructor']],
  ])('Given %s, Then it is merged as an own key', (_, target, patch, keys) => {
    const merged = mergePatch(JSON.parse(target), JSON.parse(patch)) as Record<string, unknown>;
    expect(Object.keys(merged)).toEqual(keys);
    expect(merged).toEqual(reference(JSON.parse(target), JSON.parse(patch)));
  });
});
