/**
 * dynalite behind the listener guard. dynalite itself answers any page's CORS preflight with
 * `Access-Control-Allow-Origin: *` and checks only that an Authorization header exists: from a web page,
 * a Scan of the jobs table and an UpdateItem that pointed a job's webhook at the attacker both worked,
 * and the API then served that URL.
 */
import { DynamoDBClient, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCredentials } from '../../../../local/credentials.ts';
import type { LocalEndpoints } from '../../../../local/runtime.ts';
import { OTHER_CREDENTIALS, signedFetch } from '../../../support/sigv4.ts';
import { type ApiHarness, promptJob, startApiHarness } from '../../api/support.ts';
import { accessControlHeaders, dynamoRequest, JOBS, ORIGINAL_URL, PAGE, rewriteUrl } from './support.ts';

let api: ApiHarness;
let endpoints: LocalEndpoints;

beforeAll(async () => {
  api = await startApiHarness();
  endpoints = api.stack.endpoints;
});

afterAll(async () => {
  await api.close();
});

describe('dynalite behind the guard', () => {
  beforeAll(async () => {
    expect((await api.call('POST', '/jobs', { body: promptJob('kept') })).status).toBe(201);
  });

  const targetUrl = async (name: string) => (await api.call('GET', `/jobs/${name}`)).json.config.target.url;

  it('Given a cross-origin preflight for a Scan, Then it is refused with no Access-Control header', async () => {
    const response = await fetch(endpoints.dynamodbEndpoint, {
      method: 'OPTIONS',
      headers: {
        origin: PAGE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-amz-date,x-amz-target',
      },
    });

    expect(response.status).toBe(403);
    expect(accessControlHeaders(response)).toEqual([]);
  });

  it.each([
    ['Scan', { TableName: JOBS }],
    ['UpdateItem', rewriteUrl('kept')],
  ])(
    'Given a %s from a page, signed even, Then 403 AccessDeniedException and no CORS header',
    async (operation, input) => {
      const request = dynamoRequest(operation, input);

      const response = await signedFetch(endpoints.dynamodbEndpoint, {
        headers: { ...request.headers, origin: PAGE },
        body: request.body,
        credentials: endpoints.credentials,
        service: 'dynamodb',
      });

      expect(response.status).toBe(403);
      expect(((await response.json()) as { __type: string }).__type).toBe(
        'com.amazon.coral.service#AccessDeniedException',
      );
      expect(accessControlHeaders(response)).toEqual([]);
      expect(await targetUrl('kept')).toBe(ORIGINAL_URL);
    },
  );

  it.each([
    ['Scan', { TableName: JOBS }],
    ['UpdateItem', rewriteUrl('kept')],
  ])(
    'Given a %s with a made-up Authorization header, Then InvalidSignatureException and nothing changes',
    async (operation, input) => {
      const request = dynamoRequest(operation, input);
      const now = new Date()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');

      const response = await fetch(endpoints.dynamodbEndpoint, {
        method: 'POST',
        headers: {
          ...request.headers,
          'x-amz-date': now,
          authorization: `AWS4-HMAC-SHA256 Credential=${endpoints.credentials.accessKeyId}/${now.slice(0, 8)}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
        },
        body: request.body,
      });

      expect(response.status).toBe(400);
      expect(((await response.json()) as { __type: string }).__type).toBe(
        'com.amazon.coral.service#InvalidSignatureException',
      );
      expect(await targetUrl('kept')).toBe(ORIGINAL_URL);
    },
  );

  it.each([
    ['Scan', { TableName: JOBS }],
    ['UpdateItem', rewriteUrl('kept')],
  ])(
    'Given a %s signed 20 minutes ago, Then InvalidSignatureException: the signature expired',
    async (operation, input) => {
      const request = dynamoRequest(operation, input);

      const response = await signedFetch(endpoints.dynamodbEndpoint, {
        ...request,
        credentials: endpoints.credentials,
        service: 'dynamodb',
        signingDate: new Date(Date.now() - 20 * 60_000),
      });

      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        __type: 'com.amazon.coral.service#InvalidSignatureException',
        message: expect.stringMatching(/^Signature expired/),
      });
      expect(await targetUrl('kept')).toBe(ORIGINAL_URL);
    },
  );

  it.each<[string, () => LocalCredentials, string]>([
    ['other credentials', () => OTHER_CREDENTIALS, 'UnrecognizedClientException'],
    [
      'the key id of endpoints.json and another secret',
      () => ({ ...endpoints.credentials, secretAccessKey: OTHER_CREDENTIALS.secretAccessKey }),
      'InvalidSignatureException',
    ],
  ])(
    'Given the SDK with %s, Then Scan and UpdateItem are refused and nothing changes',
    async (_, credentials, code) => {
      const dynamodb = new DynamoDBClient({
        endpoint: endpoints.dynamodbEndpoint,
        region: 'us-east-1',
        credentials: credentials(),
        maxAttempts: 1,
      });

      const scan = await dynamodb.send(new ScanCommand({ TableName: JOBS })).catch((error: unknown) => error);
      const update = await dynamodb
        .send(new UpdateItemCommand(rewriteUrl('kept')))
        .catch((error: unknown) => error);
      dynamodb.destroy();

      expect(scan).toMatchObject({ name: code, $metadata: { httpStatusCode: 400 } });
      expect(update).toMatchObject({ name: code, $metadata: { httpStatusCode: 400 } });
      expect(await targetUrl('kept')).toBe(ORIGINAL_URL);
    },
  );

  it('Given the SDK with the credentials of endpoints.json, Then Scan works', async () => {
    const dynamodb = new DynamoDBClient({
      endpoint: endpoints.dynamodbEndpoint,
      region: endpoints.credentials.region,
      credentials: endpoints.credentials,
    });

    const scanned = await dynamodb.send(new ScanCommand({ TableName: JOBS }));
    dynamodb.destroy();

    expect(scanned.Items?.map((item) => item.name?.S)).toContain('kept');
  });
});
