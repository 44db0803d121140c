/**
 * Verifies AWS Signature Version 4 on requests to the local stack's AWS-protocol listeners (the
 * Scheduler emulator, the Lambda Invoke endpoint, dynalite), the way the services do: the signature is
 * recomputed from the request as received with the stack's secret and compared in constant time.
 * Written on node:crypto rather than a signer library, because a server must canonicalize exactly the
 * headers the client says it signed (a signer decides for itself which headers to sign).
 *
 * What the services also check, checked here: the access key id, the credential scope (date, Region,
 * service), a signed `host`, `x-amz-date` within 15 minutes of now, and the body against its hash.
 * A session token (`x-amz-security-token`) is signed like any header and otherwise ignored: the stack's
 * credentials are long-term ones, and a token left in the environment must not lock its user out.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { LocalCredentials } from '../credentials.ts';

/** The error codes AWS answers a failed authentication with; each protocol puts them in its own shape. */
export type SignatureErrorCode =
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException';

/** The request carries no valid SigV4 signature of the stack's credentials. */
export class SignatureError extends Error {
  constructor(
    readonly code: SignatureErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignatureError';
  }
}

/** A request as received, before anything was decoded. */
export interface ReceivedRequest {
  readonly method: string;
  /** The request target: path and query, percent-encoded as on the wire. */
  readonly url: string;
  /** Every value of each header, names in lower case (node's `headersDistinct`). */
  readonly headers: Readonly<Record<string, readonly string[] | undefined>>;
  readonly body: Buffer;
}

export interface SignatureExpectation {
  readonly credentials: LocalCredentials;
  readonly region: string;
  /** The signing name of the service: `scheduler`, `lambda`, `dynamodb`. */
  readonly service: string;
  /** What the request's `x-amz-date` is compared with. */
  readonly now: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS refuses a request signed more than 15 minutes before or after its own clock. */
export const SIGNATURE_WINDOW_MS = 15 * 60 * 1000;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Returns when `request` is signed with `expected.credentials` for that Region and service; throws SignatureError otherwise. */
export function verifySignature(request: ReceivedRequest, expected: SignatureExpectation): void {
  const authorization = single(request.headers, 'authorization');
  if (authorization === undefined) {
    throw new SignatureError(
      'MissingAuthenticationTokenException',
      'Request is missing Authentication Token: sign it with SigV4 and the credentials in endpoints.json',
    );
  }
  const parts = parseAuthorization(authorization);
  const amzDate = single(request.headers, 'x-amz-date');
  const signedAt = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || signedAt === undefined) {
    throw new SignatureError(
      'IncompleteSignatureException',
      `the X-Amz-Date header must be an ISO-8601 basic-format date such as 20260101T000000Z; got ${amzDate === undefined ? 'none' : `'${amzDate}'`}`,
    );
  }

  const [accessKeyId, scopeDate, region, service, terminator] = parts.credential;
  if (!sameText(accessKeyId, expected.credentials.accessKeyId)) {
    throw new SignatureError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid: sign with the credentials in endpoints.json',
    );
  }
  if (scopeDate !== amzDate.slice(0, 8)) {
    throw new SignatureError(
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from X-Amz-Date: '${scopeDate}' != '${amzDate.slice(0, 8)}'`,
    );
  }
  if (region !== expected.region) {
    throw new SignatureError(
      'InvalidSignatureException',
      `Credential should be scoped to a valid region, not '${region}'; the local stack's Region is '${expected.region}'`,
    );
  }
  if (service !== expected.service || terminator !== 'aws4_request') {
    throw new SignatureError(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${expected.service}'`,
    );
  }
  if (!parts.signedHeaders.includes('host')) {
    throw new SignatureError(
      'InvalidSignatureException',
      "'Host' must be a 'SignedHeader' in the AWS Authorization",
    );
  }
  checkWindow(amzDate, signedAt, expected.now);

  const payloadHash = sha256Hex(request.body);
  const declaredHash = single(request.headers, 'x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== payloadHash) {
    throw new SignatureError(
      'InvalidSignatureException',
      'The x-amz-content-sha256 header does not match the SHA-256 of the request body',
    );
  }

  const scope = `${scopeDate}/${region}/${service}/${terminator}`;
  const stringToSign = [
    ALGORITHM,
    amzDate,
    scope,
    sha256Hex(canonicalRequest(request, parts.signedHeaders, payloadHash)),
  ].join('\n');
  const key = signingKey(expected.credentials.secretAccessKey, scopeDate, region, service);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
  if (!timingSafeEqual(signature, Buffer.from(parts.signature, 'hex'))) {
    throw new SignatureError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
}

interface AuthorizationParts {
  /** access key id, date, Region, service, terminator */
  readonly credential: readonly [string, string, string, string, string];
  readonly signedHeaders: readonly string[];
  /** 64 lower-case hex digits. */
  readonly signature: string;
}

function parseAuthorization(header: string): AuthorizationParts {
  const [algorithm = '', ...rest] = header.trim().split(/\s+/);
  if (algorithm !== ALGORITHM) {
    throw new SignatureError(
      'IncompleteSignatureException',
      `Unsupported AWS 'algorithm': '${algorithm}'; the local stack accepts ${ALGORITHM} signatures`,
    );
  }
  const fields = new Map<string, string>();
  for (const pair of rest.join(' ').split(',')) {
    const separator = pair.indexOf('=');
    if (separator > 0) fields.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
  }
  const credential = (fields.get('Credential') ?? '').split('/');
  const signedHeaders = (fields.get('SignedHeaders') ?? '').split(';').filter((name) => name !== '');
  const signature = fields.get('Signature') ?? '';
  if (credential.length !== 5 || signedHeaders.length === 0 || !/^[0-9a-f]{64}$/.test(signature)) {
    throw new SignatureError(
      'IncompleteSignatureException',
      'Authorization header requires Credential=<key id>/<date>/<region>/<service>/aws4_request, SignedHeaders and a 64-digit hex Signature',
    );
  }
  return {
    credential: credential as unknown as AuthorizationParts['credential'],
    signedHeaders,
    signature,
  };
}

function parseAmzDate(text: string): Date | undefined {
  const match = AMZ_DATE.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const date = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, second));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function checkWindow(amzDate: string, signedAt: Date, now: Date): void {
  const earliest = new Date(now.getTime() - SIGNATURE_WINDOW_MS);
  const latest = new Date(now.getTime() + SIGNATURE_WINDOW_MS);
  if (signedAt < earliest) {
    throw new SignatureError(
      'InvalidSignatureException',
      `Signature expired: ${amzDate} is now earlier than ${basicFormat(earliest)} (${basicFormat(now)} - 15 min.)`,
    );
  }
  if (signedAt > latest) {
    throw new SignatureError(
      'InvalidSignatureException',
      `Signature not yet current: ${amzDate} is still later than ${basicFormat(latest)} (${basicFormat(now)} + 15 min.)`,
    );
  }
}

function basicFormat(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function canonicalRequest(request: ReceivedRequest, signedHeaders: readonly string[], payloadHash: string) {
  const queryStart = request.url.indexOf('?');
  const path = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : request.url.slice(queryStart + 1);
  const headerLines = signedHeaders.map(
    (name) => `${name}:${(request.headers[name] ?? []).join(',').trim().replace(/\s+/g, ' ')}`,
  );
  return [
    request.method,
    canonicalPath(path),
    canonicalQuery(query),
    `${headerLines.join('\n')}\n`,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

/**
 * The path as every service but S3 canonicalizes it: dot and empty segments removed, then encoded once
 * more (the wire form is already encoded, so a label's `%20` becomes `%2520`), as the SDK and botocore do.
 */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${
    segments.length > 0 && path.endsWith('/') ? '/' : ''
  }`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

/** Each name and value decoded, then encoded the RFC 3986 way, sorted by name, then by value. */
function canonicalQuery(query: string): string {
  const pairs: Array<readonly [string, string]> = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const name = escapeUri(decode(separator === -1 ? pair : pair.slice(0, separator)));
    const value = separator === -1 ? '' : escapeUri(decode(pair.slice(separator + 1)));
    if (name.toLowerCase() !== 'x-amz-signature') pairs.push([name, value]);
  }
  pairs.sort(([a, x], [b, y]) => (a === b ? compare(x, y) : compare(a, b)));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  let key = createHmac('sha256', `AWS4${secret}`).update(date, 'utf8').digest();
  for (const part of [region, service, 'aws4_request'])
    key = createHmac('sha256', key).update(part, 'utf8').digest();
  return key;
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Compares in constant time (hashing first gives equal lengths, so the time says nothing about either). */
function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

function single(headers: ReceivedRequest['headers'], name: string): string | undefined {
  return headers[name]?.[0];
}
