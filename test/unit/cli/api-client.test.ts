import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ApiError,
  ApiUnreachableError,
  regionFromApiUrl,
  requestUrl,
  routePath,
  TargetError,
  type WireRequest,
} from '../../../cli/api-client.ts';
import { exitCodeFor } from '../../../cli/api-command.ts';
import { sigV4Authorizer } from '../../../cli/sigv4.ts';
import { UsageError } from '../../../cli/usage-error.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const SIGNING_DATE = new Date('2026-01-31T09:15:00Z');

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** SigV4 for execute-api computed by hand from the AWS documentation, as an independent check. */
function expectedSignature(canonicalRequest: string, region: string): string {
  const scope = `20260131/${region}/execute-api/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', '20260131T091500Z', scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, '20260131'), region), 'execute-api'),
    'aws4_request',
  );
  return hmac(key, stringToSign).toString('hex');
}

describe('SigV4 signing for a deployed API', () => {
  const authorize = sigV4Authorizer({
    region: 'eu-west-1',
    credentials: async () => CREDENTIALS,
    signingDate: () => SIGNING_DATE,
  });

  it('Given fixed credentials and date, When a POST with a body is signed, Then the signature matches the documented algorithm', async () => {
    const body = '{"name":"nightly"}';
    const request: WireRequest = {
      method: 'POST',
      url: new URL(
        'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/jobs/a%20b/pause?limit=2&cursor=x%2By',
      ),
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body,
    };

    const headers = await authorize(request);

    const canonicalRequest = [
      'POST',
      // API Gateway wants each path segment encoded twice: %20 becomes %2520.
      '/prod/jobs/a%2520b/pause',
      'cursor=x%2By&limit=2',
      'accept:application/json',
      'content-type:application/json',
      'host:abc123.execute-api.eu-west-1.amazonaws.com',
      `x-amz-content-sha256:${sha256(body)}`,
      'x-amz-date:20260131T091500Z',
      '',
      'accept;content-type;host;x-amz-content-sha256;x-amz-date',
      sha256(body),
    ].join('\n');
    expect(headers).toEqual({
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260131/eu-west-1/execute-api/aws4_request, ' +
        'SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date, ' +
        `Signature=${expectedSignature(canonicalRequest, 'eu-west-1')}`,
      'x-amz-date': '20260131T091500Z',
      'x-amz-content-sha256': sha256(body),
    });
  });

  it('Given a port in the URL and temporary credentials, When signed, Then host has the port and the session token is added', async () => {
    const withToken = sigV4Authorizer({
      region: 'us-east-1',
      credentials: async () => ({ ...CREDENTIALS, sessionToken: 'SESSION' }),
      signingDate: () => SIGNING_DATE,
    });

    const headers = await withToken({
      method: 'GET',
      url: new URL('http://127.0.0.1:8443/jobs'),
      headers: { accept: 'application/json' },
      body: undefined,
    });

    expect(headers.authorization).toContain('/20260131/us-east-1/execute-api/aws4_request');
    expect(headers.authorization).toContain(
      'SignedHeaders=accept;host;x-amz-content-sha256;x-amz-date;x-amz-security-token',
    );
    expect(headers['x-amz-security-token']).toBe('SESSION');
    expect(headers).not.toHaveProperty('host');
  });

  it('Given the same request twice, When signed at different dates, Then the signatures differ', async () => {
    const request: WireRequest = {
      method: 'GET',
      url: new URL('https://a.example/status'),
      headers: {},
      body: undefined,
    };
    const later = sigV4Authorizer({
      region: 'eu-west-1',
      credentials: async () => CREDENTIALS,
      signingDate: () => new Date('2026-01-31T09:15:01Z'),
    });

    expect((await authorize(request)).authorization).not.toBe((await later(request)).authorization);
  });
});

describe('URLs', () => {
  it.each<[string, Record<string, string>, string]>([
    ['/jobs/{name}', { name: 'nightly' }, '/jobs/nightly'],
    ['/jobs/{name}/runs', { name: 'a b/c' }, '/jobs/a%20b%2Fc/runs'],
    ['/runs/{runId}/cancel', { runId: '01J' }, '/runs/01J/cancel'],
  ])('Given %s with %j, When filled, Then %s', (template, labels, path) => {
    expect(routePath(template, labels)).toBe(path);
  });

  it('Given a template label without a value, When filled, Then it says which', () => {
    expect(() => routePath('/jobs/{name}', {})).toThrow('route /jobs/{name} needs a value for {name}');
  });

  it.each<[string, string, Record<string, string | undefined>, string]>([
    ['http://127.0.0.1:3000', '/jobs', {}, 'http://127.0.0.1:3000/jobs'],
    [
      'https://x.execute-api.us-east-1.amazonaws.com/prod/',
      '/jobs',
      { limit: '5' },
      'https://x.execute-api.us-east-1.amazonaws.com/prod/jobs?limit=5',
    ],
    [
      'http://h',
      '/jobs',
      { name: 'a b', kind: undefined, cursor: "x+y/z!'" },
      'http://h/jobs?name=a%20b&cursor=x%2By%2Fz%21%27',
    ],
  ])('Given base %s, path %s and query %j, When joined, Then %s', (base, path, query, url) => {
    expect(requestUrl(new URL(base), { method: 'GET', path, query }).href).toBe(url);
  });

  it.each<[string, string | undefined]>([
    ['https://abc.execute-api.eu-central-1.amazonaws.com/prod', 'eu-central-1'],
    ['https://abc.execute-api.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ['https://api.example.com', undefined],
  ])('Given %s, When the region is derived, Then %s', (url, region) => {
    expect(regionFromApiUrl(new URL(url))).toBe(region);
  });
});

describe('exit codes', () => {
  it.each<[string, unknown, number | undefined]>([
    ['a usage error', new UsageError('bad'), 2],
    ['a 400 answer', new ApiError(400, 'ValidationError', 'bad'), 2],
    ['a 404 answer', new ApiError(404, 'NotFound', 'gone'), 2],
    ['a 409 answer', new ApiError(409, 'Conflict', 'taken'), 2],
    ['a 500 answer', new ApiError(500, 'InternalError', 'oops'), 1],
    ['a 503 answer', new ApiError(503, 'SchedulerThrottled', 'later'), 1],
    ['an unreachable API', new ApiUnreachableError('ECONNREFUSED'), 1],
    ['a missing local stack', new TargetError('no local stack'), 1],
    ['anything else', new TypeError('bug'), undefined],
  ])('Given %s, When mapped, Then exit %s', (_, error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });
});
