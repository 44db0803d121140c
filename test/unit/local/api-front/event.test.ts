import { describe, expect, it } from 'vitest';
import {
  formatRequestTime,
  isTextContentType,
  type RequestParts,
  toHttpApiEvent,
} from '../../../../local/api-front/event.ts';

const base: RequestParts = {
  method: 'get',
  url: '/jobs',
  httpVersion: '1.1',
  headers: { Host: ['127.0.0.1:3000'] },
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  requestId: 'req-1',
  time: new Date('2026-03-12T19:03:58.123Z'),
  accountId: '000000000000',
  apiId: 'local',
  fallbackDomainName: '127.0.0.1:3000',
};

describe('toHttpApiEvent', () => {
  it('Given a plain GET, When converted, Then it is a payload 2.0 event on the $default route and stage', () => {
    const event = toHttpApiEvent(base);

    expect(event).toEqual({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/jobs',
      rawQueryString: '',
      headers: { host: '127.0.0.1:3000' },
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: '127.0.0.1:3000',
        domainPrefix: '127',
        http: { method: 'GET', path: '/jobs', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: '' },
        requestId: 'req-1',
        routeKey: '$default',
        stage: '$default',
        time: '12/Mar/2026:19:03:58 +0000',
        timeEpoch: Date.parse('2026-03-12T19:03:58.123Z'),
      },
      isBase64Encoded: false,
    });
  });

  it('Given repeated headers and query keys, When converted, Then names are lower-cased and values joined with a comma', () => {
    const event = toHttpApiEvent({
      ...base,
      url: '/jobs?b=2&a=1&a=x%20y&empty=',
      headers: { 'X-Multi': ['one', 'two'], 'User-Agent': ['curl/8'], Host: ['localhost:3000'] },
    });

    expect(event.rawQueryString).toBe('b=2&a=1&a=x%20y&empty=');
    expect(event.queryStringParameters).toEqual({ b: '2', a: '1,x y', empty: '' });
    expect(event.headers).toEqual({ 'x-multi': 'one,two', 'user-agent': 'curl/8', host: 'localhost:3000' });
    expect(event.requestContext.http.userAgent).toBe('curl/8');
    expect(event.requestContext.domainName).toBe('localhost:3000');
  });

  it('Given a Cookie header, When converted, Then the cookies are a list and not a header', () => {
    const event = toHttpApiEvent({ ...base, headers: { cookie: ['a=1; b=2', 'c=3'] } });

    expect(event.cookies).toEqual(['a=1', 'b=2', 'c=3']);
    expect(event.headers.cookie).toBeUndefined();
  });

  it('Given the bearer token header, When converted, Then the function does not see it', () => {
    const event = toHttpApiEvent({ ...base, headers: { Authorization: ['Bearer secret'] } });

    expect(event.headers.authorization).toBeUndefined();
  });

  it('Given a JSON body, When converted, Then the body is text', () => {
    const event = toHttpApiEvent({
      ...base,
      method: 'POST',
      headers: { 'content-type': ['application/json; charset=utf-8'] },
      body: Buffer.from('{"name":"é"}', 'utf8'),
    });

    expect(event.body).toBe('{"name":"é"}');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('Given a binary body, When converted, Then the body is base64 and flagged', () => {
    const bytes = Buffer.from([0, 255, 1, 254]);
    const event = toHttpApiEvent({
      ...base,
      method: 'PUT',
      headers: { 'content-type': ['application/octet-stream'] },
      body: bytes,
    });

    expect(event.body).toBe(bytes.toString('base64'));
    expect(event.isBase64Encoded).toBe(true);
  });

  it('Given a request without Host, When converted, Then the listening address names the domain', () => {
    const event = toHttpApiEvent({ ...base, headers: {}, fallbackDomainName: '127.0.0.1:4000' });

    expect(event.requestContext.domainName).toBe('127.0.0.1:4000');
  });
});

describe('isTextContentType', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    ['application/problem+json', true],
    ['application/atom+xml', true],
    ['application/x-www-form-urlencoded', true],
    ['text/plain', true],
    ['text/csv;charset=utf-8', true],
    ['application/octet-stream', false],
    ['image/png', false],
    ['multipart/form-data; boundary=x', false],
    ['application/jsonp', false],
    [undefined, false],
  ])('Given %s, Then text is %s', (contentType, expected) => {
    expect(isTextContentType(contentType)).toBe(expected);
  });
});

describe('formatRequestTime', () => {
  it.each([
    ['2020-03-12T19:03:58.000Z', '12/Mar/2020:19:03:58 +0000'],
    ['2026-01-01T00:00:00.999Z', '01/Jan/2026:00:00:00 +0000'],
    ['2025-12-31T23:59:59.000Z', '31/Dec/2025:23:59:59 +0000'],
  ])('Given %s, Then %s', (iso, expected) => {
    expect(formatRequestTime(new Date(iso))).toBe(expected);
  });
});
