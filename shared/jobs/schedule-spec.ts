/**
 * The schedule a job should have in Scheduler: derived from the job record (the source of truth) and
 * the deployment's facts. Create, update and reconcile all derive through here, so they agree.
 */

import { scheduleTargetInput } from '../runs/event.ts';
import type { Schedule } from '../schedule/index.ts';
import { nextFireTime } from '../schedule/index.ts';
import type { Job } from './model.ts';
import type { ScheduleSpec } from './ports.ts';
import { MAX_DESCRIPTION_LENGTH } from './validation.ts';

/** What every schedule of a deployment shares. */
export interface ScheduleDeployment {
  /** Target function ARN per job kind (`ApiConfig.jobFunctionArns`). */
  readonly targetArns: Readonly<Record<string, string>>;
  /** The role Scheduler assumes to invoke the target. */
  readonly roleArn: string;
  /** Standard SQS queue for events Scheduler could not deliver. */
  readonly deadLetterArn?: string;
  /** @default DEFAULT_TARGET_RETRY_POLICY */
  readonly retryPolicy?: ScheduleSpec['target']['retryPolicy'];
}

/**
 * Scheduler's retries cover handing the event to Lambda (throttling, a busy account), not the job's own
 * failures (those are Lambda's async retries). 185 attempts, but only within an hour: a scheduled
 * prompt delivered a day late is stale, so after an hour the event goes to the dead-letter queue,
 * where it can be inspected, instead of firing late.
 */
export const DEFAULT_TARGET_RETRY_POLICY = {
  maximumRetryAttempts: 185,
  maximumEventAgeInSeconds: 3600,
} as const;

/** Scheduler refuses a recurring schedule whose StartDate is more than 5 minutes in the past. */
const START_DATE_SLACK_MS = 60_000;

/** The interval of a `rate(n unit)` expression in milliseconds, or undefined for other expressions. */
export function rateIntervalMs(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (match === null) return undefined;
  const unit = match[2] ?? '';
  const unitMs = unit.startsWith('minute') ? 60_000 : unit.startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(match[1]) * unitMs;
}

/**
 * A rate schedule's anchor moved forward by whole intervals until it is no longer in the past, so
 * Scheduler accepts it as StartDate while the sequence of fire times stays the same.
 */
export function advanceAnchor(anchor: Date, intervalMs: number, now: Date): Date {
  const behind = now.getTime() - START_DATE_SLACK_MS - anchor.getTime();
  if (behind <= 0) return anchor;
  return new Date(anchor.getTime() + Math.ceil(behind / intervalMs) * intervalMs);
}

/** The job's schedule as the engine's Schedule (stored jobs carry every field the engine needs). */
export function engineSchedule(job: Job): Schedule {
  return job.schedule;
}

/** True for a one-time job that has fired, been cancelled, or whose time has passed. */
export function oneTimeIsOver(job: Job, now: Date): boolean {
  if (job.schedule.type !== 'at') return false;
  if (job.oneTimeState !== undefined && job.oneTimeState !== 'scheduled') return true;
  return nextFireTime(engineSchedule(job), now) === undefined;
}

/**
 * The schedule the job should have, or undefined when it should have none (a one-time job that is
 * over: Scheduler deleted it after firing, `ActionAfterCompletion: DELETE`).
 */
export function desiredSchedule(
  job: Job,
  deployment: ScheduleDeployment,
  now: Date,
): ScheduleSpec | undefined {
  if (oneTimeIsOver(job, now)) return undefined;
  const targetArn = deployment.targetArns[job.kind];
  if (targetArn === undefined) {
    // A deployment fault, not the caller's: the stack sets one function per kind.
    throw new Error(`no target function is configured for job kind "${job.kind}"`);
  }
  const type = job.schedule.type;
  let startDate: Date | undefined;
  let endDate: Date | undefined;
  if (type === 'rate') {
    const intervalMs = rateIntervalMs(job.schedule.expression);
    const anchor = job.scheduleStartDate ?? job.startDate;
    if (anchor !== undefined && intervalMs !== undefined)
      startDate = advanceAnchor(new Date(anchor), intervalMs, now);
  } else if (type === 'cron' && job.startDate !== undefined && new Date(job.startDate) > now) {
    // A past StartDate bounds nothing and Scheduler would refuse it.
    startDate = new Date(job.startDate);
  }
  if (type !== 'at' && job.endDate !== undefined) endDate = new Date(job.endDate);
  const description = job.description ?? job.schedule.description;
  return {
    name: job.name,
    kind: job.kind,
    expression: job.schedule.expression,
    timezone: job.schedule.timezone,
    description: description.slice(0, MAX_DESCRIPTION_LENGTH),
    state: job.enabled ? 'ENABLED' : 'DISABLED',
    startDate,
    endDate,
    flexibleWindowMinutes: job.flexibleWindowMinutes,
    actionAfterCompletion: type === 'at' ? 'DELETE' : 'NONE',
    target: {
      arn: targetArn,
      roleArn: deployment.roleArn,
      input: scheduleTargetInput(job),
      deadLetterArn: deployment.deadLetterArn,
      retryPolicy: deployment.retryPolicy ?? DEFAULT_TARGET_RETRY_POLICY,
    },
  };
}

/**
 * The fields in which an actual schedule differs from the desired one. StartDates of rate schedules
 * count as equal when they anchor the same sequence (the desired one is moved forward over time);
 * for cron, a StartDate already passed bounds nothing and equals none.
 */
export function scheduleDifferences(desired: ScheduleSpec, actual: ScheduleSpec, now: Date): string[] {
  const differences: string[] = [];
  const check = (field: string, a: unknown, b: unknown) => {
    if (a !== b) differences.push(field);
  };
  check('expression', desired.expression, actual.expression);
  check('timezone', desired.timezone, actual.timezone);
  check('description', desired.description, actual.description);
  check('state', desired.state, actual.state);
  check('endDate', desired.endDate?.getTime(), actual.endDate?.getTime());
  check('flexibleWindowMinutes', desired.flexibleWindowMinutes, actual.flexibleWindowMinutes);
  check('actionAfterCompletion', desired.actionAfterCompletion, actual.actionAfterCompletion);
  check('target.arn', desired.target.arn, actual.target.arn);
  check('target.roleArn', desired.target.roleArn, actual.target.roleArn);
  check('target.input', desired.target.input, actual.target.input);
  check('target.deadLetterArn', desired.target.deadLetterArn, actual.target.deadLetterArn);
  check(
    'target.retryPolicy',
    `${desired.target.retryPolicy.maximumRetryAttempts}/${desired.target.retryPolicy.maximumEventAgeInSeconds}`,
    `${actual.target.retryPolicy.maximumRetryAttempts}/${actual.target.retryPolicy.maximumEventAgeInSeconds}`,
  );
  if (!sameStart(desired, actual, now)) differences.push('startDate');
  return differences;
}

function sameStart(desired: ScheduleSpec, actual: ScheduleSpec, now: Date): boolean {
  const intervalMs = rateIntervalMs(desired.expression);
  const a = desired.startDate?.getTime();
  const b = actual.startDate?.getTime();
  if (intervalMs !== undefined) {
    if (a === undefined || b === undefined) return a === b;
    return (((a - b) % intervalMs) + intervalMs) % intervalMs === 0;
  }
  if (desired.actionAfterCompletion === 'DELETE') return true;
  const effective = (ms: number | undefined) => (ms === undefined || ms <= now.getTime() ? undefined : ms);
  return effective(a) === effective(b);
}
