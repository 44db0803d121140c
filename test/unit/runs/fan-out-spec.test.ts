/**
 * A fan-out source's answer, checked before any child exists (shared/runs/fan-out-spec.ts): every rule
 * parseContexts refuses with, the message it says it with, the key pattern, the sizes, the index keys.
 */
import { describe, expect, it } from 'vitest';
import type { JobExpand } from '../../../shared/jobs/model.ts';
import {
  childSlot,
  ExpansionError,
  MAX_CONTEXT_BYTES,
  parseContexts,
} from '../../../shared/runs/fan-out-spec.ts';

const SOURCE = 'http://127.0.0.1:9/sessions';
const expand: JobExpand = { url: SOURCE, maxChildren: 5, concurrency: 2 };

function refusal(answer: unknown, bounds: JobExpand = expand): ExpansionError {
  try {
    parseContexts(answer, bounds, SOURCE);
  } catch (error) {
    if (error instanceof ExpansionError) return error;
    throw error;
  }
  throw new Error(`parseContexts accepted ${JSON.stringify(answer)}`);
}

/** A context of `bytes` bytes as JSON (keyed "k"). */
function contextOfBytes(bytes: number): Record<string, unknown> {
  const shell = JSON.stringify({ key: 'k', pad: '' }).length;
  return { key: 'k', pad: 'x'.repeat(bytes - shell) };
}

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let level = 1; level < depth; level++) value = { inner: value };
  return value;
}

describe('parseContexts refuses', () => {
  it.each([
    ['null', null, 'must answer a JSON object {"contexts": [...]}; got null'],
    ['a list', [{ key: 'a' }], 'must answer a JSON object {"contexts": [...]}; got an array'],
    ['a string', 'contexts', 'must answer a JSON object {"contexts": [...]}; got "contexts"'],
    ['a number', 3, 'must answer a JSON object {"contexts": [...]}; got number 3'],
    ['an object without contexts', { sessions: [] }, 'with an array; got contexts nothing'],
    ['contexts that are an object', { contexts: { a: {} } }, 'with an array; got contexts an object'],
    ['contexts that are null', { contexts: null }, 'with an array; got contexts null'],
    [
      'more contexts than maxChildren',
      { contexts: [{}, {}, {}, {}, {}, {}] },
      'answered 6 contexts; this job allows at most 5 (expand.maxChildren)',
    ],
    [
      'a context that is null',
      { contexts: [{ key: 'a' }, null] },
      'contexts[1] that is not an object; got null',
    ],
    ['a context that is a list', { contexts: [[1]] }, 'contexts[0] that is not an object; got an array'],
    ['a context that is text', { contexts: ['a'] }, 'contexts[0] that is not an object; got "a"'],
    ['a numeric key', { contexts: [{ key: 7 }] }, 'contexts[0].key number 7'],
    ['a null key', { contexts: [{ key: null }] }, 'contexts[0].key null'],
    ['an empty key', { contexts: [{ key: '' }] }, 'contexts[0].key ""'],
    ['a key of 65 characters', { contexts: [{ key: 'k'.repeat(65) }] }, 'contexts[0].key "kkkk'],
    ['a key with the slot separator', { contexts: [{ key: 'a#b' }] }, 'contexts[0].key "a#b"'],
    ['a key with a space', { contexts: [{ key: 'a b' }] }, 'contexts[0].key "a b"'],
    ['a key with a slash', { contexts: [{ key: 'a/b' }] }, 'contexts[0].key "a/b"'],
    ['a key beyond ASCII', { contexts: [{ key: 'café' }] }, 'contexts[0].key "café"'],
    [
      'a repeated key',
      { contexts: [{ key: 'a' }, { key: 'b' }, { key: 'a' }] },
      'answered the key "a" twice (contexts[0] and contexts[2]); keys must be unique',
    ],
    [
      'a key that repeats an index key',
      { contexts: [{ name: 'first' }, { key: '0' }] },
      'answered the key "0" twice (contexts[0] and contexts[1])',
    ],
    [
      `a context over ${MAX_CONTEXT_BYTES} bytes`,
      { contexts: [contextOfBytes(MAX_CONTEXT_BYTES + 1)] },
      `contexts[0] that cannot be stored: must be at most ${MAX_CONTEXT_BYTES} bytes as JSON; got ${MAX_CONTEXT_BYTES + 1} bytes`,
    ],
    [
      'a context nested 17 levels',
      { contexts: [{ key: 'deep', value: nested(16) }] },
      'contexts[0] that cannot be stored: must be nested at most 16 levels deep',
    ],
    [
      'a context with an empty field name',
      { contexts: [{ key: 'e', meta: { '': 1 } }] },
      'contexts[0].meta that cannot be stored: must not have an empty key',
    ],
    [
      'a number DynamoDB cannot store',
      { contexts: [{ key: 'n', tiny: 1e-200 }] },
      'contexts[0].tiny that cannot be stored: must be a number DynamoDB can store',
    ],
  ])('%s, naming the source and the rule', (_case, answer, message) => {
    const error = refusal(answer);
    expect(error.name).toBe('ExpansionError');
    expect(error.message.startsWith(`the expansion source ${SOURCE} `)).toBe(true);
    expect(error.message).toContain(message);
  });

  it('a key rule message that says what a key may be', () => {
    expect(refusal({ contexts: [{ key: 'a#b' }] }).message).toContain(
      "a key must be 1-64 of A-Z a-z 0-9 . _ : - (it names the child's slot)",
    );
  });
});

describe('parseContexts accepts', () => {
  it('contexts in the source order, each keyed by its key or else by its position', () => {
    const contexts = parseContexts(
      { contexts: [{ key: 's-1', name: 'Ada' }, { name: 'Grace' }, { key: 'x', n: 2 }, {}] },
      expand,
      SOURCE,
    );
    expect(contexts).toEqual([
      { key: 's-1', name: 'Ada' },
      { key: '1', name: 'Grace' },
      { key: 'x', n: 2 },
      { key: '3' },
    ]);
  });

  it.each([
    ['64 characters', 'k'.repeat(64)],
    ['every allowed sign', 'A-z_0.9:x'],
    ['digits only', '42'],
  ])('a key of %s', (_case, key) => {
    expect(parseContexts({ contexts: [{ key }] }, expand, SOURCE)).toEqual([{ key }]);
  });

  it('exactly maxChildren contexts, no contexts at all, and fields besides contexts', () => {
    const five = Array.from({ length: 5 }, (_, index) => ({ key: `k${index}` }));
    expect(parseContexts({ contexts: five }, expand, SOURCE)).toHaveLength(5);
    expect(parseContexts({ contexts: [], generatedAt: 'now' }, expand, SOURCE)).toEqual([]);
  });

  it(`a context of exactly ${MAX_CONTEXT_BYTES} bytes, and one nested 16 levels`, () => {
    const [sized] = parseContexts({ contexts: [contextOfBytes(MAX_CONTEXT_BYTES)] }, expand, SOURCE);
    expect(Buffer.byteLength(JSON.stringify(sized), 'utf8')).toBe(MAX_CONTEXT_BYTES);
    expect(parseContexts({ contexts: [{ key: 'd', value: nested(15) }] }, expand, SOURCE)).toHaveLength(1);
  });

  it('field names a plain object would inherit, as data', () => {
    const [context] = parseContexts(
      { contexts: [JSON.parse('{"key": "p", "constructor": "c", "__proto__": {"polluted": true}}')] },
      expand,
      SOURCE,
    );
    expect(Object.hasOwn(context ?? {}, 'constructor')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('childSlot', () => {
  it("is the parent's slot and the key, so a repeated delivery finds the same child", () => {
    expect(childSlot('2030-01-07T09:00:00.000Z', 's-1')).toBe('2030-01-07T09:00:00.000Z#s-1');
  });
});
