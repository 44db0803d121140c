/**
 * Firing, driven by a manual clock: schedules are created through the SDK over HTTP, time is
 * advanced without sleeping, and a recording invoker shows what was invoked and when.
 */
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/scheduler/index.ts';
import {
  advance,
  advanceTo,
  errorOf,
  FUNCTION_ARN,
  fireLogs,
  type Harness,
  RecordingInvoker,
  ROLE_ARN,
  scheduleInput,
  startHarness,
  stopHarness,
} from './helpers.ts';

const started: Harness[] = [];

afterEach(async () => {
  for (const harness of started.splice(0)) await stopHarness(harness);
});

async function harnessAt(
  iso: string,
  random?: () => number,
): Promise<{ harness: Harness; invoker: RecordingInvoker }> {
  const invoker = new RecordingInvoker();
  const clock = new ManualClock(new Date(iso));
  invoker.useClock(clock);
  const harness = await startHarness({ invoker, clock, ...(random === undefined ? {} : { random }) });
  started.push(harness);
  return { harness, invoker };
}

function times(invoker: RecordingInvoker, name?: string): string[] {
  const calls = name === undefined ? invoker.calls : invoker.callsFor(name);
  return calls.map((call) => call.at.toISOString());
}

describe('cron in a time zone', () => {
  it('fires weekdays at 09:00 Berlin time, which is 08:00 UTC in winter', async () => {
    // Given a weekday cron in Europe/Berlin, created on Friday 2026-02-27 (UTC+1)
    const { harness, invoker } = await harnessAt('2026-02-27T12:00:00Z');
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('berlin', {
          ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
          ScheduleExpressionTimezone: 'Europe/Berlin',
        }),
      ),
    );

    // When the clock runs to Wednesday noon
    await advanceTo(harness, '2026-03-04T12:00:00Z');

    // Then it fired Monday, Tuesday and Wednesday at 08:00 UTC, not at the weekend
    expect(times(invoker)).toEqual([
      '2026-03-02T08:00:00.000Z',
      '2026-03-03T08:00:00.000Z',
      '2026-03-04T08:00:00.000Z',
    ]);
  });

  it('skips a local time that does not exist when clocks spring forward', async () => {
    // Given 02:30 daily in Berlin; on 2026-03-29 clocks jump from 02:00 to 03:00
    const { harness, invoker } = await harnessAt('2026-03-27T12:00:00Z');
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('dst', {
          ScheduleExpression: 'cron(30 2 * * ? *)',
          ScheduleExpressionTimezone: 'Europe/Berlin',
        }),
      ),
    );

    // When three days pass
    await advanceTo(harness, '2026-03-31T00:00:00Z');

    // Then 02:30 fired on the 28th (UTC+1) and the 30th (UTC+2), and not on the 29th
    expect(times(invoker)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('fires a local time that occurs twice when clocks fall back exactly once', async () => {
    // Given 01:30 daily in New York; on 2026-11-01 clocks go back from 02:00 EDT to 01:00 EST,
    // so 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST)
    const { harness, invoker } = await harnessAt('2026-10-30T12:00:00Z');
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('fall-back', {
          ScheduleExpression: 'cron(30 1 * * ? *)',
          ScheduleExpressionTimezone: 'America/New_York',
        }),
      ),
    );

    // When the clock runs through the change
    await advanceTo(harness, '2026-11-03T00:00:00Z');

    // Then it fired once a day: on the 1st only once (at the first 01:30, EDT), then on EST
    const fired = times(invoker);
    expect(fired).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    expect(fired.filter((time) => time.startsWith('2026-11-01'))).toHaveLength(1);
  });
});

describe('rate', () => {
  it('with a StartDate fires at StartDate and every interval after it', async () => {
    const { harness, invoker } = await harnessAt('2026-03-02T08:00:00Z');
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('rated', {
          ScheduleExpression: 'rate(15 minutes)',
          StartDate: new Date('2026-03-02T08:10:00Z'),
        }),
      ),
    );

    await advance(harness, 45 * 60_000);

    expect(times(invoker)).toEqual([
      '2026-03-02T08:10:00.000Z',
      '2026-03-02T08:25:00.000Z',
      '2026-03-02T08:40:00.000Z',
    ]);
  });

  it('without a StartDate fires right after creation, then every interval', async () => {
    const { harness, invoker } = await harnessAt('2026-03-02T08:00:07Z');
    await harness.client.send(
      new CreateScheduleCommand(scheduleInput('now', { ScheduleExpression: 'rate(1 hour)' })),
    );

    await advance(harness, 2 * 3_600_000);

    expect(times(invoker)).toEqual([
      '2026-03-02T08:00:07.000Z',
      '2026-03-02T09:00:07.000Z',
      '2026-03-02T10:00:07.000Z',
    ]);
  });

  it('stops at EndDate', async () => {
    const { harness, invoker } = await harnessAt('2026-03-02T08:00:00Z');
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('ending', {
          ScheduleExpression: 'rate(10 minutes)',
          StartDate: new Date('2026-03-02T08:00:00Z'),
          EndDate: new Date('2026-03-02T08:25:00Z'),
        }),
      ),
    );

    await advance(harness, 2 * 3_600_000);

    expect(times(invoker)).toEqual([
      '2026-03-02T08:00:00.000Z',
      '2026-03-02T08:10:00.000Z',
      '2026-03-02T08:20:00.000Z',
    ]);
  });
});

describe('at()', () => {
  it('fires once in its time zone and, with ActionAfterCompletion DELETE, deletes the schedule', async () => {
    // Given a one-time schedule at 10:00 New York time (15:00 UTC) that deletes itself
    const { harness, invoker } = await harnessAt('2026-03-02T08:00:00Z');
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('once', {
          ScheduleExpression: 'at(2026-03-02T10:00:00)',
          ScheduleExpressionTimezone: 'America/New_York',
          ActionAfterCompletion: 'DELETE',
        }),
      ),
    );

    // When the day passes
    await advanceTo(harness, '2026-03-03T00:00:00Z');

    // Then it fired once at 15:00 UTC and the schedule is gone
    expect(times(invoker)).toEqual(['2026-03-02T15:00:00.000Z']);
    const error = await errorOf(harness.client.send(new GetScheduleCommand({ Name: 'once' })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(harness.logs).toContainEqual({
      level: 'debug',
      component: 'scheduler',
      message: 'deleted-after-completion',
      schedule: 'default/once',
    });
  });

  it('keeps a completed one-time schedule when ActionAfterCompletion is NONE, and ignores EndDate', async () => {
    const { harness, invoker } = await harnessAt('2026-03-02T08:00:00Z');
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('kept', {
          ScheduleExpression: 'at(2026-03-02T09:00:00)',
          EndDate: new Date('2026-03-02T08:30:00Z'),
        }),
      ),
    );

    await advance(harness, 3 * 3_600_000);

    expect(times(invoker)).toEqual(['2026-03-02T09:00:00.000Z']);
    const got = await harness.client.send(new GetScheduleCommand({ Name: 'kept' }));
    expect(got.Name).toBe('kept');
  });
});

describe('state and changes', () => {
  it('does not fire a DISABLED schedule, and fires it once enabled', async () => {
    // Given a disabled every-minute schedule
    const { harness, invoker } = await harnessAt('2026-03-02T08:00:00Z');
    const input = scheduleInput('paused', { ScheduleExpression: 'cron(* * * * ? *)', State: 'DISABLED' });
    await harness.client.send(new CreateScheduleCommand(input));

    // When ten and a half minutes pass, it is enabled, and three more minutes pass
    await advance(harness, 10.5 * 60_000);
    const whileDisabled = invoker.calls.length;
    await harness.client.send(new UpdateScheduleCommand({ ...input, State: 'ENABLED' }));
    await advance(harness, 3 * 60_000);

    // Then nothing fired while disabled, and every minute after
    expect(whileDisabled).toBe(0);
    expect(times(invoker)).toEqual([
      '2026-03-02T08:11:00.000Z',
      '2026-03-02T08:12:00.000Z',
      '2026-03-02T08:13:00.000Z',
    ]);
  });

  it('keeps a rate schedule on its cadence when it is updated, without an extra fire', async () => {
    // Given a 30-minute rate created at 08:00 (fires at 08:00, 08:30, ...)
    const { harness, invoker } = await harnessAt('2026-03-02T08:00:00Z');
    const input = scheduleInput('steady', { ScheduleExpression: 'rate(30 minutes)' });
    await harness.client.send(new CreateScheduleCommand(input));

    // When it is updated at 08:10 with a new input, and the clock runs to 09:15
    await advanceTo(harness, '2026-03-02T08:10:00Z');
    await harness.client.send(
      new UpdateScheduleCommand({
        ...input,
        Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, Input: '{"v":2}' },
      }),
    );
    await advanceTo(harness, '2026-03-02T09:15:00Z');

    // Then it fired on the original half hours only, with the new input after the update
    expect(times(invoker)).toEqual([
      '2026-03-02T08:00:00.000Z',
      '2026-03-02T08:30:00.000Z',
      '2026-03-02T09:00:00.000Z',
    ]);
    expect(invoker.calls.map((call) => call.target.input)).toEqual([undefined, '{"v":2}', '{"v":2}']);
  });

  it('follows an update and forgets a deleted schedule', async () => {
    // Given two hourly schedules
    const { harness, invoker } = await harnessAt('2026-03-02T08:30:00Z');
    await harness.client.send(
      new CreateScheduleCommand(scheduleInput('moved', { ScheduleExpression: 'cron(0 * * * ? *)' })),
    );
    await harness.client.send(
      new CreateScheduleCommand(scheduleInput('gone', { ScheduleExpression: 'cron(0 * * * ? *)' })),
    );

    // When one moves to :45 and the other is deleted before 09:00
    await harness.client.send(
      new UpdateScheduleCommand(scheduleInput('moved', { ScheduleExpression: 'cron(45 * * * ? *)' })),
    );
    await harness.client.send(new DeleteScheduleCommand({ Name: 'gone' }));
    await advanceTo(harness, '2026-03-02T10:00:00Z');

    // Then only the moved one fires, at its new minute
    expect(invoker.calls.map((call) => `${call.meta.scheduleName}@${call.at.toISOString()}`)).toEqual([
      'moved@2026-03-02T08:45:00.000Z',
      'moved@2026-03-02T09:45:00.000Z',
    ]);
  });
});

describe('flexible time window', () => {
  it('fires at the moment inside the window the injected randomness picks', async () => {
    // Given a 10-minute window and randomness that picks its middle
    const { harness, invoker } = await harnessAt('2026-03-02T08:30:00Z', () => 0.5);
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('flex', {
          ScheduleExpression: 'cron(0 9 * * ? *)',
          FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 10 },
          Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, Input: '<aws.scheduler.scheduled-time>' },
        }),
      ),
    );

    // When the clock reaches 09:04:59, then 09:05:00
    await advanceTo(harness, '2026-03-02T09:04:59Z');
    const early = invoker.calls.length;
    await advanceTo(harness, '2026-03-02T09:05:00Z');

    // Then it fired at 09:05 with the slot's scheduled time, and the log shows the 5-minute lag
    expect(early).toBe(0);
    expect(times(invoker)).toEqual(['2026-03-02T09:05:00.000Z']);
    expect(invoker.calls[0]?.target.input).toBe('2026-03-02T09:00:00Z');
    expect(fireLogs(harness.logs)[0]).toMatchObject({
      scheduledTime: '2026-03-02T09:00:00Z',
      lagMs: 300_000,
    });
  });

  it('stays inside [slot, slot + window) at both ends of the random range', async () => {
    const draws = [0, 0.999_999];
    const { harness, invoker } = await harnessAt('2026-03-02T08:30:00Z', () => draws.shift() ?? 0);
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('edges', {
          ScheduleExpression: 'cron(0 * * * ? *)',
          FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 30 },
        }),
      ),
    );

    await advanceTo(harness, '2026-03-02T10:45:00Z');

    // The lowest draw fires on the slot, the highest just before the window closes
    const [first, second] = invoker.calls;
    expect(invoker.calls).toHaveLength(2);
    expect(first?.at.toISOString()).toBe('2026-03-02T09:00:00.000Z');
    const secondAt = second?.at.getTime() ?? 0;
    expect(secondAt).toBeGreaterThan(Date.parse('2026-03-02T10:29:59Z'));
    expect(secondAt).toBeLessThan(Date.parse('2026-03-02T10:30:00Z'));
    expect(second?.meta.scheduledTime.toISOString()).toBe('2026-03-02T10:00:00.000Z');
  });
});

describe('context attributes and the fire log', () => {
  it('substitutes the four context attributes in Target.Input and logs the fire', async () => {
    // Given an input that uses every context attribute
    const { harness, invoker } = await harnessAt('2026-03-22T18:50:00Z');
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('ctx', {
          ScheduleExpression: 'at(2026-03-22T18:59:43)',
          Target: {
            Arn: FUNCTION_ARN,
            RoleArn: ROLE_ARN,
            Input: JSON.stringify({
              arn: '<aws.scheduler.schedule-arn>',
              time: '<aws.scheduler.scheduled-time>',
              id: '<aws.scheduler.execution-id>',
              attempt: '<aws.scheduler.attempt-number>',
              untouched: '<aws.scheduler.unknown>',
            }),
          },
        }),
      ),
    );

    // When it fires
    await advance(harness, 10 * 60_000);

    // Then the invoker got the substituted input and the matching meta
    const call = invoker.calls[0];
    expect(call?.target.arn).toBe(FUNCTION_ARN);
    expect(JSON.parse(call?.target.input ?? '{}')).toEqual({
      arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/ctx',
      time: '2026-03-22T18:59:43Z',
      id: call?.meta.executionId,
      attempt: '1',
      untouched: '<aws.scheduler.unknown>',
    });
    expect(call?.meta.executionId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(fireLogs(harness.logs)).toEqual([
      {
        level: 'debug',
        component: 'scheduler',
        message: 'fire',
        schedule: 'default/ctx',
        scheduledTime: '2026-03-22T18:59:43Z',
        attempt: 1,
        executionId: call?.meta.executionId,
        lagMs: 0,
        durationMs: 0,
        outcome: 'succeeded',
      },
    ]);
  });

  it('passes no input when the target has none', async () => {
    const { harness, invoker } = await harnessAt('2026-03-02T08:00:00Z');
    await harness.client.send(
      new CreateScheduleCommand(scheduleInput('bare', { ScheduleExpression: 'rate(1 hour)' })),
    );
    await advance(harness, 1000);
    expect(invoker.calls[0]?.target).toEqual({ arn: FUNCTION_ARN, input: undefined });
  });
});
