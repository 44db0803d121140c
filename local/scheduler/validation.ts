/**
 * Validation of Scheduler API requests, as the service does it: the SDK sends whatever it is given
 * (no required-member or range checks client-side), so every rule the service enforces lives here.
 * Constraint violations are collected and reported together in the service's wording
 * ("Value 'x' at 'Field' failed to satisfy constraint: Member must ..."); the schedule expression
 * and time zone are checked by the shared schedule engine, never by a second cron parser.
 */
import {
  parseEventBridgeExpression,
  type Schedule,
  ScheduleExpressionError,
  TimeZoneError,
} from '../../shared/schedule/index.ts';
import { SchedulerValidationError } from './errors.ts';
import {
  type ActionAfterCompletion,
  DEFAULT_RETRY_POLICY,
  type FlexibleTimeWindow,
  type RetryPolicy,
  type ScheduleState,
  type Tag,
  type TargetRecord,
} from './model.ts';

type JsonObject = Readonly<Record<string, unknown>>;

const NAME_PATTERN = /^[0-9a-zA-Z\-_.]+$/;
const CLIENT_TOKEN_PATTERN = /^[a-zA-Z0-9\-_]+$/;
const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const SQS_ARN_PATTERN = /^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9\-_]+$/;
const KMS_ARN_PATTERN = /^arn:aws(-[a-z]+)?:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[0-9a-zA-Z\-_/]*$/;
const GROUP_ARN_PATTERN = /^arn:aws(-[a-z]+)?:scheduler:[a-z0-9-]+:\d{12}:schedule-group\/[0-9a-zA-Z\-_.]+$/;

/** The service refuses a recurring schedule whose StartDate lies more than 5 minutes in the past. */
const START_DATE_GRACE_MS = 5 * 60_000;
/** Target.Input may hold up to 256 KB. */
const MAX_INPUT_LENGTH = 262_144;
const TARGET_FIELDS = new Set(['Arn', 'RoleArn', 'Input', 'RetryPolicy', 'DeadLetterConfig']);

/** Collects constraint violations so one response names all of them, as the service does. */
class Violations {
  readonly #messages: string[] = [];

  get empty(): boolean {
    return this.#messages.length === 0;
  }

  constraint(path: string, value: unknown, rule: string): void {
    this.#messages.push(
      `Value ${show(value)} at '${path}' failed to satisfy constraint: Member must ${rule}`,
    );
  }

  missing(path: string): void {
    this.#messages.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
  }

  rule(message: string): void {
    this.#messages.push(message);
  }

  throwIfAny(): void {
    const count = this.#messages.length;
    if (count === 0) return;
    throw new SchedulerValidationError(
      `${count} validation error${count === 1 ? '' : 's'} detected: ${this.#messages.join('; ')}`,
    );
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 200 ? `${value.slice(0, 200)}...` : value}'`;
  const text = JSON.stringify(value) ?? String(value);
  return `'${text.length > 200 ? `${text.slice(0, 200)}...` : text}'`;
}

interface StringRule {
  readonly required?: boolean;
  readonly min?: number;
  readonly max: number;
  readonly pattern?: RegExp;
}

function readString(
  v: Violations,
  source: JsonObject,
  key: string,
  path: string,
  rule: StringRule,
): string | undefined {
  const value = source[key];
  if (value === undefined || value === null) {
    if (rule.required === true) v.missing(path);
    return undefined;
  }
  if (typeof value !== 'string') {
    v.constraint(path, value, 'be a string');
    return undefined;
  }
  const min = rule.min ?? 1;
  if (value.length < min || value.length > rule.max) {
    v.constraint(path, value, `have length between ${min} and ${rule.max}`);
    return undefined;
  }
  if (rule.pattern !== undefined && !rule.pattern.test(value)) {
    v.constraint(path, value, `satisfy regular expression pattern: ${rule.pattern.source}`);
    return undefined;
  }
  return value;
}

function readInteger(
  v: Violations,
  source: JsonObject,
  key: string,
  path: string,
  range: { readonly min: number; readonly max: number },
): number | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    v.constraint(path, value, 'be a whole number');
    return undefined;
  }
  if (value < range.min) {
    v.constraint(path, value, `have value greater than or equal to ${range.min}`);
    return undefined;
  }
  if (value > range.max) {
    v.constraint(path, value, `have value less than or equal to ${range.max}`);
    return undefined;
  }
  return value;
}

function readEnum<T extends string>(
  v: Violations,
  source: JsonObject,
  key: string,
  path: string,
  values: readonly T[],
  required = false,
): T | undefined {
  const value = source[key];
  if (value === undefined || value === null) {
    if (required) v.missing(path);
    return undefined;
  }
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    v.constraint(path, value, `satisfy enum value set: [${values.join(', ')}]`);
    return undefined;
  }
  return value as T;
}

function readObject(
  v: Violations,
  source: JsonObject,
  key: string,
  path: string,
  required = false,
): JsonObject | undefined {
  const value = source[key];
  if (value === undefined || value === null) {
    if (required) v.missing(path);
    return undefined;
  }
  if (!isObject(value)) {
    v.constraint(path, value, 'be an object');
    return undefined;
  }
  return value;
}

/** Wire timestamps are epoch seconds, fractions allowed; returns epoch milliseconds. */
function readTimestamp(v: Violations, source: JsonObject, key: string, path: string): number | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    v.constraint(path, value, 'be a timestamp in epoch seconds');
    return undefined;
  }
  return Math.round(value * 1000);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A schedule or group name from a URL path or query (`path` is the member name to report). */
export function validateName(value: string | undefined, path: string): string {
  const v = new Violations();
  const name = readString(v, { value }, 'value', path, { required: true, max: 64, pattern: NAME_PATTERN });
  v.throwIfAny();
  return name ?? '';
}

/** An optional group name (query `groupName` or body `GroupName`); absent means `default`. */
export function validateOptionalGroupName(value: unknown, path: string): string | undefined {
  const v = new Violations();
  const name = readString(v, { value }, 'value', path, { max: 64, pattern: NAME_PATTERN });
  v.throwIfAny();
  return name;
}

export function validateClientToken(value: unknown, path: string): string | undefined {
  const v = new Violations();
  const token = readString(v, { value }, 'value', path, { max: 64, pattern: CLIENT_TOKEN_PATTERN });
  v.throwIfAny();
  return token;
}

/** The schedule fields of a CreateSchedule or UpdateSchedule body, validated. */
export interface ScheduleRequest {
  readonly groupName: string | undefined;
  readonly expression: string;
  readonly timezone: string;
  readonly schedule: Schedule;
  readonly description: string | undefined;
  readonly state: ScheduleState;
  readonly startDate: number | undefined;
  readonly endDate: number | undefined;
  readonly kmsKeyArn: string | undefined;
  readonly target: TargetRecord;
  readonly flexibleTimeWindow: FlexibleTimeWindow;
  readonly actionAfterCompletion: ActionAfterCompletion;
  readonly clientToken: string | undefined;
}

/**
 * Validates a CreateSchedule/UpdateSchedule body (both carry the full schedule: Update is a
 * replace, and a member left out takes its default). `now` is for the StartDate rule.
 */
export function validateScheduleRequest(body: unknown, now: number): ScheduleRequest {
  const v = new Violations();
  if (!isObject(body)) {
    throw new SchedulerValidationError('The request body must be a JSON object');
  }
  const groupName = readString(v, body, 'GroupName', 'GroupName', { max: 64, pattern: NAME_PATTERN });
  const expression = readString(v, body, 'ScheduleExpression', 'ScheduleExpression', {
    required: true,
    max: 256,
  });
  const timezoneInput = readString(v, body, 'ScheduleExpressionTimezone', 'ScheduleExpressionTimezone', {
    max: 50,
  });
  const description = readString(v, body, 'Description', 'Description', { min: 0, max: 512 });
  const state = readEnum<ScheduleState>(v, body, 'State', 'State', ['ENABLED', 'DISABLED']) ?? 'ENABLED';
  const action =
    readEnum<ActionAfterCompletion>(v, body, 'ActionAfterCompletion', 'ActionAfterCompletion', [
      'NONE',
      'DELETE',
    ]) ?? 'NONE';
  const startDate = readTimestamp(v, body, 'StartDate', 'StartDate');
  const endDate = readTimestamp(v, body, 'EndDate', 'EndDate');
  const kmsKeyArn = readString(v, body, 'KmsKeyArn', 'KmsKeyArn', { max: 2048, pattern: KMS_ARN_PATTERN });
  const clientToken = readString(v, body, 'ClientToken', 'ClientToken', {
    max: 64,
    pattern: CLIENT_TOKEN_PATTERN,
  });
  // The shared engine trims (user-facing parsing relies on that); the service does not, so an
  // expression with surrounding whitespace is refused here rather than stored as given.
  if (expression !== undefined && expression !== expression.trim()) {
    v.rule(
      `Invalid Schedule Expression ${show(expression)}: ScheduleExpression must not start or end with whitespace`,
    );
  }
  const target = readTarget(v, body);
  const window = readFlexibleTimeWindow(v, body);
  v.throwIfAny();
  if (expression === undefined || target === undefined || window === undefined) {
    // Unreachable: a missing required member was reported above.
    throw new SchedulerValidationError('ScheduleExpression, Target and FlexibleTimeWindow are required');
  }

  const schedule = parseExpression(expression, timezoneInput);
  if (schedule.type !== 'at') {
    // One-time schedules ignore StartDate and EndDate, so the service checks them for recurring ones only.
    if (startDate !== undefined && startDate < now - START_DATE_GRACE_MS) {
      v.rule(
        `The StartDate you specify cannot be earlier than 5 minutes ago (StartDate ${iso(startDate)}, now ${iso(now)})`,
      );
    }
    if (startDate !== undefined && endDate !== undefined && endDate <= startDate) {
      v.rule(
        `The EndDate you specify must be later than the StartDate (StartDate ${iso(startDate)}, EndDate ${iso(endDate)})`,
      );
    }
  }
  v.throwIfAny();

  return {
    groupName,
    expression,
    timezone: timezoneInput ?? 'UTC',
    schedule,
    description,
    state,
    startDate,
    endDate,
    kmsKeyArn,
    target,
    flexibleTimeWindow: window,
    actionAfterCompletion: action,
    clientToken,
  };
}

/**
 * Parsed schedules by time zone and expression. Parsed schedules are immutable, so schedules with
 * the same expression share one (and the engine's compiled form of it): loading 100,000 schedules
 * that use a few dozen expressions parses a few dozen times.
 */
const parsedCache = new Map<string, Schedule>();
const PARSED_CACHE_LIMIT = 10_000;

/** Parses through the schedule engine; its message names the field, value and rule at fault. */
export function parseExpression(expression: string, timezone: string | undefined): Schedule {
  const cacheKey = `${timezone ?? ''}\u0000${expression}`;
  const cached = parsedCache.get(cacheKey);
  if (cached !== undefined) return cached;
  try {
    const schedule = parseEventBridgeExpression(
      expression,
      timezone === undefined ? undefined : { timezone },
    );
    if (parsedCache.size >= PARSED_CACHE_LIMIT) parsedCache.clear();
    parsedCache.set(cacheKey, schedule);
    return schedule;
  } catch (error) {
    if (error instanceof TimeZoneError) {
      throw new SchedulerValidationError(
        `Invalid ScheduleExpressionTimezone '${timezone}': ${error.message}`,
        {
          cause: error,
        },
      );
    }
    if (error instanceof ScheduleExpressionError) {
      throw new SchedulerValidationError(`Invalid Schedule Expression ${expression}: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

function readTarget(v: Violations, body: JsonObject): TargetRecord | undefined {
  const target = readObject(v, body, 'Target', 'Target', true);
  if (target === undefined) return undefined;
  const arn = readString(v, target, 'Arn', 'Target.Arn', { required: true, max: 1600 });
  const roleArn = readString(v, target, 'RoleArn', 'Target.RoleArn', {
    required: true,
    max: 1600,
    pattern: ROLE_ARN_PATTERN,
  });
  const input = readString(v, target, 'Input', 'Target.Input', { max: MAX_INPUT_LENGTH });

  let retryPolicy: RetryPolicy = DEFAULT_RETRY_POLICY;
  const retry = readObject(v, target, 'RetryPolicy', 'Target.RetryPolicy');
  if (retry !== undefined) {
    const attempts = readInteger(
      v,
      retry,
      'MaximumRetryAttempts',
      'Target.RetryPolicy.MaximumRetryAttempts',
      {
        min: 0,
        max: 185,
      },
    );
    const age = readInteger(
      v,
      retry,
      'MaximumEventAgeInSeconds',
      'Target.RetryPolicy.MaximumEventAgeInSeconds',
      {
        min: 60,
        max: 86_400,
      },
    );
    retryPolicy = {
      maximumRetryAttempts: attempts ?? DEFAULT_RETRY_POLICY.maximumRetryAttempts,
      maximumEventAgeInSeconds: age ?? DEFAULT_RETRY_POLICY.maximumEventAgeInSeconds,
    };
  }

  let deadLetterArn: string | undefined;
  const deadLetter = readObject(v, target, 'DeadLetterConfig', 'Target.DeadLetterConfig');
  if (deadLetter !== undefined) {
    deadLetterArn = readString(v, deadLetter, 'Arn', 'Target.DeadLetterConfig.Arn', {
      max: 1600,
      pattern: SQS_ARN_PATTERN,
    });
  }

  const parameters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(target)) {
    if (!TARGET_FIELDS.has(key) && isObject(value)) parameters[key] = value;
  }

  if (arn === undefined || roleArn === undefined) return undefined;
  return {
    arn,
    roleArn,
    ...(input === undefined ? {} : { input }),
    retryPolicy,
    ...(deadLetterArn === undefined ? {} : { deadLetterArn }),
    ...(Object.keys(parameters).length === 0 ? {} : { parameters }),
  };
}

function readFlexibleTimeWindow(v: Violations, body: JsonObject): FlexibleTimeWindow | undefined {
  const window = readObject(v, body, 'FlexibleTimeWindow', 'FlexibleTimeWindow', true);
  if (window === undefined) return undefined;
  const mode = readEnum(v, window, 'Mode', 'FlexibleTimeWindow.Mode', ['OFF', 'FLEXIBLE'] as const, true);
  const minutes = readInteger(
    v,
    window,
    'MaximumWindowInMinutes',
    'FlexibleTimeWindow.MaximumWindowInMinutes',
    {
      min: 1,
      max: 1440,
    },
  );
  if (mode === 'FLEXIBLE' && minutes === undefined && (window.MaximumWindowInMinutes ?? null) === null) {
    v.rule('FlexibleTimeWindow.MaximumWindowInMinutes is required when FlexibleTimeWindow.Mode is FLEXIBLE');
  }
  if (mode === 'OFF' && (window.MaximumWindowInMinutes ?? null) !== null) {
    v.rule(
      `FlexibleTimeWindow.MaximumWindowInMinutes must not be set when FlexibleTimeWindow.Mode is OFF (got ${show(window.MaximumWindowInMinutes)})`,
    );
  }
  if (mode === undefined) return undefined;
  return mode === 'FLEXIBLE' && minutes !== undefined ? { mode, maximumWindowInMinutes: minutes } : { mode };
}

/** Tags of CreateScheduleGroup / TagResource: 1-200 entries, Key 1-128 and Value 0-256 characters. */
export function validateTags(value: unknown, path: string, required: boolean): Tag[] {
  const v = new Violations();
  if (value === undefined || value === null) {
    if (required) v.missing(path);
    v.throwIfAny();
    return [];
  }
  if (!Array.isArray(value)) {
    v.constraint(path, value, 'be a list of {Key, Value}');
    v.throwIfAny();
    return [];
  }
  if (value.length < (required ? 1 : 0) || value.length > 200) {
    v.constraint(path, value, `have length between ${required ? 1 : 0} and 200`);
  }
  const tags: Tag[] = [];
  value.forEach((entry: unknown, index) => {
    const at = `${path}.${index + 1}`;
    if (!isObject(entry)) {
      v.constraint(at, entry, 'be an object {Key, Value}');
      return;
    }
    const key = readString(v, entry, 'Key', `${at}.member.Key`, { required: true, max: 128 });
    const tagValue = readString(v, entry, 'Value', `${at}.member.Value`, {
      required: true,
      min: 0,
      max: 256,
    });
    if (key !== undefined && tagValue !== undefined) tags.push({ key, value: tagValue });
  });
  v.throwIfAny();
  return tags;
}

export function validateTagKeys(keys: readonly string[]): string[] {
  const v = new Violations();
  if (keys.length < 1 || keys.length > 200) v.constraint('TagKeys', keys, 'have length between 1 and 200');
  keys.forEach((key, index) => {
    readString(v, { key }, 'key', `TagKeys.${index + 1}`, { required: true, max: 128 });
  });
  v.throwIfAny();
  return [...keys];
}

/** A ResourceArn of the tag operations; only schedule groups carry tags in EventBridge Scheduler. */
export function validateGroupArn(value: string): string {
  const v = new Violations();
  readString(v, { value }, 'value', 'ResourceArn', { required: true, max: 1011, pattern: GROUP_ARN_PATTERN });
  v.throwIfAny();
  return value;
}

export interface ListQuery {
  readonly maxResults: number | undefined;
  readonly nextToken: string | undefined;
  readonly namePrefix: string | undefined;
}

/** MaxResults 1-100, NamePrefix 1-64 name characters, NextToken 1-2048 characters. */
export function validateListQuery(query: URLSearchParams): ListQuery {
  const v = new Violations();
  let maxResults: number | undefined;
  const maxText = query.get('MaxResults');
  if (maxText !== null) {
    const parsed = /^\d+$/.test(maxText) ? Number(maxText) : Number.NaN;
    maxResults = readInteger(v, { value: Number.isNaN(parsed) ? maxText : parsed }, 'value', 'MaxResults', {
      min: 1,
      max: 100,
    });
  }
  const nextToken = readString(v, { value: query.get('NextToken') }, 'value', 'NextToken', { max: 2048 });
  const namePrefix = readString(v, { value: query.get('NamePrefix') }, 'value', 'NamePrefix', {
    max: 64,
    pattern: NAME_PATTERN,
  });
  v.throwIfAny();
  return { maxResults, nextToken, namePrefix };
}

export function validateStateFilter(value: string | null): ScheduleState | undefined {
  const v = new Violations();
  const state = readEnum<ScheduleState>(v, { value }, 'value', 'State', ['ENABLED', 'DISABLED']);
  v.throwIfAny();
  return state;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
