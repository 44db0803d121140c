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
    }
  });

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
    .refine((value) => utf8Length(JSON.stringify(value)) <= MAX_METADATA_BYTES, {
      error: `must be at most ${MAX_METADATA_BYTES} bytes as JSON`,
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
