/**
 * Managed jobs: jobs deployed as code (by a stack's custom resource, or by `tickwork local` applying a jobs
 * file at start) carry their source in `Job.managedBy`. The definition lives in that source, so a write
 * from anywhere else (the API, the CLI, `tickwork apply`) would be undone by the next deploy, or would undo
 * it: such writes are refused, naming the source. Pausing, resuming, running and cancelling are operations
 * on the job's runs and its enablement, not its definition, and stay open to operators.
 */
import { JobManagedError } from '../errors.ts';
import type { Job } from './model.ts';

/** Who writes a job's definition. */
export interface WriteOptions {
  /**
   * Where the written definition comes from when it is code, e.g. `stack Tickwork-dev-Service` or
   * `tickwork local (tickwork.jobs.yaml)`: the job is marked managed by it, and a job managed by another
   * source is refused. Absent: an operator's write (the API, the CLI, `tickwork apply`), which may not
   * change a managed job and leaves the jobs it writes unmanaged.
   * @default - an operator's write
   */
  readonly source?: string;
}

/** Refuses (JobManagedError) a write of `job`'s definition by anyone but the source that manages it. */
export function assertMayWrite(job: Job, options: WriteOptions, verb: string): void {
  if (job.managedBy !== undefined && job.managedBy !== options.source) {
    throw new JobManagedError(job.name, job.managedBy, verb);
  }
}

/** `job` marked as written by `options.source` (unmanaged when the writer is an operator). */
export function withSource(job: Job, options: WriteOptions): Job {
  const { managedBy: _previous, ...rest } = job;
  return options.source === undefined ? rest : { ...rest, managedBy: options.source };
}
