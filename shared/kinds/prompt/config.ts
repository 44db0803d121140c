/**
 * The `prompt` kind's config: the text to deliver, optional metadata, and the webhook target whose
 * signing secret is given by NAME (resolved at delivery from Secrets Manager or the local secrets).
 */
import * as z from 'zod';
import { ValidationError } from '../../errors.ts';
import { rejectInlineSecrets, SECRETS_BY_REFERENCE_RULE } from '../secrets-by-reference.ts';
import { type ConfigCheckOptions, describeValue, toValidationError } from '../validation.ts';

/** Secret names: what Secrets Manager accepts in a name, 1–128 characters. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,128}$/;
/** 100 KB of UTF-8: well under DynamoDB's 400 KB item limit with the rest of the job. */
export const MAX_PROMPT_BYTES = 100 * 1024;
export const MAX_METADATA_BYTES = 16 * 1024;
/**
 * DynamoDB refuses an item nested deeper than 32 levels; metadata sits two levels down in the job item
 * (config → metadata), so 16 levels leave room and are more than any receiver's metadata needs.
 */
export const MAX_METADATA_DEPTH = 16;
/**
 * Query parameters that carry credentials: a URL is stored in the job and returned by the API, so a
 * token in it would leak. The receiver checks the Tickwork-Signature header instead.
 */
export const CREDENTIAL_QUERY_PARAMETER =
  /^(token|access_token|api[_-]?key|key|secret|password|passwd|signature|sig|auth|authorization|client_secret)$/i;
export const MAX_URL_LENGTH = 2048;

const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');

const webhookUrl = z
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
        message: `must not carry credentials in its query string (parameter "${credential}"): authenticate deliveries with the signing secret instead — give the secret's NAME in config.target.signingSecret and have the receiver verify the Tickwork-Signature header (${SECRETS_BY_REFERENCE_RULE})`,
      });
    }
  });

/** Nesting levels of a JSON value: a scalar is 0, `{}` and `{"a": 1}` are 1, `{"a": {}}` is 2. */
function jsonDepth(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  // Past the limit the exact depth does not matter; stopping keeps a hostile document cheap.
  if (limit < 0) return 1;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, jsonDepth(child, limit - 1));
  return deepest + 1;
}

export const promptConfigSchema = z.strictObject({
  prompt: z
    .string({ error: (issue) => `must be a string; got ${describeValue(issue.input)}` })
    .min(1, { error: 'must not be empty' })
    .refine((text) => utf8Length(text) <= MAX_PROMPT_BYTES, {
      error: (issue) =>
        `must be at most ${MAX_PROMPT_BYTES} bytes of UTF-8; got ${utf8Length(String(issue.input))} bytes`,
    }),
  metadata: z
    .record(z.string(), z.unknown(), {
      error: (issue) => `must be an object; got ${describeValue(issue.input)}`,
    })
    .refine((value) => jsonDepth(value, MAX_METADATA_DEPTH) <= MAX_METADATA_DEPTH, {
      error: `must be nested at most ${MAX_METADATA_DEPTH} levels deep (objects and arrays; DynamoDB stores at most 32)`,
      abort: true,
    })
    .refine((value) => utf8Length(JSON.stringify(value)) <= MAX_METADATA_BYTES, {
      error: (issue) =>
        `must be at most ${MAX_METADATA_BYTES} bytes as JSON; got ${utf8Length(JSON.stringify(issue.input))} bytes`,
    })
    .optional(),
  target: z.strictObject(
    {
      type: z.literal('webhook', {
        error: (issue) => `must be "webhook"; got ${describeValue(issue.input)}`,
      }),
      url: webhookUrl,
      signingSecret: z
        .string({ error: (issue) => `must be a secret name; got ${describeValue(issue.input)}` })
        .regex(SECRET_NAME_PATTERN, {
          error: (issue) =>
            `must be the NAME of a secret (1–128 of A-Z a-z 0-9 / _ + = . @ -); got ${describeValue(issue.input)}`,
        }),
    },
    { error: (issue) => `must be an object {type, url, signingSecret}; got ${describeValue(issue.input)}` },
  ),
});

export type PromptConfig = z.infer<typeof promptConfigSchema>;

/** Validates a prompt config; throws ValidationError naming the field, the value and the rule. */
export function parsePromptConfig(config: unknown, options: ConfigCheckOptions = {}): PromptConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ValidationError('config', `config must be an object; got ${describeValue(config)}`);
  }
  rejectInlineSecrets(config);
  const parsed = promptConfigSchema.safeParse(config);
  if (!parsed.success) throw toValidationError(parsed.error);
  if (options.mode === 'aws' && new URL(parsed.data.target.url).protocol !== 'https:') {
    throw new ValidationError(
      'config.target.url',
      `config.target.url must be an https URL in a deployed stack; got ${describeValue(parsed.data.target.url)}`,
    );
  }
  return parsed.data;
}
