/**
 * How the emulator keeps schedule records: one object shape per record, unset members left out (so
 * journal lines carry only what is set), and the strings and policies many schedules share kept once.
 */
import type { FlexibleTimeWindow, RetryPolicy, ScheduleRecord, Tag } from './model.ts';
import type { ScheduleRequest } from './validation/schedule-request.ts';

/**
 * Strings many schedules share (target and role ARNs, expressions, zones) are kept once: 100,000
 * schedules pointing at one function hold one copy of its ARN, not 100,000.
 */
const interned = new Map<string, string>();
const INTERN_LIMIT = 20_000;

function intern<T extends string | undefined>(value: T): T {
  if (value === undefined) return value;
  const known = interned.get(value);
  if (known !== undefined) return known as T;
  if (interned.size < INTERN_LIMIT) interned.set(value, value);
  return value;
}

const sharedRetryPolicies = new Map<string, RetryPolicy>();
const OFF_WINDOW: FlexibleTimeWindow = Object.freeze({ mode: 'OFF' });

function sharedRetryPolicy(policy: RetryPolicy): RetryPolicy {
  const key = `${policy.maximumRetryAttempts}/${policy.maximumEventAgeInSeconds}`;
  const known = sharedRetryPolicies.get(key);
  if (known !== undefined) return known;
  const frozen = Object.freeze({ ...policy });
  sharedRetryPolicies.set(key, frozen);
  return frozen;
}

export function toRecord(
  request: ScheduleRequest,
  groupName: string,
  name: string,
  creationDate: number,
  lastModificationDate: number,
  clientToken: string | undefined,
): ScheduleRecord {
  return compactRecord({
    groupName,
    name,
    expression: request.expression,
    timezone: request.timezone,
    description: request.description,
    state: request.state,
    startDate: request.startDate,
    endDate: request.endDate,
    kmsKeyArn: request.kmsKeyArn,
    target: request.target,
    flexibleTimeWindow: request.flexibleTimeWindow,
    actionAfterCompletion: request.actionAfterCompletion,
    creationDate,
    lastModificationDate,
    clientToken,
  });
}

/**
 * One object shape for every stored schedule, shared parts shared: memory per schedule matters
 * when 100,000 are loaded. Members that are not set are left out (so journal lines carry only
 * what is set).
 */
export function compactRecord(record: ScheduleRecord): ScheduleRecord {
  const target = record.target;
  const window = record.flexibleTimeWindow;
  return compact({
    groupName: intern(record.groupName),
    name: record.name,
    expression: intern(record.expression),
    timezone: intern(record.timezone),
    description: record.description,
    state: record.state,
    startDate: record.startDate,
    endDate: record.endDate,
    kmsKeyArn: intern(record.kmsKeyArn),
    target: compact({
      arn: intern(target.arn),
      roleArn: intern(target.roleArn),
      input: target.input,
      retryPolicy: sharedRetryPolicy(target.retryPolicy),
      deadLetterArn: intern(target.deadLetterArn),
      parameters: target.parameters,
    }),
    flexibleTimeWindow: window.mode === 'OFF' ? OFF_WINDOW : window,
    actionAfterCompletion: record.actionAfterCompletion,
    creationDate: record.creationDate,
    lastModificationDate: record.lastModificationDate,
    clientToken: record.clientToken,
  });
}

/** Later tags with the same key replace earlier ones. */
export function mergeTags(current: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(current.map((tag) => [tag.key, tag.value]));
  for (const tag of added) byKey.set(tag.key, tag.value);
  return [...byKey].map(([key, value]) => ({ key, value }));
}

/** Drops undefined members so journal lines and responses carry only what is set. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member !== undefined) out[key] = member;
  return out as T;
}
