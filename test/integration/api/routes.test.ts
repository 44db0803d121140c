/**
 * Every route of the API over HTTP against the local stack, checking both the answer and what the
 * engines hold afterwards (the schedule in the emulator follows the job record).
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../functions/api/openapi.ts';
import { DynamoRunLedger } from '../../../shared/adapters/dynamodb/index.ts';
import { systemClock } from '../../../shared/clock.ts';
import { newRunId } from '../../../shared/runs/run-id.ts';
import { tableName } from '../../../shared/tables.ts';
import { type ApiAnswer, type ApiHarness, promptJob, startApiHarness, until } from './support.ts';

let api: ApiHarness;
let group: string;

beforeAll(async () => {
  api = await startApiHarness();
  // The jobs of these tests are prompt jobs: their schedules are in the prompt kind's group.
  group = api.stack.endpoints.scheduleGroups.prompt;
});

afterAll(async () => {
  await api?.close();
});

async function schedule(name: string) {
  return api.scheduler.send(new GetScheduleCommand({ Name: name, GroupName: group }));
}

async function scheduleExists(name: string): Promise<boolean> {
  try {
    await schedule(name);
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

describe('creating and reading jobs', () => {
  it('POST /jobs creates the job and its schedule', async () => {
    // Given a rate job with a description, a window and tags
    const body = promptJob('create-me', {
      schedule: 'rate(5 minutes)',
      description: 'Checks the queue',
      flexibleWindowMinutes: 3,
      tags: { team: 'ops' },
    });
    // When it is created
    const answer = await api.call('POST', '/jobs', { body });
    // Then the answer is the job with its normalized schedule and next run
    expect(answer.status).toBe(201);
    expect(answer.headers.get('location')).toBe('/jobs/create-me');
    expect(answer.headers.get('x-request-id')).toEqual(expect.any(String));
    expect(answer.json).toMatchObject({
      name: 'create-me',
      kind: 'prompt',
      schedule: {
        input: 'rate(5 minutes)',
        expression: 'rate(5 minutes)',
        timezone: 'UTC',
        description: 'Every 5 minutes',
      },
      description: 'Checks the queue',
      enabled: true,
      overlap: 'skip',
      flexibleWindowMinutes: 3,
      tags: { team: 'ops' },
      version: 1,
      nextRun: expect.any(String),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(answer.json).not.toHaveProperty('lease');
    expect(answer.json).not.toHaveProperty('state');
    // And the schedule in the group is named after the job and anchored one interval ahead
    const created = await schedule('create-me');
    expect(created).toMatchObject({
      Name: 'create-me',
      GroupName: group,
      ScheduleExpression: 'rate(5 minutes)',
      ScheduleExpressionTimezone: 'UTC',
      Description: 'Checks the queue',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 3 },
      ActionAfterCompletion: 'NONE',
      Target: {
        Arn: expect.stringMatching(/:function:tickwork-local-prompt$/),
        RoleArn: expect.stringMatching(/:role\/tickwork-local-scheduler$/),
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 3600 },
      },
    });
    // The job's copy rides along (the job as stored, so its runs need not read it).
    expect(JSON.parse(created.Target?.Input ?? '')).toEqual({
      job: 'create-me',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      executionId: '<aws.scheduler.execution-id>',
      attempt: '<aws.scheduler.attempt-number>',
      definition: expect.objectContaining({
        name: 'create-me',
        kind: 'prompt',
        version: 1,
        enabled: true,
        config: answer.json.config,
        createdAt: answer.json.createdAt,
        schedule: expect.objectContaining({ expression: 'rate(5 minutes)' }),
      }),
    });
    const startDate = created.StartDate?.getTime() ?? 0;
    expect(startDate % 60_000).toBe(0);
    expect(startDate).toBe(new Date(answer.json.nextRun).getTime());
  });

  it('GET /jobs/{name} reads it back', async () => {
    const answer = await api.call('GET', '/jobs/create-me');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ name: 'create-me', version: 1 });
  });

  it('a one-time job gets a self-deleting schedule and shows its state', async () => {
    const at = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19);
    const answer = await api.call('POST', '/jobs', {
      body: promptJob('once', { schedule: `at(${at})`, timezone: 'Europe/Berlin' }),
    });
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({
      state: 'scheduled',
      schedule: { expression: `at(${at})`, timezone: 'Europe/Berlin' },
    });
    expect(await schedule('once')).toMatchObject({
      ActionAfterCompletion: 'DELETE',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
  });
});

describe('replacing and patching', () => {
  it('PUT /jobs/{name} creates (201), then replaces (200) keeping the anchor', async () => {
    const first = await api.call('PUT', '/jobs/put-me', {
      body: promptJob('put-me', { schedule: 'rate(10 minutes)' }),
    });
    expect(first.status).toBe(201);
    const anchor = (await schedule('put-me')).StartDate?.toISOString();
    // When it is replaced with the same schedule and a new description, without a name in the body
    const { name: _name, ...withoutName } = promptJob('put-me', {
      schedule: 'rate(10 minutes)',
      description: 'v2',
    });
    const second = await api.call('PUT', '/jobs/put-me', { body: withoutName });
    // Then it is a replace: version 2, same anchor, new description everywhere
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ version: 2, description: 'v2', createdAt: first.json.createdAt });
    const replaced = await schedule('put-me');
    expect(replaced.StartDate?.toISOString()).toBe(anchor);
    expect(replaced.Description).toBe('v2');
  });

  it('PUT with a new schedule re-anchors and fully replaces the schedule', async () => {
    const answer = await api.call('PUT', '/jobs/put-me', {
      body: promptJob('put-me', { schedule: '0 7 * * *', timezone: 'America/New_York' }),
    });
    expect(answer.status).toBe(200);
    const replaced = await schedule('put-me');
    expect(replaced).toMatchObject({
      ScheduleExpression: 'cron(0 7 * * ? *)',
      ScheduleExpressionTimezone: 'America/New_York',
      Description: 'At 07:00, every day, America/New_York',
    });
    expect(replaced.StartDate).toBeUndefined();
    expect(replaced.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
  });

  it('PATCH changes only the given fields, null clears, config merges', async () => {
    await api.call('POST', '/jobs', {
      body: promptJob('patch-me', {
        description: 'before',
        tags: { team: 'ops' },
        endDate: '2099-01-01T00:00:00Z',
      }),
    });
    // When the description is cleared, the prompt changed and the job disabled
    const answer = await api.call('PATCH', '/jobs/patch-me', {
      body: { description: null, config: { prompt: 'new prompt' }, enabled: false },
    });
    // Then those change and everything else stays
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      version: 2,
      enabled: false,
      tags: { team: 'ops' },
      endDate: '2099-01-01T00:00:00.000Z',
      config: { prompt: 'new prompt', target: promptJob('x').config && { type: 'webhook' } },
      nextRun: null,
    });
    expect(answer.json).not.toHaveProperty('description');
    const patched = await schedule('patch-me');
    expect(patched.State).toBe('DISABLED');
    expect(patched.Description).toBe('At 09:00, Monday through Friday');
    expect(patched.EndDate?.toISOString()).toBe('2099-01-01T00:00:00.000Z');
  });

  it('PATCH of the schedule updates the schedule', async () => {
    const answer = await api.call('PATCH', '/jobs/patch-me', {
      body: { schedule: 'rate(2 hours)', enabled: true },
    });
    expect(answer.status).toBe(200);
    expect(await schedule('patch-me')).toMatchObject({
      ScheduleExpression: 'rate(2 hours)',
      State: 'ENABLED',
    });
  });
});

describe('pause, resume, delete', () => {
  it('pause disables the schedule and resume enables it again', async () => {
    await api.call('POST', '/jobs', { body: promptJob('toggle', { schedule: 'rate(1 hour)' }) });
    const anchor = (await schedule('toggle')).StartDate?.toISOString();
    const paused = await api.call('POST', '/jobs/toggle/pause');
    expect(paused.status).toBe(200);
    expect(paused.json).toMatchObject({ enabled: false, nextRun: null, version: 2 });
    expect((await schedule('toggle')).State).toBe('DISABLED');
    const resumed = await api.call('POST', '/jobs/toggle/resume');
    expect(resumed.status).toBe(200);
    expect(resumed.json).toMatchObject({ enabled: true, version: 3 });
    const after = await schedule('toggle');
    expect(after.State).toBe('ENABLED');
    expect(after.StartDate?.toISOString()).toBe(anchor);
  });

  it('DELETE removes a recurring job and its schedule', async () => {
    const answer = await api.call('DELETE', '/jobs/toggle');
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect((await api.call('GET', '/jobs/toggle')).status).toBe(404);
    expect(await scheduleExists('toggle')).toBe(false);
  });

  it('DELETE cancels a one-time job that has not fired: it stays queryable', async () => {
    const answer = await api.call('DELETE', '/jobs/once');
    expect(answer.status).toBe(204);
    expect(await scheduleExists('once')).toBe(false);
    const read = await api.call('GET', '/jobs/once');
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ state: 'cancelled', nextRun: null });
    expect((await api.call('POST', '/jobs/once/pause')).status).toBe(409);
    expect((await api.call('POST', '/jobs/once/runs')).status).toBe(409);
  });
});

describe('listing jobs', () => {
  beforeAll(async () => {
    for (const name of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) {
      const answer = await api.call('POST', '/jobs', {
        body: promptJob(name, { enabled: name !== 'page-c' }),
      });
      expect(answer.status).toBe(201);
    }
  });

  it('pages through every job with an opaque cursor', async () => {
    const names: string[] = [];
    let path = '/jobs?name=page-&limit=2';
    for (let page = 0; page < 10; page++) {
      const answer = await api.call('GET', path);
      expect(answer.status).toBe(200);
      expect(answer.json.jobs.length).toBeLessThanOrEqual(2);
      names.push(...answer.json.jobs.map((job: { name: string }) => job.name));
      if (answer.json.nextCursor === null) break;
      path = `/jobs?name=page-&limit=2&cursor=${encodeURIComponent(answer.json.nextCursor)}`;
    }
    expect(names).toEqual(['page-a', 'page-b', 'page-c', 'page-d', 'page-e']);
  });

  it.each([
    ['name=page-&enabled=false', ['page-c']],
    ['name=page-&enabled=true&kind=prompt', ['page-a', 'page-b', 'page-d', 'page-e']],
    ['name=page-d', ['page-d']],
    ['name=nothing-', []],
  ])('filters by %s', async (query, expected) => {
    const answer = await api.call('GET', `/jobs?${query}`);
    expect(answer.status).toBe(200);
    expect(answer.json.jobs.map((job: { name: string }) => job.name)).toEqual(expected);
    expect(answer.json.nextCursor).toBeNull();
  });

  it('lists all jobs with the default limit', async () => {
    const answer = await api.call('GET', '/jobs');
    expect(answer.status).toBe(200);
    expect(answer.json.jobs.map((job: { name: string }) => job.name)).toEqual(
      expect.arrayContaining(['create-me', 'once', 'page-a', 'patch-me', 'put-me']),
    );
  });
});

describe('runs', () => {
  let runId: string;

  it('POST /jobs/{name}/runs answers 202 with a pending manual run', async () => {
    const answer = await api.call('POST', '/jobs/page-a/runs');
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ job: 'page-a', trigger: 'manual', status: 'pending', attempt: 1 });
    runId = answer.json.runId;
  });

  it('GET /runs/{runId} reads the run', async () => {
    const answer = await api.call('GET', `/runs/${runId}`);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ runId, job: 'page-a', trigger: 'manual' });
  });

  it('lists runs of a job and across jobs, newest first, with filters and paging', async () => {
    const second = await api.call('POST', '/jobs/page-a/runs');
    const other = await api.call('POST', '/jobs/page-b/runs');
    const ofJob = await api.call('GET', '/jobs/page-a/runs');
    expect(ofJob.status).toBe(200);
    expect(ofJob.json.runs.map((run: { runId: string }) => run.runId)).toEqual([second.json.runId, runId]);
    const all = await api.call('GET', '/runs?limit=2');
    expect(all.json.runs.map((run: { runId: string }) => run.runId)).toEqual([
      other.json.runId,
      second.json.runId,
    ]);
    expect(all.json.nextCursor).toEqual(expect.any(String));
    const rest = await api.call('GET', `/runs?limit=2&cursor=${encodeURIComponent(all.json.nextCursor)}`);
    expect(rest.json.runs.map((run: { runId: string }) => run.runId)).toContain(runId);
    const byJob = await api.call('GET', '/runs?job=page-b');
    expect(byJob.json.runs.map((run: { runId: string }) => run.runId)).toEqual([other.json.runId]);
    const running = await api.call('GET', '/runs?status=running');
    expect(running.status).toBe(200);
    expect(Array.isArray(running.json.runs)).toBe(true);
  });

  it('POST /runs/{runId}/cancel cancels a pending run, then answers 409', async () => {
    // Given a pending run the function has not started (recorded straight in the ledger)
    const documentClient = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: api.stack.endpoints.dynamodbEndpoint,
        region: 'us-east-1',
        credentials: api.stack.endpoints.credentials,
      }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    const ledger = new DynamoRunLedger(documentClient, tableName('local', 'runs'), systemClock);
    const now = new Date();
    const pendingId = newRunId(now);
    await ledger.claim({
      runId: pendingId,
      job: 'page-d',
      slot: `manual#${pendingId}`,
      trigger: 'manual',
      status: 'pending',
      scheduledFor: now.toISOString(),
      attempt: 1,
      duplicatesSuppressed: 0,
      expiresAt: Math.floor(now.getTime() / 1000) + 86_400,
    });
    // When it is cancelled
    const cancelled = await api.call('POST', `/runs/${pendingId}/cancel`);
    // Then it is cancelled, and a second cancel conflicts
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ runId: pendingId, status: 'cancelled' });
    const again = await api.call('POST', `/runs/${pendingId}/cancel`);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({
      type: 'RunConflict',
      message: expect.stringMatching(/already cancelled/),
    });
    documentClient.destroy();
  });
});

describe('status and preview', () => {
  it('GET /status reports each job with next run, last run and health, paginated', async () => {
    // page-a's manual runs (above) run in the local Lambda runtime: wait until one has started.
    const lastRunOfPageA = (status: ApiAnswer) =>
      status.json.jobs.find((job: { name: string }) => job.name === 'page-a')?.lastRun;
    const answer = await until(
      () => api.call('GET', '/status?limit=100'),
      (status) => lastRunOfPageA(status) != null,
      30_000,
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      generatedAt: expect.any(String),
      nextCursor: null,
      totals: { jobs: answer.json.jobs.length },
    });
    const byName = new Map(answer.json.jobs.map((job: { name: string }) => [job.name, job]));
    expect(byName.get('page-c')).toMatchObject({
      enabled: false,
      health: 'paused',
      nextRun: null,
      isExecuting: false,
    });
    expect(byName.get('page-e')).toMatchObject({
      enabled: true,
      health: 'ok',
      lastRun: null,
      nextRun: expect.any(String),
      schedule: { expression: 'cron(0 9 ? * MON-FRI *)' },
    });
    expect(byName.get('page-a')).toMatchObject({ lastRun: { runId: expect.any(String) } });
    const { totals } = answer.json;
    expect(totals.enabled + totals.paused).toBe(totals.jobs);
    const firstPage = await api.call('GET', '/status?limit=2');
    expect(firstPage.json.jobs).toHaveLength(2);
    expect(firstPage.json.totals.jobs).toBe(2);
    const nextPage = await api.call(
      'GET',
      `/status?limit=2&cursor=${encodeURIComponent(firstPage.json.nextCursor)}`,
    );
    expect(nextPage.json.jobs[0].name > firstPage.json.jobs[1].name).toBe(true);
  });

  it('GET /schedules/preview validates and shows the next fire times', async () => {
    const before = await api.snapshot();
    const answer = await api.call(
      'GET',
      `/schedules/preview?expression=${encodeURIComponent('0 9 * * MON-FRI')}&timezone=Europe/Berlin&count=3`,
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      input: '0 9 * * MON-FRI',
      expression: 'cron(0 9 ? * MON-FRI *)',
      timezone: 'Europe/Berlin',
      description: expect.stringContaining('Monday through Friday'),
    });
    expect(answer.json.next).toHaveLength(3);
    expect(await api.snapshot()).toEqual(before);
  });
});

describe('reconcile', () => {
  it('reports drift on a dry run, repairs it otherwise', async () => {
    // Given a missing schedule, a stray one and one changed behind Tickwork's back
    await api.scheduler.send(new DeleteScheduleCommand({ Name: 'page-b', GroupName: group }));
    const stray = await schedule('page-d');
    await api.scheduler.send(
      new CreateScheduleCommand({
        Name: 'stray',
        GroupName: group,
        ScheduleExpression: 'rate(1 day)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: stray.Target?.Arn ?? '', RoleArn: stray.Target?.RoleArn ?? '' },
      }),
    );
    await api.scheduler.send(
      new UpdateScheduleCommand({
        Name: 'page-e',
        GroupName: group,
        ScheduleExpression: 'rate(1 day)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: stray.Target?.Arn ?? '', RoleArn: stray.Target?.RoleArn ?? '' },
      }),
    );
    // When reconcile runs dry
    const dry = await api.call('POST', '/reconcile?dryRun=true');
    // Then it reports all three and changes nothing
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({
      dryRun: true,
      missing: ['page-b'],
      stray: ['stray'],
      repaired: [],
      errors: [],
    });
    expect(dry.json.differing).toEqual([
      { name: 'page-e', fields: expect.arrayContaining(['expression', 'description', 'target.input']) },
    ]);
    expect(await scheduleExists('page-b')).toBe(false);
    expect(await scheduleExists('stray')).toBe(true);
    // When it runs for real
    const wet = await api.call('POST', '/reconcile');
    expect(wet.status).toBe(200);
    expect(wet.json.repaired).toEqual(['page-b', 'page-e', 'stray']);
    // Then the group matches the jobs again
    expect(await scheduleExists('page-b')).toBe(true);
    expect(await scheduleExists('stray')).toBe(false);
    expect((await schedule('page-e')).ScheduleExpression).toBe('cron(0 9 ? * MON-FRI *)');
    const after = await api.call('POST', '/reconcile?dryRun=true');
    expect(after.json).toMatchObject({ missing: [], stray: [], differing: [] });
  });
});

describe('GET /openapi.json', () => {
  it('answers the OpenAPI 3.1 document of the API the stack serves, and refuses a query', async () => {
    const answer = await api.call('GET', '/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.json).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    expect(Object.keys(answer.json.paths)).toContain('/jobs/{name}/runs');
    const refused = await api.call('GET', '/openapi.json?format=yaml');
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/query parameter format is not known/);
  });
});
