import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SchedulerEmulator, startSchedulerEmulator } from '../../../local/scheduler/index.ts';
import { createSchedulerSchedulePort } from '../../../shared/adapters/scheduler/schedule-port.ts';
import {
  SchedulerQuotaExceededError,
  SchedulerRequestError,
  SchedulerThrottledError,
} from '../../../shared/errors.ts';
import type { ScheduleSpec } from '../../../shared/jobs/ports.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { type FaultyScheduler, recordingClock, startFaultyScheduler } from './faulty-scheduler.ts';

const GROUP = 'tickwork-test';
const now = new Date();

let dataDir: string;
let emulator: SchedulerEmulator;
let faulty: FaultyScheduler;
let client: SchedulerClient;

function clientFor(endpoint: string): SchedulerClient {
  return new SchedulerClient({ endpoint, region: 'us-east-1', maxAttempts: 1 });
}

function spec(name: string, overrides: Partial<ScheduleSpec> = {}): ScheduleSpec {
  return {
    name,
    expression: 'cron(0 9 ? * MON-FRI *)',
    timezone: 'Europe/Berlin',
    description: 'Weekday mornings',
    state: 'ENABLED',
    startDate: new Date(Math.ceil(now.getTime() / 1000) * 1000 + 86_400_000),
    endDate: new Date(Math.ceil(now.getTime() / 1000) * 1000 + 90 * 86_400_000),
    flexibleWindowMinutes: 15,
    actionAfterCompletion: 'NONE',
    target: {
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-test-prompt',
      roleArn: 'arn:aws:iam::000000000000:role/tickwork-test-scheduler',
      input: JSON.stringify({ job: name, scheduledTime: '<aws.scheduler.scheduled-time>' }),
      deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:tickwork-test-dlq',
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 3600 },
    },
    ...overrides,
  };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-scheduler-adapter-'));
  emulator = await startSchedulerEmulator({
    dataDir,
    port: 0,
    invoker: { invoke: async () => {} },
    log: silentLogger,
  });
  faulty = await startFaultyScheduler(emulator.endpoint);
  client = clientFor(emulator.endpoint);
  await client.send(new CreateScheduleGroupCommand({ Name: GROUP }));
});

afterAll(async () => {
  client.destroy();
  await faulty.close();
  await emulator.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('SchedulePort on the Scheduler emulator', () => {
  const { clock } = recordingClock(now);
  let port: ReturnType<typeof createSchedulerSchedulePort>;
  beforeEach(() => {
    port = createSchedulerSchedulePort({ client, groupName: GROUP, clock });
  });

  it('puts, reads, lists and deletes a schedule', async () => {
    // Given a schedule with every field set
    const wanted = spec('round-trip');
    // When it is put
    await port.put(wanted);
    // Then it reads back exactly, is listed, and is gone after delete
    expect(await port.get('round-trip')).toEqual(wanted);
    const listed: ScheduleSpec[] = [];
    for await (const item of port.list()) listed.push(item);
    expect(listed.map((item) => item.name)).toContain('round-trip');
    expect(listed.find((item) => item.name === 'round-trip')).toEqual(wanted);
    await port.delete('round-trip');
    expect(await port.get('round-trip')).toBeUndefined();
  });

  it('treats deleting a missing schedule as done', async () => {
    await expect(port.delete('never-existed')).resolves.toBeUndefined();
  });

  it('sends the whole schedule on an update, so left-out fields are reset', async () => {
    // Given a schedule with a window, bounds and a dead-letter queue
    await port.put(spec('full-replace'));
    // When it is put again without them, disabled, as a one-time schedule
    const replacement = spec('full-replace', {
      expression: 'at(2030-01-01T09:00:00)',
      timezone: 'UTC',
      description: '',
      state: 'DISABLED',
      startDate: undefined,
      endDate: undefined,
      flexibleWindowMinutes: undefined,
      actionAfterCompletion: 'DELETE',
      target: { ...spec('full-replace').target, deadLetterArn: undefined, input: '{"job":"full-replace"}' },
    });
    await port.put(replacement);
    // Then the schedule is exactly the replacement: nothing of the first one survives
    expect(await port.get('full-replace')).toEqual(replacement);
    const raw = await client.send(new GetScheduleCommand({ Name: 'full-replace', GroupName: GROUP }));
    expect(raw.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(raw.Target?.DeadLetterConfig).toBeUndefined();
    expect(raw.ActionAfterCompletion).toBe('DELETE');
  });

  it('lists every schedule of the group across pages', async () => {
    const names = Array.from({ length: 105 }, (_, i) => `many-${String(i).padStart(3, '0')}`);
    for (const name of names) await port.put(spec(name, { expression: 'rate(1 hour)', timezone: 'UTC' }));
    const listed: string[] = [];
    for await (const item of port.list()) listed.push(item.name);
    expect(listed.filter((name) => name.startsWith('many-')).sort()).toEqual(names);
    const direct = await client.send(
      new ListSchedulesCommand({ GroupName: GROUP, NamePrefix: 'many-', MaxResults: 100 }),
    );
    expect(direct.NextToken).toBeDefined();
    for (const name of names) await port.delete(name);
  });

  it('reports a missing group as a Scheduler refusal naming the operation', async () => {
    const elsewhere = createSchedulerSchedulePort({ client, groupName: 'no-such-group', clock });
    const error = await elsewhere.put(spec('orphan')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SchedulerRequestError);
    expect(error).toMatchObject({ operation: 'CreateSchedule', code: 'ResourceNotFoundException' });
    expect((error as Error).message).toMatch(
      /EventBridge Scheduler refused CreateSchedule for schedule "orphan"/,
    );
  });
});

describe('SchedulePort under throttling', () => {
  let throttledClient: SchedulerClient;
  beforeAll(() => {
    throttledClient = clientFor(faulty.endpoint);
  });
  afterAll(() => throttledClient.destroy());

  it('retries ThrottlingException with growing backoff on the clock, then succeeds', async () => {
    // Given an endpoint that throttles the next three CreateSchedule calls
    const { clock, sleeps } = recordingClock(now);
    const port = createSchedulerSchedulePort({
      client: throttledClient,
      groupName: GROUP,
      clock,
      retry: { random: () => 1 },
    });
    faulty.fail({
      code: 'ThrottlingException',
      status: 429,
      times: 3,
      matches: (method) => method === 'POST',
    });
    // When a schedule is put
    await port.put(spec('after-throttling'));
    // Then it was retried three times, waiting 200, 400 and 800 ms on the clock, and the schedule exists
    expect(sleeps).toEqual([200, 400, 800]);
    expect(await port.get('after-throttling')).toEqual(spec('after-throttling'));
    await port.delete('after-throttling');
  });

  it('gives up with SchedulerThrottledError and a Retry-After when throttling persists', async () => {
    const { clock, sleeps } = recordingClock(now);
    const port = createSchedulerSchedulePort({
      client: throttledClient,
      groupName: GROUP,
      clock,
      retry: { random: () => 0 },
    });
    faulty.fail({ code: 'ThrottlingException', status: 429, times: Number.POSITIVE_INFINITY });
    const error = await port.put(spec('never-made')).catch((caught: unknown) => caught);
    faulty.fail({ code: 'ThrottlingException', status: 429, times: 0 });
    expect(error).toBeInstanceOf(SchedulerThrottledError);
    expect((error as SchedulerThrottledError).retryAfterSeconds).toBeGreaterThan(0);
    expect((error as Error).message).toMatch(
      /throttling CreateSchedule for schedule "never-made".*after 5 attempts/,
    );
    expect(sleeps).toEqual([100, 200, 400, 800]);
    expect(await port.get('never-made')).toBeUndefined();
  });

  it('retries ServiceQuotaExceededException, then raises SchedulerQuotaExceededError', async () => {
    const { clock, sleeps } = recordingClock(now);
    const port = createSchedulerSchedulePort({
      client: throttledClient,
      groupName: GROUP,
      clock,
      retry: { maxAttempts: 3 },
    });
    faulty.fail({ code: 'ServiceQuotaExceededException', status: 402, times: Number.POSITIVE_INFINITY });
    const error = await port.put(spec('over-quota')).catch((caught: unknown) => caught);
    faulty.fail({ code: 'ServiceQuotaExceededException', status: 402, times: 0 });
    expect(error).toBeInstanceOf(SchedulerQuotaExceededError);
    expect((error as Error).message).toMatch(/a service quota is exceeded/);
    expect(sleeps).toHaveLength(2);
  });

  it('reports an unreachable endpoint by its error code, without the endpoint', async () => {
    const { clock } = recordingClock(now);
    const closed = await startFaultyScheduler(emulator.endpoint);
    const unreachable = clientFor(closed.endpoint);
    await closed.close();
    const port = createSchedulerSchedulePort({ client: unreachable, groupName: GROUP, clock });
    const error = await port.get('anything').catch((caught: unknown) => caught);
    unreachable.destroy();
    expect(error).toBeInstanceOf(SchedulerRequestError);
    expect((error as Error).message).toMatch(
      /EventBridge Scheduler could not be reached for GetSchedule of schedule "anything" in group "tickwork-test" \(ECONNREFUSED\)/,
    );
    expect((error as Error).message).not.toContain('127.0.0.1');
  });

  it('does not retry a validation error', async () => {
    const { clock, sleeps } = recordingClock(now);
    const port = createSchedulerSchedulePort({ client: throttledClient, groupName: GROUP, clock });
    const error = await port
      .put(spec('bad', { expression: 'rate(30 seconds)' }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ValidationException', operation: 'CreateSchedule' });
    expect(sleeps).toEqual([]);
  });
});
