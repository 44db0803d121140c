/**
 * Bad requests over HTTP against the local stack: each one is answered 4xx with a message naming the
 * problem, and leaves the engines as they were (no job, schedule or run appears or goes).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_KINDS } from '../../../shared/kinds/registry.ts';
import {
  type ApiHarness,
  type CallOptions,
  type EngineSnapshot,
  promptJob,
  startApiHarness,
} from './support.ts';

let api: ApiHarness;
let before: EngineSnapshot;

const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString();
const inThreeDays = new Date(Date.now() + 3 * 86_400_000).toISOString();
const config = promptJob('x').config as { prompt: string; target: Record<string, string> };

beforeAll(async () => {
  api = await startApiHarness();
  const created = await api.call('POST', '/jobs', {
    body: promptJob('existing', { schedule: 'rate(5 minutes)' }),
  });
  expect(created.status).toBe(201);
  before = await api.snapshot();
  expect(before.jobs).toEqual(['existing']);
  expect(before.schedules).toEqual(['existing']);
});

afterAll(async () => {
  await api?.close();
});

type Case = readonly [
  description: string,
  method: string,
  path: string,
  options: CallOptions,
  status: number,
  message: RegExp,
];

const job = (overrides: Record<string, unknown>) => ({ body: promptJob('fresh', overrides) });

const cases: readonly Case[] = [
  // The body's form
  ['invalid JSON', 'POST', '/jobs', { body: '{"name":' }, 400, /not valid JSON/],
  ['a JSON array', 'POST', '/jobs', { body: '[]' }, 400, /must be a JSON object, got an array/],
  ['JSON null', 'POST', '/jobs', { body: 'null' }, 400, /must be a JSON object, got null/],
  ['an empty body', 'POST', '/jobs', { body: '' }, 400, /body is empty/],
  [
    'a text/plain body',
    'POST',
    '/jobs',
    { body: '{}', contentType: 'text/plain' },
    415,
    /content-type must be application\/json/,
  ],
  [
    'no content type',
    'POST',
    '/jobs',
    { body: '{}', contentType: null },
    415,
    /content-type must be application\/json/,
  ],
  [
    'a form body',
    'POST',
    '/jobs',
    { body: 'name=a', contentType: 'application/x-www-form-urlencoded' },
    415,
    /application\/json/,
  ],
  [
    'an oversize body',
    'POST',
    '/jobs',
    job({ config: { ...config, prompt: 'p'.repeat(300 * 1024) } }),
    413,
    /limit for POST \/jobs is 262144 bytes/,
  ],
  [
    'a PUT with text/plain',
    'PUT',
    '/jobs/fresh',
    { body: '{}', contentType: 'text/plain' },
    415,
    /content-type/,
  ],
  [
    'a PATCH with broken JSON',
    'PATCH',
    '/jobs/existing',
    { body: '{enabled: false}' },
    400,
    /not valid JSON/,
  ],
  // The definition's fields
  ['no name', 'POST', '/jobs', { body: { ...promptJob('x'), name: undefined } }, 400, /name is required/],
  [
    'a name with a space',
    'POST',
    '/jobs',
    job({ name: 'my job' }),
    400,
    /name must be 1-64 characters.*"my job"/,
  ],
  [
    'a 65-character name',
    'POST',
    '/jobs',
    job({ name: 'n'.repeat(65) }),
    400,
    /name must be 1-64 characters/,
  ],
  ['a numeric name', 'POST', '/jobs', job({ name: 7 }), 400, /name must be a string/],
  [
    'an unknown kind',
    'POST',
    '/jobs',
    job({ kind: 'shell' }),
    400,
    new RegExp(`kind must be one of ${JOB_KINDS.map((kind) => `"${kind}"`).join(', ')}, got "shell"`),
  ],
  ['no kind', 'POST', '/jobs', job({ kind: undefined }), 400, /kind is required/],
  ['no schedule', 'POST', '/jobs', job({ schedule: undefined }), 400, /schedule is required/],
  ['a numeric schedule', 'POST', '/jobs', job({ schedule: 60 }), 400, /schedule must be a string/],
  [
    'a bad cron day-of-week',
    'POST',
    '/jobs',
    job({ schedule: 'cron(0 9 ? * 0 *)' }),
    400,
    /schedule: invalid day-of-week "0"/,
  ],
  [
    'a cron with both day fields',
    'POST',
    '/jobs',
    job({ schedule: 'cron(0 9 1 * MON *)' }),
    400,
    /schedule: invalid .*\?/,
  ],
  [
    'a crontab minute of 61',
    'POST',
    '/jobs',
    job({ schedule: '61 * * * *' }),
    400,
    /schedule: invalid minute/,
  ],
  [
    'an interval under a minute',
    'POST',
    '/jobs',
    job({ schedule: 'rate(30 seconds)' }),
    400,
    /schedule: invalid/,
  ],
  ['a zero rate', 'POST', '/jobs', job({ schedule: 'rate(0 minutes)' }), 400, /schedule: invalid/],
  ['an ISO interval of 30 s', 'POST', '/jobs', job({ schedule: 'PT30S' }), 400, /schedule: invalid/],
  [
    'a prose schedule',
    'POST',
    '/jobs',
    job({ schedule: 'every tuesday' }),
    400,
    /schedule: invalid expression/,
  ],
  [
    'an unknown time zone',
    'POST',
    '/jobs',
    job({ timezone: 'Mars/Olympus' }),
    400,
    /timezone: unknown time zone "Mars\/Olympus"/,
  ],
  [
    'an offset as time zone',
    'POST',
    '/jobs',
    job({ timezone: '+02:00' }),
    400,
    /timezone: unknown time zone/,
  ],
  [
    'an endDate before the startDate',
    'POST',
    '/jobs',
    job({ startDate: inThreeDays, endDate: inTwoDays }),
    400,
    /endDate must be after startDate/,
  ],
  [
    'an endDate in the past',
    'POST',
    '/jobs',
    job({ endDate: '2020-01-01T00:00:00Z' }),
    400,
    /endDate must be in the future/,
  ],
  [
    'a startDate that is not ISO',
    'POST',
    '/jobs',
    job({ startDate: 'next monday' }),
    400,
    /startDate must be an ISO-8601 instant/,
  ],
  ['at() in the past', 'POST', '/jobs', job({ schedule: 'at(2020-01-01T09:00:00)' }), 400, /is in the past/],
  [
    'a cron that never fires again',
    'POST',
    '/jobs',
    job({ schedule: 'cron(0 9 * * ? 2020)' }),
    400,
    /never fires/,
  ],
  ['enabled as a string', 'POST', '/jobs', job({ enabled: 'yes' }), 400, /enabled must be a boolean/],
  [
    'an unknown overlap policy',
    'POST',
    '/jobs',
    job({ overlap: 'queue' }),
    400,
    /overlap must be one of "skip", "allow"/,
  ],
  [
    'a flexible window of 0',
    'POST',
    '/jobs',
    job({ flexibleWindowMinutes: 0 }),
    400,
    /flexibleWindowMinutes must be at least 1/,
  ],
  [
    'a flexible window over a day',
    'POST',
    '/jobs',
    job({ flexibleWindowMinutes: 1441 }),
    400,
    /flexibleWindowMinutes must be at most 1440/,
  ],
  [
    '51 tags',
    'POST',
    '/jobs',
    job({ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'v'])) }),
    400,
    /tags must have at most 50 tags/,
  ],
  [
    'a tag value over 256 characters',
    'POST',
    '/jobs',
    job({ tags: { team: 'v'.repeat(300) } }),
    400,
    /tags.team must be at most 256/,
  ],
  [
    'a description over 512 characters',
    'POST',
    '/jobs',
    job({ description: 'd'.repeat(513) }),
    400,
    /description must be at most 512/,
  ],
  ['an unknown field', 'POST', '/jobs', job({ retries: 3 }), 400, /retries is not a known field/],
  [
    'an unknown config field',
    'POST',
    '/jobs',
    job({ config: { ...config, model: 'gpt' } }),
    400,
    /config.model is not a known field/,
  ],
  [
    'an inline secret',
    'POST',
    '/jobs',
    job({ config: { ...config, token: 'abc123' } }),
    400,
    /config.token is not allowed: secrets are passed by reference/,
  ],
  [
    'a secret value in the secret-name field',
    'POST',
    '/jobs',
    job({ config: { ...config, target: { ...config.target, signingSecret: 'sk live 123 456' } } }),
    400,
    /config.target.signingSecret must be the NAME of a secret/,
  ],
  [
    'a webhook that is not a URL',
    'POST',
    '/jobs',
    job({ config: { ...config, target: { ...config.target, url: 'not a url' } } }),
    400,
    /config.target.url must be an absolute http\(s\) URL/,
  ],
  [
    'a config without its prompt',
    'POST',
    '/jobs',
    job({ config: { target: config.target } }),
    400,
    /config.prompt/,
  ],
  [
    'a target that is not a webhook',
    'POST',
    '/jobs',
    job({ config: { ...config, target: { ...config.target, type: 'email' } } }),
    400,
    /config.target.type must be "webhook"/,
  ],
  [
    'runImmediately on at()',
    'POST',
    '/jobs',
    job({ schedule: `at(${inTwoDays.slice(0, 19)})`, runImmediately: true }),
    400,
    /runImmediately does not apply/,
  ],
  [
    'a PUT whose body names another job',
    'PUT',
    '/jobs/fresh',
    { body: promptJob('other') },
    400,
    /name in the body \("other"\) must equal the name in the path \("fresh"\)/,
  ],
  [
    'a name that exists',
    'POST',
    '/jobs',
    { body: promptJob('existing') },
    409,
    /job "existing" already exists; use PUT \/jobs\/existing/,
  ],
  // Query strings
  ['limit 0', 'GET', '/jobs?limit=0', {}, 400, /limit must be a whole number from 1 to 100.*got "0"/],
  ['limit abc', 'GET', '/jobs?limit=abc', {}, 400, /limit must be a whole number/],
  ['limit 101', 'GET', '/jobs?limit=101', {}, 400, /limit must be a whole number from 1 to 100/],
  ['enabled yes', 'GET', '/jobs?enabled=yes', {}, 400, /enabled must be "true" or "false"/],
  [
    'an unknown kind filter',
    'GET',
    '/jobs?kind=shell',
    {},
    400,
    new RegExp(`kind must be one of ${JOB_KINDS.join(', ')}`),
  ],
  [
    'a cursor that is not one',
    'GET',
    '/jobs?cursor=%21%21%21',
    {},
    400,
    /cursor must be the nextCursor of a previous page/,
  ],
  [
    'a cursor of another shape',
    'GET',
    '/jobs?cursor=eyJmb28iOiJiYXIifQ',
    {},
    400,
    /cursor must be the nextCursor/,
  ],
  ['an unknown query parameter', 'GET', '/jobs?foo=bar', {}, 400, /query parameter foo is not known/],
  ['an unknown run status', 'GET', '/runs?status=done', {}, 400, /status must be one of pending, running/],
  ['a negative run limit', 'GET', '/runs?limit=-5', {}, 400, /limit must be a whole number/],
  [
    'a bad status on job runs',
    'GET',
    '/jobs/existing/runs?status=finished',
    {},
    400,
    /status must be one of/,
  ],
  [
    'a status limit of 1000',
    'GET',
    '/status?limit=1000',
    {},
    400,
    /limit must be a whole number from 1 to 100/,
  ],
  [
    'a preview without expression',
    'GET',
    '/schedules/preview',
    {},
    400,
    /query parameter expression is required/,
  ],
  [
    'a preview of a bad cron',
    'GET',
    '/schedules/preview?expression=cron(0%209%20*%20*%20*%20*)',
    {},
    400,
    /expression: invalid/,
  ],
  [
    'a preview count of 0',
    'GET',
    '/schedules/preview?expression=rate(5%20minutes)&count=0',
    {},
    400,
    /count must be a whole number from 1 to 50/,
  ],
  [
    'a preview in an unknown zone',
    'GET',
    '/schedules/preview?expression=rate(5%20minutes)&timezone=Nowhere/City',
    {},
    400,
    /timezone: unknown time zone/,
  ],
  [
    'a reconcile with dryRun=maybe',
    'POST',
    '/reconcile?dryRun=maybe',
    {},
    400,
    /dryRun must be "true" or "false"/,
  ],
  // Patches
  [
    'a PATCH with no field',
    'PATCH',
    '/jobs/existing',
    { body: {} },
    400,
    /the patch must set at least one field/,
  ],
  [
    'a PATCH of the kind',
    'PATCH',
    '/jobs/existing',
    { body: { kind: 'prompt' } },
    400,
    /kind cannot be changed by PATCH/,
  ],
  [
    'a PATCH of a config field the kind does not have',
    'PATCH',
    '/jobs/existing',
    { body: { config: { model: 'gpt' } } },
    400,
    /config.model cannot be changed by PATCH for kind prompt/,
  ],
  [
    'a PATCH with an inline secret',
    'PATCH',
    '/jobs/existing',
    { body: { config: { metadata: { password: 'hunter2' } } } },
    400,
    /config.metadata.password is not allowed/,
  ],
  [
    'a PATCH clearing the schedule',
    'PATCH',
    '/jobs/existing',
    { body: { schedule: null } },
    400,
    /schedule must be a string, got null/,
  ],
  [
    'a PATCH with a past endDate',
    'PATCH',
    '/jobs/existing',
    { body: { endDate: '2020-01-01T00:00:00Z' } },
    400,
    /endDate must be in the future/,
  ],
  [
    'a PATCH with an unknown field',
    'PATCH',
    '/jobs/existing',
    { body: { color: 'red' } },
    400,
    /color is not a known field/,
  ],
  [
    'a PATCH of a missing job',
    'PATCH',
    '/jobs/missing',
    { body: { enabled: false } },
    404,
    /job "missing" does not exist/,
  ],
  // Paths, methods, auth
  [
    'a job name with a space in the path',
    'GET',
    '/jobs/bad%20name',
    {},
    400,
    /job name in the path must be 1-64 characters/,
  ],
  ['a run id that is not one', 'GET', '/runs/not-a-run-id', {}, 400, /runId in the path must be a run id/],
  [
    'cancelling a run that does not exist',
    'POST',
    '/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/cancel',
    {},
    404,
    /run "01ARZ3NDEKTSV4RRFFQ69G5FAV" does not exist/,
  ],
  ['deleting a missing job', 'DELETE', '/jobs/missing', {}, 404, /job "missing" does not exist/],
  ['running a missing job', 'POST', '/jobs/missing/runs', {}, 404, /job "missing" does not exist/],
  ['an unknown route', 'GET', '/nope', {}, 404, /no route for GET \/nope/],
  [
    'a wrong method',
    'DELETE',
    '/jobs',
    {},
    405,
    /method DELETE is not allowed on \/jobs; allowed: POST, GET/,
  ],
  ['no token', 'POST', '/jobs', { body: promptJob('fresh'), token: null }, 401, /./],
  ['a wrong token', 'POST', '/jobs', { body: promptJob('fresh'), token: 'not-the-token' }, 401, /./],
];

describe('malformed requests', () => {
  it('cover at least fifty cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases)('%s → %s %s answers %#', async (_description, method, path, options, status, message) => {
    // When the bad request is sent
    const answer = await api.call(method, path, options);
    // Then it is refused with the expected status and a message naming the problem
    expect(answer.status, answer.text).toBe(status);
    if (status !== 401) {
      expect(answer.json.error.type).toEqual(expect.any(String));
      expect(answer.json.error.message).toMatch(message);
    }
    // And nothing was created or removed
    expect(await api.snapshot()).toEqual(before);
  });

  it('left the existing job as it was', async () => {
    const answer = await api.call('GET', '/jobs/existing');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      version: 1,
      enabled: true,
      schedule: { expression: 'rate(5 minutes)' },
    });
  });
});
