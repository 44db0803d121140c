/**
 * The `task` kind's config: the user's code to hand each run to (`target`) and a payload it gets. Three
 * targets: a Lambda function invoked synchronously (its answer is the run's result), an HTTP endpoint
 * called signed like a prompt delivery, and an EventBridge bus that gets one event. A manual run may add
 * to the payload for that one run.
 */
import * as z from 'zod/mini';
import type { Problem } from '../../errors.ts';
import { maxStepSeconds } from '../../runs/deadline.ts';
import { describeValue, isPlainObject } from '../../validation.ts';
import { httpUrlField, metadataField, secondsField, secretNameField } from '../fields.ts';
import type { ConfigCheckOptions, KindResource, SecretReference } from '../kind.ts';
import { EVENT_BUS_ARN_PATTERN, EVENT_BUS_NAME_PATTERN } from '../targets.ts';

/**
 * Lambda's longest timeout: a task's function may work for minutes, and the run waits for its answer
 * (a synchronous invoke) within this function's own timeout.
 */
export const TASK_FUNCTION_TIMEOUT_SECONDS = 900;
/** The longest one call of the target may take: the function's timeout less the run's margin. */
export const MAX_TARGET_TIMEOUT_SECONDS = maxStepSeconds(TASK_FUNCTION_TIMEOUT_SECONDS);
/** How long an HTTP target gets unless it says otherwise. */
export const DEFAULT_HTTP_TIMEOUT_SECONDS = 30;
/** How long PutEvents gets: the service answers in milliseconds. */
export const EVENT_BUS_TIMEOUT_SECONDS = 10;

/** 64 KB of JSON: a payload rides in the job item (400 KB with the rest) and in every event. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** The job item nests the payload two levels down (config → payload); DynamoDB stores 32 levels. */
export const MAX_PAYLOAD_DEPTH = 16;

export const HTTP_METHODS = ['POST', 'PUT', 'PATCH'] as const;

const payload = z.lazy(() => metadataField({ maxDepth: MAX_PAYLOAD_DEPTH, maxBytes: MAX_PAYLOAD_BYTES }));

const text = (rule: string) =>
  z.string({ error: (issue) => `must be ${rule}; got ${describeValue(issue.input)}` });

const lambdaTarget = z.lazy(() =>
  z.strictObject({
    type: z.literal('lambda'),
    functionArn: text('a Lambda function ARN').check(
      z.regex(
        /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/,
        {
          error: (issue) =>
            `must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<alias>]); got ${describeValue(issue.input)}`,
        },
      ),
    ),
    /** How long the run waits for the function's answer. @default MAX_TARGET_TIMEOUT_SECONDS */
    timeoutSeconds: z.optional(secondsField(MAX_TARGET_TIMEOUT_SECONDS)),
  }),
);

const httpTarget = z.lazy(() =>
  z.strictObject({
    type: z.literal('http'),
    url: httpUrlField({ signingSecretField: 'config.target.signingSecret' }),
    method: z.optional(
      z.enum(HTTP_METHODS, {
        error: (issue) => `must be one of ${HTTP_METHODS.join(', ')}; got ${describeValue(issue.input)}`,
      }),
    ),
    signingSecret: secretNameField,
    timeoutSeconds: z.optional(secondsField(MAX_TARGET_TIMEOUT_SECONDS)),
  }),
);

const eventBridgeTarget = z.lazy(() =>
  z.strictObject({
    type: z.literal('eventbridge'),
    eventBusName: text('an event bus name or ARN').check(
      z.refine((value) => EVENT_BUS_NAME_PATTERN.test(value) || EVENT_BUS_ARN_PATTERN.test(value), {
        error: (issue) =>
          `must be an event bus name (1–256 of A-Z a-z 0-9 . _ - /, e.g. "default") or an event bus ARN; got ${describeValue(issue.input)}`,
      }),
    ),
    // PutEvents' limits: Source 1–256 characters, and `aws.` sources are the services' own.
    source: text('a string').check(
      z.refine((value) => value.length >= 1 && value.length <= 256, {
        error: (issue) => `must be 1–256 characters; got ${describeValue(issue.input)}`,
      }),
      z.refine((value) => !value.startsWith('aws.'), {
        error: (issue) =>
          `must not start with "aws." (reserved for AWS services); got ${describeValue(issue.input)}`,
      }),
    ),
    detailType: text('a string').check(
      z.refine((value) => value.length >= 1 && value.length <= 128, {
        error: (issue) => `must be 1–128 characters; got ${describeValue(issue.input)}`,
      }),
    ),
  }),
);

export const TARGET_TYPES = ['lambda', 'http', 'eventbridge'] as const;
const TARGET_CHOICES = TARGET_TYPES.map((type) => `"${type}"`).join(', ');

const targetSchema = z.lazy(() =>
  z.discriminatedUnion('type', [lambdaTarget, httpTarget, eventBridgeTarget], {
    error: (issue) =>
      isPlainObject(issue.input)
        ? `must be one of ${TARGET_CHOICES}; got ${describeValue(issue.input.type)}`
        : `must be an object {type, …} whose type is one of ${TARGET_CHOICES}; got ${describeValue(issue.input)}`,
  }),
);

export const taskConfigSchema = z.lazy(() =>
  z.strictObject({
    target: targetSchema,
    payload: z.optional(payload),
  }),
);

export type TaskConfig = z.infer<typeof taskConfigSchema>;
export type TaskTarget = TaskConfig['target'];

/** A manual run may add to the payload of that one run (merged over the job's, key by key). */
export const taskParamsSchema = z.lazy(() => z.strictObject({ payload: z.optional(payload) }));

export type TaskParams = z.infer<typeof taskParamsSchema>;

/** Deployed stacks call HTTP targets over https only. */
export function checkTaskConfig(config: TaskConfig, options: ConfigCheckOptions): Problem[] {
  const { target } = config;
  if (options.mode === 'aws' && target.type === 'http' && new URL(target.url).protocol !== 'https:') {
    return [
      {
        field: 'config.target.url',
        message: `config.target.url must be an https URL in a deployed stack; got ${describeValue(target.url)}`,
      },
    ];
  }
  return [];
}

export function taskSecrets(config: TaskConfig): SecretReference[] {
  return config.target.type === 'http'
    ? [{ field: 'config.target.signingSecret', name: config.target.signingSecret }]
    : [];
}

/** What a task job's function must reach: its Lambda target, or its event bus. */
export function taskResources(config: TaskConfig): KindResource[] {
  const { target } = config;
  if (target.type === 'lambda') return [{ capability: 'taskFunctions', id: target.functionArn }];
  if (target.type === 'eventbridge') return [{ capability: 'eventBuses', id: target.eventBusName }];
  return [];
}
