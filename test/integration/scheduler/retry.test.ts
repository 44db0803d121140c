/**
 * Delivery failures: a failing invocation is retried with exponential backoff until the
 * RetryPolicy's attempts or event age run out, then kept in the local dead-letter store (with a
 * DeadLetterConfig) or dropped (without). A throwing invoker or an unknown target is a failed
 * invocation, never a crash of the emulator. One test invokes a real handler module from
 * test/fixtures through a small ARN-to-module invoker.
 */
import { fileURLToPath } from 'node:url';
import { CreateScheduleCommand, GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type InvocationMeta,
  listDeadLetters,
  ManualClock,
  type TargetInvoker,
  type TargetRef,
} from '../../../local/scheduler/index.ts';
import { receivedEvents } from '../../fixtures/scheduler-target-handler.ts';
import {
  advance,
  DLQ_ARN,
  FUNCTION_ARN,
  fireLogs,
  type Harness,
  RecordingInvoker,
  ROLE_ARN,
  scheduleInput,
  startHarness,
  stopHarness,
} from './helpers.ts';

const START = '2026-03-02T08:00:00Z';
const SLOT = '2026-03-02T08:30:00Z';
const running: Harness[] = [];

afterEach(async () => {
  for (const harness of running.splice(0)) await stopHarness(harness);
});

async function harnessWith(invoker: TargetInvoker): Promise<Harness> {
  const clock = new ManualClock(new Date(START));
  if (invoker instanceof RecordingInvoker) invoker.useClock(clock);
  const harness = await startHarness({ invoker, clock });
  running.push(harness);
  return harness;
}

function offsetsMs(invoker: RecordingInvoker): number[] {
  return invoker.calls.map((call) => call.at.getTime() - Date.parse(SLOT));
}

describe('RetryPolicy', () => {
  it('retries with exponential backoff up to MaximumRetryAttempts, then dead-letters the event', async () => {
    // Given an invoker that always fails and a schedule allowing 2 retries, with a DLQ
    const invoker = new RecordingInvoker();
    invoker.failWith = new Error('function is throttled');
    const harness = await harnessWith(invoker);
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('flaky', {
          ScheduleExpression: `at(${SLOT.slice(0, 19)})`,
          Target: {
            Arn: FUNCTION_ARN,
            RoleArn: ROLE_ARN,
            Input: '{"attempt":"<aws.scheduler.attempt-number>","id":"<aws.scheduler.execution-id>"}',
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: DLQ_ARN },
          },
        }),
      ),
    );

    // When the slot passes and the clock runs on
    await advance(harness, 2 * 3_600_000);

    // Then there were 3 attempts, 1 s and then 2 s apart, each with its own execution id and number
    expect(offsetsMs(invoker)).toEqual([0, 1000, 3000]);
    expect(invoker.calls.map((call) => call.meta.attemptNumber)).toEqual([1, 2, 3]);
    const inputs = invoker.calls.map(
      (call) => JSON.parse(call.target.input ?? '{}') as { attempt: string; id: string },
    );
    expect(inputs.map((input) => input.attempt)).toEqual(['1', '2', '3']);
    expect(new Set(inputs.map((input) => input.id)).size).toBe(3);
    expect(inputs.map((input) => input.id)).toEqual(invoker.calls.map((call) => call.meta.executionId));
    expect(fireLogs(harness.logs).map((entry) => entry.outcome)).toEqual([
      'retrying',
      'retrying',
      'dead-lettered',
    ]);

    // And the event is in the dead-letter store, readable through the emulator and from the data directory
    const letters = await harness.emulator.listDeadLetters();
    expect(letters).toEqual([
      {
        scheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/flaky',
        groupName: 'default',
        scheduleName: 'flaky',
        targetArn: FUNCTION_ARN,
        deadLetterArn: DLQ_ARN,
        scheduledTime: '2026-03-02T08:30:00Z',
        input: invoker.calls[2]?.target.input,
        attempts: 3,
        executionId: invoker.calls[2]?.meta.executionId,
        errorCode: 'Error',
        errorMessage: 'function is throttled',
        deadLetteredAt: '2026-03-02T08:30:03.000Z',
      },
    ]);
    expect(await listDeadLetters(harness.dataDir)).toEqual(letters);
  });

  it('stops retrying when the next attempt would exceed MaximumEventAgeInSeconds', async () => {
    // Given up to 185 retries but an event age of 60 s
    const invoker = new RecordingInvoker();
    invoker.failWith = new Error('down');
    const harness = await harnessWith(invoker);
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('aged', {
          ScheduleExpression: `at(${SLOT.slice(0, 19)})`,
          Target: {
            Arn: FUNCTION_ARN,
            RoleArn: ROLE_ARN,
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 },
            DeadLetterConfig: { Arn: DLQ_ARN },
          },
        }),
      ),
    );

    await advance(harness, 2 * 3_600_000);

    // Then attempts ran at 0, 1, 3, 7, 15 and 31 s; the next (63 s) would be older than 60 s
    expect(offsetsMs(invoker)).toEqual([0, 1000, 3000, 7000, 15_000, 31_000]);
    expect((await harness.emulator.listDeadLetters()).map((letter) => letter.attempts)).toEqual([6]);
  });

  it('drops the event after the last attempt when the schedule has no DeadLetterConfig', async () => {
    const invoker = new RecordingInvoker();
    invoker.failWith = new Error('nope');
    const harness = await harnessWith(invoker);
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('no-dlq', {
          ScheduleExpression: `at(${SLOT.slice(0, 19)})`,
          Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, RetryPolicy: { MaximumRetryAttempts: 0 } },
        }),
      ),
    );

    await advance(harness, 3_600_000);

    expect(invoker.calls).toHaveLength(1);
    expect(fireLogs(harness.logs).map((entry) => entry.outcome)).toEqual(['dropped']);
    expect(await harness.emulator.listDeadLetters()).toEqual([]);
  });

  it('stops retrying once an attempt succeeds', async () => {
    // Given an invoker that fails twice, then succeeds
    let failures = 2;
    const attempts: InvocationMeta[] = [];
    const harness = await harnessWith({
      invoke: async (_target: TargetRef, meta: InvocationMeta) => {
        attempts.push(meta);
        if (failures-- > 0) throw new Error('not yet');
      },
    });
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('recovers', {
          ScheduleExpression: `at(${SLOT.slice(0, 19)})`,
          Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, DeadLetterConfig: { Arn: DLQ_ARN } },
        }),
      ),
    );

    await advance(harness, 3_600_000);

    expect(attempts.map((meta) => meta.attemptNumber)).toEqual([1, 2, 3]);
    expect(fireLogs(harness.logs).map((entry) => entry.outcome)).toEqual([
      'retrying',
      'retrying',
      'succeeded',
    ]);
    expect(await harness.emulator.listDeadLetters()).toEqual([]);
  });

  it('survives an invoker that throws synchronously and keeps serving requests', async () => {
    const harness = await harnessWith({
      invoke: (target: TargetRef): Promise<void> => {
        throw new TypeError(`no function behind ${target.arn}`);
      },
    });
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('broken-target', {
          ScheduleExpression: `at(${SLOT.slice(0, 19)})`,
          Target: {
            Arn: 'arn:aws:lambda:us-east-1:000000000000:function:does-not-exist',
            RoleArn: ROLE_ARN,
            RetryPolicy: { MaximumRetryAttempts: 1 },
            DeadLetterConfig: { Arn: DLQ_ARN },
          },
        }),
      ),
    );

    await advance(harness, 3_600_000);

    const letters = await harness.emulator.listDeadLetters();
    expect(letters.map((letter) => [letter.errorCode, letter.errorMessage, letter.attempts])).toEqual([
      ['TypeError', 'no function behind arn:aws:lambda:us-east-1:000000000000:function:does-not-exist', 2],
    ]);
    const still = await harness.client.send(new GetScheduleCommand({ Name: 'broken-target' }));
    expect(still.Name).toBe('broken-target');
  });
});

describe('a real handler module as the target', () => {
  const fixtureArn = 'arn:aws:lambda:us-east-1:000000000000:function:scheduler-fixture';
  const modules: Readonly<Record<string, string>> = {
    [fixtureArn]: fileURLToPath(new URL('../../fixtures/scheduler-target-handler.ts', import.meta.url)),
  };

  /** Maps a function ARN to its handler module and calls `handler(event, context)`; unknown ARNs fail. */
  const moduleInvoker: TargetInvoker = {
    async invoke(target, meta) {
      const path = modules[target.arn];
      if (path === undefined) throw new Error(`unknown function ${target.arn}`);
      const module = (await import(path)) as {
        handler: (event: unknown, context: { awsRequestId: string }) => Promise<unknown>;
      };
      await module.handler(target.input === undefined ? {} : JSON.parse(target.input), {
        awsRequestId: meta.executionId,
      });
    },
  };

  it('delivers the substituted input to the handler, and dead-letters what it keeps failing', async () => {
    // Given one schedule whose handler succeeds, one whose handler throws, and one with an unknown ARN
    receivedEvents().length = 0;
    const harness = await harnessWith(moduleInvoker);
    const at = `at(${SLOT.slice(0, 19)})`;
    const target = { Arn: fixtureArn, RoleArn: ROLE_ARN, DeadLetterConfig: { Arn: DLQ_ARN } };
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('fixture-ok', {
          ScheduleExpression: at,
          Target: { ...target, Input: '{"job":"report","slot":"<aws.scheduler.scheduled-time>"}' },
        }),
      ),
    );
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('fixture-fails', {
          ScheduleExpression: at,
          Target: { ...target, Input: '{"fail":true}', RetryPolicy: { MaximumRetryAttempts: 1 } },
        }),
      ),
    );
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('fixture-unknown', {
          ScheduleExpression: at,
          Target: { ...target, Arn: `${fixtureArn}-missing`, RetryPolicy: { MaximumRetryAttempts: 0 } },
        }),
      ),
    );

    // When the slot passes
    await advance(harness, 3_600_000);

    // Then the handler saw the good event once and the failing one twice; two events are dead letters
    const events = receivedEvents().map((received) => received.event);
    expect(events).toContainEqual({ job: 'report', slot: '2026-03-02T08:30:00Z' });
    expect(events.filter((event) => (event as { fail?: boolean }).fail === true)).toHaveLength(2);
    expect(events).toHaveLength(3);
    const letters = await harness.emulator.listDeadLetters();
    expect(letters.map((letter) => [letter.scheduleName, letter.errorMessage]).sort()).toEqual([
      ['fixture-fails', 'the fixture handler was asked to fail'],
      ['fixture-unknown', `unknown function ${fixtureArn}-missing`],
    ]);
  });
});
