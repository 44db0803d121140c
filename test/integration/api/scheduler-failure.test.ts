/**
 * When Scheduler fails, the job record is put back as it was and the error is answered: a missing
 * schedule group (ResourceNotFoundException) over HTTP against the local stack, and throttling /
 * quota errors from a faulty endpoint in front of the emulator, through the API's middy chain with
 * the real adapters.
 */

import { LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateScheduleGroupCommand,
  DeleteScheduleGroupCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../functions/api/app.ts';
import type { ApiDeps } from '../../../functions/api/routes.ts';
import { DynamoCheckpointStore } from '../../../shared/adapters/dynamodb/checkpoints.ts';
import {
  createDocumentClient,
  DynamoJobStore,
  DynamoRunLedger,
} from '../../../shared/adapters/dynamodb/index.ts';
import { createLambdaJobInvoker } from '../../../shared/adapters/lambda/job-invoker.ts';
import { createSchedulerSchedulePort } from '../../../shared/adapters/scheduler/schedule-port.ts';
import { LocalSecretSource } from '../../../shared/adapters/secrets/local.ts';
import { kindScheduleGroups } from '../../../shared/schedule-groups.ts';
import { tableName } from '../../../shared/tables.ts';
import { captureLogs } from '../../support/logs.ts';
import {
  type FaultyScheduler,
  recordingClock,
  startFaultyScheduler,
} from '../scheduler-adapter/faulty-scheduler.ts';
import { type ApiHarness, promptJob, startApiHarness } from './support.ts';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
});

afterAll(async () => {
  await api?.close();
});

/** The job as the API shows it, without the fields every write changes. */
function content(job: Record<string, unknown>) {
  const { version: _version, updatedAt: _updatedAt, ...rest } = job;
  return rest;
}

describe('a Scheduler that refuses (schedule group missing)', () => {
  let group: string;
  let kept: Record<string, unknown>;

  beforeAll(async () => {
    // The jobs here are prompt jobs: without their kind's group, Scheduler refuses their schedules.
    group = api.stack.endpoints.scheduleGroups.prompt;
    await api.writeSecrets({ 'hook-key': 'kept-signing-secret' });
    const created = await api.call('POST', '/jobs', { body: promptJob('kept', { description: 'original' }) });
    expect(created.status).toBe(201);
    kept = created.json;
    // Deleting the group deletes its schedules and makes every Create/Update a ResourceNotFoundException.
    await api.scheduler.send(new DeleteScheduleGroupCommand({ Name: group }));
  });

  afterAll(async () => {
    await api.scheduler.send(new CreateScheduleGroupCommand({ Name: group }));
  });

  it('POST /jobs answers the Scheduler error and leaves no job behind', async () => {
    const before = await api.snapshot();
    const answer = await api.call('POST', '/jobs', { body: promptJob('half-made') });
    expect(answer.status).toBe(502);
    expect(answer.json.error).toEqual({
      type: 'SchedulerError',
      message: expect.stringMatching(
        /refused CreateSchedule for schedule "half-made".*ResourceNotFoundException/,
      ),
    });
    expect((await api.call('GET', '/jobs/half-made')).status).toBe(404);
    expect(await api.snapshot()).toEqual(before);
  });

  it('PUT of a new job leaves no job behind either', async () => {
    const answer = await api.call('PUT', '/jobs/half-put', { body: promptJob('half-put') });
    expect(answer.status).toBe(502);
    expect((await api.call('GET', '/jobs/half-put')).status).toBe(404);
  });

  it.each([
    [
      'PUT replace',
      'PUT',
      '/jobs/kept',
      { body: promptJob('kept', { description: 'changed', schedule: 'rate(1 hour)' }) },
    ],
    ['PATCH', 'PATCH', '/jobs/kept', { body: { description: 'changed' } }],
    ['pause', 'POST', '/jobs/kept/pause', {}],
  ])('%s answers the error and puts the job record back as it was', async (_case, method, path, options) => {
    const answer = await api.call(method, path, options);
    expect(answer.status).toBe(502);
    const read = await api.call('GET', '/jobs/kept');
    expect(content(read.json)).toEqual(content(kept));
  });

  it('reconcile reports the repair it could not make, then makes it once the group is back', async () => {
    const failing = await api.call('POST', '/reconcile');
    expect(failing.status).toBe(200);
    expect(failing.json).toMatchObject({
      missing: ['kept'],
      repaired: [],
      errors: [{ name: 'kept', message: expect.stringMatching(/ResourceNotFoundException/) }],
    });
    await api.scheduler.send(new CreateScheduleGroupCommand({ Name: group }));
    const repaired = await api.call('POST', '/reconcile');
    expect(repaired.status).toBe(200);
    expect(repaired.json).toMatchObject({ missing: ['kept'], repaired: ['kept'], errors: [] });
    await api.scheduler.send(new DeleteScheduleGroupCommand({ Name: group }));
  });
});

describe('a Scheduler that throttles or is over quota', () => {
  let faulty: FaultyScheduler;
  let handler: ReturnType<typeof createApiHandler>;
  let sleeps: number[];
  const { log, entries: logs } = captureLogs();

  beforeAll(async () => {
    faulty = await startFaultyScheduler(api.stack.endpoints.schedulerEndpoint);
    const recording = recordingClock(new Date());
    sleeps = recording.sleeps;
    const clock = recording.clock;
    const { credentials } = api.stack.endpoints;
    const documentClient = createDocumentClient({
      endpoint: api.stack.endpoints.dynamodbEndpoint,
      region: 'us-east-1',
      clientConfig: { credentials },
    });
    const deps: ApiDeps = {
      jobs: new DynamoJobStore(documentClient, tableName('local', 'jobs'), clock),
      runs: new DynamoRunLedger(documentClient, tableName('local', 'runs'), clock),
      checkpoints: new DynamoCheckpointStore(documentClient, tableName('local', 'jobs')),
      schedules: createSchedulerSchedulePort({
        client: new SchedulerClient({
          endpoint: faulty.endpoint,
          region: 'us-east-1',
          credentials,
          maxAttempts: 1,
        }),
        groups: api.stack.endpoints.scheduleGroups,
        clock,
      }),
      invoker: createLambdaJobInvoker({
        client: new LambdaClient({
          endpoint: api.stack.endpoints.lambdaEndpoint,
          region: 'us-east-1',
          credentials,
        }),
        functionArns: {},
      }),
      clock,
      deployment: {
        targetArns: { prompt: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-local-prompt' },
        roleArn: 'arn:aws:iam::000000000000:role/tickwork-local-scheduler',
      },
      mode: 'local',
      runRetentionDays: 30,
      retryPolicy: { delaysMs: [] },
      secrets: new LocalSecretSource({ env: {} }),
      log,
    };
    handler = createApiHandler(deps, { log });
  });

  afterAll(async () => {
    await faulty.close();
  });

  function event(method: string, path: string, body?: unknown): APIGatewayProxyEventV2 {
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: '',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
        requestId: `req-${Math.random().toString(36).slice(2)}`,
        routeKey: '$default',
        stage: '$default',
        time: '',
        timeEpoch: 0,
      },
    };
  }

  it('retries throttling, then answers 503 with Retry-After and leaves no job', async () => {
    const before = await api.snapshot();
    faulty.fail({ code: 'ThrottlingException', status: 429, times: Number.POSITIVE_INFINITY });
    const answer = await handler(event('POST', '/jobs', promptJob('throttled')), {} as Context);
    faulty.fail({ code: 'ThrottlingException', status: 429, times: 0 });
    expect(answer.statusCode).toBe(503);
    expect(Number(answer.headers?.['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(String(answer.body)).error).toEqual({
      type: 'SchedulerThrottled',
      message: expect.stringMatching(/throttling CreateSchedule for schedule "throttled"/),
    });
    expect(sleeps.length).toBe(4);
    expect(await api.snapshot()).toEqual(before);
  });

  it('succeeds when throttling stops within the retries', async () => {
    faulty.fail({ code: 'ThrottlingException', status: 429, times: 2 });
    const answer = await handler(event('POST', '/jobs', promptJob('throttled-once')), {} as Context);
    expect(answer.statusCode).toBe(201);
    expect((await api.call('GET', '/jobs/throttled-once')).status).toBe(200);
  });

  it('answers 429 when a quota is exceeded, leaving no job', async () => {
    const before = await api.snapshot();
    faulty.fail({ code: 'ServiceQuotaExceededException', status: 402, times: Number.POSITIVE_INFINITY });
    const answer = await handler(event('POST', '/jobs', promptJob('over-quota')), {} as Context);
    faulty.fail({ code: 'ServiceQuotaExceededException', status: 402, times: 0 });
    expect(answer.statusCode).toBe(429);
    expect(JSON.parse(String(answer.body)).error.type).toBe('SchedulerQuotaExceeded');
    expect(await api.snapshot()).toEqual(before);
  });

  it('answers an invoke failure of a manual run with 502 and records the run as failed', async () => {
    // The invoker here knows no function for the kind: the invoke fails before reaching Lambda.
    const answer = await handler(event('POST', '/jobs/throttled-once/runs'), {} as Context);
    expect(answer.statusCode).toBe(502);
    expect(JSON.parse(String(answer.body)).error).toEqual({
      type: 'JobInvokeFailed',
      message: 'no function is configured for job kind "prompt"',
    });
    const runs = await api.call('GET', '/jobs/throttled-once/runs');
    expect(runs.json.runs[0]).toMatchObject({
      status: 'failed',
      trigger: 'manual',
      error: { type: 'JobInvokeError', message: expect.stringContaining('no function is configured') },
    });
  });

  it('answers an unexpected error with a bare 500 and logs it with the request id', async () => {
    // Given an API whose DynamoDB endpoint cannot be reached: an outage, not bad input
    const documentClient = createDocumentClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1' });
    const broken = createApiHandler(
      {
        jobs: new DynamoJobStore(documentClient, 'missing', recordingClock(new Date()).clock),
        runs: new DynamoRunLedger(documentClient, 'missing', recordingClock(new Date()).clock),
        checkpoints: new DynamoCheckpointStore(documentClient, 'missing'),
        schedules: createSchedulerSchedulePort({
          client: new SchedulerClient({ endpoint: faulty.endpoint, region: 'us-east-1', maxAttempts: 1 }),
          groups: kindScheduleGroups('g'),
          clock: recordingClock(new Date()).clock,
        }),
        invoker: createLambdaJobInvoker({
          client: new LambdaClient({ region: 'us-east-1' }),
          functionArns: {},
        }),
        clock: recordingClock(new Date()).clock,
        deployment: { targetArns: {}, roleArn: 'r' },
        mode: 'local',
        runRetentionDays: 30,
        retryPolicy: { delaysMs: [] },
        secrets: new LocalSecretSource({ env: {} }),
        log,
      },
      { log },
    );
    const request = event('GET', '/jobs/anything');
    const answer = await broken(request, {} as Context);
    expect(answer.statusCode).toBe(500);
    expect(JSON.parse(String(answer.body))).toEqual({
      error: { type: 'InternalError', message: 'internal error' },
    });
    const logged = logs.find(
      (entry) => entry.level === 'error' && entry.requestId === request.requestContext.requestId,
    );
    expect(logged).toMatchObject({
      message: 'unhandled error',
      route: 'GET /jobs/{name}',
      errorName: expect.any(String),
    });
    expect(answer.headers?.['x-request-id']).toBe(request.requestContext.requestId);
  });
});
