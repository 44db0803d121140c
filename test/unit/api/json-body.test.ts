import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../../functions/api/http.ts';
import { HttpRequestError } from '../../../functions/api/http.ts';
import { jsonBody } from '../../../functions/api/middleware/json-body.ts';
import type { RouteKey } from '../../../shared/api/routes.ts';

const middleware = jsonBody({ routes: new Set<RouteKey>(['POST /jobs']), maxBytes: 64 });

function eventFor(key: RouteKey, body: string | undefined, contentType?: string, base64 = false): ApiEvent {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/jobs',
    rawQueryString: '',
    headers: contentType === undefined ? {} : { 'content-type': contentType },
    body,
    isBase64Encoded: base64,
    requestContext: {} as ApiEvent['requestContext'],
    tickworkRoute: { key, params: {} },
  };
}

async function run(event: ApiEvent): Promise<unknown> {
  await middleware.before?.({ event, context: {} as Context, response: null, error: null, internal: {} });
  return event.tickworkBody;
}

async function rejection(event: ApiEvent): Promise<HttpRequestError> {
  try {
    await run(event);
  } catch (error) {
    if (error instanceof HttpRequestError) return error;
    throw error;
  }
  throw new Error('expected an HttpRequestError');
}

describe('jsonBody', () => {
  it.each([
    ['application/json', '{"name":"a"}'],
    ['application/json; charset=utf-8', '{"name":"a"}'],
    ['Application/JSON', '{"name":"a"}'],
    ['application/merge-patch+json', '{"name":"a"}'],
  ])('parses a JSON object sent as %s', async (contentType, body) => {
    expect(await run(eventFor('POST /jobs', body, contentType))).toEqual({ name: 'a' });
  });

  it('decodes a base64 body', async () => {
    const body = Buffer.from('{"name":"b"}').toString('base64');
    expect(await run(eventFor('POST /jobs', body, 'application/json', true))).toEqual({ name: 'b' });
  });

  it('leaves routes without a body alone', async () => {
    expect(await run(eventFor('GET /jobs', 'not json', 'text/plain'))).toBeUndefined();
  });

  it.each([
    [
      'a text content type',
      '{"a":1}',
      'text/plain',
      415,
      /content-type must be application\/json, got "text\/plain"/,
    ],
    [
      'a form content type',
      'a=1',
      'application/x-www-form-urlencoded',
      415,
      /content-type must be application\/json/,
    ],
    ['no content type', '{"a":1}', undefined, 415, /got none/],
    [
      'a body over the limit',
      `{"a":"${'x'.repeat(80)}"}`,
      'application/json',
      413,
      /is 88 bytes; the limit for POST \/jobs is 64 bytes/,
    ],
    ['an empty body', '', 'application/json', 400, /the body is empty/],
    ['broken JSON', '{"a":', 'application/json', 400, /request body is not valid JSON/],
    ['a JSON array', '[1,2]', 'application/json', 400, /must be a JSON object, got an array/],
    ['JSON null', 'null', 'application/json', 400, /must be a JSON object, got null/],
    ['a JSON string', '"job"', 'application/json', 400, /must be a JSON object, got string/],
  ])('rejects %s', async (_case, body, contentType, statusCode, message) => {
    const error = await rejection(eventFor('POST /jobs', body, contentType));
    expect(error.statusCode).toBe(statusCode);
    expect(error.message).toMatch(message);
  });
});
