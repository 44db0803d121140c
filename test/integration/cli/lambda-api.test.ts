import { fileURLToPath } from 'node:url';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LambdaRuntime } from '../../../local/lambda/runtime.ts';
import {
  type LambdaApi,
  type RunningInvocationType,
  startLambdaApi,
} from '../../../local/lambda-api/server.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { type EchoEvent, handled, handler, release, whenHeld } from '../../fixtures/lambda-api-echo.ts';
import { captureLogs } from '../../support/logs.ts';
import { signedFetch, TEST_CREDENTIALS } from '../../support/sigv4.ts';

const ECHO_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:echo';

/** Resolves a FunctionName (plain or ARN) the way the local runtime does, for the fixture function only. */
function echoName(reference: string): string | undefined {
  return reference === 'echo' || reference === ECHO_ARN ? 'echo' : undefined;
}

function encode(payload: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(payload));
}

function decode(payload: Uint8Array | undefined): unknown {
  return JSON.parse(new TextDecoder().decode(payload));
}

function lambdaClient(endpoint: string, credentials = TEST_CREDENTIALS): LambdaClient {
  return new LambdaClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('local Lambda Invoke endpoint, with the fixture handler called directly', () => {
  let api: LambdaApi;
  let client: LambdaClient;
  const calls: Array<{ name: string; type: RunningInvocationType }> = [];
  const { log, entries: logged } = captureLogs();

  beforeAll(async () => {
    api = await startLambdaApi({
      credentials: TEST_CREDENTIALS,
      hasFunction: (reference) => echoName(reference) !== undefined,
      invoke: async (reference, payload, type) => {
        calls.push({ name: reference, type });
        return handler(payload as EchoEvent, { functionName: echoName(reference) ?? reference });
      },
      log,
    });
    client = lambdaClient(api.endpoint);
  });

  afterAll(async () => {
    client.destroy();
    await api.close();
  });

  afterEach(() => {
    calls.length = 0;
    logged.length = 0;
    handled.length = 0;
  });

  it.each([
    ['a plain name', 'echo'],
    ['a full ARN', ECHO_ARN],
  ])(
    'Given %s, When invoked RequestResponse, Then the handler result comes back with status 200',
    async (_, name) => {
      const answer = await client.send(
        new InvokeCommand({
          FunctionName: name,
          InvocationType: 'RequestResponse',
          Payload: encode({ message: 'hi' }),
        }),
      );

      expect(answer.StatusCode).toBe(200);
      expect(answer.FunctionError).toBeUndefined();
      expect(answer.ExecutedVersion).toBe('$LATEST');
      expect(decode(answer.Payload)).toEqual({ echo: { message: 'hi' }, functionName: 'echo' });
      expect(calls).toEqual([{ name, type: 'RequestResponse' }]);
    },
  );

  it('Given a Qualifier, When invoked, Then the function still runs and the name reaches invoke unchanged', async () => {
    const answer = await client.send(
      new InvokeCommand({ FunctionName: ECHO_ARN, Qualifier: '$LATEST', Payload: encode({ message: 'q' }) }),
    );

    expect(answer.StatusCode).toBe(200);
    expect(calls).toEqual([{ name: ECHO_ARN, type: 'RequestResponse' }]);
  });

  it('Given no payload, When invoked, Then the handler receives an empty object', async () => {
    const answer = await client.send(new InvokeCommand({ FunctionName: 'echo' }));

    expect(decode(answer.Payload)).toEqual({ echo: {}, functionName: 'echo' });
  });

  it('Given an Event invocation, When sent, Then 202 comes back at once and the handler runs in the background', async () => {
    const answer = await client.send(
      new InvokeCommand({
        FunctionName: 'echo',
        InvocationType: 'Event',
        Payload: encode({ hold: 'bg', message: 'e' }),
      }),
    );

    expect(answer.StatusCode).toBe(202);
    expect(answer.Payload?.length ?? 0).toBe(0);
    await whenHeld('bg');
    // The handler is still held open, so the 202 did not wait for it.
    expect(handled).toEqual([]);
    release('bg');
    await until(() => handled.length === 1);
    expect(handled).toEqual([{ hold: 'bg', message: 'e' }]);
    expect(calls).toEqual([{ name: 'echo', type: 'Event' }]);
  });

  it('Given a handler that throws, When invoked RequestResponse, Then status 200 carries FunctionError Unhandled and the error', async () => {
    const answer = await client.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: encode({ fail: 'the webhook answered 500' }) }),
    );

    expect(answer.StatusCode).toBe(200);
    expect(answer.FunctionError).toBe('Unhandled');
    expect(decode(answer.Payload)).toMatchObject({
      errorType: 'EchoFailure',
      errorMessage: 'the webhook answered 500',
    });
  });

  it('Given a handler that throws, When invoked as an Event, Then the failure is logged and the endpoint keeps serving', async () => {
    const answer = await client.send(
      new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: encode({ fail: 'boom' }) }),
    );
    expect(answer.StatusCode).toBe(202);
    await until(() => logged.length === 1);

    expect(logged[0]).toEqual({
      time: expect.any(String),
      level: 'warn',
      component: 'lambda',
      message: 'Event invocation failed',
      function: 'echo',
      error: 'EchoFailure: boom',
    });
    const next = await client.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: encode({ message: 'after' }) }),
    );
    expect(decode(next.Payload)).toEqual({ echo: { message: 'after' }, functionName: 'echo' });
  });

  it('Given a DryRun, When sent, Then 204 comes back and the handler does not run', async () => {
    const answer = await client.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));

    expect(answer.StatusCode).toBe(204);
    expect(calls).toEqual([]);
  });

  it.each<[string, 'Event' | 'RequestResponse' | 'DryRun']>([
    ['tickwork-local-missing', 'RequestResponse'],
    ['arn:aws:lambda:us-east-1:000000000000:function:missing', 'Event'],
    ['missing', 'DryRun'],
  ])(
    'Given the unknown function %s, When invoked %s, Then ResourceNotFoundException names it',
    async (name, type) => {
      const sent = client.send(
        new InvokeCommand({ FunctionName: name, InvocationType: type, Payload: encode({}) }),
      );

      const error = await sent.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect((error as ResourceNotFoundException).message).toBe(`Function not found: ${name}`);
      expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
      expect(calls).toEqual([]);
    },
  );

  it('Given a payload that is not JSON, When invoked, Then InvalidRequestContentException and the handler does not run', async () => {
    const sent = client.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: new TextEncoder().encode('{not json') }),
    );

    await expect(sent).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
      message: expect.stringContaining('Could not parse request body into json'),
    });
    expect(calls).toEqual([]);
  });

  it('Given an Event payload over 1 MB, When invoked, Then RequestTooLargeException with status 413', async () => {
    const sent = client.send(
      new InvokeCommand({
        FunctionName: 'echo',
        InvocationType: 'Event',
        Payload: encode({ message: 'x'.repeat(1_100_000) }),
      }),
    );

    await expect(sent).rejects.toMatchObject({
      name: 'RequestTooLargeException',
      $metadata: { httpStatusCode: 413 },
    });
    expect(calls).toEqual([]);
  });

  it('Given an unknown invocation type, When sent, Then a ValidationException names the allowed values', async () => {
    const response = await signedFetch(`${api.endpoint}/2015-03-31/functions/echo/invocations`, {
      headers: { 'X-Amz-Invocation-Type': 'Later', 'content-type': 'application/octet-stream' },
      body: '{}',
      credentials: TEST_CREDENTIALS,
      service: 'lambda',
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(await response.json()).toEqual({
      Type: 'User',
      Message: expect.stringContaining("Value 'Later' at 'invocationType' failed to satisfy constraint"),
    });
  });
});

describe('local Lambda Invoke endpoint shutdown', () => {
  it('Given an Event invocation still running, When closed, Then close waits for it to finish', async () => {
    const api = await startLambdaApi({
      credentials: TEST_CREDENTIALS,
      hasFunction: (reference) => echoName(reference) !== undefined,
      invoke: (reference, payload) => handler(payload as EchoEvent, { functionName: reference }),
      log: silentLogger,
    });
    const client = lambdaClient(api.endpoint);
    handled.length = 0;
    await client.send(
      new InvokeCommand({
        FunctionName: 'echo',
        InvocationType: 'Event',
        Payload: encode({ hold: 'drain', message: 'd' }),
      }),
    );
    client.destroy();
    await whenHeld('drain');

    let closed = false;
    const closing = api.close().then((abandoned) => {
      closed = true;
      return abandoned;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    release('drain');

    expect(await closing).toBe(0);
    expect(handled).toEqual([{ hold: 'drain', message: 'd' }]);
  });

  it('Given an Event invocation that never ends, When closed, Then close gives up after the bound and reports it', async () => {
    const { log, entries: logged } = captureLogs();
    const api = await startLambdaApi({
      credentials: TEST_CREDENTIALS,
      hasFunction: () => true,
      invoke: () => new Promise(() => {}),
      log,
      drainTimeoutMs: 20,
    });
    const client = lambdaClient(api.endpoint);
    await client.send(
      new InvokeCommand({ FunctionName: 'stuck', InvocationType: 'Event', Payload: encode({}) }),
    );
    client.destroy();

    expect(await api.close()).toBe(1);
    expect(logged).toEqual([
      {
        time: expect.any(String),
        level: 'warn',
        component: 'lambda',
        message: 'Invoke endpoint closed with Event invocations still running',
        running: 1,
        drainTimeoutMs: 20,
      },
    ]);
  });
});

describe('local Lambda Invoke endpoint wired to the in-process Lambda runtime', () => {
  const fixture = fileURLToPath(new URL('../../fixtures/lambda-api-echo.ts', import.meta.url));
  let runtime: LambdaRuntime;
  let api: LambdaApi;
  let client: LambdaClient;

  beforeAll(async () => {
    runtime = new LambdaRuntime({
      functions: { 'tickwork-local-echo': { entry: fixture, timeoutSeconds: 5, memorySize: 128 } },
      asyncRetryDelaysMs: [],
    });
    api = await startLambdaApi({
      credentials: TEST_CREDENTIALS,
      hasFunction: (reference) => {
        try {
          runtime.resolve(reference);
          return true;
        } catch {
          return false;
        }
      },
      invoke: (reference, payload, type) =>
        type === 'Event'
          ? runtime.invokeAsync(reference, JSON.stringify(payload))
          : runtime.invoke(reference, payload),
      log: silentLogger,
    });
    client = lambdaClient(api.endpoint);
  });

  afterAll(async () => {
    client.destroy();
    await api.close();
    await runtime.close();
  });

  it('Given the function ARN of the runtime, When invoked RequestResponse, Then the handler gets the Lambda context', async () => {
    const answer = await client.send(
      new InvokeCommand({
        FunctionName: runtime.functionArn('tickwork-local-echo'),
        Payload: encode({ message: 'rt' }),
      }),
    );

    expect(decode(answer.Payload)).toEqual({ echo: { message: 'rt' }, functionName: 'tickwork-local-echo' });
  });

  it('Given a handler failure in the runtime, When invoked RequestResponse, Then FunctionError Unhandled', async () => {
    const answer = await client.send(
      new InvokeCommand({ FunctionName: 'tickwork-local-echo', Payload: encode({ fail: 'kaput' }) }),
    );

    expect(answer.FunctionError).toBe('Unhandled');
    expect(decode(answer.Payload)).toMatchObject({ errorType: 'EchoFailure', errorMessage: 'kaput' });
  });

  it('Given a function the runtime does not know, When invoked as an Event, Then ResourceNotFoundException', async () => {
    const sent = client.send(
      new InvokeCommand({
        FunctionName: 'tickwork-local-nothing',
        InvocationType: 'Event',
        Payload: encode({}),
      }),
    );

    await expect(sent).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
