/**
 * The schedules the local runtime writes: the API function's deployment facts come from the local
 * environment (local/lambda/environment.ts → loadApiConfig, exactly as functions/api/handler.ts reads
 * them), the job's schedule is derived by desiredSchedule and written through the Scheduler adapter,
 * and the emulator is read back with the real SDK's GetSchedule.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SCHEDULER_DLQ_ARN, localFunctionEnvironment } from '../../../local/lambda/environment.ts';
import {
  ManualClock,
  type SchedulerEmulator,
  startSchedulerEmulator,
} from '../../../local/scheduler/index.ts';
import { createSchedulerSchedulePort } from '../../../shared/adapters/scheduler/schedule-port.ts';
import { type ApiConfig, loadApiConfig } from '../../../shared/config.ts';
import { buildJob, normalizeDefinition } from '../../../shared/jobs/definition.ts';
import type { ScheduleSpec } from '../../../shared/jobs/ports.ts';
import { DEFAULT_TARGET_RETRY_POLICY, desiredSchedule } from '../../../shared/jobs/schedule-spec.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { createKindScheduleGroups } from '../../support/schedules.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';

// Whole seconds: Scheduler dates carry no milliseconds.
const start = new Date(Math.ceil(Date.now() / 60_000) * 60_000);

let dataDir: string;
let clock: ManualClock;
let emulator: SchedulerEmulator;
let client: SchedulerClient;
let config: ApiConfig;
let groups: Awaited<ReturnType<typeof createKindScheduleGroups>>;
let invocations = 0;

/** The schedule the API would write for a prompt job defined with `schedule`. */
function scheduleFor(name: string, schedule: string): ScheduleSpec {
  const now = clock.now();
  const fields = normalizeDefinition(
    {
      name,
      kind: 'prompt',
      schedule,
      config: {
        prompt: 'p',
        target: { type: 'webhook', url: 'http://127.0.0.1:9/hook', signingSecret: 'hook-key' },
      },
    },
    { now, mode: config.mode },
  );
  const spec = desiredSchedule(
    buildJob(fields, now),
    // As functions/api/handler.ts builds it from its config.
    {
      targetArns: config.jobFunctionArns,
      roleArn: config.schedulerRoleArn,
      deadLetterArn: config.schedulerDeadLetterArn,
    },
    now,
  );
  if (spec === undefined) throw new Error(`job ${name} should have a schedule`);
  return spec;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-local-deployment-'));
  clock = new ManualClock(start);
  emulator = await startSchedulerEmulator({
    dataDir,
    port: 0,
    credentials: TEST_CREDENTIALS,
    clock,
    // Every delivery fails, as when the job function cannot be invoked at all.
    invoker: {
      invoke: async () => {
        invocations++;
        throw new Error('function is unavailable');
      },
    },
    log: silentLogger,
  });
  config = loadApiConfig(
    localFunctionEnvironment({
      dynamodbEndpoint: 'http://127.0.0.1:1',
      schedulerEndpoint: emulator.endpoint,
      dataDir,
      credentials: TEST_CREDENTIALS,
    }),
  );
  client = new SchedulerClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  groups = await createKindScheduleGroups(client, config.scheduleGroupPrefix);
});

afterAll(async () => {
  client?.destroy();
  await emulator?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('schedules written with the local deployment settings', () => {
  it('Given a recurring job, When its schedule is written, Then GetSchedule shows the dead-letter queue and the retry policy', async () => {
    // Given the API's view of the local deployment and a recurring job
    const port = createSchedulerSchedulePort({ client, groups, clock });
    // When its schedule is written through the adapter
    await port.put(scheduleFor('recurring-dlq', 'cron(0 9 ? * MON-FRI *)'));
    // Then the schedule in the emulator names the local dead-letter queue and the retry policy
    const raw = await client.send(
      new GetScheduleCommand({ Name: 'recurring-dlq', GroupName: groups.prompt }),
    );
    expect(raw.Target?.DeadLetterConfig).toEqual({ Arn: LOCAL_SCHEDULER_DLQ_ARN });
    expect(raw.Target?.RetryPolicy).toEqual({
      MaximumRetryAttempts: DEFAULT_TARGET_RETRY_POLICY.maximumRetryAttempts,
      MaximumEventAgeInSeconds: DEFAULT_TARGET_RETRY_POLICY.maximumEventAgeInSeconds,
    });
  });

  it('Given a one-time job whose function cannot be invoked, When its retries run out, Then the event is kept as a dead letter', async () => {
    // Given a one-time job due in two minutes, written with the local deployment settings
    const port = createSchedulerSchedulePort({ client, groups, clock });
    const due = new Date(clock.now().getTime() + 120_000).toISOString().slice(0, 19);
    await port.put(scheduleFor('one-time-dlq', `at(${due})`));
    // When it fires and every attempt fails until the event is older than the policy allows
    const settle = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      await emulator.idle();
    };
    await clock.advance(
      120_000 + (DEFAULT_TARGET_RETRY_POLICY.maximumEventAgeInSeconds + 600) * 1000,
      settle,
    );
    // Then the event is stored as a dead letter under the local queue's ARN (without the fix it was dropped)
    const letters = await emulator.listDeadLetters();
    expect(invocations).toBeGreaterThan(1);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ deadLetterArn: LOCAL_SCHEDULER_DLQ_ARN });
    expect(JSON.stringify(letters[0])).toContain('one-time-dlq');
  });
});
