/**
 * Delivery failures: a failing invocation is retried with exponential backoff until the
 * RetryPolicy's attempts or event age run out, then kept in the local dead-letter store (with a
 * DeadLetterConfig) or dropped (without). A throwing invoker or an unknown target is a failed
 * invocation, never a crash of the emulator. Lambda targets are also invoked through the project's
 * real in-process Lambda runtime (local/lambda/runtime.ts), which uses Lambda's asynchronous
 * semantics: an event it cannot accept fails the attempt, a handler's own error is Lambda's to retry.
 */
import { fileURLToPath } from 'node:url';
import { CreateScheduleCommand, GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaRuntime } from '../../../local/lambda/runtime.ts';
import {
  type InvocationMeta,
  listDeadLetters,
  ManualClock,
  type TargetInvoker,
  type TargetRef,
} from '../../../local/scheduler/index.ts';
import { createLogger } from '../../../shared/logger.ts';
import { receivedEvents } from '../../fixtures/scheduler-target-handler.ts';
import {
  advance,
  DLQ_ARN,
  FUNCTION_ARN,
  fireLogs,
  type Harness,
  type LogEntry,
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

describe('Lambda targets through the real in-process Lambda runtime', () => {
  const fixtureName = 'scheduler-fixture';
  const fixtureHandler = fileURLToPath(
    new URL('../../fixtures/scheduler-target-handler.ts', import.meta.url),
  );

  /** The runtime with the fixture handler as an extra function; its log lines are collected. */
  function runtimeWithFixture(): {
    runtime: LambdaRuntime;
    entry: (matches: (entry: LogEntry) => boolean) => Promise<LogEntry>;
  } {
    const entries: LogEntry[] = [];
    const waiters: Array<{ matches: (entry: LogEntry) => boolean; resolve: (entry: LogEntry) => void }> = [];
    const runtime = new LambdaRuntime({
      functions: { [fixtureName]: { entry: fixtureHandler, timeoutSeconds: 30, memorySize: 128 } },
      // Lambda's own retries of a failed asynchronous invocation, shortened from 1 and 2 minutes.
      asyncRetryDelaysMs: [1],
      log: createLogger({
        level: 'debug',
        write: (line) => {
          const logged = JSON.parse(line) as LogEntry;
          entries.push(logged);
          for (const waiter of waiters.splice(0)) {
            if (waiter.matches(logged)) waiter.resolve(logged);
            else waiters.push(waiter);
          }
        },
      }),
    });
    runtimes.push(runtime);
    /** Resolves with the first logged entry (already written or still to come) that `matches`. */
    const entry = (matches: (entry: LogEntry) => boolean) =>
      new Promise<LogEntry>((resolve) => {
        const seen = entries.find(matches);
        if (seen !== undefined) resolve(seen);
        else waiters.push({ matches, resolve });
      });
    return { runtime, entry };
  }

  const runtimes: LambdaRuntime[] = [];
  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.close(1000);
  });

  it('retries an unknown function ARN with backoff, then dead-letters it with the runtime error', async () => {
    // Given a schedule whose target names a function the runtime does not have
    const { runtime } = runtimeWithFixture();
    const harness = await harnessWith(runtime.asTargetInvoker());
    const missing = 'arn:aws:lambda:us-east-1:000000000000:function:no-such-function';
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('unknown-function', {
          ScheduleExpression: `at(${SLOT.slice(0, 19)})`,
          Target: {
            Arn: missing,
            RoleArn: ROLE_ARN,
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: DLQ_ARN },
          },
        }),
      ),
    );

    // When the slot passes and the clock runs on
    await advance(harness, 3_600_000);

    // Then the runtime refused the event three times, 1 s and 2 s apart, and the event is a dead letter
    const fires = fireLogs(harness.logs);
    expect(fires.map((entry) => [entry.attempt, entry.outcome, entry.lagMs])).toEqual([
      [1, 'retrying', 0],
      [2, 'retrying', 1000],
      [3, 'dead-lettered', 3000],
    ]);
    expect(fires[0]?.error).toContain(`function ${missing} does not exist in the local runtime`);
    const letters = await harness.emulator.listDeadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      scheduleName: 'unknown-function',
      targetArn: missing,
      attempts: 3,
      errorCode: 'UnknownFunctionError',
    });
    expect(letters[0]?.errorMessage).toContain(`function ${missing} does not exist in the local runtime`);
  });

  it('delivers the substituted Input to a real handler module as an asynchronous Lambda event', async () => {
    // Given a schedule targeting the fixture handler through the runtime, Input with context attributes
    receivedEvents().length = 0;
    const { runtime, entry } = runtimeWithFixture();
    const harness = await harnessWith(runtime.asTargetInvoker());
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('fixture-ok', {
          ScheduleExpression: `at(${SLOT.slice(0, 19)})`,
          Target: {
            Arn: runtime.functionArn(fixtureName),
            RoleArn: ROLE_ARN,
            Input:
              '{"job":"report","slot":"<aws.scheduler.scheduled-time>","attempt":"<aws.scheduler.attempt-number>"}',
            DeadLetterConfig: { Arn: DLQ_ARN },
          },
        }),
      ),
    );

    // When the slot passes and the handler has run in the background
    await advance(harness, 3_600_000);
    await entry((logged) => logged.origin === 'default/fixture-ok' && logged.outcome === 'succeeded');

    // Then the handler got the Input as its event, substituted, with a Lambda request id
    const received = receivedEvents();
    expect(received.map((entry) => entry.event)).toEqual([
      { job: 'report', slot: '2026-03-02T08:30:00Z', attempt: '1' },
    ]);
    expect(received[0]?.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fireLogs(harness.logs).map((entry) => entry.outcome)).toEqual(['succeeded']);
  });

  it("leaves a handler's own failure to Lambda's retries: Scheduler sees a delivered event, no dead letter", async () => {
    // Given a schedule whose handler throws on every run
    receivedEvents().length = 0;
    const { runtime, entry } = runtimeWithFixture();
    const harness = await harnessWith(runtime.asTargetInvoker());
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('fixture-fails', {
          ScheduleExpression: `at(${SLOT.slice(0, 19)})`,
          Target: {
            Arn: runtime.functionArn(fixtureName),
            RoleArn: ROLE_ARN,
            Input: '{"fail":true}',
            RetryPolicy: { MaximumRetryAttempts: 3 },
            DeadLetterConfig: { Arn: DLQ_ARN },
          },
        }),
      ),
    );

    // When the slot passes and the runtime has given up on the event
    await advance(harness, 3_600_000);
    const gaveUp = await entry(
      (logged) => logged.origin === 'default/fixture-fails' && logged.outcome === 'dropped',
    );

    // Then the runtime ran the handler twice (its own retry), the emulator invoked once and counts it delivered
    expect(gaveUp).toMatchObject({
      level: 'warn',
      component: 'lambda',
      message: 'invoke',
      function: fixtureName,
      invocationType: 'Event',
      attempt: 2,
      attempts: 2,
    });
    expect(gaveUp.error).toContain('the fixture handler was asked to fail');
    expect(receivedEvents().map((entry) => entry.event)).toEqual([{ fail: true }, { fail: true }]);
    const requestIds = new Set(receivedEvents().map((entry) => entry.awsRequestId));
    expect(requestIds.size).toBe(1);
    expect(fireLogs(harness.logs).map((entry) => [entry.attempt, entry.outcome])).toEqual([[1, 'succeeded']]);
    expect(await harness.emulator.listDeadLetters()).toEqual([]);
  });
});
