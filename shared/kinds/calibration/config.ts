/**
 * The `calibration` kind's config: the model under calibration (metadata sent with every answer), the
 * provider that answers the prompts (one of three, chosen by `type`; the fields of one are refused on
 * another), the flows that fetch prompts and take the answers (at least one), and the limits of a run:
 * concurrency, per-prompt timeout, tolerated failures, prices and budgets. Secrets only by name.
 */
import * as z from 'zod/mini';
import type { Problem } from '../../errors.ts';
import { describeValue, isPlainObject } from '../../validation.ts';
import { httpUrlField, secretNameField } from '../fields.ts';
import type { ConfigCheckOptions, KindResource, SecretReference } from '../kind.ts';

/**
 * Lambda's longest timeout: a calibration answers up to MAX_PROMPTS_PER_FLOW prompts per flow, each a
 * model call of seconds; a run that still cannot finish submits what it answered and the next attempt
 * answers the rest (the work says how).
 */
export const CALIBRATION_FUNCTION_TIMEOUT_SECONDS = 900;
/** Prompts answered per flow and run: a platform listing more fails the run (see prompts.ts). */
export const MAX_PROMPTS_PER_FLOW = 1_000;
export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 32;
export const DEFAULT_PROMPT_TIMEOUT_SECONDS = 60;
/** A model call must leave the run time to submit what it answered (see work.ts). */
export const MAX_PROMPT_TIMEOUT_SECONDS = 300;
/** The answer length asked of a provider that takes no `maxTokens` of its own, and the worst case a budget reserves. */
export const DEFAULT_MAX_TOKENS = 1_024;
export const MAX_TOKENS_LIMIT = 200_000;
const MODEL_FIELD_CHARS = 256;
const MAX_HEADERS = 20;

const str = (rule = 'must be a string') =>
  z.string({ error: (issue) => `${rule}; got ${describeValue(issue.input)}` });

/** A short, non-empty text (names, ids, versions). */
function shortText(max: number) {
  return str().check(
    z.minLength(1, { error: 'must not be empty' }),
    z.maxLength(max, {
      error: (issue) => `must be at most ${max} characters; got ${String(issue.input).length}`,
    }),
  );
}

function wholeNumber(min: number, max: number, unit = '') {
  return z
    .int({ error: (issue) => `must be a whole number${unit}; got ${describeValue(issue.input)}` })
    .check(
      z.minimum(min, {
        error: (issue) => `must be at least ${min}${unit}; got ${describeValue(issue.input)}`,
      }),
      z.maximum(max, {
        error: (issue) => `must be at most ${max}${unit}; got ${describeValue(issue.input)}`,
      }),
    );
}

/** A number > 0 (prices, budgets): zero would refuse every call, which pausing the job says better. */
const positive = z.lazy(() =>
  z
    .number({ error: (issue) => `must be a number; got ${describeValue(issue.input)}` })
    .check(z.positive({ error: (issue) => `must be greater than 0; got ${describeValue(issue.input)}` })),
);

const ratio = z.lazy(() =>
  z
    .number({ error: (issue) => `must be a number from 0 to 1; got ${describeValue(issue.input)}` })
    .check(
      z.minimum(0, { error: (issue) => `must be from 0 to 1; got ${describeValue(issue.input)}` }),
      z.maximum(1, { error: (issue) => `must be from 0 to 1; got ${describeValue(issue.input)}` }),
    ),
);

const modelSchema = z.lazy(() =>
  z.strictObject(
    {
      name: shortText(MODEL_FIELD_CHARS),
      version: shortText(MODEL_FIELD_CHARS),
      environment: shortText(MODEL_FIELD_CHARS),
      purpose: shortText(MODEL_FIELD_CHARS),
    },
    {
      error: (issue) =>
        `must be an object {name, version, environment, purpose}; got ${describeValue(issue.input)}`,
    },
  ),
);

/** Extra request headers (an Azure deployment's, a gateway's): text only, credentials by secret name. */
const headersSchema = z.lazy(() =>
  z
    .record(
      str().check(
        z.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, {
          error: 'must be an HTTP header name (1–64 token characters)',
        }),
      ),
      str().check(
        z.maxLength(1024, { error: 'must be at most 1024 characters' }),
        // CR or LF would split the header into a second one.
        z.regex(/^[^\r\n]*$/, { error: 'must be one line (no CR or LF)' }),
      ),
      { error: (issue) => `must be an object of header name to text; got ${describeValue(issue.input)}` },
    )
    .check(
      z.refine((headers) => Object.keys(headers).length <= MAX_HEADERS, {
        error: `must have at most ${MAX_HEADERS} headers`,
      }),
    ),
);

const openAiProvider = z.lazy(() =>
  z.strictObject({
    type: z.literal('openai-compatible'),
    /** The API root, e.g. `https://api.openai.com/v1`; `/chat/completions` is appended. */
    baseUrl: httpUrlField({ signingSecretField: 'config.provider.apiKeySecret' }),
    model: shortText(MODEL_FIELD_CHARS),
    apiKeySecret: z.optional(secretNameField),
    headers: z.optional(headersSchema),
    /** Sent as `max_tokens`; also the answer's worst case a budget reserves. @default 1024 */
    maxTokens: z.optional(wholeNumber(1, MAX_TOKENS_LIMIT, ' tokens')),
  }),
);

const bedrockProvider = z.lazy(() =>
  z.strictObject({
    type: z.literal('bedrock'),
    modelId: str().check(
      z.regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,255}$/, {
        error: (issue) =>
          `must be a Bedrock model id such as "anthropic.claude-3-haiku-20240307-v1:0"; got ${describeValue(issue.input)}`,
      }),
    ),
    inferenceConfig: z.strictObject(
      {
        maxTokens: wholeNumber(1, MAX_TOKENS_LIMIT, ' tokens'),
        temperature: ratio,
        topP: ratio,
      },
      {
        error: (issue) =>
          `must be an object {maxTokens, temperature, topP}; got ${describeValue(issue.input)}`,
      },
    ),
  }),
);

const lambdaProvider = z.lazy(() =>
  z.strictObject({
    type: z.literal('lambda'),
    functionArn: str().check(
      z.regex(
        /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/,
        {
          error: (issue) =>
            `must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<alias>]); got ${describeValue(issue.input)}`,
        },
      ),
    ),
    /** Passed to the function; also the answer's worst case a budget reserves. @default 1024 */
    maxTokens: z.optional(wholeNumber(1, MAX_TOKENS_LIMIT, ' tokens')),
  }),
);

export const PROVIDER_TYPES = ['openai-compatible', 'bedrock', 'lambda'] as const;

const PROVIDER_CHOICES = PROVIDER_TYPES.map((type) => `"${type}"`).join(', ');

const providerSchema = z.lazy(() =>
  z.discriminatedUnion('type', [openAiProvider, bedrockProvider, lambdaProvider], {
    // Reported at `provider.type` when the object has no known type, at `provider` when it is no object.
    error: (issue) =>
      isPlainObject(issue.input)
        ? `must be one of ${PROVIDER_CHOICES}; got ${describeValue(issue.input.type)}`
        : `must be an object {type, …} whose type is one of ${PROVIDER_CHOICES}; got ${describeValue(issue.input)}`,
  }),
);

const responsesFlow = z.lazy(() =>
  z.strictObject(
    {
      promptsUrl: httpUrlField({ signingSecretField: 'config.flows.responses.authSecret' }),
      submitUrl: httpUrlField({ signingSecretField: 'config.flows.responses.authSecret' }),
      authSecret: z.optional(secretNameField),
    },
    {
      error: (issue) =>
        `must be an object {promptsUrl, submitUrl, authSecret?}; got ${describeValue(issue.input)}`,
    },
  ),
);

const registryFlow = z.lazy(() =>
  z.strictObject(
    {
      promptsUrl: httpUrlField({ signingSecretField: 'config.flows.registry.authSecret' }),
      ingestUrl: httpUrlField({ signingSecretField: 'config.flows.registry.signingSecret' }),
      signingSecret: secretNameField,
      authSecret: z.optional(secretNameField),
    },
    {
      error: (issue) =>
        `must be an object {promptsUrl, ingestUrl, signingSecret, authSecret?}; got ${describeValue(issue.input)}`,
    },
  ),
);

export const FLOW_IDS = ['responses', 'registry'] as const;
export type FlowId = (typeof FLOW_IDS)[number];

const flowsSchema = z.lazy(() =>
  z
    .strictObject(
      { responses: z.optional(responsesFlow), registry: z.optional(registryFlow) },
      { error: (issue) => `must be an object {responses?, registry?}; got ${describeValue(issue.input)}` },
    )
    .check(
      z.refine((flows) => flows.responses !== undefined || flows.registry !== undefined, {
        error: 'must name at least one flow: responses or registry',
      }),
    ),
);

const pricingSchema = z.lazy(() =>
  z.strictObject(
    { inputPerMillionTokens: positive, outputPerMillionTokens: positive },
    {
      error: (issue) =>
        `must be an object {inputPerMillionTokens, outputPerMillionTokens} (USD); got ${describeValue(issue.input)}`,
    },
  ),
);

export const BUDGET_FIELDS = ['perRunUsd', 'perDayUsd', 'perRunTokens', 'perDayTokens'] as const;
export type BudgetField = (typeof BUDGET_FIELDS)[number];

const budgetSchema = z.lazy(() =>
  z
    .strictObject(
      {
        perRunUsd: z.optional(positive),
        perDayUsd: z.optional(positive),
        perRunTokens: z.optional(wholeNumber(1, Number.MAX_SAFE_INTEGER, ' tokens')),
        perDayTokens: z.optional(wholeNumber(1, Number.MAX_SAFE_INTEGER, ' tokens')),
      },
      {
        error: (issue) =>
          `must be an object {perRunUsd?, perDayUsd?, perRunTokens?, perDayTokens?}; got ${describeValue(issue.input)}`,
      },
    )
    .check(
      z.refine((budget) => BUDGET_FIELDS.some((field) => budget[field] !== undefined), {
        error: `must set at least one of ${BUDGET_FIELDS.join(', ')}`,
      }),
    ),
);

export const calibrationConfigSchema = z.lazy(() =>
  z
    .strictObject({
      model: modelSchema,
      provider: providerSchema,
      flows: flowsSchema,
      /** Model calls in flight at once. @default 4 */
      concurrency: z.optional(wholeNumber(1, MAX_CONCURRENCY)),
      /** One model call's limit (each retry has its own). @default 60 */
      promptTimeoutSeconds: z.optional(wholeNumber(1, MAX_PROMPT_TIMEOUT_SECONDS, ' seconds')),
      /** The failed share of a flow's prompts the run tolerates. @default 0 */
      maxFailureRatio: z.optional(ratio),
      pricing: z.optional(pricingSchema),
      budget: z.optional(budgetSchema),
    })
    .check(
      z.refine(
        (config) =>
          config.pricing !== undefined ||
          (config.budget?.perRunUsd === undefined && config.budget?.perDayUsd === undefined),
        {
          // A dollar budget without prices could not tell what a call costs.
          error: 'config.pricing is required when config.budget sets perRunUsd or perDayUsd',
          path: ['pricing'],
        },
      ),
    ),
);

export type CalibrationConfig = z.infer<typeof calibrationConfigSchema>;
export type CalibrationProvider = CalibrationConfig['provider'];
export type CalibrationModel = CalibrationConfig['model'];

/**
 * A manual run may answer fewer prompts per flow (a smoke test of a new model); the rest are left to
 * the next run, as when a run runs out of time.
 */
export const calibrationParamsSchema = z.lazy(() =>
  z.strictObject({
    maxPrompts: z.optional(wholeNumber(1, MAX_PROMPTS_PER_FLOW, ' prompts')),
  }),
);

export type CalibrationParams = z.infer<typeof calibrationParamsSchema>;

/** Every URL the config names, with its field. */
function urlsOf(config: CalibrationConfig): [string, string][] {
  const urls: [string, string][] = [];
  if (config.provider.type === 'openai-compatible')
    urls.push(['config.provider.baseUrl', config.provider.baseUrl]);
  const { responses, registry } = config.flows;
  if (responses !== undefined) {
    urls.push(['config.flows.responses.promptsUrl', responses.promptsUrl]);
    urls.push(['config.flows.responses.submitUrl', responses.submitUrl]);
  }
  if (registry !== undefined) {
    urls.push(['config.flows.registry.promptsUrl', registry.promptsUrl]);
    urls.push(['config.flows.registry.ingestUrl', registry.ingestUrl]);
  }
  return urls;
}

/** Deployed stacks call https URLs only (answers and API keys travel on them). */
export function checkCalibrationConfig(config: CalibrationConfig, options: ConfigCheckOptions): Problem[] {
  if (options.mode !== 'aws') return [];
  return urlsOf(config)
    .filter(([, url]) => new URL(url).protocol !== 'https:')
    .map(([field, url]) => ({
      field,
      message: `${field} must be an https URL in a deployed stack; got ${describeValue(url)}`,
    }));
}

export function calibrationSecrets(config: CalibrationConfig): SecretReference[] {
  const secrets: SecretReference[] = [];
  if (config.provider.type === 'openai-compatible' && config.provider.apiKeySecret !== undefined) {
    secrets.push({ field: 'config.provider.apiKeySecret', name: config.provider.apiKeySecret });
  }
  const { responses, registry } = config.flows;
  if (responses?.authSecret !== undefined) {
    secrets.push({ field: 'config.flows.responses.authSecret', name: responses.authSecret });
  }
  if (registry !== undefined) {
    secrets.push({ field: 'config.flows.registry.signingSecret', name: registry.signingSecret });
    if (registry.authSecret !== undefined) {
      secrets.push({ field: 'config.flows.registry.authSecret', name: registry.authSecret });
    }
  }
  return secrets;
}

/** What a calibration job's function must reach: its Bedrock model, or its model function. */
export function calibrationResources(config: CalibrationConfig): KindResource[] {
  const { provider } = config;
  if (provider.type === 'bedrock') return [{ capability: 'bedrock', id: provider.modelId }];
  if (provider.type === 'lambda') return [{ capability: 'modelFunctions', id: provider.functionArn }];
  return [];
}
