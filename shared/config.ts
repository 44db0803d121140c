/**
 * Configuration of the runtime functions, read from the environment once per composition root.
 * The stack sets these variables on each function; the local runtime sets the same ones for the
 * handlers it runs in-process. Nothing below a handler reads `process.env`.
 */
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger.ts';

/** Environment variable names, shared by the stack, the local runtime and the loader below. */
export const ENV = {
  stage: 'TICKWORK_STAGE',
  mode: 'TICKWORK_MODE',
  jobsTable: 'TICKWORK_JOBS_TABLE',
  runsTable: 'TICKWORK_RUNS_TABLE',
  scheduleGroupPrefix: 'TICKWORK_SCHEDULE_GROUP_PREFIX',
  legacyScheduleGroup: 'TICKWORK_LEGACY_SCHEDULE_GROUP',
  schedulerRoleArn: 'TICKWORK_SCHEDULER_ROLE_ARN',
  schedulerDeadLetterArn: 'TICKWORK_SCHEDULER_DLQ_ARN',
  jobFunctionArns: 'TICKWORK_JOB_FUNCTION_ARNS',
  runRetentionDays: 'TICKWORK_RUN_RETENTION_DAYS',
  webhookAllowedHosts: 'TICKWORK_WEBHOOK_ALLOWED_HOSTS',
  secretsPrefix: 'TICKWORK_SECRETS_PREFIX',
  secretsFile: 'TICKWORK_SECRETS_FILE',
  logLevel: 'TICKWORK_LOG_LEVEL',
  logFormat: 'TICKWORK_LOG_FORMAT',
  asyncRetryDelaysMs: 'TICKWORK_ASYNC_RETRY_DELAYS_MS',
  alertsTopicArn: 'TICKWORK_ALERTS_TOPIC_ARN',
} as const;

/**
 * The prefix of a deployment's schedule groups, e.g. `tickwork-prod`: each kind's schedules live in
 * `<prefix>-<kind>` (shared/schedule-groups.ts).
 */
export function scheduleGroupPrefix(stage: string): string {
  return `tickwork-${stage}`;
}

/**
 * The single group every schedule of a deployment lived in before one group per kind, e.g. `tickwork-prod`.
 * Kept for one version so reconcile can move its schedules out (shared/jobs/reconcile.ts); then removed.
 */
export function legacyScheduleGroupName(stage: string): string {
  return `tickwork-${stage}`;
}

/** Secrets Manager name prefix of a deployment, e.g. `tickwork/prod/`: job configs name secrets below it. */
export function secretsPrefixFor(stage: string): string {
  return `tickwork/${stage}/`;
}

/** Days finished runs (and executed one-time jobs) stay queryable when nothing else is configured. */
export const DEFAULT_RUN_RETENTION_DAYS = 30;

/** `aws`: deployed (https only, no private addresses, Secrets Manager). `local`: one machine. */
export type RuntimeMode = 'aws' | 'local';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(`environment variable ${name} is required but not set`);
  }
  return value;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

export interface CommonConfig {
  readonly stage: string;
  readonly mode: RuntimeMode;
  readonly jobsTable: string;
  readonly runsTable: string;
  /** @default 'info' */
  readonly logLevel: LogLevel;
  /** @default 'json' */
  readonly logFormat: LogFormat;
}

export function loadCommonConfig(env: Env): CommonConfig {
  const mode = env[ENV.mode] ?? 'aws';
  if (mode !== 'aws' && mode !== 'local') {
    throw new ConfigError(`${ENV.mode} must be "aws" or "local", got "${mode}"`);
  }
  return {
    stage: required(env, ENV.stage),
    mode,
    jobsTable: required(env, ENV.jobsTable),
    runsTable: required(env, ENV.runsTable),
    logLevel: oneOf(env, ENV.logLevel, LOG_LEVELS, 'info'),
    logFormat: oneOf(env, ENV.logFormat, LOG_FORMATS, 'json'),
  };
}

export interface ApiConfig extends CommonConfig {
  /** Each kind's schedules are in `<prefix>-<kind>` (shared/schedule-groups.ts). */
  readonly scheduleGroupPrefix: string;
  /** The old single group whose schedules reconcile moves to their kinds' groups; undefined: none. */
  readonly legacyScheduleGroup: string | undefined;
  readonly schedulerRoleArn: string;
  readonly schedulerDeadLetterArn: string | undefined;
  /** Target Lambda ARN per job kind. */
  readonly jobFunctionArns: Readonly<Record<string, string>>;
  readonly runRetentionDays: number;
  /** To tell a run that will be retried from one that has failed for good. */
  readonly retryPolicy: RetryPolicy;
}

export function loadApiConfig(env: Env): ApiConfig {
  const common = loadCommonConfig(env);
  return {
    ...common,
    scheduleGroupPrefix: required(env, ENV.scheduleGroupPrefix),
    legacyScheduleGroup: optional(env, ENV.legacyScheduleGroup),
    schedulerRoleArn: required(env, ENV.schedulerRoleArn),
    schedulerDeadLetterArn: optional(env, ENV.schedulerDeadLetterArn),
    jobFunctionArns: loadJobFunctionArns(env),
    runRetentionDays: positiveInteger(env, ENV.runRetentionDays, DEFAULT_RUN_RETENTION_DAYS),
    retryPolicy: loadRetryPolicy(env),
  };
}

/** The function ARN per job kind: the API starts manual runs, job functions start chained and child runs. */
function loadJobFunctionArns(env: Env): Readonly<Record<string, string>> {
  const arnsText = required(env, ENV.jobFunctionArns);
  let arns: unknown;
  try {
    arns = JSON.parse(arnsText);
  } catch {
    throw new ConfigError(`${ENV.jobFunctionArns} must be a JSON object of job kind to function ARN`);
  }
  if (typeof arns !== 'object' || arns === null || Array.isArray(arns)) {
    throw new ConfigError(`${ENV.jobFunctionArns} must be a JSON object of job kind to function ARN`);
  }
  const jobFunctionArns: Record<string, string> = {};
  for (const [kind, arn] of Object.entries(arns)) {
    if (typeof arn !== 'string' || arn === '') {
      throw new ConfigError(`${ENV.jobFunctionArns}.${kind} must be a function ARN string`);
    }
    jobFunctionArns[kind] = arn;
  }
  return jobFunctionArns;
}

export interface JobFunctionConfig extends CommonConfig {
  readonly runRetentionDays: number;
  /** The function's own timeout, which bounds a run's deadline and lease. */
  readonly timeoutSeconds: number;
  readonly retryPolicy: RetryPolicy;
  /** Target Lambda ARN per job kind: a run's end starts chained runs, a fan-out starts its children. */
  readonly jobFunctionArns: Readonly<Record<string, string>>;
}

/**
 * The configuration every job function reads, whatever its kind; capabilities read their own below. The
 * timeout is the kind's function setting (a fact of the catalog, not of the environment).
 */
export function loadJobFunctionConfig(
  env: Env,
  settings: { readonly timeoutSeconds: number },
): JobFunctionConfig {
  return {
    ...loadCommonConfig(env),
    runRetentionDays: positiveInteger(env, ENV.runRetentionDays, DEFAULT_RUN_RETENTION_DAYS),
    timeoutSeconds: settings.timeoutSeconds,
    retryPolicy: loadRetryPolicy(env),
    jobFunctionArns: loadJobFunctionArns(env),
  };
}

/** The secrets capability: Secrets Manager under the stage's prefix in AWS, a file locally. */
export interface SecretsConfig {
  /** Secrets Manager name prefix (AWS mode), e.g. `tickwork/prod/`. */
  readonly secretsPrefix: string;
  /** Local mode: JSON file of secret name to value. */
  readonly secretsFile: string | undefined;
}

export function loadSecretsConfig(env: Env, common: Pick<CommonConfig, 'stage'>): SecretsConfig {
  return {
    secretsPrefix: optional(env, ENV.secretsPrefix) ?? secretsPrefixFor(common.stage),
    secretsFile: optional(env, ENV.secretsFile),
  };
}

/** The outbound HTTP capability. */
export interface HttpConfig {
  /** Hosts a job may reach in AWS mode even if the outbound guard would refuse them (lower case). */
  readonly allowedHosts: readonly string[];
}

export function loadHttpConfig(env: Env): HttpConfig {
  return {
    allowedHosts: (optional(env, ENV.webhookAllowedHosts) ?? '')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter((host) => host !== ''),
  };
}

/** Where health-change alerts are published besides each job's webhook (shared/alerts/). */
export interface AlertsConfig {
  /** The stack's SNS topic; unset locally (no SNS on one machine: the webhook only). */
  readonly topicArn: string | undefined;
}

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

export function loadAlertsConfig(env: Env): AlertsConfig {
  const topicArn = optional(env, ENV.alertsTopicArn);
  if (topicArn !== undefined && !SNS_TOPIC_ARN.test(topicArn)) {
    throw new ConfigError(
      `${ENV.alertsTopicArn} must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), got "${topicArn}"`,
    );
  }
  return { topicArn };
}

/**
 * Lambda's retries of a failed asynchronous invocation (Scheduler's and manual runs' invocations are
 * asynchronous): two retries, about one and then two minutes after the failure. The stack sets the job
 * functions' `retryAttempts` from this, and the run lifecycle records a failed attempt as `retrying` while
 * one is left.
 */
export const ASYNC_RETRY_DELAYS_SECONDS: readonly number[] = [60, 120];

/**
 * How long Lambda keeps an asynchronous event of a job function before it drops it (the stack sets the
 * functions' `maxEventAge` from this): a manual run still `pending` after it was never started and never
 * will be (shared/runs/settle.ts).
 */
export const ASYNC_MAX_EVENT_AGE_SECONDS = 6 * 3600;

/** How Lambda retries a failed asynchronous invocation of a job function: the wait before each retry. */
export interface RetryPolicy {
  readonly delaysMs: readonly number[];
}

/**
 * `TICKWORK_ASYNC_RETRY_DELAYS_MS`: comma-separated milliseconds, or `none`. The stack sets it from
 * ASYNC_RETRY_DELAYS_SECONDS (what it configures Lambda with); the local runtime from its own delays.
 */
export function loadRetryPolicy(env: Env): RetryPolicy {
  const text = optional(env, ENV.asyncRetryDelaysMs);
  if (text === undefined) return { delaysMs: ASYNC_RETRY_DELAYS_SECONDS.map((seconds) => seconds * 1000) };
  if (text.trim() === 'none') return { delaysMs: [] };
  const parts = text.split(',').map((part) => part.trim());
  const delaysMs = parts.map(Number);
  if (parts.some((part) => !/^\d{1,9}$/.test(part))) {
    throw new ConfigError(
      `${ENV.asyncRetryDelaysMs} must be "none" or comma-separated whole milliseconds, got "${text}"`,
    );
  }
  return { delaysMs };
}

function oneOf<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const text = optional(env, name);
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) {
    throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got "${text}"`);
  }
  return text as T;
}

function positiveInteger(env: Env, name: string, fallback: number): number {
  const text = optional(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${name} must be a positive whole number, got "${text}"`);
  }
  return value;
}
