/**
 * A run's deadline: Lambda stops the function at its timeout, so the run's signal fires a margin
 * before it, leaving the lifecycle time to record the outcome (one conditional write, tens of ms).
 */

/** Thrown into the work (through its signal) when the function's timeout is near. */
export class DeadlineReachedError extends Error {
  constructor(readonly remainingMs: number) {
    super(
      `the run stopped ${Math.round(remainingMs / 1000)} s before the function's timeout to record its outcome`,
    );
    this.name = 'DeadlineReachedError';
  }
}

/** 10% of the timeout, at least 1 s and at most 5 s: enough for the outcome write, little lost work. */
export function deadlineMarginMs(timeoutSeconds: number): number {
  return Math.min(5_000, Math.max(1_000, timeoutSeconds * 100));
}

/** The longest a single step (e.g. one HTTP request) of a kind may take within its function's timeout. */
export function maxStepSeconds(timeoutSeconds: number): number {
  return Math.floor(timeoutSeconds - deadlineMarginMs(timeoutSeconds) / 1000);
}
