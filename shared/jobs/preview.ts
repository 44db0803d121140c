/**
 * What a schedule means and when a job created with it would fire, without creating anything. The API's
 * `GET /schedules/preview` and the CLI's `tickwork preview` both answer through here, so the two agree
 * with each other and with the jobs they preview (same parser, same rate anchor as `buildJob`).
 */
import { ValidationError } from '../errors.ts';
import {
  describeWithFirstFire,
  nextFireTimes,
  parseSchedule,
  type Schedule,
  ScheduleExpressionError,
  TimeZoneError,
} from '../schedule/index.ts';
import { rateAnchor } from './definition.ts';

export interface PreviewRequest {
  /** Any schedule form a job accepts (crontab, cron(...), rate(...), at(...), PT15M, daily, @daily, ...). */
  readonly expression: string;
  /**
   * IANA zone for cron and at() fields.
   * @default 'UTC'
   */
  readonly timezone?: string;
  /** How many fire times (the callers bound it: the API to 50, the CLI to 1000). */
  readonly count: number;
  /** The job's startDate: a rate's first fire (its anchor), a lower bound for cron; ignored by at(). */
  readonly startDate?: Date;
}

export interface SchedulePreview {
  readonly input: string;
  readonly expression: string;
  readonly timezone: string;
  /** As the job would store it: the shortcuts (`daily`, ...) name their first fire. */
  readonly description: string;
  /** ISO instants. */
  readonly next: string[];
}

/**
 * The preview of `request.expression` for a job created at `createdAt` (the API: now; the CLI: `--from`).
 * A rate fires as that job's would, from its anchor (see {@link rateAnchor}): the startDate if given, else
 * one interval after creation rounded up to the whole minute, since Scheduler fires within the minute. So
 * `rate(5 minutes)` created at 09:00:30 fires at 09:06:00, 09:11:00, ... (not 09:05:30). Cron and at() list
 * their fire times strictly after `createdAt`, as before.
 *
 * @throws {ValidationError} on `expression` or `timezone`, with the engine's error as its cause.
 */
export function previewSchedule(request: PreviewRequest, createdAt: Date): SchedulePreview {
  const schedule = parsePreviewed(request);
  const anchor = rateAnchor(
    { schedule, startDate: request.startDate?.toISOString(), runImmediately: false },
    createdAt,
  );
  const next = nextFireTimes(schedule, {
    after: createdAt,
    count: request.count,
    startDate: anchor ?? request.startDate,
  });
  return {
    input: schedule.input,
    expression: schedule.expression,
    timezone: schedule.timezone,
    description: anchor === undefined ? schedule.description : describeWithFirstFire(schedule, anchor),
    next: next.map((date) => date.toISOString()),
  };
}

function parsePreviewed(request: PreviewRequest): Schedule {
  try {
    return parseSchedule(request.expression, { timezone: request.timezone ?? 'UTC' });
  } catch (error) {
    if (error instanceof TimeZoneError) {
      throw new ValidationError('timezone', `timezone: ${error.message}`, { cause: error });
    }
    if (error instanceof ScheduleExpressionError) {
      throw new ValidationError('expression', `expression: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
