/**
 * SigV4 signing of API requests for API Gateway's IAM authorization (service `execute-api`). Kept
 * apart from the client so the local-stack path never loads the signer.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Authorizer } from './http.ts';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SigV4Options {
  readonly region: string;
  readonly credentials: () => Promise<AwsCredentials>;
  /** Fixed signing time, for tests. @default now */
  readonly signingDate?: () => Date;
}

/**
 * Signs each request for API Gateway (`execute-api`) and returns the headers to add:
 * authorization, x-amz-date, x-amz-content-sha256 and, for temporary credentials, x-amz-security-token.
 */
export function sigV4Authorizer(options: SigV4Options): Authorizer {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
  });
  return async (request) => {
    const query: Record<string, string> = {};
    for (const [key, value] of request.url.searchParams) query[key] = value;
    const signed = await signer.sign(
      {
        method: request.method,
        protocol: request.url.protocol,
        hostname: request.url.hostname,
        ...(request.url.port === '' ? {} : { port: Number(request.url.port) }),
        // The path as it goes on the wire (labels encoded once); the signer encodes it once more.
        path: request.url.pathname,
        query,
        // `host` is signed; fetch sends the same value from the URL.
        headers: { ...request.headers, host: request.url.host },
        body: request.body,
      },
      { signingDate: options.signingDate?.() ?? new Date() },
    );
    const added: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers)) {
      const lower = name.toLowerCase();
      if (lower !== 'host' && request.headers[lower] === undefined) added[lower] = String(value);
    }
    return added;
  };
}
