/**
 * The port through which the emulator reaches a schedule's target. The local runtime plugs in the
 * in-process Lambda runtime; tests plug in a recording invoker. A rejected promise means the
 * invocation failed: the emulator retries it under the schedule's RetryPolicy and then dead-letters it.
 */

/** What to invoke: the Target's ARN and its Input with the context attributes already substituted. */
export interface TargetRef {
  readonly arn: string;
  readonly input: string | undefined;
}

/** Facts about the invocation, as the service knows them at invoke time. */
export interface InvocationMeta {
  readonly scheduleArn: string;
  readonly groupName: string;
  readonly scheduleName: string;
  /** The Target's RoleArn (the role the service would assume; the emulator does not check IAM). */
  readonly roleArn: string;
  /** The slot: the schedule's scheduled time (not the moment of this attempt). */
  readonly scheduledTime: Date;
  /** A new UUID for every attempt. */
  readonly executionId: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attemptNumber: number;
}

export interface TargetInvoker {
  invoke(target: TargetRef, meta: InvocationMeta): Promise<void>;
}

/** `2022-03-22T18:59:43Z`: the format of `<aws.scheduler.scheduled-time>` (UTC, whole seconds). */
export function formatScheduledTime(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

const CONTEXT_ATTRIBUTE = /<aws\.scheduler\.(schedule-arn|scheduled-time|execution-id|attempt-number)>/g;

/**
 * Replaces the context attributes the service substitutes in Target.Input at invocation time.
 * Other text, including unknown `<aws.scheduler.*>` names, is left alone, as the service does.
 */
export function substituteContextAttributes(
  input: string,
  meta: InvocationMeta,
  /** `formatScheduledTime(meta.scheduledTime)`, when the caller already has it. */
  scheduledTimeText?: string,
): string {
  if (!input.includes('<aws.scheduler.')) return input;
  return input.replace(CONTEXT_ATTRIBUTE, (_match, name: string) => {
    switch (name) {
      case 'schedule-arn':
        return meta.scheduleArn;
      case 'scheduled-time':
        return scheduledTimeText ?? formatScheduledTime(meta.scheduledTime);
      case 'execution-id':
        return meta.executionId;
      default:
        return String(meta.attemptNumber);
    }
  });
}
