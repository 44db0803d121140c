/**
 * What the emulator reports: one entry per fire attempt (schedule, scheduled time, lag, outcome,
 * duration) and one per notable event (missed slots, dead letters, deletions after completion).
 * The logger is a dependency; the default prints one JSON object per line on stdout.
 */

export type FireOutcome =
  /** The invoker accepted the event. */
  | 'succeeded'
  /** The attempt failed and another is scheduled. */
  | 'retrying'
  /** The last allowed attempt failed; the event went to the dead-letter store. */
  | 'dead-lettered'
  /** The last allowed attempt failed and the schedule has no DeadLetterConfig: the event is dropped. */
  | 'dropped'
  /** The attempt failed after its schedule was deleted: no retry and no dead letter, as in the service. */
  | 'cancelled';

export type SchedulerLogEntry =
  | {
      readonly event: 'fire';
      /** `group/name`. */
      readonly schedule: string;
      /** ISO UTC of the slot. */
      readonly scheduledTime: string;
      readonly attempt: number;
      readonly executionId: string;
      /** Start of this attempt minus the scheduled time (includes any flexible-window delay and retry backoff). */
      readonly lagMs: number;
      readonly durationMs: number;
      readonly outcome: FireOutcome;
      readonly error?: string;
      /** When the next attempt is due (outcome `retrying`). */
      readonly retryAt?: string;
    }
  | {
      readonly event: 'missed';
      readonly schedule: string;
      /** Slots that passed while the emulator was not running (at least this many when `truncated`). */
      readonly count: number;
      readonly truncated: boolean;
      readonly first: string;
      readonly last: string;
    }
  | { readonly event: 'deleted-after-completion'; readonly schedule: string }
  /** A schedule was deleted with retries pending: they will not run. */
  | { readonly event: 'retries-cancelled'; readonly schedule: string; readonly count: number }
  /** At start-up, a persisted retry was armed again. */
  | {
      readonly event: 'retry-restored';
      readonly schedule: string;
      readonly scheduledTime: string;
      /** The attempt number that will run. */
      readonly attempt: number;
      /** ISO UTC: its due time, or the start-up time when that passed while the emulator was down. */
      readonly retryAt: string;
    }
  /** At start-up, a persisted retry's event age (or attempts) had run out while the emulator was down. */
  | {
      readonly event: 'retry-expired';
      readonly schedule: string;
      readonly scheduledTime: string;
      /** Attempts made before the stop. */
      readonly attempts: number;
      readonly outcome: 'dead-lettered' | 'dropped';
      /** The error of the last attempt. */
      readonly error: string;
    }
  | {
      readonly event: 'started';
      readonly endpoint: string;
      readonly schedules: number;
      readonly groups: number;
    }
  | {
      readonly event: 'stopped';
      readonly abandonedInvocations: number;
      /**
       * Retries left pending, persisted for the next start (always set by the emulator; optional
       * only so entries written before it existed still type-check).
       */
      readonly pendingRetries?: number;
    }
  | { readonly event: 'error'; readonly message: string; readonly schedule?: string };

export type SchedulerLogger = (entry: SchedulerLogEntry) => void;

export const stdoutSchedulerLogger: SchedulerLogger = (entry) => {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), component: 'scheduler', ...entry })}\n`,
  );
};
