/**
 * A Lambda result turned into an HTTP response by API Gateway's payload format 2.0 rules: a result
 * with `statusCode` is a response (statusCode, headers, multiValueHeaders, cookies, body,
 * isBase64Encoded); anything else is a 200 JSON body (a string result is the body itself).
 */

export interface HttpResponse {
  readonly statusCode: number;
  /** Header lines in order; a name may repeat (Set-Cookie). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/** The function answered with something API Gateway could not turn into a response (it answers 500). */
export class InvalidResponseError extends Error {
  constructor(reason: string) {
    super(`the API function returned a malformed response: ${reason}`);
    this.name = 'InvalidResponseError';
  }
}

type HeaderValue = string | number | boolean;

export function toHttpResponse(result: unknown): HttpResponse {
  if (!isRecord(result) || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return {
      statusCode: 200,
      headers: [['content-type', 'application/json']],
      body: Buffer.from(body, 'utf8'),
    };
  }
  const { statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    throw new InvalidResponseError(
      `statusCode must be an integer from 100 to 599, got ${JSON.stringify(statusCode)}`,
    );
  }
  const lines: Array<readonly [string, string]> = [];
  if (headers !== undefined && headers !== null) {
    if (!isRecord(headers))
      throw new InvalidResponseError('headers must be an object of header name to value');
    for (const [name, value] of Object.entries(headers)) {
      lines.push([name.toLowerCase(), headerValue(`headers.${name}`, value)]);
    }
  }
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (!isRecord(multiValueHeaders)) {
      throw new InvalidResponseError(
        'multiValueHeaders must be an object of header name to a list of values',
      );
    }
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values)) throw new InvalidResponseError(`multiValueHeaders.${name} must be a list`);
      for (const value of values)
        lines.push([name.toLowerCase(), headerValue(`multiValueHeaders.${name}`, value)]);
    }
  }
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies) || !cookies.every((cookie) => typeof cookie === 'string')) {
      throw new InvalidResponseError('cookies must be a list of strings');
    }
    for (const cookie of cookies) lines.push(['set-cookie', cookie]);
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new InvalidResponseError(`body must be a string, got ${typeof body}`);
  }
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean') {
    throw new InvalidResponseError('isBase64Encoded must be a boolean');
  }
  const text = body ?? '';
  return {
    statusCode,
    headers: lines,
    body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

function headerValue(field: string, value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new InvalidResponseError(`${field} must be a string, number or boolean`);
  }
  const text = String(value as HeaderValue);
  if (/[\r\n]/.test(text)) throw new InvalidResponseError(`${field} must not contain line breaks`);
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
