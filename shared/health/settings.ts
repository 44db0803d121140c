/**
 * A job's health settings: what the user gave (stored on the job, all optional) and the values in
 * effect (defaults filled in). Pure: the sweeper, the run lifecycle's deadline check and the job view
 * all read the effective values from here, so they agree.
 *
 * Defaults (issue 13 §1), from the job's period (the time from a slot to the next one):
 * - starting deadline: the shorter of one period and 1 h;
 * - grace: the larger of 1 min and 10% of the period, never more than the starting deadline;
 * - catch-up: `latest`, within a window of one period; `all` runs at most `max` (default 100) slots;
 * - failure and recovery thresholds: 1.
 *
 * A one-time (`at`) job has no period: its deadline defaults to 1 h, its grace to 1 min and its
 * catch-up window to its deadline (a one-time slot missed while the stack was down runs if it comes
 * back within the hour; after that it is recorded `missed` and left to the operator).
 */
import type { Job } from '../jobs/model.ts';
import { nextFireTimes } from '../schedule/index.ts';
import { type CatchupPolicy, DEFAULT_CATCHUP_ALL_MAX } from './fields.ts';

const HOUR_S = 3_600;
const MINUTE_S = 60;

/** The settings in effect for a job (every value filled in). */
export interface HealthSettings {
  readonly startingDeadlineSeconds: number;
  readonly graceSeconds: number;
  readonly catchup: {
    readonly policy: CatchupPolicy;
    readonly windowSeconds: number;
    /** Present with policy `all`. */
    readonly max?: number;
  };
  readonly failureThreshold: number;
  readonly recoveryThreshold: number;
}

export type HealthFields = Pick<
  Job,
  'startingDeadlineSeconds' | 'graceSeconds' | 'catchup' | 'failureThreshold' | 'recoveryThreshold'
>;

/**
 * The job's period in seconds around `slot`: a rate's interval, or for a cron the time from the first
 * fire after `slot - 1 ms` to the one after it (a cron's gaps vary: weekdays at 9 have a 3-day gap on
 * Fridays, so the period is the gap that follows the slot in question). Undefined for `at` jobs.
 */
export function periodSeconds(job: Pick<Job, 'schedule'>, slot: Date): number | undefined {
  if (job.schedule.type === 'at') return undefined;
  // Anchored at the slot, a rate's two next fires are one interval apart (whatever its real anchor).
  // (Not schedule-spec's rateIntervalMs: a job function imports no job validation, which it pulls in.)
  const [first, second] = nextFireTimes(job.schedule, {
    after: new Date(slot.getTime() - 1),
    count: 2,
    startDate: slot,
  });
  if (first === undefined || second === undefined) return undefined;
  return (second.getTime() - first.getTime()) / 1000;
}

/**
 * How late Scheduler may deliver a slot by design: a flexible time window delays the invocation by up to
 * its length, while the event still names the slot. Deadlines and grace count from the window's end.
 */
export function flexibleDelayMs(job: Pick<Job, 'flexibleWindowMinutes'>): number {
  return (job.flexibleWindowMinutes ?? 0) * 60_000;
}

/** The effective settings of `job` around `slot` (for the view: its next or last slot, or now). */
export function healthSettings(job: Pick<Job, 'schedule'> & HealthFields, slot: Date): HealthSettings {
  const period = periodSeconds(job, slot);
  const startingDeadlineSeconds =
    job.startingDeadlineSeconds ?? (period === undefined ? HOUR_S : Math.min(period, HOUR_S));
  const defaultGrace = period === undefined ? MINUTE_S : Math.max(MINUTE_S, Math.ceil(period / 10));
  const graceSeconds = job.graceSeconds ?? Math.min(defaultGrace, startingDeadlineSeconds);
  const policy = job.catchup?.policy ?? 'latest';
  const windowSeconds = job.catchup?.windowSeconds ?? period ?? startingDeadlineSeconds;
  return {
    startingDeadlineSeconds,
    graceSeconds,
    catchup: {
      policy,
      windowSeconds,
      ...(policy === 'all' ? { max: job.catchup?.max ?? DEFAULT_CATCHUP_ALL_MAX } : {}),
    },
    failureThreshold: job.failureThreshold ?? 1,
    recoveryThreshold: job.recoveryThreshold ?? 1,
  };
}

/**
 * The problems of a job's settings that the shapes alone cannot see, as (field, message) pairs: a
 * grace past the starting deadline (the job would turn `missed` before it could be `late`), `max`
 * without policy `all`. Checked at `now` for the defaults that depend on the period.
 */
export function healthSettingsProblems(
  job: Pick<Job, 'schedule'> & HealthFields,
  now: Date,
): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  if (job.catchup?.max !== undefined && job.catchup.policy !== 'all') {
    problems.push({
      field: 'catchup.max',
      message: `catchup.max applies only to policy "all" (got policy "${job.catchup.policy}"); remove it or set policy to "all"`,
    });
  }
  if (job.graceSeconds !== undefined) {
    const deadline = healthSettings(job, now).startingDeadlineSeconds;
    if (job.graceSeconds > deadline) {
      problems.push({
        field: 'graceSeconds',
        message: `graceSeconds must be at most the starting deadline (${deadline} s${job.startingDeadlineSeconds === undefined ? ', its default for this schedule' : ''}); got ${job.graceSeconds}`,
      });
    }
  }
  return problems;
}
