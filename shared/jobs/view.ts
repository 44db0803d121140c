/**
 * How jobs and runs are shown to clients (API responses, CLI output): the definition, the normalized
 * schedule, the next run from the schedule engine. Never the run lease or other internals.
 */
import type { JobCatchup } from '../health/fields.ts';
import { type HealthSettings, healthSettings } from '../health/settings.ts';
import { nextFireTimes } from '../schedule/index.ts';
import type {
  Job,
  JobAlerts,
  JobChains,
  JobExpand,
  JobKind,
  OneTimeState,
  OverlapPolicy,
  Run,
} from './model.ts';

export interface JobView {
  readonly name: string;
  readonly kind: JobKind;
  readonly schedule: {
    readonly input: string;
    readonly expression: string;
    readonly timezone: string;
    readonly description: string;
  };
  readonly timezone: string;
  readonly description?: string;
  readonly enabled: boolean;
  /** Why the job is paused, when whoever paused it said so. */
  readonly pauseNote?: string;
  readonly runImmediately: boolean;
  readonly overlap: OverlapPolicy;
  readonly flexibleWindowMinutes?: number;
  readonly startDate?: string;
  readonly endDate?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly config: Readonly<Record<string, unknown>>;
  /** The jobs its runs lead to (chained jobs). */
  readonly then?: JobChains;
  /** Fan-out: where each run's contexts come from (absent: the job's runs do not fan out). */
  readonly expand?: JobExpand;
  /** Where the job's health changes are sent besides the stack's topic (the secret by name only). */
  readonly alerts?: JobAlerts;
  /** Where the job is defined when deployed as code; the API refuses to change or delete it (409). */
  readonly managedBy?: string;
  /** Health settings as given (absent: the default, shown in `healthSettings`). */
  readonly startingDeadlineSeconds?: number;
  readonly graceSeconds?: number;
  readonly catchup?: JobCatchup;
  readonly failureThreshold?: number;
  readonly recoveryThreshold?: number;
  /** The health settings in effect (defaults filled in, for the period around the next slot). */
  readonly healthSettings: HealthSettings;
  /** ISO instant of the next slot, or null when the job is paused or will not fire again. */
  readonly nextRun: string | null;
  /** One-time jobs only. */
  readonly state?: OneTimeState;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** The next `count` slots of an enabled job (none for a paused job or a finished one-time job). */
export function nextRuns(job: Job, after: Date, count: number): Date[] {
  if (!job.enabled) return [];
  if (job.schedule.type === 'at' && job.oneTimeState !== undefined && job.oneTimeState !== 'scheduled')
    return [];
  return nextFireTimes(job.schedule, {
    after,
    count,
    startDate: fireBounds(job).startDate,
    endDate: fireBounds(job).endDate,
  });
}

/** The StartDate/EndDate the engine needs to reproduce Scheduler's fire times for this job. */
export function fireBounds(job: Job): { startDate?: Date; endDate?: Date } {
  const start = job.schedule.type === 'rate' ? (job.scheduleStartDate ?? job.startDate) : job.startDate;
  return {
    startDate: start === undefined ? undefined : new Date(start),
    endDate: job.endDate === undefined ? undefined : new Date(job.endDate),
  };
}

export function toJobView(job: Job, now: Date): JobView {
  const next = nextRuns(job, now, 1)[0];
  return {
    name: job.name,
    kind: job.kind,
    schedule: {
      input: job.schedule.input,
      expression: job.schedule.expression,
      timezone: job.schedule.timezone,
      description: job.schedule.description,
    },
    timezone: job.schedule.timezone,
    description: job.description,
    enabled: job.enabled,
    pauseNote: job.pauseNote,
    runImmediately: job.runImmediately,
    overlap: job.overlap,
    flexibleWindowMinutes: job.flexibleWindowMinutes,
    startDate: job.startDate,
    endDate: job.endDate,
    tags: job.tags,
    config: job.config,
    // biome-ignore lint/suspicious/noThenProperty: the API's field of chained jobs (see shared/jobs/chains.ts)
    then: job.then,
    expand: job.expand,
    alerts: job.alerts,
    managedBy: job.managedBy,
    startingDeadlineSeconds: job.startingDeadlineSeconds,
    graceSeconds: job.graceSeconds,
    catchup: job.catchup,
    failureThreshold: job.failureThreshold,
    recoveryThreshold: job.recoveryThreshold,
    healthSettings: healthSettings(job, next ?? now),
    nextRun: next === undefined ? null : next.toISOString(),
    state: job.schedule.type === 'at' ? (job.oneTimeState ?? 'scheduled') : undefined,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    version: job.version,
  };
}

/** A run as clients see it: everything but storage bookkeeping (slot key, purge time, deadline, fan-out lanes, who ended it). */
export type RunView = Omit<
  Run,
  | 'slot'
  | 'expiresAt'
  | 'deadline'
  | 'countedChildren'
  | 'lastChildAt'
  | 'childIndex'
  | 'nextChildSlot'
  | 'settled'
>;

export function toRunView(run: Run): RunView {
  return {
    runId: run.runId,
    job: run.job,
    trigger: run.trigger,
    status: run.status,
    scheduledFor: run.scheduledFor,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.durationMs,
    attempt: run.attempt,
    executionId: run.executionId,
    error: run.error,
    result: run.result,
    params: run.params,
    nextAttemptAt: run.nextAttemptAt,
    duplicatesSuppressed: run.duplicatesSuppressed,
    reason: run.reason,
    cancelRequested: run.cancelRequested,
    upstream: run.upstream,
    parentRunId: run.parentRunId,
    backfill: run.backfill,
    context: run.context,
    children: run.children,
  };
}
