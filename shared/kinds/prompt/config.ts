/**
 * The `prompt` kind's config: the text to deliver, optional metadata, and the webhook target whose
 * signing secret is given by NAME (resolved at delivery from Secrets Manager or the local secrets).
 * Manual runs may pass extra metadata for that one delivery.
 */
import * as z from 'zod/mini';
import type { Problem } from '../../errors.ts';
import { maxStepSeconds } from '../../runs/deadline.ts';
import { describeValue, utf8Length } from '../../validation.ts';
import { httpUrlField, metadataField, secondsField, secretNameField } from '../fields.ts';
import type { ConfigCheckOptions, SecretReference } from '../kind.ts';

/** The prompt function's timeout: slow, LLM-backed receivers get most of it (see timeoutSeconds). */
export const PROMPT_FUNCTION_TIMEOUT_SECONDS = 60;
/** 100 KB of UTF-8: well under DynamoDB's 400 KB item limit with the rest of the job. */
export const MAX_PROMPT_BYTES = 100 * 1024;
export const MAX_METADATA_BYTES = 16 * 1024;
/**
 * DynamoDB refuses an item nested deeper than 32 levels; metadata sits two levels down in the job item
 * (config → metadata), so 16 levels leave room and are more than any receiver's metadata needs.
 */
export const MAX_METADATA_DEPTH = 16;
/** How long a delivery waits for the webhook's answer unless the target says otherwise. */
export const DEFAULT_DELIVERY_TIMEOUT_SECONDS = 10;
/** The function's timeout less the margin the run keeps to record its outcome. */
export const MAX_DELIVERY_TIMEOUT_SECONDS = maxStepSeconds(PROMPT_FUNCTION_TIMEOUT_SECONDS);

const metadata = z.lazy(() => metadataField({ maxDepth: MAX_METADATA_DEPTH, maxBytes: MAX_METADATA_BYTES }));

export const promptConfigSchema = z.lazy(() =>
  z.strictObject({
    prompt: z.string({ error: (issue) => `must be a string; got ${describeValue(issue.input)}` }).check(
      z.minLength(1, { error: 'must not be empty' }),
      z.refine((text) => utf8Length(text) <= MAX_PROMPT_BYTES, {
        error: (issue) =>
          `must be at most ${MAX_PROMPT_BYTES} bytes of UTF-8; got ${utf8Length(String(issue.input))} bytes`,
      }),
    ),
    metadata: z.optional(metadata),
    target: z.strictObject(
      {
        type: z.literal('webhook', {
          error: (issue) => `must be "webhook"; got ${describeValue(issue.input)}`,
        }),
        url: httpUrlField({ signingSecretField: 'config.target.signingSecret' }),
        signingSecret: secretNameField,
        /** LLM-backed receivers can be slow; the delivery waits this long for an answer. */
        timeoutSeconds: z.optional(secondsField(MAX_DELIVERY_TIMEOUT_SECONDS)),
      },
      {
        error: (issue) =>
          `must be an object {type, url, signingSecret, timeoutSeconds?}; got ${describeValue(issue.input)}`,
      },
    ),
  }),
);

export type PromptConfig = z.infer<typeof promptConfigSchema>;

/** A manual run may add metadata to its one delivery (merged over the job's, key by key). */
export const promptParamsSchema = z.lazy(() => z.strictObject({ metadata: z.optional(metadata) }));

export type PromptParams = z.infer<typeof promptParamsSchema>;

/** Deployed stacks deliver over https only. */
export function checkPromptConfig(config: PromptConfig, options: ConfigCheckOptions): Problem[] {
  if (options.mode === 'aws' && new URL(config.target.url).protocol !== 'https:') {
    return [
      {
        field: 'config.target.url',
        message: `config.target.url must be an https URL in a deployed stack; got ${describeValue(config.target.url)}`,
      },
    ];
  }
  return [];
}

export function promptSecrets(config: PromptConfig): SecretReference[] {
  return [{ field: 'config.target.signingSecret', name: config.target.signingSecret }];
}
