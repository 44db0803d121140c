import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, systemTimerClock, type TimerClock } from '../../../../local/clock.ts';
import {
  EnvironmentConflictError,
  FunctionTimeoutError,
  HandlerModuleError,
  InvalidPayloadError,
  ResponseSerializationError,
  RuntimeClosedError,
  UnknownFunctionError,
} from '../../../../local/lambda/errors.ts';
import { LambdaRuntime, repositoryRoot } from '../../../../local/lambda/runtime.ts';
import { functionDefinitions } from '../../../../shared/functions.ts';
import { callsOf, resetCalls } from '../../../fixtures/local-recorder.ts';
import { captureLogs } from '../../../support/logs.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/${name}`, import.meta.url));
const FIXTURE = 'tickwork-local-fixture';
const FIXTURE_ARN = `arn:aws:lambda:us-east-1:000000000000:function:${FIXTURE}`;

function runtimeWith(
  options: { timeoutSeconds?: number; clock?: TimerClock; asyncRetryDelaysMs?: readonly number[] } = {},
) {
  const { log, entries: logged } = captureLogs('debug');
  const runtime = new LambdaRuntime({
    functions: {
      [FIXTURE]: {
        entry: fixture('local-lambda-handler.ts'),
        timeoutSeconds: options.timeoutSeconds ?? 5,
        memorySize: 128,
      },
      'tickwork-local-no-handler': {
        entry: fixture('local-no-handler.ts'),
        timeoutSeconds: 5,
        memorySize: 128,
      },
      'tickwork-local-callback': {
        entry: fixture('local-callback-handler.ts'),
        timeoutSeconds: 5,
        memorySize: 128,
      },
    },
    asyncRetryDelaysMs: options.asyncRetryDelaysMs ?? [0, 0],
    log,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  return { runtime, logged };
}

describe('LambdaRuntime', () => {
  let runtime: LambdaRuntime;
  let logged: Record<string, unknown>[];

  beforeEach(() => {
    resetCalls();
    ({ runtime, logged } = runtimeWith());
  });

  afterEach(async () => {
    await runtime.close(0);
  });

  it('Given no extra functions, Then it knows exactly the functions of shared/functions.ts', () => {
    const plain = new LambdaRuntime();

    for (const definition of Object.values(functionDefinitions)) {
      const fn = plain.resolve(
        `arn:aws:lambda:us-east-1:000000000000:function:tickwork-local-${definition.id}`,
      );
      expect(fn).toEqual({
        name: `tickwork-local-${definition.id}`,
        arn: `arn:aws:lambda:us-east-1:000000000000:function:tickwork-local-${definition.id}`,
        entry: definition.entry,
        modulePath: `${repositoryRoot}${definition.entry}`,
        timeoutSeconds: definition.timeoutSeconds,
        memorySize: definition.memorySize,
      });
    }
    expect(() => plain.resolve(FIXTURE)).toThrow(UnknownFunctionError);
  });

  it('Given an ARN with a qualifier or a plain name, Then both resolve to the function', () => {
    expect(runtime.resolve(`${FIXTURE_ARN}:$LATEST`).name).toBe(FIXTURE);
    expect(runtime.resolve(FIXTURE).arn).toBe(FIXTURE_ARN);
  });

  it.each([
    ['an unknown name', 'tickwork-local-nothing'],
    ['an unknown ARN', 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-local-nothing'],
    ['another Region', `arn:aws:lambda:eu-west-1:000000000000:function:${FIXTURE}`],
    ['another account', `arn:aws:lambda:us-east-1:123456789012:function:${FIXTURE}`],
    ['a non-Lambda ARN', 'arn:aws:sqs:us-east-1:000000000000:queue'],
  ])('Given %s, When invoked, Then UnknownFunctionError names it', async (_, reference) => {
    await expect(runtime.invoke(reference, {})).rejects.toThrow(UnknownFunctionError);
    await expect(runtime.invoke(reference, {})).rejects.toThrow(`function ${reference} does not exist`);
    expect(callsOf('lambda')).toEqual([]);
  });

  it('Given an invocation, When the handler reads its context, Then it is a Lambda context for the function', async () => {
    const result = (await runtime.invoke(FIXTURE_ARN, { action: 'context' })) as Record<string, unknown>;

    expect(result).toEqual({
      awsRequestId: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
      functionName: FIXTURE,
      functionVersion: '$LATEST',
      invokedFunctionArn: FIXTURE_ARN,
      memoryLimitInMB: '128',
      logGroupName: `/aws/lambda/${FIXTURE}`,
      logStreamName: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/),
      callbackWaitsForEmptyEventLoop: true,
      remainingMs: expect.any(Number),
    });
    expect(result.remainingMs).toBeGreaterThan(0);
    expect(result.remainingMs).toBeLessThanOrEqual(5_000);
  });

  it('Given a clock that moves 250 ms per reading, When the handler asks twice, Then the remaining time counts down from the timeout', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock: TimerClock = {
      now: () => {
        now += 250;
        return new Date(now);
      },
      sleep: async () => {},
      setTimer: systemTimerClock.setTimer,
    };
    const stepped = runtimeWith({ timeoutSeconds: 3, clock }).runtime;

    const [first, second] = (await stepped.invoke(FIXTURE, { action: 'remaining-twice' })) as [
      number,
      number,
    ];

    expect(first).toBeLessThan(3_000);
    expect(first - second).toBe(250);
    await stepped.close(0);
  });

  it('Given a handler that never answers, When its timeout passes, Then the invocation fails with FunctionTimeoutError', async () => {
    const short = runtimeWith({ timeoutSeconds: 0.05 }).runtime;

    const invocation = short.invoke(FIXTURE, { action: 'hang' });

    await expect(invocation).rejects.toBeInstanceOf(FunctionTimeoutError);
    await expect(invocation).rejects.toThrow(`${FIXTURE}: task timed out after 0.05 seconds`);
    await short.close(0);
  });

  it('Given a manual clock, When a hanging handler reaches its 15-minute timeout on that clock, Then FunctionTimeoutError without any wait', async () => {
    // Given a function with Lambda's longest timeout, on a clock that moves only when told
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const manual = runtimeWith({ timeoutSeconds: 900, clock }).runtime;
    const settled = vi.fn();
    const invocation = manual.invoke(FIXTURE, { action: 'hang' });
    invocation.then(settled, settled);
    await vi.waitFor(() => expect(callsOf('lambda')).toHaveLength(1));
    expect(clock.nextTimerAt()).toEqual(new Date('2026-01-01T00:15:00Z'));

    // When the clock reaches one millisecond before the deadline, Then the invocation still runs
    await clock.advance(900_000 - 1);
    expect(settled).not.toHaveBeenCalled();

    // When it reaches the deadline, Then the invocation times out
    await clock.advance(1);
    await expect(invocation).rejects.toBeInstanceOf(FunctionTimeoutError);
    await expect(invocation).rejects.toThrow(`${FIXTURE}: task timed out after 900.00 seconds`);
    expect(clock.nextTimerAt()).toBeUndefined();
    await manual.close(0);
  });

  it("Given a manual clock, When an asynchronous invocation fails, Then Lambda's retries wait for the clock to reach their delays", async () => {
    // Given retries one and two minutes after a failure, on a manual clock
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const manual = runtimeWith({ clock, asyncRetryDelaysMs: [60_000, 120_000] }).runtime;
    await manual.invokeAsync(FIXTURE, JSON.stringify({ action: 'throw', message: 'again' }));
    await vi.waitFor(() => expect(callsOf('lambda')).toHaveLength(1));

    // When the clock runs to just before the first retry, Then nothing more ran
    await clock.advance(60_000 - 1);
    expect(callsOf('lambda')).toHaveLength(1);

    // When it reaches each delay, Then each retry runs then
    await clock.advance(1);
    await vi.waitFor(() => expect(callsOf('lambda')).toHaveLength(2));
    await clock.advance(120_000);
    await vi.waitFor(() => expect(callsOf('lambda')).toHaveLength(3));
    expect(clock.nextTimerAt()).toBeUndefined();
    await manual.close(0);
  });

  it('Given overlapping runs of one function, When some hang, Then each hanging run times out after its own start and the others are untouched', async () => {
    // Given a 0.2 s timeout and runs that start 100 ms apart
    const short = runtimeWith({ timeoutSeconds: 0.2 }).runtime;
    const settledAt = (promise: Promise<unknown>) =>
      promise.then(
        (value) => ({ outcome: 'ok' as const, value, at: Date.now() }),
        (error: unknown) => ({ outcome: 'error' as const, value: error, at: Date.now() }),
      );
    const firstStart = Date.now();
    const first = settledAt(short.invoke(FIXTURE, { action: 'hang' }));
    const fast = settledAt(short.invoke(FIXTURE, { action: 'result', result: 'fast' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const secondStart = Date.now();
    const second = settledAt(short.invoke(FIXTURE, { action: 'hang' }));
    const slowButInTime = settledAt(short.invoke(FIXTURE, { action: 'sleep', ms: 50 }));
    // When they settle
    const [a, b, c, d] = await Promise.all([first, fast, second, slowButInTime]);
    // Then both hanging runs timed out, each no earlier than its own deadline
    expect(a.outcome).toBe('error');
    expect(a.value).toBeInstanceOf(FunctionTimeoutError);
    expect(a.at - firstStart).toBeGreaterThanOrEqual(195);
    expect(c.outcome).toBe('error');
    expect(c.value).toBeInstanceOf(FunctionTimeoutError);
    expect(c.at - secondStart).toBeGreaterThanOrEqual(195);
    // And the second did not time out with the first
    expect(c.at).toBeGreaterThan(a.at);
    // And the runs that answered in time kept their results
    expect(b).toMatchObject({ outcome: 'ok', value: 'fast' });
    expect(d.outcome).toBe('ok');
    await short.close(0);
  });

  it('Given synchronous invocations, When they finish, Then each gets one debug line with its outcome (the caller reports failures)', async () => {
    await runtime.invoke(FIXTURE, { action: 'result', result: 'ok' });
    await expect(runtime.invoke(FIXTURE, { action: 'throw', message: 'sync kaput' })).rejects.toThrow();

    expect(logged.map(({ time: _time, requestId: _id, durationMs: _ms, ...entry }) => entry)).toEqual([
      {
        level: 'debug',
        component: 'lambda',
        message: 'invoke',
        function: FIXTURE,
        invocationType: 'RequestResponse',
        outcome: 'succeeded',
      },
      {
        level: 'debug',
        component: 'lambda',
        message: 'invoke',
        function: FIXTURE,
        invocationType: 'RequestResponse',
        outcome: 'failed',
        error: 'Error: sync kaput',
      },
    ]);
    expect(logged.map((entry) => typeof entry.durationMs)).toEqual(['number', 'number']);
  });

  it('Given a handler that throws, When invoked, Then the invocation rejects with its error', async () => {
    await expect(runtime.invoke(FIXTURE, { action: 'throw', message: 'kaput' })).rejects.toThrow('kaput');
  });

  it.each([
    [
      'a Date',
      { action: 'result', result: { at: new Date('2026-01-01T00:00:00Z') } },
      { at: '2026-01-01T00:00:00.000Z' },
    ],
    ['nothing', { action: 'result' }, null],
    ['a string', { action: 'result', result: 'plain' }, 'plain'],
  ])(
    'Given a handler returning %s, When invoked, Then the result makes a JSON round trip',
    async (_, event, expected) => {
      expect(await runtime.invoke(FIXTURE, event)).toEqual(expected);
    },
  );

  it('Given a result that is not JSON, When invoked, Then ResponseSerializationError', async () => {
    await expect(runtime.invoke(FIXTURE, { action: 'bigint' })).rejects.toBeInstanceOf(
      ResponseSerializationError,
    );
  });

  it('Given a module without a handler export, When invoked, Then HandlerModuleError names the module', async () => {
    const invocation = runtime.invoke('tickwork-local-no-handler', {});

    await expect(invocation).rejects.toBeInstanceOf(HandlerModuleError);
    await expect(invocation).rejects.toThrow('does not export a function named "handler"');
  });

  it('Given a callback-style handler, When invoked, Then it is refused as on nodejs24.x', async () => {
    await expect(runtime.invoke('tickwork-local-callback', {})).rejects.toThrow(/callback-style handler/);
  });

  it('Given an asynchronous invocation, When accepted, Then the handler gets the parsed payload', async () => {
    const { awsRequestId } = await runtime.invokeAsync(FIXTURE_ARN, '{"action":"result","result":1}');

    await vi.waitFor(() => expect(callsOf('lambda')).toHaveLength(1));
    expect(callsOf('lambda')[0]).toEqual({
      fixture: 'lambda',
      event: { action: 'result', result: 1 },
      awsRequestId,
    });
    await vi.waitFor(() =>
      expect(logged).toContainEqual({
        time: expect.any(String),
        level: 'debug',
        component: 'lambda',
        message: 'invoke',
        function: FIXTURE,
        requestId: awsRequestId,
        invocationType: 'Event',
        attempt: 1,
        outcome: 'succeeded',
        durationMs: expect.any(Number),
      }),
    );
  });

  it('Given a failing asynchronous invocation, When it fails twice, Then Lambda retries it with the same request id', async () => {
    const { awsRequestId } = await runtime.invokeAsync(
      FIXTURE,
      JSON.stringify({ action: 'fail-times', key: 'retry', times: 2 }),
    );

    await vi.waitFor(() =>
      expect(logged).toContainEqual(
        expect.objectContaining({ requestId: awsRequestId, attempt: 3, outcome: 'succeeded' }),
      ),
    );
    expect(callsOf('lambda').map((call) => call.awsRequestId)).toEqual([
      awsRequestId,
      awsRequestId,
      awsRequestId,
    ]);
    expect(
      logged.filter((entry) => entry.outcome === 'retrying').map((entry) => [entry.level, entry.attempt]),
    ).toEqual([
      ['warn', 1],
      ['warn', 2],
    ]);
  });

  it('Given an asynchronous invocation that always fails, When the retries are used up, Then it is logged and dropped', async () => {
    const { awsRequestId } = await runtime.invokeAsync(
      FIXTURE,
      JSON.stringify({ action: 'throw', message: 'always' }),
    );

    await vi.waitFor(() =>
      expect(logged).toContainEqual({
        time: expect.any(String),
        level: 'warn',
        component: 'lambda',
        message: 'invoke',
        function: FIXTURE,
        requestId: awsRequestId,
        invocationType: 'Event',
        attempt: 3,
        attempts: 3,
        outcome: 'dropped',
        durationMs: expect.any(Number),
        error: 'Error: always',
      }),
    );
    expect(callsOf('lambda')).toHaveLength(3);
  });

  it('Given a payload that is not JSON, When invoked asynchronously, Then it is refused before anything runs', async () => {
    await expect(runtime.invokeAsync(FIXTURE, '{nope')).rejects.toBeInstanceOf(InvalidPayloadError);
    expect(callsOf('lambda')).toEqual([]);
  });

  it('Given a schedule target without Input, When the emulator invokes it, Then the handler gets an empty object', async () => {
    const invoker = runtime.asTargetInvoker();

    await invoker.invoke(
      { arn: FIXTURE_ARN, input: undefined },
      {
        scheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/tickwork-local/job',
        groupName: 'tickwork-local',
        scheduleName: 'job',
        roleArn: 'arn:aws:iam::000000000000:role/tickwork-local-scheduler',
        scheduledTime: new Date('2026-01-01T00:00:00Z'),
        executionId: 'e-1',
        attemptNumber: 1,
      },
    );

    await vi.waitFor(() => expect(callsOf('lambda')).toHaveLength(1));
    expect(callsOf('lambda')[0]?.event).toEqual({});
  });

  it('Given a target ARN the runtime does not know, When the emulator invokes it, Then the invocation fails', async () => {
    const invoker = runtime.asTargetInvoker();

    const invocation = invoker.invoke(
      { arn: 'arn:aws:lambda:us-east-1:000000000000:function:gone', input: '{}' },
      {
        scheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/tickwork-local/job',
        groupName: 'tickwork-local',
        scheduleName: 'job',
        roleArn: 'arn:aws:iam::000000000000:role/tickwork-local-scheduler',
        scheduledTime: new Date('2026-01-01T00:00:00Z'),
        executionId: 'e-1',
        attemptNumber: 1,
      },
    );

    await expect(invocation).rejects.toBeInstanceOf(UnknownFunctionError);
  });

  it('Given a running invocation, When the runtime closes, Then it waits for it and refuses new ones', async () => {
    const running = runtime.invoke(FIXTURE, { action: 'sleep', ms: 50 });

    const unfinished = await runtime.close(5_000);

    expect(unfinished).toBe(0);
    await expect(running).resolves.toBe('slept');
    await expect(runtime.invoke(FIXTURE, { action: 'result' })).rejects.toBeInstanceOf(RuntimeClosedError);
  });
});

describe('LambdaRuntime environment', () => {
  const entry = fixture('local-env-handler.ts');
  const functions = { 'tickwork-local-env': { entry, timeoutSeconds: 5, memorySize: 128 } };

  it('Given an environment, When a handler module is loaded, Then it reads it at load time, and a later runtime with another environment is refused', async () => {
    const first = new LambdaRuntime({ functions, environment: { TICKWORK_FIXTURE_MARK: 'first' } });
    const second = new LambdaRuntime({ functions, environment: { TICKWORK_FIXTURE_MARK: 'second' } });
    const same = new LambdaRuntime({ functions, environment: { TICKWORK_FIXTURE_MARK: 'first' } });

    expect(await first.invoke('tickwork-local-env', {})).toEqual({ mark: 'first' });
    expect(process.env.TICKWORK_FIXTURE_MARK).toBe('first');
    const refused = second.invoke('tickwork-local-env', {});
    await expect(refused).rejects.toBeInstanceOf(EnvironmentConflictError);
    await expect(refused).rejects.toThrow('loaded in this process with TICKWORK_FIXTURE_MARK=first');
    expect(await same.invoke('tickwork-local-env', {})).toEqual({ mark: 'first' });

    await Promise.all([first.close(0), second.close(0), same.close(0)]);
  });
});
