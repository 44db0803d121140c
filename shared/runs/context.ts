/**
 * What a job kind's work receives for one run: the job and its config parsed once, the run and the
 * parameters of a manual trigger, the time left, a signal that fires on cancel and shortly before the
 * deadline, a logger that already carries the job and run id, and the capabilities the kind declared.
 */
import type { Clock } from '../clock.ts';
import type { Job, Run } from '../jobs/model.ts';
import type { Logger } from '../logger.ts';

/** What the run lifecycle provides to every kind, whatever its config. */
export interface BaseRunContext {
  readonly job: Job;
  readonly run: Run;
  /** Carries `job`, `runId` and `attempt` on every line. */
  readonly log: Logger;
  /** What time it is, and waits that end when the run must stop (pass `signal` to `sleep`). */
  readonly clock: Clock;
  /**
   * Aborted when the run is cancelled or its deadline is near; its `reason` is a RunCancelledError or a
   * DeadlineReachedError. Pass it to every request the work makes.
   */
  readonly signal: AbortSignal;
  /** Milliseconds until the function is stopped (Lambda's `getRemainingTimeInMillis`). */
  remainingTimeMs(): number;
  /**
   * Throws the signal's reason if the run must stop; otherwise reads the run's cancel flag (unless it was
   * read just now). Call between steps.
   */
  checkpoint(): Promise<void>;
  /**
   * Call right before the side effect that cannot be taken back, naming it (e.g. 'the webhook
   * delivery'). Reads the cancel flag fresh, always (one read), and throws if the run must stop, so a
   * cancel accepted before this point stops the effect. A cancel that comes after it is recorded as
   * too late for the effect: the run ends with its real outcome and says so.
   */
  pointOfNoReturn(effect: string): Promise<void>;
}

/** The full context of a kind: the base plus its parsed config, run parameters and capabilities. */
export interface RunContext<Config, Params, Caps> extends BaseRunContext {
  readonly config: Config;
  /** A manual run's parameters, validated against the kind's schema; `{}` for a scheduled run. */
  readonly params: Params;
  readonly capabilities: Caps;
}

/** A kind's work result: a short summary stored as the run's `result`. */
export type RunResult = Readonly<Record<string, unknown>>;
