/**
 * What the API says about a request, over HTTP against the local stack: every problem of a bad request
 * at once (and nothing written), warnings that do not stop a write, tags merged by PATCH, the job-name
 * rule and the webhook's delivery timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DELIVERY_TIMEOUT_SECONDS } from '../../../shared/kinds/prompt/config.ts';
import { type ApiHarness, promptJob, startApiHarness } from './support.ts';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
});

afterAll(async () => {
  await api?.close();
});

describe('every problem of a request at once', () => {
  it('Given a definition breaking rules in its shape, its schedule and its config, When POSTed, Then one 400 lists them all and nothing is written', async () => {
    // Given a newcomer's first attempt: an unknown field, a bad cron, a config missing most of itself
    const before = await api.snapshot();
    const body = {
      name: 'first-try',
      kind: 'prompt',
      schedule: 'cron(0 9 ? * 0 *)',
      retries: 3,
      config: { text: 'hello', target: { type: 'webhook', url: 'not a url' } },
    };
    // When
    const answer = await api.call('POST', '/jobs', { body });
    // Then
    expect(answer.status).toBe(400);
    expect(answer.json.error.type).toBe('ValidationError');
    const fields = (answer.json.error.details as { field: string }[]).map((problem) => problem.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'retries',
        'schedule',
        'config.text',
        'config.prompt',
        'config.target.url',
        'config.target.signingSecret',
      ]),
    );
    expect(answer.json.error.message).toBe(answer.json.error.details[0].message);
    for (const problem of answer.json.error.details) expect(problem.message).toContain(problem.field);
    expect(await api.snapshot()).toEqual(before);
  });

  it('Given several bad query parameters, When listed, Then one 400 names each of them', async () => {
    const answer = await api.call('GET', '/runs?limit=0&status=done&colour=red');
    expect(answer.status).toBe(400);
    expect(answer.json.error.type).toBe('InvalidQuery');
    expect(answer.json.error.details.map((problem: { field: string }) => problem.field).sort()).toEqual([
      'colour',
      'limit',
      'status',
    ]);
  });

  it('Given one problem, When PATCHed, Then details holds that one problem', async () => {
    await api.call('PUT', '/jobs/one-problem', { body: promptJob('one-problem') });
    const answer = await api.call('PATCH', '/jobs/one-problem', { body: { overlap: 'queue' } });
    expect(answer.status).toBe(400);
    expect(answer.json.error.details).toEqual([{ field: 'overlap', message: answer.json.error.message }]);
  });
});

describe('warnings that do not stop a write', () => {
  it('Given a signing secret that does not exist yet, When the job is created, Then it is created with a warning naming where the secret was looked for', async () => {
    const answer = await api.call('POST', '/jobs', {
      body: promptJob('secret-later', {
        config: {
          prompt: 'x',
          target: { type: 'webhook', url: 'http://127.0.0.1:9/hook', signingSecret: 'later-hook' },
        },
      }),
    });
    expect(answer.status).toBe(201);
    expect(answer.json.warnings).toEqual([
      {
        field: 'config.target.signingSecret',
        message: expect.stringMatching(
          /^secret "later-hook" does not exist yet \(looked in .*secrets\.json and the environment variable TICKWORK_SECRET_LATER_HOOK\); runs of job "secret-later" will fail until it does$/,
        ),
      },
    ]);
    // And once the secret exists, a write answers without warnings
    await api.writeSecrets({ 'later-hook': 'now-it-exists' });
    const again = await api.call('PATCH', '/jobs/secret-later', { body: { description: 'with its secret' } });
    expect(again.status).toBe(200);
    expect(again.json.warnings).toBeUndefined();
    // And a read never carries warnings
    expect((await api.call('GET', '/jobs/secret-later')).json.warnings).toBeUndefined();
  });
});

describe('PATCH of tags', () => {
  it('Given tags a and b, When a PATCH sets b and removes a, Then the others stay (JSON Merge Patch)', async () => {
    await api.call('PUT', '/jobs/tagged', {
      body: promptJob('tagged', { tags: { a: '1', b: '1', c: '1' } }),
    });
    const answer = await api.call('PATCH', '/jobs/tagged', { body: { tags: { b: '2', a: null } } });
    expect(answer.status).toBe(200);
    expect(answer.json.tags).toEqual({ b: '2', c: '1' });
    const cleared = await api.call('PATCH', '/jobs/tagged', { body: { tags: null } });
    expect(cleared.json.tags).toEqual({});
  });

  it('Given 50 tags, When a PATCH would add one more, Then it is refused and nothing changes', async () => {
    const tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${i}`, 'v']));
    await api.call('PUT', '/jobs/full-tags', { body: promptJob('full-tags', { tags }) });
    const answer = await api.call('PATCH', '/jobs/full-tags', { body: { tags: { one: 'more' } } });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({
      type: 'ValidationError',
      message: expect.stringContaining('50'),
    });
    expect(Object.keys((await api.call('GET', '/jobs/full-tags')).json.tags)).toHaveLength(50);
  });
});

describe('the job-name rule', () => {
  it.each(['.', '..'])(
    'Given the name %j, When POSTed, Then a 400 names the rule and nothing is written',
    async (name) => {
      const before = await api.snapshot();
      const answer = await api.call('POST', '/jobs', { body: promptJob(name) });
      expect(answer.status).toBe(400);
      expect(answer.json.error.message).toContain('other than "." and ".."');
      expect(await api.snapshot()).toEqual(before);
    },
  );

  it('Given a name that breaks the rule in the path, When read, Then a 400 names the path', async () => {
    const answer = await api.call('GET', '/jobs/bad%20name');
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toMatch(/^job name in the path must be 1-64 characters/);
  });
});

describe("the webhook's delivery timeout", () => {
  it.each([
    ['0 seconds', 0, 'must be at least 1 second'],
    [
      'more than the function allows',
      MAX_DELIVERY_TIMEOUT_SECONDS + 1,
      `at most ${MAX_DELIVERY_TIMEOUT_SECONDS} seconds`,
    ],
    ['a fraction', 2.5, 'whole number of seconds'],
  ])(
    'Given timeoutSeconds of %s, When POSTed, Then a 400 names config.target.timeoutSeconds',
    async (_case, timeoutSeconds, rule) => {
      const answer = await api.call('POST', '/jobs', {
        body: promptJob(`timeout-${String(timeoutSeconds).replace('.', '-')}`, {
          config: {
            prompt: 'x',
            target: { type: 'webhook', url: 'http://127.0.0.1:9/hook', signingSecret: 'k', timeoutSeconds },
          },
        }),
      });
      expect(answer.status).toBe(400);
      expect(answer.json.error.details).toEqual([
        { field: 'config.target.timeoutSeconds', message: expect.stringContaining(rule) },
      ]);
    },
  );

  it('Given a slow receiver, When the target allows 30 seconds, Then the job is accepted with it', async () => {
    const answer = await api.call('POST', '/jobs', {
      body: promptJob('slow-llm', {
        config: {
          prompt: 'x',
          target: { type: 'webhook', url: 'http://127.0.0.1:9/hook', signingSecret: 'k', timeoutSeconds: 30 },
        },
      }),
    });
    expect(answer.status).toBe(201);
    expect(answer.json.config.target.timeoutSeconds).toBe(30);
  });
});
