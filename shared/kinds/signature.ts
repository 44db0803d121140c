/**
 * Signatures of what Tickwork sends (prompt webhooks today; every kind that POSTs signs the same way).
 * Each delivery carries
 *
 *   Tickwork-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the secret>
 *
 * The timestamp is inside the signed text, so a captured delivery cannot be replayed later with a
 * new timestamp; receivers reject signatures older than a tolerance (5 minutes by default).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OutboundRequests } from './capabilities.ts';

export const SIGNATURE_HEADER = 'Tickwork-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A signed ingest a kind POSTs to: the telemetry export's chunks, the sync sink's pages. */
export interface SinkSettings {
  readonly url: string;
  /** The signing secret's value. */
  readonly secret: string;
  readonly timeoutMs: number;
  readonly http: OutboundRequests;
  /** The signature's clock. */
  readonly now: () => Date;
}

function hmac(secret: string, timestamp: number, rawBody: string | Uint8Array): Buffer {
  return createHmac('sha256', secret)
    .update(`${timestamp}.`)
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .digest();
}

/** The header value for `rawBody` signed at `timestamp` (unix seconds). */
export function signPayload(secret: string, timestamp: number, rawBody: string | Uint8Array): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, rawBody).toString('hex')}`;
}

export type SignatureCheck =
  | { readonly valid: true; readonly timestamp: number }
  | { readonly valid: false; readonly reason: string };

export interface VerifyOptions {
  /** Largest accepted |now − t| in seconds. @default 300 */
  readonly toleranceSeconds?: number;
  /** @default the current time */
  readonly now?: Date;
}

/**
 * Checks a `Tickwork-Signature` header against the raw request body (the exact bytes received, not a
 * re-serialized JSON) and the shared secret. Accepts any of several `v1=` values (secret rotation).
 */
export function verifySignature(
  header: string | undefined,
  rawBody: string | Uint8Array,
  secret: string,
  options: VerifyOptions = {},
): SignatureCheck {
  if (header === undefined || header.trim() === '') return { valid: false, reason: 'no signature header' };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined) return { valid: false, reason: 'the header has no t=<unix seconds>' };
  if (signatures.length === 0) return { valid: false, reason: 'the header has no v1=<hex HMAC-SHA256>' };
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > tolerance) {
    return {
      valid: false,
      reason: `the timestamp is ${now - timestamp} s from now (tolerance ${tolerance} s)`,
    };
  }
  const expected = hmac(secret, timestamp, rawBody);
  // Compare every candidate in constant time; never short-circuit on the first byte that differs.
  const matches = signatures.filter((signature) => timingSafeEqual(signature, expected));
  return matches.length > 0
    ? { valid: true, timestamp }
    : { valid: false, reason: 'the signature does not match' };
}
