/**
 * Configuration of the runtime functions, read from the environment once per composition root.
 * The stack sets these variables on each function; the local runtime sets the same ones for the
 * handlers it runs in-process. Nothing below a handler reads `process.env`.
 */
import { type FunctionId, functionDefinitions } from './functions.ts';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger.ts';

/** Environment variable names, shared by the stack, the local runtime and the loader below. */
export const ENV = {
  stage: 'TICKWORK_STAGE',
  mode: 'TICKWORK_MODE',
  jobsTable: 'TICKWORK_JOBS_TABLE',
  runsTable: 'TICKWORK_RUNS_TABLE',
  scheduleGroup: 'TICKWORK_SCHEDULE_GROUP',
  schedulerRoleArn: 'TICKWORK_SCHEDULER_ROLE_ARN',
  schedulerDeadLetterArn: 'TICKWORK_SCHEDULER_DLQ_ARN',
  jobFunctionArns: 'TICKWORK_JOB_FUNCTION_ARNS',
  runRetentionDays: 'TICKWORK_RUN_RETENTION_DAYS',
  webhookAllowedHosts: 'TICKWORK_WEBHOOK_ALLOWED_HOSTS',
  secretsPrefix: 'TICKWORK_SECRETS_PREFIX',
  secretsFile: 'TICKWORK_SECRETS_FILE',
  logLevel: 'TICKWORK_LOG_LEVEL',
  logFormat: 'TICKWORK_LOG_FORMAT',
} as const;

/** The deployment's schedule group, e.g. `tickwork-prod`: every job's schedule lives in it. */
export function scheduleGroupName(stage: string): string {
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

type Env = Readonly<Record<string, string | undefined>>;

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
  readonly scheduleGroup: string;
  readonly schedulerRoleArn: string;
  readonly schedulerDeadLetterArn: string | undefined;
  /** Target Lambda ARN per job kind. */
  readonly jobFunctionArns: Readonly<Record<string, string>>;
  readonly runRetentionDays: number;
}

export function loadApiConfig(env: Env): ApiConfig {
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
  return {
    ...loadCommonConfig(env),
    scheduleGroup: required(env, ENV.scheduleGroup),
    schedulerRoleArn: required(env, ENV.schedulerRoleArn),
    schedulerDeadLetterArn: optional(env, ENV.schedulerDeadLetterArn),
    jobFunctionArns,
    runRetentionDays: positiveInteger(env, ENV.runRetentionDays, DEFAULT_RUN_RETENTION_DAYS),
  };
}

export interface JobFunctionConfig extends CommonConfig {
  readonly runRetentionDays: number;
  /** Hosts a webhook may reach in AWS mode even if they would otherwise be refused. */
  readonly webhookAllowedHosts: readonly string[];
  /** Secrets Manager name prefix (AWS mode), e.g. `tickwork/prod/`. */
  readonly secretsPrefix: string;
  /** Local mode: JSON file of secret name to value. */
  readonly secretsFile: string | undefined;
  /** The function's own timeout, which bounds a run's lease. */
  readonly timeoutSeconds: number;
}

export function loadJobFunctionConfig(env: Env, id: Exclude<FunctionId, 'api'>): JobFunctionConfig {
  const common = loadCommonConfig(env);
  return {
    ...common,
    runRetentionDays: positiveInteger(env, ENV.runRetentionDays, DEFAULT_RUN_RETENTION_DAYS),
    webhookAllowedHosts: (optional(env, ENV.webhookAllowedHosts) ?? '')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter((host) => host !== ''),
    secretsPrefix: optional(env, ENV.secretsPrefix) ?? secretsPrefixFor(common.stage),
    secretsFile: optional(env, ENV.secretsFile),
    timeoutSeconds: functionDefinitions[id].timeoutSeconds,
  };
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
