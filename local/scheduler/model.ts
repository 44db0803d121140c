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
