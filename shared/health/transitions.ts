/**
 * How a job's health moves, as pure decisions (the tracker records them with conditional writes).
 *
 * - A run's end counts: `failureThreshold` consecutive failures (failed, timed out) make the job
 *   `failing`; `recoveryThreshold` consecutive successes bring a `failing`, `late` or `missed` job back
 *   to `ok`. A success resets the failures and a failure the successes.
 * - A slot seen by the sweeper: no run by slot + grace makes an `ok` job `late`; none by slot + starting
 *   deadline makes an `ok` or `late` job `missed`. A `failing` job stays `failing` (its failures are the
 *   older news and need the recovery successes either way); a `missed` one does not go back to `late`.
 * - `paused` follows the job's `enabled` (written with the job); nothing a run or a sweep sees changes it.
 */
import type { JobHealth } from './model.ts';

export interface HealthCounters {
  readonly health: JobHealth;
  /** Consecutive failed runs, and consecutive successful runs, as last counted. */
  readonly failures: number;
  readonly successes: number;
}

export interface Thresholds {
  readonly failureThreshold: number;
  readonly recoveryThreshold: number;
}

export type RunVerdict = 'success' | 'failure';

/** The health after a run's end was counted (`counters` already include it). */
export function healthAfterRun(counters: HealthCounters, thresholds: Thresholds): JobHealth {
  const { health, failures, successes } = counters;
  if (health === 'paused') return 'paused';
  if (failures >= thresholds.failureThreshold) return 'failing';
  if (health !== 'ok' && successes >= thresholds.recoveryThreshold) return 'ok';
  return health;
}

/** The health after the sweeper saw a slot without a run at its grace (`late`) or its deadline (`missed`). */
export function healthAfterSlot(current: JobHealth, seen: 'late' | 'missed'): JobHealth {
  if (current === 'paused' || current === 'failing' || current === 'missed') return current;
  return seen;
}

/** Whether a health is one an operator should hear about as trouble (a warning), not a recovery. */
export function isTrouble(health: JobHealth): boolean {
  return health === 'late' || health === 'missed' || health === 'failing';
}
