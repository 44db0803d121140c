/**
 * The shapes of a job's health settings (the stored fields and their bounds), apart from the rules
 * that compute defaults (settings.ts), so the job schema can import them without a cycle.
 */

export const CATCHUP_POLICIES = ['skip', 'latest', 'all'] as const;
export type CatchupPolicy = (typeof CATCHUP_POLICIES)[number];

/** The catch-up as stored on a job (what the user gave). */
export interface JobCatchup {
  readonly policy: CatchupPolicy;
  readonly windowSeconds?: number;
  /** `all` only: the most missed slots one catch-up runs. */
  readonly max?: number;
}

/** Bounds of the settings (the sweeper runs once a minute: finer values would mean nothing). */
export const HEALTH_LIMITS = {
  minSeconds: 60,
  /** Scheduler retries a delivery for up to 24 h. */
  maxDeadlineSeconds: 86_400,
  maxWindowSeconds: 7 * 86_400,
  maxCatchupAll: 1_000,
  maxThreshold: 100,
} as const;

/** The most slots a catch-up `all` runs when the job does not say. */
export const DEFAULT_CATCHUP_ALL_MAX = 100;
