/**
 * Job service rules on the real engines (the local stack: dynalite, the Scheduler emulator, the
 * in-process Lambda runtime):
 * - `deleteJob` puts the schedule back when the record cannot be removed (another request changed the
 *   job between the read and the conditional delete);
 * - `runImmediately` is honoured at create and whenever a PUT or PATCH changes the timing; a PATCH
 *   setting it without a timing change is refused, pointing to `POST /jobs/{name}/runs`.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDocumentClient,
  DynamoJobStore,
  DynamoRunLedger,
} from '../../../shared/adapters/dynamodb/index.ts';
import { createLambdaJobInvoker } from '../../../shared/adapters/lambda/job-invoker.ts';
import { createSchedulerSchedulePort } from '../../../shared/adapters/scheduler/schedule-port.ts';
import { LocalSecretSource } from '../../../shared/adapters/secrets/local.ts';
import { systemClock } from '../../../shared/clock.ts';
import { ConcurrentModificationError } from '../../../shared/errors.ts';
import { createJob, deleteJob, type JobServiceDeps } from '../../../shared/jobs/service.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { tableName } from '../../../shared/tables.ts';
import { type ApiHarness, promptJob, startApiHarness } from '../api/support.ts';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness();
});

afterAll(async () => {
  await api?.close();
});

describe('deleteJob when the record write fails', () => {
  let documentClient: DynamoDBDocumentClient;
  let other: DynamoDBDocumentClient;
  let deps: JobServiceDeps;
  /** The job whose DeleteItem gets a concurrent version bump in front of it, once. */
  let raceOn: string | undefined;

  beforeAll(() => {
    const { dynamodbEndpoint, schedulerEndpoint, lambdaEndpoint, scheduleGroups, credentials } =
      api.stack.endpoints;
    documentClient = createDocumentClient({
      endpoint: dynamodbEndpoint,
      region: 'us-east-1',
      clientConfig: { credentials },
    });
    other = createDocumentClient({
      endpoint: dynamodbEndpoint,
      region: 'us-east-1',
      clientConfig: { credentials },
    });
    const jobsTable = tableName('local', 'jobs');
    // Another request (a PATCH elsewhere) bumps the job's version after deleteJob read it and before
    // its conditional DeleteItem reaches DynamoDB: the delete's version condition fails for real.
    documentClient.middlewareStack.add(
      (next, context) => async (args) => {
        // The DeleteItem as sent: its key is an AttributeValue already (shared/adapters/dynamodb/document-client.ts).
        const input = args.input as { TableName?: string; Key?: { name?: { S?: string } } };
        if (
          context.commandName === 'DeleteItemCommand' &&
          input.TableName === jobsTable &&
          raceOn !== undefined &&
          input.Key?.name?.S === raceOn
        ) {
          raceOn = undefined;
          await other.send(
            new UpdateCommand({
              TableName: jobsTable,
              Key: { name: input.Key.name.S },
              UpdateExpression: 'SET #description = :description ADD #version :one',
              ExpressionAttributeNames: { '#description': 'description', '#version': 'version' },
              ExpressionAttributeValues: { ':description': 'changed meanwhile', ':one': 1 },
            }),
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'concurrentVersionBump' },
    );
    deps = {
      log: silentLogger,
      jobs: new DynamoJobStore(documentClient, jobsTable, systemClock),
      runs: new DynamoRunLedger(documentClient, tableName('local', 'runs'), systemClock),
      schedules: createSchedulerSchedulePort({
        client: new SchedulerClient({ endpoint: schedulerEndpoint, region: 'us-east-1', credentials }),
        groups: scheduleGroups,
        clock: systemClock,
      }),
      invoker: createLambdaJobInvoker({
        client: new LambdaClient({ endpoint: lambdaEndpoint, region: 'us-east-1', credentials }),
        functionArns: {},
      }),
      clock: systemClock,
      deployment: {
        targetArns: { prompt: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-local-prompt' },
        roleArn: 'arn:aws:iam::000000000000:role/tickwork-local-scheduler',
      },
      mode: 'local',
      runRetentionDays: 30,
      retryPolicy: { delaysMs: [] },
      secrets: new LocalSecretSource({ env: {} }),
    };
  });

  afterAll(() => {
    documentClient.destroy();
    other.destroy();
  });

  it('puts the schedule back and answers the conflict', async () => {
    // Given a cron job with its schedule
    await createJob(deps, promptJob('raced-delete', { schedule: 'cron(0 9 ? * MON-FRI *)' }));
    const scheduleBefore = await deps.schedules.get({ name: 'raced-delete', kind: 'prompt' });
    expect(scheduleBefore).toMatchObject({ name: 'raced-delete', state: 'ENABLED' });

    // When it is deleted while another request changes it
    raceOn = 'raced-delete';
    const error = await deleteJob(deps, 'raced-delete').then(
      () => undefined,
      (caught: unknown) => caught,
    );

    // Then the delete answers the conflict, the race did happen, and the record is the other request's
    expect(error).toBeInstanceOf(ConcurrentModificationError);
    expect(raceOn).toBeUndefined();
    const job = await deps.jobs.get('raced-delete');
    expect(job).toMatchObject({ version: 2, description: 'changed meanwhile' });
    // And the schedule the delete removed first is back, as it was
    expect(await deps.schedules.get({ name: 'raced-delete', kind: 'prompt' })).toEqual(scheduleBefore);
    expect((await api.snapshot()).schedules).toContain('raced-delete');
  });
});

describe('runImmediately after creation', () => {
  async function runsOf(name: string): Promise<{ trigger: string }[]> {
    const answer = await api.call('GET', `/jobs/${name}/runs`);
    expect(answer.status, answer.text).toBe(200);
    return answer.json.runs;
  }

  it('is refused on a PATCH that does not change the timing, and nothing changes', async () => {
    // Given a cron job
    expect((await api.call('POST', '/jobs', { body: promptJob('ri-patch-refused') })).status).toBe(201);
    const before = await api.snapshot();
    const job = (await api.call('GET', '/jobs/ri-patch-refused')).json;

    // When a PATCH asks to run it immediately without a new timing
    const answer = await api.call('PATCH', '/jobs/ri-patch-refused', {
      body: { runImmediately: true, description: 'now please' },
    });

    // Then it is refused with the way to run it now, and the job and its runs are as they were
    expect(answer.status, answer.text).toBe(400);
    expect(answer.json.error.message).toMatch(/runImmediately/);
    expect(answer.json.error.message).toContain('POST /jobs/ri-patch-refused/runs');
    expect((await api.call('GET', '/jobs/ri-patch-refused')).json).toEqual(job);
    expect(await api.snapshot()).toEqual(before);
  });

  it('is refused on a rate job too when the PATCH repeats the same schedule', async () => {
    expect(
      (await api.call('POST', '/jobs', { body: promptJob('ri-rate', { schedule: 'rate(1 hour)' }) })).status,
    ).toBe(201);
    const answer = await api.call('PATCH', '/jobs/ri-rate', {
      body: { schedule: 'rate(1 hour)', runImmediately: true },
    });
    expect(answer.status, answer.text).toBe(400);
    expect(answer.json.error.message).toContain('POST /jobs/ri-rate/runs');
  });

  it('runs a cron job once when a PATCH changes its schedule', async () => {
    // Given a cron job that has never run
    expect((await api.call('POST', '/jobs', { body: promptJob('ri-patch-cron') })).status).toBe(201);
    expect(await runsOf('ri-patch-cron')).toEqual([]);

    // When a PATCH changes the schedule and asks to run immediately
    const answer = await api.call('PATCH', '/jobs/ri-patch-cron', {
      body: { schedule: 'cron(0 10 ? * MON-FRI *)', runImmediately: true },
    });

    // Then the change is made and one manual run is started
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toMatchObject({
      runImmediately: true,
      schedule: { input: 'cron(0 10 ? * MON-FRI *)' },
    });
    const runs = await runsOf('ri-patch-cron');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'manual' });
  });

  it('starts a rate schedule at once when a PATCH changes its interval', async () => {
    // Given a rate job (its first slot one interval after creation)
    expect(
      (await api.call('POST', '/jobs', { body: promptJob('ri-patch-rate', { schedule: 'rate(1 hour)' }) }))
        .status,
    ).toBe(201);
    const asked = Date.now();

    // When a PATCH changes the interval and asks to run immediately
    const answer = await api.call('PATCH', '/jobs/ri-patch-rate', {
      body: { schedule: 'rate(2 hours)', runImmediately: true },
    });

    // Then the schedule starts now rather than one interval from now
    expect(answer.status, answer.text).toBe(200);
    const spec = await createSchedulerSchedulePort({
      client: api.scheduler,
      groups: api.stack.endpoints.scheduleGroups,
      clock: systemClock,
    }).get({ name: 'ri-patch-rate', kind: 'prompt' });
    expect(spec?.expression).toBe('rate(2 hours)');
    expect(spec?.startDate?.getTime()).toBeLessThan(asked + 60_000);
  });

  it('runs a cron job once when a PUT changes its timing, and not when a PUT repeats it', async () => {
    // Given a cron job created with runImmediately (one manual run at creation)
    const definition = promptJob('ri-put', { runImmediately: true });
    expect((await api.call('POST', '/jobs', { body: definition })).status).toBe(201);
    expect(await runsOf('ri-put')).toHaveLength(1);

    // When the same definition is PUT again
    const same = await api.call('PUT', '/jobs/ri-put', { body: definition });

    // Then it is replaced without another run
    expect(same.status, same.text).toBe(200);
    expect(await runsOf('ri-put')).toHaveLength(1);

    // When a PUT changes the time zone
    const moved = await api.call('PUT', '/jobs/ri-put', {
      body: { ...definition, timezone: 'Europe/Paris' },
    });

    // Then it runs once more
    expect(moved.status, moved.text).toBe(200);
    const runs = await runsOf('ri-put');
    expect(runs).toHaveLength(2);
    expect(runs.every((run) => run.trigger === 'manual')).toBe(true);
  });
});
