/**
 * A job's health and its changes: the contract between the health tracker (which observes runs and
 * missed slots, records the job's health and decides when it changed) and the alerts (which tell
 * people about a change). Plain data, no I/O.
 */
import type { Job } from '../jobs/model.ts';

/**
 * `ok`; `late`: a slot has no run by slot + grace; `missed`: a slot had no run by slot + starting
 * deadline (a `missed` run was recorded); `failing`: `failureThreshold` consecutive runs failed;
 * `paused`: the job is disabled.
 */
export const JOB_HEALTHS = ['ok', 'late', 'missed', 'failing', 'paused'] as const;
export type JobHealth = (typeof JOB_HEALTHS)[number];

/** One change of one job's health: the body of an alert (webhook JSON, SNS message). */
export interface HealthChange {
  readonly job: string;
  readonly health: JobHealth;
  readonly previous: JobHealth;
  /** ISO instant the change was recorded. */
  readonly at: string;
  /** Why, in words (e.g. `slot 2026-11-29T10:00:00.000Z has no run 60 s after it`). */
  readonly reason: string;
}

/**
 * Where recorded health changes go. The tracker calls `changed` once per change it recorded: only the
 * writer whose conditional write of the job's new health succeeded calls it, so two observers of the
 * same change (a sweep and a run ending at once) alert once.
 */
export interface HealthAlerts {
  changed(job: Job, change: HealthChange): Promise<void>;
}
