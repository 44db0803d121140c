/**
 * The domain model: jobs (the source of truth) and runs (one per slot). Plain data, no I/O.
 */
import type { ScheduleType } from '../schedule/index.ts';

/** Job and schedule names: 1–64 of `[0-9a-zA-Z-_.]`, EventBridge Scheduler's rule for schedule names. */
export const JOB_NAME_PATTERN = /^[0-9a-zA-Z\-_.]{1,64}$/;

/** Job kinds Tickwork can run; each has its own Lambda and config schema. */
export const JOB_KINDS = ['prompt'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export type OverlapPolicy = 'skip' | 'allow';

/** The normalized schedule as stored on the job and returned by the API. */
export interface JobSchedule {
  readonly input: string;
  readonly expression: string;
  readonly timezone: string;
  readonly description: string;
  readonly type: ScheduleType;
}

/** One-time jobs: `scheduled` until they fire; `executed` after a successful run; `cancelled` if removed first. */
export type OneTimeState = 'scheduled' | 'executed' | 'cancelled';

/** The lease that marks a run of the job as in progress (overlap policy `skip`). */
export interface RunLease {
  readonly runId: string;
  readonly slot: string;
  /** ISO instant; after it the lease is stale (the function's timeout has passed). */
  readonly expiresAt: string;
}

export interface Job {
  readonly name: string;
  readonly kind: JobKind;
  readonly schedule: JobSchedule;
  readonly enabled: boolean;
  readonly description?: string;
  /** Kind-specific, validated by the kind's schema. Holds secret *names* only, never values. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly overlap: OverlapPolicy;
  readonly flexibleWindowMinutes?: number;
  /** ISO instants bounding the schedule. */
  readonly startDate?: string;
  readonly endDate?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly runImmediately: boolean;
  /** The StartDate sent to Scheduler for rate schedules (anchor of the sequence). */
  readonly scheduleStartDate?: string;
  readonly oneTimeState?: OneTimeState;
  readonly lease?: RunLease;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Optimistic concurrency: every write is conditional on the version it read. */
  readonly version: number;
  /** Epoch seconds after which a finished one-time job is purged (filtered on read before that). */
  readonly expiresAt?: number;
}

export const RUN_STATUSES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
  'timed_out',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINAL_RUN_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
  'timed_out',
];

export type RunTrigger = 'schedule' | 'manual';

export interface RunError {
  readonly type: string;
  readonly message: string;
}

export interface Run {
  /** Sortable by time (ULID); unique across jobs. */
  readonly runId: string;
  readonly job: string;
  /** The slot key within the job: the scheduled time for scheduled runs. */
  readonly slot: string;
  readonly trigger: RunTrigger;
  readonly status: RunStatus;
  /** ISO instant the run was due. */
  readonly scheduledFor: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly attempt: number;
  readonly executionId?: string;
  readonly error?: RunError;
  /** Kind-specific summary of what the run did. */
  readonly result?: Readonly<Record<string, unknown>>;
  readonly duplicatesSuppressed: number;
  /** Why a run was skipped or timed out. */
  readonly reason?: string;
  readonly cancelRequested?: boolean;
  /**
   * ISO instant by which the running attempt must end (its start plus the function's timeout).
   * A `running` record past it belongs to an attempt Lambda has stopped: readers record it `timed_out`.
   */
  readonly deadline?: string;
  /** Epoch seconds after which the run is purged (filtered on read before that). */
  readonly expiresAt: number;
}
