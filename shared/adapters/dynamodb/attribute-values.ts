/**
 * Items to and from DynamoDB AttributeValues: our own conversion, in place of @aws-sdk/util-dynamodb's.
 *
 * util-dynamodb decides what a value is by reading `value.constructor.name`, and a job's tags, its
 * config's metadata and a run's params are objects whose keys the user chooses: `{"constructor": "v"}`
 * made it throw ("Unsupported type passed", a 500), and `{"constructor": {"name": "String"}}` was stored
 * as the string "[object Object]" (`"Boolean"`: as `true`). It also refuses integers past 2^53 on write
 * and reads them back as BigInt, which JSON cannot print. This conversion looks at `typeof`,
 * `Array.isArray` and the prototype only, never at a key, and builds maps with defined properties, so a
 * key is data whatever its name.
 *
 * The layout is util-dynamodb's (strings S, numbers N, booleans BOOL, null NULL, arrays L, objects M,
 * `undefined` members left out): items written before read back unchanged, and items written now read
 * back the same through any other client.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * DynamoDB refuses an item nested deeper than 32 levels; the conversion stops there too, so its
 * recursion stays shallow whatever it is handed.
 */
const MAX_NESTING = 32;

/** A record (an item, a key, expression values) as an AttributeValue map; `undefined` members are left out. */
export function toAttributeMap(record: Readonly<Record<string, unknown>>): Record<string, AttributeValue> {
  return mapOf(record, 1);
}

/** An AttributeValue map (an item, a key) as a plain object. */
export function fromAttributeMap(map: Readonly<Record<string, AttributeValue>>): Record<string, unknown> {
  return objectOf(map, 1);
}

export function toAttributeValue(value: unknown): AttributeValue {
  return attributeOf(value, 0);
}

export function fromAttributeValue(attribute: AttributeValue): unknown {
  return nativeOf(attribute, 0);
}

function attributeOf(value: unknown, depth: number): AttributeValue {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'boolean':
      return { BOOL: value };
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot store the number ${value} in DynamoDB`);
      // The shortest decimal that reads back as the same double (DynamoDB keeps 38 digits).
      return { N: String(value) };
    case 'object':
      if (value === null) return { NULL: true };
      if (depth > MAX_NESTING)
        throw new RangeError(`cannot store a value nested deeper than ${MAX_NESTING} levels`);
      if (Array.isArray(value)) {
        return {
          L: value.filter((entry) => entry !== undefined).map((entry) => attributeOf(entry, depth + 1)),
        };
      }
      if (!isDataObject(value)) {
        // util-dynamodb's words, which the in-memory table (shared/adapters/memory) and its contract use.
        throw new TypeError(
          `Unsupported type passed: an instance of ${describePrototype(value)}; only plain objects are stored`,
        );
      }
      return { M: mapOf(value as Record<string, unknown>, depth + 1) };
    default:
      throw new TypeError(`cannot store a ${typeof value} in DynamoDB`);
  }
}

function mapOf(record: Readonly<Record<string, unknown>>, depth: number): Record<string, AttributeValue> {
  const map: Record<string, AttributeValue> = {};
  for (const key of Object.keys(record)) {
    const member = record[key];
    if (member !== undefined) define(map, key, attributeOf(member, depth));
  }
  return map;
}

function nativeOf(attribute: AttributeValue, depth: number): unknown {
  if (attribute.S !== undefined) return attribute.S;
  if (attribute.N !== undefined) return Number(attribute.N);
  if (attribute.BOOL !== undefined) return attribute.BOOL;
  if (attribute.NULL !== undefined) return null;
  if (depth > MAX_NESTING)
    throw new RangeError(`cannot read a value nested deeper than ${MAX_NESTING} levels`);
  if (attribute.L !== undefined) return attribute.L.map((entry) => nativeOf(entry, depth + 1));
  if (attribute.M !== undefined) return objectOf(attribute.M, depth + 1);
  // Sets and binary values: Tickwork never writes them, so an item holding one is not one of ours.
  throw new TypeError(`cannot read the DynamoDB attribute type ${Object.keys(attribute).join(', ')}`);
}

function objectOf(map: Readonly<Record<string, AttributeValue>>, depth: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const key of Object.keys(map)) {
    const attribute = map[key];
    if (attribute !== undefined) define(object, key, nativeOf(attribute, depth));
  }
  return object;
}

/**
 * Adds an own enumerable property. Not `object[key] = value`: for the key `__proto__` that would set
 * the prototype and lose the key.
 */
function define(object: object, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A plain object (or one without a prototype), whatever keys it holds: the prototype decides, not `constructor`. */
function isDataObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describePrototype(value: object): string {
  const maker: unknown = Object.getPrototypeOf(value)?.constructor;
  return typeof maker === 'function' && maker.name !== '' ? maker.name : 'a class';
}
