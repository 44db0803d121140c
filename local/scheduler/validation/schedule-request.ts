/**
 * Validation of the CreateSchedule and UpdateSchedule bodies, as the service does it: the SDK sends
 * whatever it is given (no required-member or range checks client-side), so every rule the service
 * enforces lives here. The schedule expression and time zone are checked by the shared schedule
 * engine, never by a second cron parser.
 */
import {
  parseEventBridgeExpression,
  type Schedule,
  ScheduleExpressionError,
  TimeZoneError,
} from '../../../shared/schedule/index.ts';
import { SchedulerValidationError } from '../errors.ts';
import {
  type ActionAfterCompletion,
  DEFAULT_RETRY_POLICY,
  type FlexibleTimeWindow,
  type RetryPolicy,
  type ScheduleState,
  type TargetRecord,
} from '../model.ts';
import {
  CLIENT_TOKEN_PATTERN,
  isObject,
  iso,
  type JsonObject,
  NAME_PATTERN,
  readEnum,
  readInteger,
  readObject,
  readString,
  readTimestamp,
  show,
  Violations,
} from './rules.ts';

const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const SQS_ARN_PATTERN = /^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9\-_]+$/;
const KMS_ARN_PATTERN = /^arn:aws(-[a-z]+)?:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[0-9a-zA-Z\-_/]*$/;

/** The service refuses a recurring schedule whose StartDate lies more than 5 minutes in the past. */
const START_DATE_GRACE_MS = 5 * 60_000;
/** Target.Input may hold up to 256 KB. */
const MAX_INPUT_LENGTH = 262_144;
const TARGET_FIELDS = new Set(['Arn', 'RoleArn', 'Input', 'RetryPolicy', 'DeadLetterConfig']);

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
