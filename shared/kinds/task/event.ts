/**
 * What a task job's target receives for each run: the Lambda function's event, the HTTP target's JSON
 * body, the event bus's event `detail`. One shape for the three, exported for the users who write the
 * target (`import type { TaskEvent } from '<tickwork>/shared/kinds/task/event.ts'`).
 */
import type { RunTrigger, UpstreamRun } from '../../jobs/model.ts';

export interface TaskEvent {
  /** The job's name. */
  readonly job: string;
  /**
   * The run's id: the same on every attempt of one run (Lambda's retries, a repeated delivery), so
   * the target can do its work once per run id and answer a repeat from what it did.
   */
  readonly runId: string;
  /** The slot the run is for (ISO instant): the schedule's time, or when a manual run was asked. */
  readonly scheduledFor: string;
  /** 1 for the first try of the run, 2 and 3 for Lambda's retries. */
  readonly attempt: number;
  /** What started the run: `schedule`, `manual`, `fan-out` (a child of a fan-out) or `chain`. */
  readonly trigger: RunTrigger;
  /** A manual run's parameters as given (`{}` otherwise). */
  readonly params: Readonly<Record<string, unknown>>;
  /**
   * The job's `config.payload`, merged key by key with a fan-out child's context (its `key` and the
   * rest of what the expansion source answered for it), then with a manual run's `params.payload`.
   */
  readonly payload: Readonly<Record<string, unknown>>;
  /** A chained run: the run whose end started it (`{job, runId, status, result?}`). */
  readonly upstream?: UpstreamRun;
}
