import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ApiError,
  ApiUnreachableError,
  regionFromApiUrl,
  requestUrl,
  retryDelayMs,
  routePath,
  TargetError,
  type WireRequest,
} from '../../../cli/api-client.ts';
import { describeApiError, type ErrorContext } from '../../../cli/api-errors.ts';
import { EXIT, exitCodeFor } from '../../../cli/exit-codes.ts';
import { UsageError } from '../../../cli/usage-error.ts';
import { sigV4Authorizer } from '../../../client/sigv4.ts';

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
  it('Given the table, Then each outcome has its own code', () => {
    expect(EXIT).toEqual({
      success: 0,
      failed: 1,
      drift: 1,
      usage: 2,
      notFound: 3,
      conflict: 4,
      timedOut: 5,
    });
  });

  it.each<[string, unknown, number | undefined]>([
    ['a usage error', new UsageError('bad'), 2],
    ['a 400 answer', new ApiError(400, 'ValidationError', 'bad'), 2],
    ['a 401 answer (a wrong token)', new ApiError(401, 'Unauthorized', 'send the header'), 2],
    ['a 403 answer (a signature the gateway refused)', new ApiError(403, 'Error', 'signature'), 2],
    ['a 413 answer', new ApiError(413, 'PayloadTooLarge', 'too big'), 2],
    ['a 404 answer for a job', new ApiError(404, 'JobNotFound', 'gone'), 3],
    ['a 404 answer for a run', new ApiError(404, 'RunNotFound', 'gone'), 3],
    ['a 404 answer for a route this API does not have', new ApiError(404, 'RouteNotFound', 'no route'), 1],
    ['a 405 answer', new ApiError(405, 'MethodNotAllowed', 'no'), 1],
    ['a 409 answer', new ApiError(409, 'JobAlreadyExists', 'taken'), 4],
    ['a 409 answer for a finished run', new ApiError(409, 'RunConflict', 'already succeeded'), 4],
    ['a 429 answer still there after the retry', new ApiError(429, 'SchedulerQuotaExceeded', 'quota'), 1],
    ['a 500 answer', new ApiError(500, 'InternalError', 'oops'), 1],
    ['a 502 answer', new ApiError(502, 'SchedulerError', 'refused'), 1],
    ['a 503 answer', new ApiError(503, 'SchedulerThrottled', 'later'), 1],
    ['an unreachable API', new ApiUnreachableError('ECONNREFUSED'), 1],
    ['a missing local stack', new TargetError('no local stack'), 1],
    ['anything else', new TypeError('bug'), undefined],
  ])('Given %s, When mapped, Then exit %s', (_, error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });
});

describe('Retry-After of a 429 or 503', () => {
  const now = new Date('2026-01-31T09:00:00Z');

  it.each<[string | null, number]>([
    ['2', 2_000],
    ['0', 0],
    [' 3 ', 3_000],
    ['3600', 10_000],
    ['Sat, 31 Jan 2026 09:00:04 GMT', 4_000],
    ['Sat, 31 Jan 2026 10:00:00 GMT', 10_000],
    ['Sat, 31 Jan 2026 08:59:00 GMT', 0],
    [null, 1_000],
    ['soon', 1_000],
    ['-5', 1_000],
  ])('Given Retry-After %j, When the wait is chosen (at most 10 s), Then %i ms', (header, ms) => {
    expect(retryDelayMs(header, now, 10_000)).toBe(ms);
  });
});

describe('API errors in the CLI terms', () => {
  const add: ErrorContext = { command: 'jobs add', job: 'nightly', fromFlags: true };

  it.each<[string, ApiError, ErrorContext, string[]]>([
    [
      'a taken name',
      new ApiError(
        409,
        'JobAlreadyExists',
        'job "nightly" already exists; use PUT /jobs/nightly to replace it',
      ),
      add,
      ['job "nightly" already exists; use --replace'],
    ],
    [
      'a job that does not exist',
      new ApiError(404, 'JobNotFound', 'job "gone" does not exist'),
      { command: 'runs', job: 'gone' },
      ['job "gone" does not exist'],
    ],
    [
      'a run that does not exist',
      new ApiError(404, 'RunNotFound', 'run "01JCDT6Q7M3H8W4R5N9X2B1KZE" does not exist'),
      { command: 'cancel', runId: '01JCDT6Q7M3H8W4R5N9X2B1KZE' },
      ['run "01JCDT6Q7M3H8W4R5N9X2B1KZE" does not exist'],
    ],
    [
      'resuming a deleted one-time job',
      new ApiError(409, 'JobConflict', 'job "once" was deleted …; create it again with PUT /jobs/once'),
      { command: 'jobs resume', job: 'once' },
      [
        'job "once" was deleted (a one-time job kept as history) and cannot be resumed; create it again with `tickwork jobs add once --replace --kind KIND --schedule EXPR …`',
      ],
    ],
    [
      'updating a one-time job that is over',
      new ApiError(409, 'JobConflict', 'job "once" is a one-time job whose time has passed'),
      { command: 'jobs update', job: 'once' },
      [
        'job "once" is a one-time job that already ran or was deleted; give it a new --schedule, or create it again with `tickwork jobs add once --replace --kind KIND --schedule EXPR …`',
      ],
    ],
    [
      '--run-immediately on an update that keeps the timing',
      new ApiError(400, 'ValidationError', 'runImmediately: true takes effect only … use POST /jobs/n/runs', [
        {
          field: 'runImmediately',
          message: 'runImmediately: true takes effect only … use POST /jobs/n/runs',
        },
      ]),
      { command: 'jobs update', job: 'n', fromFlags: true },
      [
        '--run-immediately takes effect only when the update changes --schedule, --tz or --start; to run job "n" now, use `tickwork run n`',
      ],
    ],
    [
      'an API without the route',
      new ApiError(404, 'RouteNotFound', 'no route for POST /jobs/n/runs'),
      { command: 'run', job: 'n' },
      [
        'the API does not offer `tickwork run` (it answered RouteNotFound); it may run an older version of Tickwork',
      ],
    ],
    [
      'one problem',
      new ApiError(400, 'ValidationError', 'timezone must be an IANA time zone, got "Mars/Olympus"', [
        { field: 'timezone', message: 'timezone must be an IANA time zone, got "Mars/Olympus"' },
      ]),
      add,
      ['timezone must be an IANA time zone, got "Mars/Olympus" (--tz)'],
    ],
    [
      'three problems, each named by its flag',
      new ApiError(400, 'ValidationError', 'timezone must be an IANA time zone', [
        { field: 'timezone', message: 'timezone must be an IANA time zone' },
        { field: 'flexibleWindowMinutes', message: 'flexibleWindowMinutes must be at most 1440' },
        { field: 'config.target.url', message: 'config.target.url must be a URL' },
      ]),
      add,
      [
        'timezone must be an IANA time zone (--tz)',
        'flexibleWindowMinutes must be at most 1440 (--flexible-window)',
        'config.target.url must be a URL (--config)',
      ],
    ],
    [
      'two problems of a job from a file',
      new ApiError(400, 'ValidationError', 'schedule must be non-empty', [
        { field: 'schedule', message: 'schedule must be non-empty' },
        { field: 'tags.team', message: 'tags.team must be at most 256 characters' },
      ]),
      { ...add, fromFlags: false },
      ['schedule must be non-empty', 'tags.team must be at most 256 characters'],
    ],
    [
      'problems whose first is not the message',
      new ApiError(400, 'ValidationError', '2 problems', [
        { field: 'a', message: 'a is wrong' },
        { field: 'b', message: 'b is wrong' },
      ]),
      { command: 'run', job: 'n' },
      ['2 problems', 'a is wrong', 'b is wrong'],
    ],
    [
      'a delete refused while other jobs chain to the job: the flag, not the query parameter',
      new ApiError(
        409,
        'JobChainedTo',
        'job "notify" is named in the then of job "nightly"; remove those links first, or DELETE /jobs/notify?unlinkChains=true to remove them with the job',
      ),
      { command: 'jobs delete', job: 'notify' },
      [
        'job "notify" is named in the then of job "nightly"; remove those links first, or run `tickwork jobs delete notify --unlink-chains` to remove them with the job',
      ],
    ],
    [
      'a type without a CLI wording',
      new ApiError(
        409,
        'RunConflict',
        'run X is already succeeded; only a pending or running run can be cancelled',
      ),
      { command: 'cancel', runId: 'X' },
      ['run X is already succeeded; only a pending or running run can be cancelled'],
    ],
  ])('Given %s, When described, Then the lines say it in CLI terms', (_, error, context, lines) => {
    expect(describeApiError(error, context)).toEqual(lines);
  });
});
