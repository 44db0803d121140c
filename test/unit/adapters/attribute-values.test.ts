/**
 * The conversion between items and DynamoDB AttributeValues: user keys are data whatever their name,
 * the layout is the one util-dynamodb wrote (so items stored before read back unchanged), and what
 * DynamoDB cannot hold is refused with a message.
 */
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fromAttributeMap,
  fromAttributeValue,
  toAttributeMap,
  toAttributeValue,
} from '../../../shared/adapters/dynamodb/attribute-values.ts';

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', ''];

/** JSON data; `keys` chooses its object keys. Numbers stay within what util-dynamodb takes (safe integers). */
function jsonData(keys: fc.Arbitrary<string>) {
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.maxSafeInteger(),
      // JSON has no -0 (it prints 0), and neither has DynamoDB.
      fc.double({ min: -1e15, max: 1e15, noNaN: true }).map((n) => (n === 0 ? 0 : n)),
      fc.string({ unit: 'grapheme' }),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(keys, tie('value'), { maxKeys: 4 }),
    ),
  })).value;
}

const ordinaryKey = fc
  .string({ unit: 'grapheme', minLength: 1 })
  .filter((key) => !HOSTILE_KEYS.includes(key));
const anyKey = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ unit: 'grapheme' }));

describe('toAttributeMap and fromAttributeMap', () => {
  it('write the layout util-dynamodb wrote and read what it wrote, for the data it handled', () => {
    fc.assert(
      fc.property(fc.dictionary(ordinaryKey, jsonData(ordinaryKey)), (item) => {
        // Given data util-dynamodb marshalled correctly (no key it misreads, no unsafe integer)
        const written = marshall(item, { removeUndefinedValues: true });
        // Then ours writes the same AttributeValues, and reads its items (and util-dynamodb's) back
        expect(toAttributeMap(item)).toEqual(written);
        expect(fromAttributeMap(written)).toEqual(unmarshall(written));
        expect(fromAttributeMap(toAttributeMap(item))).toEqual(item);
      }),
    );
  });

  it('round-trip any key as data, those named like Object.prototype members included', () => {
    fc.assert(
      fc.property(fc.dictionary(anyKey, jsonData(anyKey)), (item) => {
        const back = fromAttributeMap(toAttributeMap(item));
        expect(back).toEqual(item);
        expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
      }),
    );
  });

  it.each([
    ['a constructor key', { constructor: 'v' }, { constructor: { S: 'v' } }, { constructor: 'v' }],
    [
      'a constructor named String (util-dynamodb stored "[object Object]")',
      { a: { constructor: { name: 'String' }, b: 1 } },
      { a: { M: { constructor: { M: { name: { S: 'String' } } }, b: { N: '1' } } } },
      { a: { constructor: { name: 'String' }, b: 1 } },
    ],
    [
      'a constructor named Boolean (util-dynamodb stored true)',
      { a: { constructor: { name: 'Boolean' } } },
      { a: { M: { constructor: { M: { name: { S: 'Boolean' } } } } } },
      { a: { constructor: { name: 'Boolean' } } },
    ],
    [
      'an integer past 2^53 (util-dynamodb refused it), as the shortest decimal of its double',
      { n: 2 ** 60 },
      { n: { N: '1152921504606847000' } },
      { n: 2 ** 60 },
    ],
    [
      'undefined members, left out',
      { a: undefined, b: [1, undefined] },
      { b: { L: [{ N: '1' }] } },
      { b: [1] },
    ],
  ])('Given %s, Then the item is written as data and read back', (_, item, attributes, readBack) => {
    expect(toAttributeMap(item)).toEqual(attributes);
    expect(fromAttributeMap(toAttributeMap(item))).toEqual(readBack);
  });

  it('Given a __proto__ key, Then it is an own key both ways, never the prototype', () => {
    const item = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const attributes = toAttributeMap(item);
    expect(Object.keys(attributes)).toEqual(['__proto__', 'a']);
    const back = fromAttributeMap(attributes);
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect((back as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('Given an integer past 2^53 stored, Then it reads back as the number, not a BigInt', () => {
    expect(fromAttributeValue({ N: '1152921504606846976' })).toBe(2 ** 60);
    expect(fromAttributeValue({ N: '1152921504606847000' })).toBe(2 ** 60);
  });
});

describe('values DynamoDB cannot hold', () => {
  let deep: unknown = 1;
  for (let level = 0; level < 40; level++) deep = { a: deep };

  it.each([
    ['a Date', new Date(0), /Unsupported type passed: an instance of Date/],
    ['a Map', new Map([['a', 1]]), /Unsupported type passed: an instance of Map/],
    ['a Set', new Set([1]), /Unsupported type passed: an instance of Set/],
    ['NaN', Number.NaN, /cannot store the number NaN/],
    ['Infinity', Number.POSITIVE_INFINITY, /cannot store the number Infinity/],
    ['a function', () => 1, /cannot store a function/],
    ['a bigint', 1n, /cannot store a bigint/],
    ['a value nested 40 levels', deep, /nested deeper than 32 levels/],
  ])('Given %s, Then the conversion refuses it', (_, value, message) => {
    expect(() => toAttributeValue(value)).toThrow(message);
  });

  it.each([
    ['a string set', { SS: ['a'] }],
    ['a binary value', { B: new Uint8Array([1]) }],
  ])('Given %s read back, Then the conversion refuses it (Tickwork never writes one)', (_, attribute) => {
    expect(() => fromAttributeValue(attribute)).toThrow(/cannot read the DynamoDB attribute type/);
  });
});
