/**
 * When an alert record is looked at again: a failed send is retried with a backoff, an unhealthy job
 * with `reAlertMinutes` is reminded of, and nothing is owed otherwise. Pure, no I/O.
 */
import type { HealthChange, JobHealth } from '../health/model.ts';

/**
 * How long a claimed send may take before the reminder pass takes it over: two POSTs of at most
 * ALERT_SEND_TIMEOUT_MS each, with room to spare, and well under the sweeper's minute twice.
 */
export const CLAIM_MS = 2 * 60_000;
/** A webhook that has not answered in this long has failed (it is retried). */
export const ALERT_SEND_TIMEOUT_MS = 10_000;
/**
 * Failed attempts of one message before it is given up (logged as an error): with the backoff below,
 * about five hours of trying. A receiver down longer than that learns the state from the next change.
 */
export const MAX_SEND_ATTEMPTS = 10;
const MAX_RETRY_DELAY_MS = 60 * 60_000;

/**
 * Healths that are reminded of: the problems. `ok` is the end of one; `paused` is an operator's choice,
 * which needs no reminding.
 */
const REMINDED: ReadonlySet<JobHealth> = new Set(['late', 'missed', 'failing']);

/** After the `failures`-th failed attempt: 1, 2, 4, ... minutes, at most an hour. */
export function retryAt(now: Date, failures: number): Date {
  const delay = Math.min(60_000 * 2 ** Math.max(0, failures - 1), MAX_RETRY_DELAY_MS);
  return new Date(now.getTime() + delay);
}

/** The next reminder of `change` after a send at `sentAt`, or undefined when none is owed. */
export function nextReminderAt(
  change: HealthChange,
  reAlertMinutes: number | undefined,
  sentAt: Date,
): Date | undefined {
  if (reAlertMinutes === undefined || !REMINDED.has(change.health)) return undefined;
  return new Date(sentAt.getTime() + reAlertMinutes * 60_000);
}
