/**
 * The Lambda Invoke endpoint runs the API function, which deletes jobs. It once checked no credential
 * and parsed any body as JSON: a page's cross-origin `text/plain` POST (no preflight needed) carrying an
 * API Gateway event for `DELETE /jobs/victim` deleted the job.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalEndpoints } from '../../../../local/runtime.ts';
import { signedFetch } from '../../../support/sigv4.ts';
import { type ApiHarness, promptJob, startApiHarness } from '../../api/support.ts';
import { API_FUNCTION, accessControlHeaders, deleteEvent, invocationsUrl, PAGE } from './support.ts';

let api: ApiHarness;
let endpoints: LocalEndpoints;

beforeAll(async () => {
  api = await startApiHarness();
  endpoints = api.stack.endpoints;
});

afterAll(async () => {
  await api.close();
});

const invocations = () => invocationsUrl(endpoints.lambdaEndpoint);

async function jobExists(name: string): Promise<boolean> {
  return (await api.call('GET', `/jobs/${name}`)).status === 200;
}

describe('the Lambda Invoke endpoint', () => {
  it('Given an API event for DELETE /jobs/victim posted as text/plain, Then it is refused however it comes, and the job is still there', async () => {
    // Given a job, and the event that deletes it
    expect((await api.call('POST', '/jobs', { body: promptJob('victim') })).status).toBe(201);
    const event = deleteEvent('victim');

    // When a page posts it cross-origin (no preflight for text/plain)
    const fromPage = await fetch(invocations(), {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: PAGE },
      body: event,
    });
    // When a script on this machine posts it without the credentials
    const unsigned = await fetch(invocations(), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: event,
    });
    // When it comes signed, but as text/plain
    const signedText = await signedFetch(invocations(), {
      headers: { 'content-type': 'text/plain' },
      body: event,
      credentials: endpoints.credentials,
      service: 'lambda',
    });

    // Then each is refused, with no CORS header, and the job is still there
    expect([fromPage, unsigned, signedText].map((response) => response.status)).toEqual([403, 403, 415]);
    expect(
      [fromPage, unsigned, signedText].map((response) => response.headers.get('x-amzn-errortype')),
    ).toEqual([
      'AccessDeniedException',
      'MissingAuthenticationTokenException',
      'UnsupportedMediaTypeException',
    ]);
    expect(accessControlHeaders(fromPage)).toEqual([]);
    expect(await jobExists('victim')).toBe(true);

    // And the same event from the SDK with the stack's credentials does delete it: the refusals above were of a working event
    const lambda = new LambdaClient({
      endpoint: endpoints.lambdaEndpoint,
      region: endpoints.credentials.region,
      credentials: endpoints.credentials,
    });
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: API_FUNCTION, Payload: new TextEncoder().encode(event) }),
    );
    lambda.destroy();
    expect(JSON.parse(new TextDecoder().decode(answer.Payload)).statusCode).toBe(204);
    expect(await jobExists('victim')).toBe(false);
  });
});
