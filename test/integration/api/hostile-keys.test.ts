/**
 * User objects (tags, config metadata, run parameters) with keys and values that broke the DynamoDB
 * marshaller or the merge, through the API on the local stack: each reaches the store exactly as sent
 * and reads back, and is delivered, the same; or it is refused with a 400 naming where, and nothing is
 * written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../prompt/receiver.ts';
import { type ContentsReader, contentsReader } from './contents.ts';
import { type ApiHarness, promptJob, startApiHarness, until } from './support.ts';

let api: ApiHarness;
let contents: ContentsReader;
let receiver: Receiver;

beforeAll(async () => {
  api = await startApiHarness();
  await api.writeSecrets({ 'hostile-hook': 'hostile-secret' });
  receiver = await startReceiver();
  contents = contentsReader(api);
});

afterAll(async () => {
  contents?.close();
  await receiver?.close();
  await api?.close();
});

const config = promptJob('x').config as Record<string, unknown>;
let counter = 0;
const fresh = () => `hostile-${++counter}`;

/** Objects util-dynamodb misread (by `constructor.name`) or refused; every one is plain JSON. */
const METADATA: readonly (readonly [string, Record<string, unknown>])[] = [
  ['a constructor key (was a 500)', { constructor: 'v' }],
  [
    'a constructor named String (was stored as "[object Object]")',
    { a: { constructor: { name: 'String' }, b: 1 } },
  ],
  ['a constructor named Boolean (was stored as true)', { a: { constructor: { name: 'Boolean' }, b: 1 } }],
  ['a constructor named Number', { a: { constructor: { name: 'Number' } } }],
  ['a constructor named Set', { a: { constructor: { name: 'Set' }, size: 2 } }],
  ['a constructor named Map', { a: { constructor: { name: 'Map' } } }],
  ['a constructor named Uint8Array', { a: { constructor: { name: 'Uint8Array' }, length: 0 } }],
  [
    "keys of Object.prototype's members",
    { toString: 'x', hasOwnProperty: 1, valueOf: { valueOf: false }, prototype: [], isPrototypeOf: [null] },
  ],
  [
    'odd Unicode and punctuation keys',
    { '𝌆': 1, é: 'é', '\u202e': 'rtl', 'a.b': { '#x': ':v' }, '\u0000': '' },
  ],
  [
    'integers past 2^53 and numbers at the ends of the range',
    { n: 2 ** 60, m: -(2 ** 60), tiny: 1e-130, big: 9e125 },
  ],
];

const TAGS = {
  constructor: 'v',
  toString: 'x',
  hasOwnProperty: 'y',
  valueOf: 'z',
  prototype: 'p',
  '𝌆': 'e',
};

const withMetadata = (metadata: unknown) => ({ ...config, metadata });

describe('objects the marshaller misread', () => {
  it.each(METADATA)(
    'Given metadata with %s, When the job is created, Then it reads back exactly',
    async (_, metadata) => {
      const name = fresh();
      const created = await api.call('POST', '/jobs', {
        body: promptJob(name, { config: withMetadata(metadata) }),
      });
      expect(created.status, created.text).toBe(201);
      expect(created.json.config.metadata).toEqual(metadata);
      const read = await api.call('GET', `/jobs/${name}`);
      expect(read.json.config.metadata).toEqual(metadata);
    },
  );

  it('Given tags named like Object.prototype members, When the job is created, Then they read back exactly', async () => {
    const name = fresh();
    const created = await api.call('POST', '/jobs', { body: promptJob(name, { tags: TAGS }) });
    expect(created.status, created.text).toBe(201);
    expect((await api.call('GET', `/jobs/${name}`)).json.tags).toEqual(TAGS);
  });

  it.each(METADATA)(
    'Given a job, When a PUT replaces its metadata with %s, Then it reads back exactly',
    async (_, metadata) => {
      const name = fresh();
      expect((await api.call('PUT', `/jobs/${name}`, { body: promptJob(name) })).status).toBe(201);
      const replaced = await api.call('PUT', `/jobs/${name}`, {
        body: promptJob(name, { config: withMetadata(metadata), tags: TAGS }),
      });
      expect(replaced.status, replaced.text).toBe(200);
      const read = await api.call('GET', `/jobs/${name}`);
      expect(read.json.config.metadata).toEqual(metadata);
      expect(read.json.tags).toEqual(TAGS);
    },
  );

  it.each(METADATA)(
    'Given a job, When a PATCH sets metadata with %s, Then it reads back exactly',
    async (_, metadata) => {
      const name = fresh();
      expect((await api.call('POST', '/jobs', { body: promptJob(name) })).status).toBe(201);
      const patched = await api.call('PATCH', `/jobs/${name}`, {
        body: { config: { metadata }, tags: TAGS },
      });
      expect(patched.status, patched.text).toBe(200);
      const read = await api.call('GET', `/jobs/${name}`);
      expect(read.json.config.metadata).toEqual(metadata);
      expect(read.json.tags).toEqual(TAGS);
    },
  );

  it("Given metadata under keys of Object.prototype's members, When a PATCH merges into them, Then they merge as keys", async () => {
    // Given
    const name = fresh();
    const metadata = { toString: { a: 1 }, constructor: { name: 'String' }, valueOf: 'v' };
    expect(
      (
        await api.call('POST', '/jobs', {
          body: promptJob(name, { config: withMetadata(metadata), tags: TAGS }),
        })
      ).status,
    ).toBe(201);
    // When
    const patched = await api.call('PATCH', `/jobs/${name}`, {
      body: {
        config: { metadata: { toString: { b: 2 }, constructor: null, hasOwnProperty: { c: 3 } } },
        tags: { constructor: null, valueOf: 'w' },
      },
    });
    // Then
    expect(patched.status, patched.text).toBe(200);
    const read = await api.call('GET', `/jobs/${name}`);
    expect(read.json.config.metadata).toEqual({
      toString: { a: 1, b: 2 },
      valueOf: 'v',
      hasOwnProperty: { c: 3 },
    });
    expect(read.json.tags).toEqual({
      toString: 'x',
      hasOwnProperty: 'y',
      valueOf: 'w',
      prototype: 'p',
      '𝌆': 'e',
    });
  });

  it('Given such metadata on the job and in the run parameters, When the job is run, Then the run keeps them and the receiver gets them merged', async () => {
    // Given
    const name = fresh();
    const jobMetadata = { constructor: { name: 'String' }, toString: 'job', keep: 1 };
    const runMetadata = { constructor: 'run', valueOf: { name: 'Boolean' }, n: 2 ** 60 };
    const target = { type: 'webhook', url: receiver.url, signingSecret: 'hostile-hook' };
    const created = await api.call('POST', '/jobs', {
      body: promptJob(name, { config: { ...config, metadata: jobMetadata, target } }),
    });
    expect(created.status, created.text).toBe(201);
    // When
    const started = await api.call('POST', `/jobs/${name}/runs`, {
      body: { params: { metadata: runMetadata } },
    });
    // Then
    expect(started.status, started.text).toBe(202);
    expect(started.json.params).toEqual({ metadata: runMetadata });
    const done = await until(
      () => api.call('GET', `/runs/${started.json.runId}`),
      (answer) => answer.json.status === 'succeeded' || answer.json.status === 'failed',
      20_000,
    );
    expect(done.json.status, done.text).toBe('succeeded');
    expect(done.json.params).toEqual({ metadata: runMetadata });
    const delivered = receiver.received.find(
      (request) => JSON.parse(request.rawBody).runId === started.json.runId,
    );
    expect(JSON.parse(delivered?.rawBody ?? '{}').metadata).toEqual({ ...jobMetadata, ...runMetadata });
  });
});

/** A body with `json` at the place `{{here}}` marks in a valid job definition (text: JSON literals cannot spell a `__proto__` key). */
const jobWith = (name: string, place: 'tags' | 'metadata', json: string) =>
  JSON.stringify(
    promptJob(name, place === 'tags' ? { tags: '{{here}}' } : { config: withMetadata('{{here}}') }),
  ).replace('"{{here}}"', json);

const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

type Refusal = readonly [
  description: string,
  method: string,
  path: string,
  body: string,
  field: string,
  rule: RegExp,
];

const REFUSALS: readonly Refusal[] = [
  [
    'a __proto__ tag',
    'POST',
    '/jobs',
    jobWith('refused', 'tags', '{"__proto__":"v","a":"b"}'),
    'tags',
    /"__proto__"/,
  ],
  [
    'a __proto__ key deep in metadata',
    'POST',
    '/jobs',
    jobWith('refused', 'metadata', '{"a":{"__proto__":{"x":1}}}'),
    'config.metadata.a',
    /"__proto__"/,
  ],
  [
    'a __proto__ key in a PUT',
    'PUT',
    '/jobs/target',
    jobWith('target', 'metadata', '{"__proto__":{}}'),
    'config.metadata',
    /"__proto__"/,
  ],
  [
    'a __proto__ key in a PATCH of config (was a 200 that changed nothing)',
    'PATCH',
    '/jobs/target',
    '{"config":{"metadata":{"__proto__":{"b":2}}}}',
    'config.metadata',
    /"__proto__"/,
  ],
  [
    'a __proto__ tag in a PATCH',
    'PATCH',
    '/jobs/target',
    '{"tags":{"__proto__":"x"}}',
    'tags',
    /"__proto__"/,
  ],
  [
    'a __proto__ key in run parameters',
    'POST',
    '/jobs/target/runs',
    '{"params":{"metadata":{"__proto__":{"x":1}}}}',
    'params.metadata',
    /"__proto__"/,
  ],
  [
    'an empty metadata key (DynamoDB refuses it)',
    'POST',
    '/jobs',
    jobWith('refused', 'metadata', '{"a":{"":1}}'),
    'config.metadata.a',
    /empty key/,
  ],
  [
    "a number past DynamoDB's range (was a 500)",
    'POST',
    '/jobs',
    jobWith('refused', 'metadata', '{"n":1e300}'),
    'config.metadata.n',
    /DynamoDB can store/,
  ],
  [
    "a number below DynamoDB's range",
    'PATCH',
    '/jobs/target',
    '{"config":{"metadata":{"n":[1e-300]}}}',
    'config.metadata.n.0',
    /DynamoDB can store/,
  ],
  [
    'a lone surrogate in a tag',
    'POST',
    '/jobs',
    jobWith('refused', 'tags', '{"k":"\\ud800"}'),
    'tags.k',
    /well-formed Unicode/,
  ],
  [
    'a lone surrogate in a metadata key',
    'POST',
    '/jobs',
    jobWith('refused', 'metadata', '{"\\udfff":1}'),
    'config.metadata',
    /well-formed Unicode/,
  ],
  [
    'a PATCH nested 10,000 levels',
    'PATCH',
    '/jobs/target',
    `{"config":{"metadata":${deep(10_000)}}}`,
    'config.metadata.a.a.a.a.a.a.…',
    /nested too deep/,
  ],
  [
    'a definition nested 10,000 levels',
    'POST',
    '/jobs',
    jobWith('refused', 'metadata', deep(10_000)),
    'config.metadata.a.a.a.a.a.a.…',
    /nested too deep/,
  ],
  [
    'run parameters nested 10,000 levels',
    'POST',
    '/jobs/target/runs',
    `{"params":${deep(10_000)}}`,
    'params.a.a.a.a.a.a.a.…',
    /nested too deep/,
  ],
];

describe('objects that cannot be stored as sent', () => {
  beforeAll(async () => {
    const created = await api.call('PUT', '/jobs/target', {
      body: promptJob('target', { config: withMetadata({ keep: 1 }), tags: { keep: 'yes' } }),
    });
    expect(created.status, created.text).toBe(201);
  });

  it.each(REFUSALS)(
    'Given %s, When it is sent, Then it is refused naming where, and nothing is written',
    async (_, method, path, body, field, rule) => {
      const before = await contents.read();
      const answer = await api.call(method, path, { body });
      expect(answer.status, answer.text).toBe(400);
      expect(answer.json.error.type).toBe('ValidationError');
      const problem = answer.json.error.details.find((detail: { field: string }) => detail.field === field);
      expect(problem?.message, answer.text).toMatch(rule);
      expect(await contents.read()).toEqual(before);
    },
  );
});
