/**
 * Reconcile: compares every job's desired schedule with what the schedule group holds and, unless
 * it is a dry run, repairs the drift. The job records are the source of truth: a missing or
 * differing schedule is put (a full replace), a stray one (no job wants it) is deleted. Reconcile writes
 * schedules only, never a job record: a managed job's schedule is repaired from its record like any other's,
 * and its definition stays its source's (shared/jobs/managed.ts); the report lists which jobs those are.
 */
import type { Clock } from '../clock.ts';
import type { Job } from './model.ts';
import type { JobStore, SchedulePort, ScheduleSpec } from './ports.ts';
import { desiredSchedule, type ScheduleDeployment, scheduleDifferences } from './schedule-spec.ts';

export interface ReconcileDeps {
  readonly jobs: JobStore;
  readonly schedules: SchedulePort;
  readonly clock: Clock;
  readonly deployment: ScheduleDeployment;
}

export interface ReconcileReport {
  readonly dryRun: boolean;
  /** Jobs examined. */
  readonly jobs: number;
  /** Jobs examined that a source manages (a stack, a jobs file), with that source: change them there. */
  readonly managed: { readonly name: string; readonly managedBy: string }[];
  /** Schedules found in the group. */
  readonly schedules: number;
  /** Jobs that should have a schedule and have none. */
  readonly missing: string[];
  /** Schedules no job wants (no job of that name, or a one-time job that is over). */
  readonly stray: string[];
  /** Schedules that differ from their job's, with the fields that differ. */
  readonly differing: { readonly name: string; readonly fields: string[] }[];
  /** Names repaired (empty on a dry run). */
  readonly repaired: string[];
  /** Repairs that failed; a later reconcile tries again. */
  readonly errors: { readonly name: string; readonly message: string }[];
}

const PAGE = 100;

export async function reconcile(
  deps: ReconcileDeps,
  options: { readonly dryRun: boolean },
): Promise<ReconcileReport> {
  const actual = new Map<string, ScheduleSpec>();
  for await (const spec of deps.schedules.list()) actual.set(spec.name, spec);

  const desired = new Map<string, ScheduleSpec>();
  let jobCount = 0;
  const managed: { name: string; managedBy: string }[] = [];
  for await (const job of allJobs(deps.jobs)) {
    jobCount += 1;
    if (job.managedBy !== undefined) managed.push({ name: job.name, managedBy: job.managedBy });
    const spec = desiredSchedule(job, deps.deployment, deps.clock.now());
    if (spec !== undefined) desired.set(job.name, spec);
  }

  const missing: string[] = [];
  const differing: { name: string; fields: string[] }[] = [];
  for (const [name, spec] of desired) {
    const current = actual.get(name);
    if (current === undefined) {
      missing.push(name);
      continue;
    }
    const fields = scheduleDifferences(spec, current, deps.clock.now());
    if (fields.length > 0) differing.push({ name, fields });
  }
  const stray = [...actual.keys()].filter((name) => !desired.has(name));

  const repaired: string[] = [];
  const errors: { name: string; message: string }[] = [];
  if (!options.dryRun) {
    const repair = async (name: string) => {
      try {
        // Read the job again: it may have been created, changed or deleted since the listing.
        const job = await deps.jobs.get(name);
        const spec = job === undefined ? undefined : desiredSchedule(job, deps.deployment, deps.clock.now());
        if (spec === undefined) await deps.schedules.delete(name);
        else await deps.schedules.put(spec);
        repaired.push(name);
      } catch (error) {
        errors.push({ name, message: error instanceof Error ? error.message : String(error) });
      }
    };
    // One at a time: reconcile is a repair tool and must not add to Scheduler throttling.
    for (const name of [...missing, ...differing.map((entry) => entry.name), ...stray]) await repair(name);
  }

  return {
    dryRun: options.dryRun,
    jobs: jobCount,
    managed: managed.sort((a, b) => a.name.localeCompare(b.name)),
    schedules: actual.size,
    missing: missing.sort(),
    stray: stray.sort(),
    differing: differing.sort((a, b) => a.name.localeCompare(b.name)),
    repaired: repaired.sort(),
    errors,
  };
}

async function* allJobs(jobs: JobStore): AsyncIterable<Job> {
  let cursor: string | undefined;
  do {
    const page = await jobs.list({ limit: PAGE, cursor });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}
