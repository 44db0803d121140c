import { describe, expect, it } from 'vitest';
import { InvalidResponseError, toHttpResponse } from '../../../../local/api-front/response.ts';

describe('toHttpResponse (payload format 2.0 rules)', () => {
  it('Given a result with statusCode, When converted, Then status, headers, cookies and body pass through', () => {
    const response = toHttpResponse({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'X-Count': 3, 'X-Flag': true },
      multiValueHeaders: { 'X-Multi': ['a', 'b'] },
      cookies: ['a=1; HttpOnly', 'b=2'],
      body: '{"ok":true}',
    });

    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual([
      ['content-type', 'application/json'],
      ['x-count', '3'],
      ['x-flag', 'true'],
      ['x-multi', 'a'],
      ['x-multi', 'b'],
      ['set-cookie', 'a=1; HttpOnly'],
      ['set-cookie', 'b=2'],
    ]);
    expect(response.body.toString('utf8')).toBe('{"ok":true}');
  });

  it('Given isBase64Encoded, When converted, Then the body is decoded to bytes', () => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);

    const response = toHttpResponse({
      statusCode: 200,
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });

    expect(response.body.equals(bytes)).toBe(true);
  });

  it('Given a status without body, When converted, Then the body is empty', () => {
    const response = toHttpResponse({ statusCode: 204 });

    expect(response).toEqual({ statusCode: 204, headers: [], body: Buffer.alloc(0) });
  });

  it.each([
    ['an object without statusCode', { message: 'hi' }, '{"message":"hi"}'],
    ['a string', 'Hello from Lambda!', 'Hello from Lambda!'],
    ['a number', 42, '42'],
    ['a list', [1, 2], '[1,2]'],
    ['null', null, 'null'],
  ])('Given %s, When converted, Then it is a 200 JSON response', (_, result, body) => {
    const response = toHttpResponse(result);

    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual([['content-type', 'application/json']]);
    expect(response.body.toString('utf8')).toBe(body);
  });

  it.each([
    ['a non-numeric statusCode', { statusCode: '200' }, /statusCode must be an integer/],
    [
      'an out-of-range statusCode',
      { statusCode: 700 },
      /statusCode must be an integer from 100 to 599, got 700/,
    ],
    ['a body that is not a string', { statusCode: 200, body: { a: 1 } }, /body must be a string, got object/],
    [
      'a header object value',
      { statusCode: 200, headers: { 'x-a': { b: 1 } } },
      /headers.x-a must be a string/,
    ],
    ['a header with a line break', { statusCode: 200, headers: { 'x-a': 'a\r\nb: c' } }, /line breaks/],
    ['cookies that are not strings', { statusCode: 200, cookies: [1] }, /cookies must be a list of strings/],
    [
      'multiValueHeaders not lists',
      { statusCode: 200, multiValueHeaders: { a: 'b' } },
      /multiValueHeaders.a must be a list/,
    ],
    [
      'isBase64Encoded not a boolean',
      { statusCode: 200, isBase64Encoded: 'yes' },
      /isBase64Encoded must be a boolean/,
    ],
  ])('Given %s, When converted, Then InvalidResponseError names the field', (_, result, message) => {
    expect(() => toHttpResponse(result)).toThrow(InvalidResponseError);
    expect(() => toHttpResponse(result)).toThrow(message);
  });
});
