/**
 * The local Lambda Invoke endpoint refuses what does not come from the stack's user: unsigned or
 * wrongly signed requests, requests from web pages (an `Origin`, a preflight), and bodies a page can
 * post cross-origin without a preflight (text/plain, forms). The SDK and the AWS CLI keep working.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCredentials } from '../../../../local/credentials.ts';
import { type LambdaApi, startLambdaApi } from '../../../../local/lambda-api/server.ts';
import { silentLogger } from '../../../../shared/logger.ts';
import { type EchoEvent, handler } from '../../../fixtures/lambda-api-echo.ts';
import { OTHER_CREDENTIALS, signedFetch, TEST_CREDENTIALS } from '../../../support/sigv4.ts';

function echoName(reference: string): string | undefined {
  return reference === 'echo' ? 'echo' : undefined;
}

function encode(payload: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(payload));
}

function lambdaClient(endpoint: string, credentials: LocalCredentials): LambdaClient {
  return new LambdaClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
}

describe('local Lambda Invoke endpoint refuses what does not come from its user', () => {
  let api: LambdaApi;
  const calls: string[] = [];
  const invocations = (endpoint: string) => `${endpoint}/2015-03-31/functions/echo/invocations`;

  beforeAll(async () => {
    api = await startLambdaApi({
      credentials: TEST_CREDENTIALS,
      hasFunction: (reference) => echoName(reference) !== undefined,
      invoke: async (reference, payload) => {
        calls.push(reference);
        return handler(payload as EchoEvent, { functionName: reference });
      },
      log: silentLogger,
    });
  });

  afterAll(async () => {
    await api.close();
  });

  afterEach(() => {
    calls.length = 0;
  });

  it('Given an unsigned text/plain POST (what a page sends without a preflight), Then 403 MissingAuthenticationTokenException and nothing runs', async () => {
    const response = await fetch(invocations(api.endpoint), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ message: 'from a page' }),
    });

    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(calls).toEqual([]);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'Given a correctly signed Invoke whose body is %s, Then 415 UnsupportedMediaTypeException and nothing runs',
    async (contentType) => {
      const response = await signedFetch(invocations(api.endpoint), {
        headers: { 'content-type': contentType },
        body: JSON.stringify({ message: 'form' }),
        credentials: TEST_CREDENTIALS,
        service: 'lambda',
      });

      expect(response.status).toBe(415);
      expect(response.headers.get('x-amzn-errortype')).toBe('UnsupportedMediaTypeException');
      expect(calls).toEqual([]);
    },
  );

  it.each([
    ['no content-type (as the AWS CLI sends it)', {}],
    ['application/json', { 'content-type': 'application/json' }],
  ])('Given a signed Invoke with %s, Then it runs', async (_, headers) => {
    const response = await signedFetch(invocations(api.endpoint), {
      headers,
      body: JSON.stringify({ message: 'ok' }),
      credentials: TEST_CREDENTIALS,
      service: 'lambda',
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ echo: { message: 'ok' }, functionName: 'echo' });
  });

  it('Given a correctly signed Invoke that carries an Origin header, Then 403 AccessDeniedException, no CORS header, and nothing runs', async () => {
    const response = await signedFetch(invocations(api.endpoint), {
      headers: { 'content-type': 'application/octet-stream', origin: 'https://attacker.example' },
      body: JSON.stringify({ message: 'x' }),
      credentials: TEST_CREDENTIALS,
      service: 'lambda',
    });

    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(calls).toEqual([]);
  });

  it('Given a CORS preflight, Then it is refused with no Access-Control header', async () => {
    const response = await fetch(invocations(api.endpoint), {
      method: 'OPTIONS',
      headers: {
        origin: 'https://attacker.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,x-amz-date',
      },
    });

    expect(response.status).toBe(403);
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('Given the SDK with other credentials, Then UnrecognizedClientException with status 403 and nothing runs', async () => {
    const client = lambdaClient(api.endpoint, OTHER_CREDENTIALS);

    const error = await client
      .send(new InvokeCommand({ FunctionName: 'echo', Payload: encode({}) }))
      .catch((caught: unknown) => caught);
    client.destroy();

    expect(error).toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
    expect(calls).toEqual([]);
  });

  it('Given the SDK with the right key id and a wrong secret, Then InvalidSignatureException and nothing runs', async () => {
    const client = lambdaClient(api.endpoint, {
      ...TEST_CREDENTIALS,
      secretAccessKey: OTHER_CREDENTIALS.secretAccessKey,
    });

    const error = await client
      .send(new InvokeCommand({ FunctionName: 'echo', Payload: encode({}) }))
      .catch((caught: unknown) => caught);
    client.destroy();

    expect(error).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    expect(calls).toEqual([]);
  });

  it('Given a request signed 20 minutes ago (a replay), Then InvalidSignatureException says the signature expired', async () => {
    const response = await signedFetch(invocations(api.endpoint), {
      headers: { 'content-type': 'application/octet-stream' },
      body: '{}',
      credentials: TEST_CREDENTIALS,
      service: 'lambda',
      signingDate: new Date(Date.now() - 20 * 60_000),
    });

    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(((await response.json()) as { Message: string }).Message).toMatch(/^Signature expired/);
    expect(calls).toEqual([]);
  });
});
