/**
 * Hostile input for the API's write routes, as fast-check arbitraries: JSON with keys that name
 * Object.prototype's members (or are empty, odd Unicode, lone surrogates), numbers outside what
 * DynamoDB stores, wrong types in every field, deep nesting, huge arrays and strings, broken JSON, odd
 * path segments and query strings. Plus the reference JSON Merge Patch the PATCH answers are held to.
 */
import fc from 'fast-check';
import { promptJob } from './support.ts';

export const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
  '',
  ' ',
  'a.b',
  '#name',
  ':v1',
  '\u0000',
  '\u202e',
  '𝌆',
  'e\u0301',
  '\ud800',
  '\udfff',
  'name',
  'config',
  'metadata',
  'params',
  'token',
] as const;

const key = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_KEYS), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 8 }), weight: 1 },
);

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.constantFrom(
    '',
    '\ud800',
    'x'.repeat(300),
    'rate(5 minutes)',
    'cron(0 0 1 1 ? 2099)',
    'UTC',
    'Europe/Paris',
    'http://127.0.0.1:9/hook',
    '2099-01-01T00:00:00Z',
    'prompt',
    'webhook',
  ),
);

const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, 1, 5, 60, 1440, 2 ** 53 + 2, 2 ** 60, 1e300, -1e300, 1e-300, 1e-130, 9e125, 1e126),
);

/** Any JSON value, a few levels deep, with hostile keys and scalars. */
export const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('json'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('json'), { maxKeys: 4 }),
}));

export const hostileObject = fc.dictionary(key, json, { maxKeys: 5 });
const hostileTags = fc.dictionary(key, fc.oneof(text, json), { maxKeys: 5 });

/**
 * The hostile keys the API stores (all but `__proto__`, the empty key, lone surrogates and names of
 * inline secrets), with well-formed text and numbers in DynamoDB's range: what must round-trip.
 */
const storableKey = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      ...HOSTILE_KEYS.filter((name) => !['__proto__', '', '\ud800', '\udfff', 'token'].includes(name)),
    ),
    weight: 3,
  },
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), weight: 1 },
);
const storableText = fc.string({ unit: 'grapheme', maxLength: 16 });
const storableNumber = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, 2 ** 53 + 2, 2 ** 60, -(2 ** 60), 1e-130, 9e125, -9e125),
  fc.double({ min: -1e125, max: 1e125, noNaN: true }).filter((n) => n === 0 || Math.abs(n) >= 1e-130),
);
const { storable } = fc.letrec((tie) => ({
  storable: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    storableNumber,
    storableText,
    fc.array(tie('storable'), { maxLength: 4 }),
    fc.dictionary(storableKey, tie('storable'), { maxKeys: 4 }),
  ),
}));
export const storableObject = fc.dictionary(storableKey, storable, { maxKeys: 5 });
const storableTags = fc.dictionary(storableKey, storableText, { maxKeys: 5 });

/** A job body the API accepts as it is; the arbitraries below break it. */
export function validJob(name: string): Record<string, unknown> {
  return promptJob(name, { schedule: 'cron(0 0 1 1 ? 2099)' });
}

const JOB_FIELDS = [
  'name',
  'kind',
  'schedule',
  'timezone',
  'description',
  'enabled',
  'runImmediately',
  'overlap',
  'flexibleWindowMinutes',
  'startDate',
  'endDate',
  'tags',
  'config',
  'unknown',
] as const;
const CONFIG_FIELDS = ['prompt', 'metadata', 'target', 'extra'] as const;

/**
 * Job definitions (POST, PUT): storable hostile tags and metadata (accepted), hostile ones (mostly
 * refused), one field of any type, or anything at all.
 */
export function jobBody(name: string): fc.Arbitrary<unknown> {
  const job = validJob(name);
  const config = job.config as Record<string, unknown>;
  const withMaps = (tags: unknown, metadata: unknown) => ({ ...job, tags, config: { ...config, metadata } });
  return fc.oneof(
    {
      arbitrary: fc.tuple(storableTags, storableObject).map(([tags, metadata]) => withMaps(tags, metadata)),
      weight: 3,
    },
    {
      arbitrary: fc.tuple(hostileTags, hostileObject).map(([tags, metadata]) => withMaps(tags, metadata)),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...JOB_FIELDS), json)
        .map(([field, value]) => ({ ...job, [field]: value })),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...CONFIG_FIELDS), json)
        .map(([field, value]) => ({ ...job, config: { ...config, [field]: value } })),
      weight: 1,
    },
    { arbitrary: json, weight: 1 },
  );
}

/** PATCH bodies: storable or hostile merges of config and tags, one field of any type, or anything at all. */
export const patchBody: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.record(
      {
        config: fc.record({ metadata: fc.oneof(storableObject, fc.constant(null)) }),
        tags: fc.oneof(storableTags, fc.constant(null)),
      },
      { requiredKeys: [] },
    ),
    weight: 3,
  },
  {
    arbitrary: fc.record({ config: fc.record({ metadata: json }), tags: hostileTags }, { requiredKeys: [] }),
    weight: 2,
  },
  {
    arbitrary: fc.tuple(fc.constantFrom(...JOB_FIELDS), json).map(([field, value]) => ({ [field]: value })),
    weight: 2,
  },
  { arbitrary: json, weight: 1 },
);

/** Run requests: storable or hostile parameters, or anything at all. */
export const runBody: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: storableObject.map((metadata) => ({ params: { metadata } })), weight: 3 },
  { arbitrary: hostileObject.map((metadata) => ({ params: { metadata } })), weight: 2 },
  { arbitrary: json.map((params) => ({ params })), weight: 1 },
  { arbitrary: json, weight: 1 },
);

/** Backfill requests: instants (some in the future, some the wrong way round), concurrency of any sign, or one field of any type. */
export const backfillBody: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc
      .record({
        from: fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        to: fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        concurrency: fc.option(fc.integer({ min: -2, max: 12 }), { nil: undefined }),
      })
      .map(({ from, to, concurrency }) => ({
        from: from.toISOString(),
        to: to.toISOString(),
        ...(concurrency === undefined ? {} : { concurrency }),
      })),
    weight: 3,
  },
  {
    arbitrary: fc
      .record({ field: fc.constantFrom('from', 'to', 'concurrency', 'extra'), value: json })
      .map(({ field, value }) => ({
        from: '2026-01-01T00:00:00Z',
        to: '2026-01-02T00:00:00Z',
        [field]: value,
      })),
    weight: 1,
  },
);

/** Bodies that are not a small JSON value: deep nesting, huge arrays and strings, broken JSON. */
export function rawBody(name: string): fc.Arbitrary<string> {
  const job = validJob(name);
  const config = job.config as Record<string, unknown>;
  const inMetadata = (json: string) =>
    JSON.stringify({ ...job, config: { ...config, metadata: '@' } }).replace('"@"', json);
  return fc.oneof(
    fc.integer({ min: 1, max: 30_000 }).map((n) => inMetadata(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`)),
    fc.integer({ min: 1, max: 60_000 }).map((n) => inMetadata(`{"a":${'['.repeat(n)}${']'.repeat(n)}}`)),
    fc.integer({ min: 1, max: 30_000 }).map((n) => `{"params":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`),
    fc.integer({ min: 1, max: 140_000 }).map((n) => inMetadata(`{"a":[${Array(n).fill(0).join(',')}]}`)),
    fc
      .integer({ min: 90_000, max: 300_000 })
      .map((n) => JSON.stringify({ ...job, description: 'é'.repeat(n) })),
    fc.constantFrom(
      '',
      ' ',
      '{',
      'null',
      '[]',
      '"x"',
      '{"a":1}{',
      '\ufeff{}',
      '{"a":\u0000}',
      '{"a":"\\ud800"}',
    ),
  );
}

/** Path segments: the existing job or run, and whatever a URL can carry. */
export function segment(existing: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...existing), weight: 3 },
    {
      arbitrary: fc.constantFrom(
        'missing',
        '.',
        '..',
        '%2F',
        '%ZZ',
        '%',
        '%00',
        '%ED%A0%80',
        'a'.repeat(65),
        '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      ),
      weight: 1,
    },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map(percentEncode), weight: 1 },
  );
}

/** Mostly none: the write routes take no query string, and one would hide what the body does. */
export const query: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(''), weight: 6 },
  {
    arbitrary: fc.constantFrom(
      '?x=1',
      '?dryRun=true',
      '?dryRun=false',
      '?dryRun=yes',
      '?%ZZ',
      '?a=%ED%A0%80',
      '?dryRun=1&dryRun=2',
    ),
    weight: 1,
  },
  {
    arbitrary: fc
      .string({ unit: 'binary', maxLength: 12 })
      .map((text) => `?${percentEncode(text)}=${percentEncode(text)}`),
    weight: 1,
  },
);

/** Every UTF-8 byte percent-encoded (a lone surrogate as U+FFFD's bytes): encodeURIComponent throws on those. */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

/** RFC 7396, as the RFC writes it: what a PATCH must leave. */
export function referenceMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> = {};
  const base = typeof target === 'object' && target !== null && !Array.isArray(target) ? target : {};
  for (const [name, value] of Object.entries(base)) {
    Object.defineProperty(result, name, { value, enumerable: true, writable: true, configurable: true });
  }
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[name];
      continue;
    }
    const current = Object.hasOwn(result, name) ? result[name] : undefined;
    Object.defineProperty(result, name, {
      value: referenceMergePatch(current, value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}
