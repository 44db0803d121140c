import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateScheduleCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DataDirError,
  DataDirInUseError,
  type LocalStack,
  PortsInUseError,
  startLocalStack,
} from '../../../local/runtime.ts';
import { ManualClock } from '../../../local/scheduler/index.ts';
import { JOB_KINDS } from '../../../shared/kinds/registry.ts';
import { kindScheduleGroups } from '../../../shared/schedule-groups.ts';
import { callsOf, resetCalls } from '../../fixtures/local-recorder.ts';

const PROMPT_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-local-prompt';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/tickwork-local-scheduler';
const start = new Date('2026-01-05T08:00:00Z');
// The stack runs the real API function; only the prompt job's function is replaced by a recording
// fixture, to observe what the emulator hands the Lambda runtime.
const functions = {
  'tickwork-local-prompt': {
    entry: fileURLToPath(new URL('../../fixtures/local-lambda-handler.ts', import.meta.url)),
    timeoutSeconds: 5,
    memorySize: 128,
  },
};

async function takenPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: address !== null && typeof address !== 'string' ? address.port : 0 };
}

describe('startLocalStack', () => {
  let dataDir: string;
  let clock: ManualClock;
  let stack: LocalStack;
  let scheduler: SchedulerClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tickwork-stack-'));
    clock = new ManualClock(start);
    stack = await startLocalStack({ dataDir, clock, functions, asyncRetryDelaysMs: [] });
    scheduler = new SchedulerClient({
      endpoint: stack.endpoints.schedulerEndpoint,
      region: 'us-east-1',
      // A copy: the SDK writes its bookkeeping into the object, and endpoints are compared whole below.
      credentials: { ...stack.endpoints.credentials },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    scheduler.destroy();
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('Given a started stack, Then endpoints.json says where each part listens, readable by the owner only', async () => {
    const file = join(dataDir, 'endpoints.json');

    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(stack.endpoints);
    expect(stack.endpoints).toEqual({
      apiUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      schedulerEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      dynamodbEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      lambdaEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      eventbridgeEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      token: (await readFile(join(dataDir, 'token'), 'utf8')).trim(),
      credentials: {
        ...JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')),
        region: 'us-east-1',
      },
      scheduleGroups: kindScheduleGroups('tickwork-local'),
    });
    expect(stack.endpoints.credentials.accessKeyId).toMatch(/^LOCAL[0-9A-F]{16}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'credentials.json'))).mode & 0o777).toBe(0o600);
  });

  it("Given a started stack, Then the tables and each kind's schedule group exist", async () => {
    const dynamodb = new DynamoDBClient({
      endpoint: stack.endpoints.dynamodbEndpoint,
      region: 'us-east-1',
      credentials: { ...stack.endpoints.credentials },
    });

    expect((await dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual([
      'tickwork-local-jobs',
      'tickwork-local-runs',
    ]);
    for (const kind of JOB_KINDS) {
      const group = await scheduler.send(new GetScheduleGroupCommand({ Name: `tickwork-local-${kind}` }));
      expect(group.State).toBe('ACTIVE');
    }
    dynamodb.destroy();
  });

  it('Given a request without the token, When it reaches the API front, Then 401', async () => {
    const answer = await fetch(`${stack.endpoints.apiUrl}/jobs`);

    expect(answer.status).toBe(401);
    expect(((await answer.json()) as { error: { type: string } }).error.type).toBe('Unauthorized');
  });

  it('Given a schedule for the prompt function, When it comes due, Then the Lambda runtime runs the handler with the Input', async () => {
    resetCalls();
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'nightly',
        GroupName: 'tickwork-local-prompt',
        ScheduleExpression: 'at(2026-01-05T09:00:00)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: PROMPT_ARN,
          RoleArn: ROLE_ARN,
          Input: '{"job":"nightly","scheduledTime":"<aws.scheduler.scheduled-time>","action":"result"}',
        },
      }),
    );

    await clock.advance(60 * 60 * 1000);

    await vi.waitFor(() => expect(callsOf('lambda')).toHaveLength(1));
    expect(callsOf('lambda')[0]?.event).toEqual({
      job: 'nightly',
      scheduledTime: '2026-01-05T09:00:00Z',
      action: 'result',
    });
  });

  it('Given a handler was loaded, Then it saw the local endpoints and configuration in its environment', () => {
    expect(process.env).toMatchObject({
      TICKWORK_STAGE: 'local',
      TICKWORK_MODE: 'local',
      TICKWORK_JOBS_TABLE: 'tickwork-local-jobs',
      TICKWORK_SCHEDULE_GROUP_PREFIX: 'tickwork-local',
      TICKWORK_SECRETS_FILE: join(dataDir, 'secrets.json'),
      AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodbEndpoint,
      AWS_ENDPOINT_URL_SCHEDULER: stack.endpoints.schedulerEndpoint,
      AWS_ENDPOINT_URL_LAMBDA: stack.endpoints.lambdaEndpoint,
      AWS_ACCESS_KEY_ID: stack.endpoints.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: stack.endpoints.credentials.secretAccessKey,
    });
  });

  it('Given a running stack on a data directory, When a second one starts there, Then DataDirInUseError', async () => {
    await expect(startLocalStack({ dataDir })).rejects.toBeInstanceOf(DataDirInUseError);
  });
});

describe('startLocalStack across a restart', () => {
  it('Given a schedule created just before close, When the stack starts again on the data directory, Then the schedule, the token, the credentials and the ports are the same', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tickwork-restart-'));
    const first = await startLocalStack({ dataDir, clock: new ManualClock(start) });
    let client = new SchedulerClient({
      endpoint: first.endpoints.schedulerEndpoint,
      region: 'us-east-1',
      credentials: { ...first.endpoints.credentials },
    });
    await client.send(
      new CreateScheduleCommand({
        Name: 'weekly',
        GroupName: 'tickwork-local-prompt',
        ScheduleExpression: 'cron(0 9 ? * 2 *)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: PROMPT_ARN, RoleArn: ROLE_ARN, Input: '{"job":"weekly"}' },
      }),
    );
    client.destroy();
    await first.close();

    await expect(stat(join(dataDir, 'endpoints.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    const second = await startLocalStack({ dataDir, clock: new ManualClock(start) });
    client = new SchedulerClient({
      endpoint: second.endpoints.schedulerEndpoint,
      region: 'us-east-1',
      credentials: { ...second.endpoints.credentials },
    });

    const schedule = await client.send(
      new GetScheduleCommand({ Name: 'weekly', GroupName: 'tickwork-local-prompt' }),
    );
    expect(schedule.ScheduleExpression).toBe('cron(0 9 ? * 2 *)');
    expect(second.endpoints).toEqual(first.endpoints);
    client.destroy();
    await second.close();
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe('startLocalStack refusals', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tickwork-refusal-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('Given a data directory that is a file, When started, Then DataDirError names it', async () => {
    const file = join(dataDir, 'a-file');
    await writeFile(file, 'not a directory');

    const starting = startLocalStack({ dataDir: file });

    await expect(starting).rejects.toBeInstanceOf(DataDirError);
    await expect(starting).rejects.toThrow(`data directory ${file} is a file, not a directory`);
  });

  it('Given a data directory below a file, When started, Then DataDirError says it cannot be created', async () => {
    const below = join(dataDir, 'a-file', 'data');

    await expect(startLocalStack({ dataDir: below })).rejects.toThrow(
      `data directory ${below} cannot be created: part of its path is a file`,
    );
  });

  it.each(['api', 'scheduler', 'dynamodb', 'lambda'] as const)(
    'Given the %s port is taken, When started, Then PortsInUseError names it and nothing is left running',
    async (part) => {
      const dir = join(dataDir, `port-${part}`);
      const { server, port } = await takenPort();
      const ports = { apiPort: 0, schedulerPort: 0, dynamodbPort: 0, lambdaPort: 0, [`${part}Port`]: port };

      const starting = startLocalStack({ dataDir: dir, ...ports });

      await expect(starting).rejects.toBeInstanceOf(PortsInUseError);
      await expect(starting).rejects.toMatchObject({ conflicts: [{ part, port }] });
      await expect(starting).rejects.toThrow(
        `port in use: ${port} (${part}); stop what holds it or pass another port`,
      );
      await new Promise((resolve) => server.close(resolve));
      const retried = await startLocalStack({ dataDir: dir });
      await retried.close();
    },
  );

  it('Given the api and dynamodb ports are both taken, When started, Then one PortsInUseError names both, before anything started', async () => {
    // Given two ports held by a test server, and a free scheduler port
    const dir = join(dataDir, 'two-ports');
    const api = await takenPort();
    const dynamodb = await takenPort();

    // When the stack starts on them
    const starting = startLocalStack({
      dataDir: dir,
      apiPort: api.port,
      schedulerPort: 0,
      dynamodbPort: dynamodb.port,
    });

    // Then one error names both parts and their ports
    await expect(starting).rejects.toBeInstanceOf(PortsInUseError);
    await expect(starting).rejects.toMatchObject({
      conflicts: [
        { part: 'api', port: api.port },
        { part: 'dynamodb', port: dynamodb.port },
      ],
    });
    await expect(starting).rejects.toThrow(
      `ports in use: ${api.port} (api), ${dynamodb.port} (dynamodb); stop what holds them or pass other ports`,
    );
    // And nothing was started: no engine files, no token, no lock, no endpoints.json
    expect((await readdir(dir)).sort()).toEqual([]);
    await new Promise((resolve) => api.server.close(resolve));
    await new Promise((resolve) => dynamodb.server.close(resolve));
  });

  it('Given an external DynamoDB engine, When its port option names a taken port, Then that port is not checked', async () => {
    const taken = await takenPort();

    const starting = startLocalStack({
      dataDir: join(dataDir, 'external-port'),
      dynamodb: { kind: 'external', endpoint: 'http://127.0.0.1:1' },
      dynamodbPort: taken.port,
      apiPort: taken.port,
    });

    await expect(starting).rejects.toMatchObject({ conflicts: [{ part: 'api', port: taken.port }] });
    await new Promise((resolve) => taken.server.close(resolve));
  });
});
