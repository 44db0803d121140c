/**
 * Reconcile: compares every job's desired schedule with what its kind's schedule group holds and,
 * unless it is a dry run, repairs the drift. The job records are the source of truth: a missing or
 * differing schedule is put (a full replace), a stray one (no job wants it) is deleted. Reconcile writes
 * schedules only, never a job record: a managed job's schedule is repaired from its record like any other's,
 * and its definition stays its source's (shared/jobs/managed.ts); the report lists which jobs those are.
 *
 * It also moves a deployment to one schedule group per kind: schedules still in the old single group
 * (`legacy`) are deleted there once their job's schedule is in its kind's group (created as `missing` in
 * the same pass, before any delete), so a job never goes without a schedule, and fires from both groups
 * for no longer than that pass. A legacy schedule whose job's repair failed is left where it is.
 */
import type { Clock } from '../clock.ts';
import type { Job } from './model.ts';
import type { JobStore, SchedulePort, ScheduleRef, ScheduleSpec } from './ports.ts';
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
  /** Schedules found in the kinds' groups. */
  readonly schedules: number;
  /** Jobs that should have a schedule and have none. */
  readonly missing: string[];
  /** Schedules no job wants (no job of that name, or a one-time job that is over). */
  readonly stray: string[];
  /** Schedules that differ from their job's, with the fields that differ. */
  readonly differing: { readonly name: string; readonly fields: string[] }[];
  /**
   * Schedules found in the deployment's old single group (before one group per kind): moved to their
   * kinds' groups, or deleted when no job wants them.
   */
  readonly legacy: string[];
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
  // Keyed by kind and name: a name may be in two kinds' groups (a job deleted and created again as
  // another kind while a delete failed), and only the one in the job's kind's group is its schedule.
  const keyOf = (ref: ScheduleRef) => `${ref.kind}/${ref.name}`;
  const actual = new Map<string, ScheduleSpec>();
  for await (const spec of deps.schedules.list()) actual.set(keyOf(spec), spec);
  const legacy: string[] = [];
  for await (const name of deps.schedules.listLegacy()) legacy.push(name);

  const desired = new Map<string, ScheduleSpec>();
  let jobCount = 0;
  const managed: { name: string; managedBy: string }[] = [];
  for await (const job of allJobs(deps.jobs)) {
    jobCount += 1;
    if (job.managedBy !== undefined) managed.push({ name: job.name, managedBy: job.managedBy });
    const spec = desiredSchedule(job, deps.deployment, deps.clock.now());
    if (spec !== undefined) desired.set(keyOf(spec), spec);
  }

  const missing: ScheduleRef[] = [];
  const differing: { ref: ScheduleRef; fields: string[] }[] = [];
  for (const [key, spec] of desired) {
    const current = actual.get(key);
    if (current === undefined) {
      missing.push(spec);
      continue;
    }
    const fields = scheduleDifferences(spec, current, deps.clock.now());
    if (fields.length > 0) differing.push({ ref: spec, fields });
  }
  const stray = [...actual].filter(([key]) => !desired.has(key)).map(([, spec]) => spec);

  const repaired = new Set<string>();
  const failed = new Set<string>();
  const errors: { name: string; message: string }[] = [];
  const attempt = async (name: string, work: () => Promise<void>) => {
    try {
      await work();
      repaired.add(name);
    } catch (error) {
      failed.add(name);
      errors.push({ name, message: error instanceof Error ? error.message : String(error) });
    }
  };
  if (!options.dryRun) {
    // One at a time: reconcile is a repair tool and must not add to Scheduler throttling.
    for (const ref of [...missing, ...differing.map((entry) => entry.ref), ...stray]) {
      await attempt(ref.name, async () => {
        // Read the job again: it may have been created, changed or deleted since the listing.
        const job = await deps.jobs.get(ref.name);
        const spec =
          job === undefined || job.kind !== ref.kind
            ? undefined
            : desiredSchedule(job, deps.deployment, deps.clock.now());
        if (spec === undefined) await deps.schedules.delete({ name: ref.name, kind: ref.kind });
        else await deps.schedules.put(spec);
      });
    }
    // Last, after every job's schedule is in its kind's group.
    for (const name of legacy) {
      if (!failed.has(name)) await attempt(name, () => deps.schedules.deleteLegacy(name));
    }
  }

  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return {
    dryRun: options.dryRun,
    jobs: jobCount,
    managed: managed.sort(byName),
    schedules: actual.size,
    missing: missing.map((ref) => ref.name).sort(),
    stray: stray.map((ref) => ref.name).sort(),
    differing: differing.map(({ ref, fields }) => ({ name: ref.name, fields })).sort(byName),
    legacy: legacy.sort(),
    repaired: [...repaired].sort(),
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
