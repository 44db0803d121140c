/**
 * The health tracker's port: a job's recorded health and counters, and its entry in the index of next
 * expected slots (the sweeper's work list). Both live on the job's run state item (`<name>#run`), so
 * creating, changing and deleting a job keeps them with the job (shared/adapters/dynamodb/health-store.ts).
 */
import type { JobIdentity } from '../jobs/ports.ts';
import type { JobHealth } from './model.ts';
import type { HealthCounters, RunVerdict } from './transitions.ts';

/**
 * What the sweeper looks at next for a job: `late` at slot + grace, then `missed` at slot + starting
 * deadline; `open` when the slot's run was still open at its look, once the run must have ended (its
 * deadline, or its retry's grace). `dueAt` orders the index: a sweep reads only the entries due by now.
 */
export interface DueSlot {
  readonly slot: string;
  readonly stage: DueStage;
  readonly dueAt: string;
}

export type DueStage = 'late' | 'missed' | 'open';

export interface DueEntry extends DueSlot {
  readonly job: string;
  readonly jobCreatedAt: string;
}

export interface HealthStore {
  /**
   * Counts a run's end on the job's counters (a success resets the failures, a failure the successes)
   * and answers them with the health as recorded; undefined when that end (`end`: the run and its
   * attempt) was the last one counted (a repeated delivery of it) or the job has no state (deleted, or
   * created again since).
   */
  countRun(job: JobIdentity, end: string, verdict: RunVerdict): Promise<HealthCounters | undefined>;
  /**
   * Records health `to` (with its reason and time) only while the recorded health is `from` (a state
   * without a recorded health reads as `ok`). True when this write changed it: only that writer alerts.
   * A change to a troubled health resets the successes (recovery counts from there).
   */
  changeHealth(job: JobIdentity, from: JobHealth, to: JobHealth, reason: string, at: Date): Promise<boolean>;
  /** The recorded health and counters, or undefined when the job has no state. */
  health(job: JobIdentity): Promise<HealthCounters | undefined>;
  /** Index entries due by `now`, earliest first, at most `limit` (a Query of the sparse index). */
  due(now: Date, limit: number): Promise<DueEntry[]>;
  /**
   * Moves job `entry.job`'s index entry from `entry` (its slot and stage) to `next`, or out of the index
   * when `next` is undefined; only while the entry is still `entry` (a job write or another sweep may
   * have moved it). True when this write moved it.
   */
  moveDue(entry: DueEntry, next: DueSlot | undefined): Promise<boolean>;
  /**
   * Puts the job in the due index at `due` when its run state has no entry (a job stored before the
   * index existed; shared/health/fill.ts), creating the state, unconfirmed, when the job has none (stored
   * before run states). Never over an entry a job write or a sweep placed. True when this write placed it.
   */
  watchIfUnwatched(job: JobIdentity, due: DueSlot): Promise<boolean>;
  /** How far the one-time fill of the due index got on this table; undefined before it started. */
  dueIndexFill(): Promise<DueIndexFillState | undefined>;
  /** Records how far it got (idempotent: a later record replaces it). */
  recordDueIndexFill(state: DueIndexFillState): Promise<void>;
}

/** The fill's progress: the job list's cursor after the last page done, or when it completed. */
export type DueIndexFillState =
  | { readonly cursor: string; readonly filledAt?: undefined }
  | { readonly filledAt: string; readonly cursor?: undefined };
