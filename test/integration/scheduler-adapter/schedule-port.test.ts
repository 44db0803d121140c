/**
 * What only the Scheduler adapter can be asked about: the request it sends, how it pages, how it
 * retries and reports Scheduler's errors. What a caller of the port observes (put, get, list, delete,
 * refusals) is the SchedulePort contract (test/contract/schedule-port.contract.ts), which runs on this
 * adapter from test/integration/contract/scheduler.test.ts and on the in-memory port.
 */
import { GetScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SchedulerEmulator } from '../../../local/scheduler/index.ts';
import { createSchedulerSchedulePort } from '../../../shared/adapters/scheduler/schedule-port.ts';
import {
  SchedulerQuotaExceededError,
  SchedulerRequestError,
  SchedulerThrottledError,
} from '../../../shared/errors.ts';
import { kindScheduleGroups } from '../../../shared/schedule-groups.ts';
import {
  createKindScheduleGroups,
  SPEC_KIND,
  scheduleRef,
  scheduleSpec as spec,
} from '../../support/schedules.ts';
import { type QuietEmulator, schedulerClient, startQuietEmulator } from './emulator.ts';
import { type FaultyScheduler, recordingClock, startFaultyScheduler } from './faulty-scheduler.ts';

const GROUP = 'tickwork-test';
const now = new Date();

let local: QuietEmulator;
let emulator: SchedulerEmulator;
let faulty: FaultyScheduler;
let client: SchedulerClient;
let groups: Awaited<ReturnType<typeof createKindScheduleGroups>>;

beforeAll(async () => {
  local = await startQuietEmulator();
  ({ emulator, client } = local);
  faulty = await startFaultyScheduler(emulator.endpoint);
  groups = await createKindScheduleGroups(client, GROUP);
});

afterAll(async () => {
  await faulty.close();
  await local.close();
});

describe('SchedulePort on the Scheduler emulator', () => {
  const { clock } = recordingClock(now);
  let port: ReturnType<typeof createSchedulerSchedulePort>;
  beforeEach(() => {
    port = createSchedulerSchedulePort({ client, groups, clock });
  });

  it('Given a schedule with a window, bounds and a dead-letter queue, When it is put again without them, Then the update resets them in Scheduler', async () => {
    // Given
    await port.put(spec('full-replace'));
    // When it is put again without them, as a one-time schedule (the port-level view is in the contract)
    await port.put(
      spec('full-replace', {
        expression: 'at(2030-01-01T09:00:00)',
        timezone: 'UTC',
        startDate: undefined,
        endDate: undefined,
        flexibleWindowMinutes: undefined,
        actionAfterCompletion: 'DELETE',
        target: { ...spec('full-replace').target, deadLetterArn: undefined },
      }),
    );
    // Then Scheduler holds the defaults, because UpdateSchedule is a full replace and the adapter sends every field
    const raw = await client.send(
      new GetScheduleCommand({ Name: 'full-replace', GroupName: groups[SPEC_KIND] }),
    );
    expect(raw.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(raw.Target?.DeadLetterConfig).toBeUndefined();
    expect(raw.StartDate).toBeUndefined();
    expect(raw.ActionAfterCompletion).toBe('DELETE');
    await port.delete(scheduleRef('full-replace'));
  });

  it('Given more schedules than ListSchedules answers at once, When listed, Then the adapter follows NextToken', async () => {
    // Given 101 schedules, one more than a page (MaxResults 100); read through a pass-through endpoint that counts requests
    const counting = schedulerClient(faulty.endpoint);
    const listing = createSchedulerSchedulePort({ client: counting, groups, clock });
    const names = Array.from({ length: 101 }, (_, i) => `page-${String(i).padStart(3, '0')}`);
    for (const name of names) await port.put(spec(name, { expression: 'rate(1 hour)', timezone: 'UTC' }));
    const before = faulty.requests.length;
    // When
    const listed: string[] = [];
    for await (const item of listing.list()) listed.push(item.name);
    // Then every schedule came, over two ListSchedules requests of its group and one of each other kind's
    const lists = faulty.requests.slice(before).filter((request) => request === 'GET /schedules');
    counting.destroy();
    expect(listed.filter((name) => name.startsWith('page-')).sort()).toEqual(names);
    expect(lists).toHaveLength(2 + Object.keys(groups).length - 1);
    for (const name of names) await port.delete(scheduleRef(name));
  });

  it('reports a missing group as a Scheduler refusal naming the operation', async () => {
    const elsewhere = createSchedulerSchedulePort({
      client,
      groups: kindScheduleGroups('no-such-group'),
      clock,
    });
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
    throttledClient = schedulerClient(faulty.endpoint);
  });
  afterAll(() => throttledClient.destroy());

  it('retries ThrottlingException with growing backoff on the clock, then succeeds', async () => {
    // Given an endpoint that throttles the next three CreateSchedule calls
    const { clock, sleeps } = recordingClock(now);
    const port = createSchedulerSchedulePort({
      client: throttledClient,
      groups,
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
    const wanted = spec('after-throttling');
    await port.put(wanted);
    // Then it was retried three times, waiting 200, 400 and 800 ms on the clock, and the schedule exists
    expect(sleeps).toEqual([200, 400, 800]);
    expect(await port.get(scheduleRef('after-throttling'))).toEqual(wanted);
    await port.delete(scheduleRef('after-throttling'));
  });

  it('gives up with SchedulerThrottledError and a Retry-After when throttling persists', async () => {
    const { clock, sleeps } = recordingClock(now);
    const port = createSchedulerSchedulePort({
      client: throttledClient,
      groups,
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
    expect(await port.get(scheduleRef('never-made'))).toBeUndefined();
  });

  it('retries ServiceQuotaExceededException, then raises SchedulerQuotaExceededError', async () => {
    const { clock, sleeps } = recordingClock(now);
    const port = createSchedulerSchedulePort({
      client: throttledClient,
      groups,
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
    const unreachable = schedulerClient(closed.endpoint);
    await closed.close();
    const port = createSchedulerSchedulePort({ client: unreachable, groups, clock });
    const error = await port.get(scheduleRef('anything')).catch((caught: unknown) => caught);
    unreachable.destroy();
    expect(error).toBeInstanceOf(SchedulerRequestError);
    expect((error as Error).message).toMatch(
      /EventBridge Scheduler could not be reached for GetSchedule of schedule "anything" in group "tickwork-test-prompt" \(ECONNREFUSED\)/,
    );
    expect((error as Error).message).not.toContain('127.0.0.1');
  });

  it('does not retry a validation error', async () => {
    const { clock, sleeps } = recordingClock(now);
    const port = createSchedulerSchedulePort({ client: throttledClient, groups, clock });
    const error = await port
      .put(spec('bad', { expression: 'rate(30 seconds)' }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ValidationException', operation: 'CreateSchedule' });
    expect(sleeps).toEqual([]);
  });
});
