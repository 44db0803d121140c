/**
 * Config fields every kind builds from, defined once: URLs a job may call (no credentials in them),
 * secret names (secrets are passed by reference), metadata (bounded in depth and size), timeouts.
 * Each carries its rule in its message and says what it received.
 */
import * as z from 'zod/mini';
import { describeValue, jsonDepth, jsonKeys, utf8Length, walkJson } from '../validation.ts';
import { SECRETS_BY_REFERENCE_RULE } from './secrets-by-reference.ts';

/** Secret names: what Secrets Manager accepts in a name, 1–128 characters. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,128}$/;

/**
 * Query parameters that carry credentials: a URL is stored in the job and returned by the API, so a
 * token in it would leak. Receivers check the Tickwork-Signature header instead.
 */
export const CREDENTIAL_QUERY_PARAMETER =
  /^(token|access_token|api[_-]?key|key|secret|password|passwd|signature|sig|auth|authorization|client_secret)$/i;
export const MAX_URL_LENGTH = 2048;

/**
 * An absolute http(s) URL without credentials in its user info or query string. `signingSecretField`
 * names the config field the message points to instead (the by-reference way to authenticate).
 */
export function httpUrlField(options: { readonly signingSecretField: string }) {
  return z
    .string({ error: (issue) => `must be a URL string; got ${describeValue(issue.input)}` })
    .check((ctx) => {
      const text = ctx.value;
      const fail = (rule: string): void => {
        ctx.issues.push({ code: 'custom', input: text, message: `${rule}; got ${describeValue(text)}` });
      };
      if (text.length > MAX_URL_LENGTH) return fail(`must be at most ${MAX_URL_LENGTH} characters`);
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        return fail('must be an absolute http(s) URL');
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail('must be an http(s) URL');
      if (url.hostname === '') return fail('must name a host');
      // The value is not echoed: it holds credentials.
      if (url.username !== '' || url.password !== '') {
        ctx.issues.push({
          code: 'custom',
          input: '',
          message: `must not contain credentials: ${SECRETS_BY_REFERENCE_RULE}`,
        });
        return;
      }
      const credential = [...url.searchParams.keys()].find((name) => CREDENTIAL_QUERY_PARAMETER.test(name));
      if (credential !== undefined) {
        ctx.issues.push({
          code: 'custom',
          input: '',
          message: `must not carry credentials in its query string (parameter "${credential}"): authenticate with the signing secret instead — give the secret's NAME in ${options.signingSecretField} and have the receiver verify the Tickwork-Signature header (${SECRETS_BY_REFERENCE_RULE})`,
        });
      }
    });
}

/** The NAME of a secret, never its value. */
export const secretNameField = z.lazy(() =>
  z.string({ error: (issue) => `must be a secret name; got ${describeValue(issue.input)}` }).check(
    z.regex(SECRET_NAME_PATTERN, {
      error: (issue) =>
        `must be the NAME of a secret (1–128 of A-Z a-z 0-9 / _ + = . @ -); got ${describeValue(issue.input)}`,
    }),
  ),
);

/** DynamoDB's number range: a magnitude from 1e-130 up to (not including) 1e126, or zero. */
const DYNAMODB_SMALLEST = 1e-130;
const DYNAMODB_TOO_LARGE = 1e126;

/**
 * A JSON object a receiver gets as is, bounded so it fits the job item: DynamoDB nests at most 32
 * levels and an item holds 400 KB. Keys may be any text (`constructor` and `toString` included) but
 * the empty one, and numbers must be in DynamoDB's range: DynamoDB refuses both (dynalite stores an
 * empty key, so locally it would work and in AWS it would fail).
 */
export function metadataField(limits: { readonly maxDepth: number; readonly maxBytes: number }) {
  return z
    .record(z.string(), z.unknown(), {
      error: (issue) => `must be an object; got ${describeValue(issue.input)}`,
    })
    .check(
      z.refine((value) => jsonDepth(value, limits.maxDepth) <= limits.maxDepth, {
        error: `must be nested at most ${limits.maxDepth} levels deep (objects and arrays; DynamoDB stores at most 32)`,
        abort: true,
      }),
      (ctx) => {
        walkJson(ctx.value, (node) => {
          if (node.key === '') {
            const path = node.parent === undefined ? [] : jsonKeys(node.parent);
            ctx.issues.push({
              code: 'custom',
              input: '',
              path,
              message: 'must not have an empty key (DynamoDB refuses an empty attribute name)',
            });
          }
          if (typeof node.value === 'number' && !storableNumber(node.value)) {
            ctx.issues.push({
              code: 'custom',
              input: node.value,
              path: jsonKeys(node),
              message: `must be a number DynamoDB can store (zero, or a magnitude from 1e-130 to below 1e126); got ${node.value}`,
            });
          }
          return true;
        });
      },
      z.refine((value) => utf8Length(JSON.stringify(value)) <= limits.maxBytes, {
        error: (issue) =>
          `must be at most ${limits.maxBytes} bytes as JSON; got ${utf8Length(JSON.stringify(issue.input))} bytes`,
      }),
    );
}

function storableNumber(value: number): boolean {
  const magnitude = Math.abs(value);
  return magnitude === 0 || (magnitude >= DYNAMODB_SMALLEST && magnitude < DYNAMODB_TOO_LARGE);
}

/** A whole number of seconds from 1 to `max`. */
export function secondsField(max: number) {
  return z
    .int({ error: (issue) => `must be a whole number of seconds; got ${describeValue(issue.input)}` })
    .check(
      z.minimum(1, { error: (issue) => `must be at least 1 second; got ${describeValue(issue.input)}` }),
      z.maximum(max, {
        error: (issue) => `must be at most ${max} seconds; got ${describeValue(issue.input)}`,
      }),
    );
}
