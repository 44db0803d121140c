import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import type { LocalCredentials } from '../../../../local/credentials.ts';
import { type ReceivedRequest, SignatureError, verifySignature } from '../../../../local/http/sigv4.ts';

const CREDENTIALS: LocalCredentials = {
  accessKeyId: 'LOCALUNIT0000000',
  secretAccessKey: 'unit-test-secret-access-key-0123456789',
};
const NOW = new Date('2026-11-29T12:00:00Z');
const EXPECTED = { credentials: CREDENTIALS, region: 'us-east-1', service: 'scheduler', now: NOW };

interface Unsigned {
  readonly method: string;
  /** The path as on the wire (labels already percent-encoded, as the SDK builds it). */
  readonly path: string;
  /** Decoded names and values; encoded on the wire as the SDK encodes them. */
  readonly query?: Readonly<Record<string, string | string[]>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

const escapeUri = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Signs with the SDK's signer and returns the request as the listener receives it. */
async function sign(
  request: Unsigned,
  options: { credentials?: LocalCredentials; region?: string; service?: string; date?: Date } = {},
): Promise<ReceivedRequest> {
  const signer = new SignatureV4({
    service: options.service ?? 'scheduler',
    region: options.region ?? 'us-east-1',
    credentials: options.credentials ?? CREDENTIALS,
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 3001,
      path: request.path,
      query: request.query ?? {},
      headers: { ...request.headers, host: '127.0.0.1:3001' },
      ...(request.body === undefined ? {} : { body: request.body }),
    },
    { signingDate: options.date ?? NOW },
  );
  const wireQuery = Object.entries(request.query ?? {})
    .flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map((one) => `${escapeUri(name)}=${escapeUri(one)}`),
    )
    .join('&');
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = [String(value)];
  return {
    method: request.method,
    url: wireQuery === '' ? request.path : `${request.path}?${wireQuery}`,
    headers,
    body: Buffer.from(request.body ?? '', 'utf8'),
  };
}

function refusal(request: ReceivedRequest, expected = EXPECTED): { code: string; message: string } {
  try {
    verifySignature(request, expected);
  } catch (error) {
    if (error instanceof SignatureError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('the request was accepted');
}

describe('verifySignature against the SDK signer', () => {
  it.each<[string, Unsigned]>([
    ['a GET without query', { method: 'GET', path: '/schedule-groups' }],
    [
      'a POST with a JSON body',
      {
        method: 'POST',
        path: '/schedules/nightly',
        headers: { 'content-type': 'application/json' },
        body: '{"ScheduleExpression":"rate(1 hour)","Target":{"Arn":"x"}}',
      },
    ],
    ['an encoded label (space, unicode, reserved)', { method: 'GET', path: '/schedules/a%20b%C3%A9%2Fc%2A' }],
    [
      'query values that need encoding, out of order, repeated',
      {
        method: 'DELETE',
        path: '/tags/arn%3Aaws%3Ascheduler',
        query: { TagKeys: ['z key', 'a*key', 'm(key)'], groupName: 'g/1', ClientToken: "it's" },
      },
    ],
    [
      'header values with runs of spaces and an empty body hash',
      { method: 'PUT', path: '/schedules/x', headers: { 'x-custom': '  a   b  ' }, body: '' },
    ],
  ])('Given %s signed with the right credentials, Then it is accepted', async (_, request) => {
    const received = await sign(request);

    expect(() => verifySignature(received, EXPECTED)).not.toThrow();
  });

  it('Given the get-vanilla request of the AWS SigV4 test suite, Then its published signature is accepted', () => {
    const request: ReceivedRequest = {
      method: 'GET',
      url: '/',
      headers: {
        host: ['example.amazonaws.com'],
        'x-amz-date': ['20150830T123600Z'],
        authorization: [
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
        ],
      },
      body: Buffer.alloc(0),
    };

    expect(() =>
      verifySignature(request, {
        credentials: {
          accessKeyId: 'AKIDEXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        },
        region: 'us-east-1',
        service: 'service',
        now: new Date('2015-08-30T12:36:00Z'),
      }),
    ).not.toThrow();
  });

  it.each([
    ['14 minutes ago', -14],
    ['14 minutes ahead', 14],
  ])('Given a request signed %s, Then it is still accepted (AWS allows 15 minutes)', async (_, minutes) => {
    const received = await sign(
      { method: 'GET', path: '/schedules' },
      { date: new Date(NOW.getTime() + minutes * 60_000) },
    );

    expect(() => verifySignature(received, EXPECTED)).not.toThrow();
  });
});

const POST: Unsigned = {
  method: 'POST',
  path: '/schedules/nightly',
  headers: { 'content-type': 'application/json' },
  body: '{"State":"ENABLED"}',
};

describe('verifySignature refusals', () => {
  it.each<[string, () => Promise<ReceivedRequest>, string, RegExp]>([
    [
      'no Authorization header',
      async () => ({
        method: 'GET',
        url: '/schedules',
        headers: { host: ['127.0.0.1:3001'] },
        body: Buffer.alloc(0),
      }),
      'MissingAuthenticationTokenException',
      /missing Authentication Token/,
    ],
    [
      'a Bearer token',
      async () => withHeader(await sign(POST), 'authorization', 'Bearer abc'),
      'IncompleteSignatureException',
      /Unsupported AWS 'algorithm': 'Bearer'/,
    ],
    [
      'a Credential with four parts',
      async () =>
        withHeader(
          await sign(POST),
          'authorization',
          `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/20261129/us-east-1/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
        ),
      'IncompleteSignatureException',
      /Credential=<key id>\/<date>/,
    ],
    [
      'no X-Amz-Date',
      async () => withoutHeader(await sign(POST), 'x-amz-date'),
      'IncompleteSignatureException',
      /X-Amz-Date header must be/,
    ],
    [
      'other credentials',
      async () =>
        sign(POST, { credentials: { accessKeyId: 'LOCALOTHER000000', secretAccessKey: 'x'.repeat(40) } }),
      'UnrecognizedClientException',
      /security token included in the request is invalid/,
    ],
    [
      'the right key id with a wrong secret',
      async () => sign(POST, { credentials: { ...CREDENTIALS, secretAccessKey: 'y'.repeat(40) } }),
      'InvalidSignatureException',
      /signature we calculated does not match/,
    ],
    [
      'another Region',
      async () => sign(POST, { region: 'eu-west-1' }),
      'InvalidSignatureException',
      /scoped to a valid region, not 'eu-west-1'/,
    ],
    [
      'another service',
      async () => sign(POST, { service: 'dynamodb' }),
      'InvalidSignatureException',
      /scoped to correct service: 'scheduler'/,
    ],
    [
      'a date 16 minutes old',
      async () => sign(POST, { date: new Date(NOW.getTime() - 16 * 60_000) }),
      'InvalidSignatureException',
      /^Signature expired: 20261129T114400Z is now earlier than 20261129T114500Z/,
    ],
    [
      'a date 16 minutes ahead',
      async () => sign(POST, { date: new Date(NOW.getTime() + 16 * 60_000) }),
      'InvalidSignatureException',
      /^Signature not yet current/,
    ],
    [
      'another body than the one signed',
      async () => ({ ...(await sign(POST)), body: Buffer.from('{"State":"DISABLED"}') }),
      'InvalidSignatureException',
      /x-amz-content-sha256 header does not match/,
    ],
    [
      'another body, and no x-amz-content-sha256 (as botocore signs)',
      async () =>
        withoutHeader(
          { ...(await sign(POST)), body: Buffer.from('{"State":"DISABLED"}') },
          'x-amz-content-sha256',
        ),
      'InvalidSignatureException',
      /signature we calculated does not match/,
    ],
    [
      'another path than the one signed',
      async () => ({ ...(await sign(POST)), url: '/schedules/other' }),
      'InvalidSignatureException',
      /signature we calculated does not match/,
    ],
    [
      'a signed header changed',
      async () => withHeader(await sign(POST), 'content-type', 'text/plain'),
      'InvalidSignatureException',
      /signature we calculated does not match/,
    ],
  ])('Given %s, Then %s', async (_, build, code, message) => {
    const found = refusal(await build());

    expect(found.code).toBe(code);
    expect(found.message).toMatch(message);
  });

  it('Given a signature without host among the signed headers, Then it is refused', async () => {
    const signed = await sign(POST);
    const authorization = signed.headers.authorization?.[0] ?? '';

    const found = refusal(withHeader(signed, 'authorization', authorization.replace('host;', '')));

    expect(found).toEqual({
      code: 'InvalidSignatureException',
      message: "'Host' must be a 'SignedHeader' in the AWS Authorization",
    });
  });
});

function withHeader(request: ReceivedRequest, name: string, value: string): ReceivedRequest {
  return { ...request, headers: { ...request.headers, [name]: [value] } };
}

function withoutHeader(request: ReceivedRequest, name: string): ReceivedRequest {
  const headers = { ...request.headers };
  delete headers[name];
  return { ...request, headers };
}
