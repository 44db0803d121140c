/**
 * What the emulator stores: schedules and groups as the service describes them, with instants in
 * epoch milliseconds (the wire uses epoch seconds; see the HTTP adapter).
 */

export type ScheduleState = 'ENABLED' | 'DISABLED';
export type FlexibleTimeWindowMode = 'OFF' | 'FLEXIBLE';
export type ActionAfterCompletion = 'NONE' | 'DELETE';

export const DEFAULT_GROUP = 'default';

/** The service's defaults when a Target has no RetryPolicy (also CDK's defaults). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maximumRetryAttempts: 185,
  maximumEventAgeInSeconds: 86_400,
};

export interface RetryPolicy {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeInSeconds: number;
}

export interface TargetRecord {
  readonly arn: string;
  readonly roleArn: string;
  readonly input?: string;
  readonly retryPolicy: RetryPolicy;
  readonly deadLetterArn?: string;
  /**
   * Target parameter blocks the emulator does not act on (EcsParameters, SqsParameters, ...): kept
   * as sent and returned by GetSchedule, so a read-change-write round trip loses nothing.
   */
  readonly parameters?: Readonly<Record<string, unknown>>;
}

export interface FlexibleTimeWindow {
  readonly mode: FlexibleTimeWindowMode;
  readonly maximumWindowInMinutes?: number;
}

export interface ScheduleRecord {
  readonly groupName: string;
  readonly name: string;
  readonly expression: string;
  /** As given, or `UTC` when the request left it out (what GetSchedule returns then). */
  readonly timezone: string;
  readonly description?: string;
  readonly state: ScheduleState;
  readonly startDate?: number;
  readonly endDate?: number;
  readonly kmsKeyArn?: string;
  readonly target: TargetRecord;
  readonly flexibleTimeWindow: FlexibleTimeWindow;
  readonly actionAfterCompletion: ActionAfterCompletion;
  readonly creationDate: number;
  readonly lastModificationDate: number;
  /** ClientToken of the CreateSchedule that made it: a retried create with the same token succeeds. */
  readonly clientToken?: string;
}

/**
 * A retry waiting for its time: persisted when it is scheduled and cleared when the event is
 * handled (delivered, dead-lettered or dropped), so a restart re-arms it instead of losing it.
 */
export interface PendingRetry {
  readonly groupName: string;
  readonly name: string;
  /** The slot (epoch ms) whose event is being retried. */
  readonly slot: number;
  /** The attempt that is due next (2 = the first retry). */
  readonly attempt: number;
  /** Start of the first attempt (epoch ms): MaximumEventAgeInSeconds counts from here. */
  readonly firstAttemptAt: number;
  /** When the next attempt is due (epoch ms). */
  readonly retryAt: number;
  /** No slot follows this one: ActionAfterCompletion applies once the event is handled. */
  readonly last: boolean;
  /** The last failed attempt, for the dead letter if the event runs out of age while the emulator is down. */
  readonly lastExecutionId: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  /** The schedule as it was when the slot fired: retries use it, not later updates, as before a restart. */
  readonly record: ScheduleRecord;
}

export interface GroupRecord {
  readonly name: string;
  readonly creationDate: number;
  readonly lastModificationDate: number;
  readonly tags: readonly Tag[];
  readonly clientToken?: string;
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** An event the emulator gave up on, kept in the local dead-letter store (the service sends it to SQS). */
export interface DeadLetter {
  readonly scheduleArn: string;
  readonly groupName: string;
  readonly scheduleName: string;
  readonly targetArn: string;
  /** The DeadLetterConfig Arn of the schedule (the queue the service would have used). */
  readonly deadLetterArn: string;
  /** ISO UTC, second precision, as in `<aws.scheduler.scheduled-time>`. */
  readonly scheduledTime: string;
  /** The input of the last attempt, context attributes substituted. */
  readonly input: string | undefined;
  readonly attempts: number;
  readonly executionId: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  /** ISO UTC. */
  readonly deadLetteredAt: string;
}

export interface ArnContext {
  readonly region: string;
  readonly accountId: string;
}

export function scheduleArn(context: ArnContext, groupName: string, name: string): string {
  return `arn:aws:scheduler:${context.region}:${context.accountId}:schedule/${groupName}/${name}`;
}

export function groupArn(context: ArnContext, groupName: string): string {
  return `arn:aws:scheduler:${context.region}:${context.accountId}:schedule-group/${groupName}`;
}

/** Map key of a schedule; `/` cannot occur in names, so it separates unambiguously. */
export function scheduleKey(groupName: string, name: string): string {
  return `${groupName}/${name}`;
}
