/**
 * Credentials and SigV4 signing for tests that talk to the local stack's AWS-protocol listeners. The
 * signing is the SDK's own signer (@smithy/signature-v4), not the stack's verifier, so a test that
 * passes proves the two agree.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LocalCredentials } from '../../local/credentials.ts';

/** Credentials for a part started on its own (the stack makes its own per data directory). */
export const TEST_CREDENTIALS: LocalCredentials = {
  accessKeyId: 'LOCALTEST00000000',
  secretAccessKey: 'test-secret-access-key-of-32-chars-or-more',
};

/** Other credentials than the listener accepts. */
export const OTHER_CREDENTIALS: LocalCredentials = {
  accessKeyId: 'LOCALOTHER0000000',
  secretAccessKey: 'another-secret-access-key-of-32-chars-or-more',
};

export interface SignedFetchOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly credentials: LocalCredentials;
  /** The signing name: `scheduler`, `lambda`, `dynamodb`. */
  readonly service: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default now */
  readonly signingDate?: Date;
}

/** `fetch`, with the request SigV4-signed as the SDK signs it (host, the body's hash, x-amz-date). */
export async function signedFetch(url: string, options: SignedFetchOptions): Promise<Response> {
  const target = new URL(url);
  const signer = new SignatureV4({
    service: options.service,
    region: options.region ?? 'us-east-1',
    credentials: options.credentials,
    sha256: Sha256,
  });
  const query: Record<string, string> = {};
  for (const [key, value] of target.searchParams) query[key] = value;
  const signed = await signer.sign(
    {
      method: options.method ?? 'POST',
      protocol: target.protocol,
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      query,
      headers: { ...options.headers, host: target.host },
      body: options.body,
    },
    { signingDate: options.signingDate ?? new Date() },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) {
    if (name.toLowerCase() !== 'host') headers[name] = String(value);
  }
  // Bytes, not a string: fetch would add `content-type: text/plain` to a string body.
  const body = options.body === undefined ? undefined : new TextEncoder().encode(options.body);
  return fetch(url, { method: options.method ?? 'POST', headers, body });
}
