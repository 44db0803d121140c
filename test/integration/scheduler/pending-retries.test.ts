/**
 * Retries that are waiting for their time are persisted: a stop does not lose them, the next start
 * on the same data directory re-arms them (or dead-letters / drops them when their event age ran
 * out while the emulator was down), and deleting the schedule (or its group) cancels them.
 * Driven by the manual clock: no real sleeping.
 */
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { type InvocationMeta, ManualClock, type TargetRef } from '../../../local/scheduler/index.ts';
import {
  advance,
  advanceTo,
  DLQ_ARN,
  FUNCTION_ARN,
  fireLogs,
  type Harness,
  newDataDir,
  RecordingInvoker,
  ROLE_ARN,
  scheduleInput,
  startHarness,
  stopHarness,
  useHarnessCleanup,
} from './helpers.ts';

const SLOT = '2026-03-02T08:30:00Z';
const AT = `at(${SLOT.slice(0, 19)})`;
const { dataDirs, running } = useHarnessCleanup();

async function start(
  dataDir: string,
  at: string,
  failWith?: Error,
): Promise<{ harness: Harness; invoker: RecordingInvoker }> {
  const invoker = new RecordingInvoker();
  invoker.failWith = failWith;
  const clock = new ManualClock(new Date(at));
  invoker.useClock(clock);
  const harness = await startHarness({ invoker, clock, dataDir });
  running.push(harness);
  return { harness, invoker };
}

async function stop(harness: Harness): Promise<void> {
  running.splice(running.indexOf(harness), 1);
  await stopHarness(harness, true);
}

async function freshDir(): Promise<string> {
  const dir = await newDataDir();
  dataDirs.push(dir);
  return dir;
}

/** Creates the schedule and lets its slot fire once (and fail), leaving the first retry pending. */
async function failFirstAttempt(harness: Harness, target: Record<string, unknown> = {}): Promise<void> {
  await harness.client.send(
    new CreateScheduleCommand(
      scheduleInput('flaky', {
        ScheduleExpression: AT,
        Target: {
          Arn: FUNCTION_ARN,
          RoleArn: ROLE_ARN,
          Input: '{"attempt":"<aws.scheduler.attempt-number>","slot":"<aws.scheduler.scheduled-time>"}',
          RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
          ...target,
        },
      }),
    ),
  );
  await advanceTo(harness, SLOT);
}

describe('retries pending at shutdown', () => {
  it('are persisted, reported at stop, re-armed at the next start, and succeed once the target works', async () => {
    // Given a failing target whose first attempt failed, with the retry due at 08:30:01
    const dataDir = await freshDir();
    const first = await start(dataDir, '2026-03-02T08:00:00Z', new Error('cold and broken'));
    await failFirstAttempt(first.harness, { DeadLetterConfig: { Arn: DLQ_ARN } });
    expect(first.invoker.calls.map((call) => call.meta.attemptNumber)).toEqual([1]);
    expect(fireLogs(first.harness.logs).map((entry) => entry.outcome)).toEqual(['retrying']);

    // When the emulator stops before the retry runs
    await stop(first.harness);

    // Then the stop line says one retry was left pending (persisted), none abandoned in flight
    expect(first.harness.logs.at(-1)).toEqual({
      level: 'info',
      component: 'scheduler',
      message: 'stopped',
      abandonedInvocations: 0,
      pendingRetries: 1,
    });

    // When it starts again ten minutes later on the same directory, with a target that now works
    const second = await start(dataDir, '2026-03-02T08:40:00Z');
    expect(second.harness.logs).toContainEqual({
      level: 'info',
      component: 'scheduler',
      message: 'retry-restored',
      schedule: 'default/flaky',
      scheduledTime: '2026-03-02T08:30:00Z',
      attempt: 2,
      retryAt: '2026-03-02T08:40:00.000Z',
    });
    await advance(second.harness, 0);

    // Then the retry ran at once as attempt 2 of the original slot, with the input substituted, and succeeded
    expect(second.invoker.calls).toHaveLength(1);
    const call = second.invoker.calls[0];
    expect(call?.meta.attemptNumber).toBe(2);
    expect(call?.meta.scheduledTime.toISOString()).toBe('2026-03-02T08:30:00.000Z');
    expect(call?.at.toISOString()).toBe('2026-03-02T08:40:00.000Z');
    expect(JSON.parse(call?.target.input ?? '{}')).toEqual({ attempt: '2', slot: '2026-03-02T08:30:00Z' });
    expect(fireLogs(second.harness.logs).map((entry) => [entry.attempt, entry.outcome])).toEqual([
      [2, 'succeeded'],
    ]);
    expect(await second.harness.emulator.listDeadLetters()).toEqual([]);

    // And the handled retry is cleared: a further restart neither reports nor runs it again
    await stop(second.harness);
    expect(second.harness.logs.at(-1)).toEqual({
      level: 'info',
      component: 'scheduler',
      message: 'stopped',
      abandonedInvocations: 0,
      pendingRetries: 0,
    });
    const third = await start(dataDir, '2026-03-02T09:00:00Z');
    await advance(third.harness, 3_600_000);
    expect(third.invoker.calls).toEqual([]);
    expect(third.harness.logs.some((entry) => entry.message === 'retry-restored')).toBe(false);
  });

  it('keeps to its future due time when the emulator is back before it', async () => {
    // Given a retry pending for 08:30:01 and a stop right after the failure
    const dataDir = await freshDir();
    const first = await start(dataDir, '2026-03-02T08:00:00Z', new Error('still down'));
    await failFirstAttempt(first.harness);
    await stop(first.harness);

    // When the emulator is back at 08:30:00.500 and the target keeps failing
    const second = await start(dataDir, '2026-03-02T08:30:00.500Z', new Error('still down'));
    await advance(second.harness, 10_000);

    // Then attempt 2 ran at 08:30:01 and attempt 3 on the usual backoff (2 s later)
    expect(second.invoker.calls.map((call) => [call.meta.attemptNumber, call.at.toISOString()])).toEqual([
      [2, '2026-03-02T08:30:01.000Z'],
      [3, '2026-03-02T08:30:03.000Z'],
      [4, '2026-03-02T08:30:07.000Z'],
    ]);

    // And after another stop (attempt 5 pending, persisted without repeating the schedule snapshot)
    // a third start runs attempt 5 with the original target and input
    await stop(second.harness);
    expect(second.harness.logs.at(-1)).toEqual({
      level: 'info',
      component: 'scheduler',
      message: 'stopped',
      abandonedInvocations: 0,
      pendingRetries: 1,
    });
    const third = await start(dataDir, '2026-03-02T08:31:00Z');
    await advance(third.harness, 0);
    expect(
      third.invoker.calls.map((call) => [call.meta.attemptNumber, call.target.arn, call.target.input]),
    ).toEqual([[5, FUNCTION_ARN, '{"attempt":"5","slot":"2026-03-02T08:30:00Z"}']]);
  });

  it('follows the schedule as it was when the slot fired, not an update made while down', async () => {
    // Given a pending retry of a schedule that is then updated to another target
    const dataDir = await freshDir();
    const first = await start(dataDir, '2026-03-02T08:00:00Z', new Error('nope'));
    await failFirstAttempt(first.harness);
    await first.harness.client.send(
      new UpdateScheduleCommand(
        scheduleInput('flaky', {
          ScheduleExpression: 'at(2026-03-09T08:30:00)',
          Target: { Arn: `${FUNCTION_ARN}-v2`, RoleArn: ROLE_ARN },
        }),
      ),
    );
    await stop(first.harness);

    // When the emulator restarts and the retry runs
    const second = await start(dataDir, '2026-03-02T08:31:00Z');
    await advance(second.harness, 0);

    // Then it invoked the target the slot fired with
    expect(second.invoker.calls.map((call) => [call.target.arn, call.meta.attemptNumber])).toEqual([
      [FUNCTION_ARN, 2],
    ]);
  });

  it.each([
    [
      'dead-letters it when the schedule has a DeadLetterConfig',
      { DeadLetterConfig: { Arn: DLQ_ARN } },
      'dead-lettered',
      1,
    ],
    ['drops it (and logs that) without a DeadLetterConfig', {}, 'dropped', 0],
  ] as const)(
    'when its event age ran out while the emulator was down, %s',
    async (_case, target, outcome, letters) => {
      // Given a retry pending for an event whose age limit is one hour
      const dataDir = await freshDir();
      const first = await start(dataDir, '2026-03-02T08:00:00Z', new TypeError('target refused'));
      await failFirstAttempt(first.harness, target);
      await stop(first.harness);

      // When the emulator starts again two hours later
      const second = await start(dataDir, '2026-03-02T10:30:00Z');
      await advance(second.harness, 3_600_000);

      // Then the retry is not run; the event is dead-lettered or dropped, and the start says so
      expect(second.invoker.calls).toEqual([]);
      expect(second.harness.logs).toContainEqual({
        level: 'warn',
        component: 'scheduler',
        message: 'retry-expired',
        schedule: 'default/flaky',
        scheduledTime: '2026-03-02T08:30:00Z',
        attempts: 1,
        outcome,
        error: 'target refused',
      });
      const stored = await second.harness.emulator.listDeadLetters();
      expect(stored).toHaveLength(letters);
      if (letters === 1) {
        expect(stored[0]).toMatchObject({
          scheduleName: 'flaky',
          scheduledTime: '2026-03-02T08:30:00Z',
          attempts: 1,
          executionId: first.invoker.calls[0]?.meta.executionId,
          errorCode: 'TypeError',
          errorMessage: 'target refused',
          input: '{"attempt":"1","slot":"2026-03-02T08:30:00Z"}',
          deadLetteredAt: '2026-03-02T10:30:00.000Z',
        });
      }

      // And it is handled for good: the next stop reports nothing pending
      await stop(second.harness);
      expect(second.harness.logs.at(-1)).toEqual({
        level: 'info',
        component: 'scheduler',
        message: 'stopped',
        abandonedInvocations: 0,
        pendingRetries: 0,
      });
    },
  );
});

describe('deleting a schedule with retries pending', () => {
  it.each([
    [
      'DeleteSchedule',
      (harness: Harness) =>
        harness.client.send(new DeleteScheduleCommand({ Name: 'flaky', GroupName: 'jobs' })),
    ],
    [
      'DeleteScheduleGroup',
      (harness: Harness) => harness.client.send(new DeleteScheduleGroupCommand({ Name: 'jobs' })),
    ],
  ] as const)(
    'cancels them (%s): no further attempt, no dead letter, nothing re-armed after a restart',
    async (_case, remove) => {
      // Given a schedule in group jobs whose first attempt failed, a retry pending at 08:30:01
      const dataDir = await freshDir();
      const first = await start(dataDir, '2026-03-02T08:00:00Z', new Error('failing'));
      await first.harness.client.send(new CreateScheduleGroupCommand({ Name: 'jobs' }));
      await first.harness.client.send(
        new CreateScheduleCommand(
          scheduleInput('flaky', {
            GroupName: 'jobs',
            ScheduleExpression: AT,
            Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, DeadLetterConfig: { Arn: DLQ_ARN } },
          }),
        ),
      );
      await advanceTo(first.harness, SLOT);
      expect(first.invoker.calls).toHaveLength(1);

      // When the schedule (or its group) is deleted and the clock runs well past every retry time
      await remove(first.harness);
      await advance(first.harness, 24 * 3_600_000);

      // Then the service-like behaviour: it is not invoked again and nothing is dead-lettered
      expect(first.invoker.calls).toHaveLength(1);
      expect(first.harness.logs).toContainEqual({
        level: 'info',
        component: 'scheduler',
        message: 'retries-cancelled',
        schedule: 'jobs/flaky',
        count: 1,
      });
      expect(await first.harness.emulator.listDeadLetters()).toEqual([]);
      const clock = first.harness.clock as ManualClock;
      expect(clock.nextTimerAt()).toBeUndefined();

      // And a restart has nothing pending
      await stop(first.harness);
      expect(first.harness.logs.at(-1)).toEqual({
        level: 'info',
        component: 'scheduler',
        message: 'stopped',
        abandonedInvocations: 0,
        pendingRetries: 0,
      });
      const second = await start(dataDir, '2026-03-02T08:30:05Z');
      await advance(second.harness, 3_600_000);
      expect(second.invoker.calls).toEqual([]);
    },
  );

  it('does not retry or dead-letter an attempt that fails after its schedule was deleted', async () => {
    // Given an invocation in flight that will fail once released
    let release: () => void = () => undefined;
    const attempts: InvocationMeta[] = [];
    const dataDir = await freshDir();
    const clock = new ManualClock(new Date('2026-03-02T08:00:00Z'));
    const harness = await startHarness({
      dataDir,
      clock,
      invoker: {
        invoke: async (_target: TargetRef, meta: InvocationMeta) => {
          attempts.push(meta);
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          throw new Error('failed after the delete');
        },
      },
    });
    running.push(harness);
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('in-flight', {
          ScheduleExpression: AT,
          Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, DeadLetterConfig: { Arn: DLQ_ARN } },
        }),
      ),
    );
    await clock.advanceTo(new Date(SLOT));
    expect(attempts).toHaveLength(1);

    // When the schedule is deleted while the attempt runs, and the attempt then fails
    await harness.client.send(new DeleteScheduleCommand({ Name: 'in-flight' }));
    release();
    await harness.emulator.idle();
    await advance(harness, 3_600_000);

    // Then the attempt is logged as cancelled: no retry, no dead letter
    expect(attempts).toHaveLength(1);
    expect(fireLogs(harness.logs).map((entry) => entry.outcome)).toEqual(['cancelled']);
    expect(await harness.emulator.listDeadLetters()).toEqual([]);
  });
});
