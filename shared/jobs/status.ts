/**
 * The status view (`GET /status`): per job its next run (from the schedule engine, not Scheduler),
 * whether it is executing, its last run and a health verdict; totals over the returned page.
 *
 * A page costs three requests whatever the number of jobs and of runs per job: the Query of the jobs,
 * one BatchGetItem of their run states (each names the job's latest run: its lease), and one of those
 * runs. A job stored before run states existed has none until it runs again; its latest run is found
 * by a Query of its own (the only per-job request, and only for such jobs).
 *
 * Totals count the jobs of the page, not all jobs. A client that wants totals over every job pages
 * through (limit 100) and adds them up.
 */
import type { JobHealth } from '../health/model.ts';
import { type SettleDeps, settleRuns } from '../runs/settle.ts';
import type { Job, JobKind, Run, RunError, RunStatus } from './model.ts';
import type { JobRunState, JobStore, RunKey } from './ports.ts';
import { nextRuns } from './view.ts';

export type { JobHealth } from '../health/model.ts';

export interface JobStatus {
  readonly name: string;
  readonly kind: JobKind;
  readonly enabled: boolean;
  readonly schedule: {
    readonly input: string;
    readonly expression: string;
    readonly timezone: string;
    readonly description: string;
  };
  readonly nextRun: string | null;
  readonly isExecuting: boolean;
  readonly lastRun: {
    readonly runId: string;
    readonly status: RunStatus;
    readonly startedAt: string | null;
    readonly finishedAt: string | null;
    readonly error: RunError | null;
  } | null;
  /** As recorded by the health tracker (shared/health/tracker.ts), not guessed on read. */
  readonly health: JobHealth;
  /** Why the health last changed (e.g. the slot that had no run), when it was recorded. */
  readonly healthReason?: string;
  /** Why the job is paused, when whoever paused it said so. */
  readonly pauseNote?: string;
  /** One-time jobs only. */
  readonly state?: string;
}

export interface StatusReport {
  readonly jobs: JobStatus[];
  /** Over the jobs of this page. */
  readonly totals: {
    readonly jobs: number;
    readonly enabled: number;
    readonly paused: number;
    readonly executing: number;
    readonly failing: number;
    readonly late: number;
    readonly missed: number;
  };
  readonly generatedAt: string;
  readonly nextCursor?: string;
}

export interface StatusDeps extends SettleDeps {
  readonly jobs: JobStore;
}

export async function getStatus(
  deps: StatusDeps,
  query: { readonly limit: number; readonly cursor?: string },
): Promise<StatusReport> {
  const now = deps.clock.now();
  const page = await deps.jobs.list({ limit: query.limit, cursor: query.cursor });
  const { latest, states } = await latestRuns(deps, page.items);
  const jobs = page.items.map((job) => {
    const lastRun = latest.get(job.name);
    // Executing: its latest run is running (within its deadline: settled runs past it are not).
    return jobStatus(job, lastRun, lastRun?.status === 'running', now, states.get(job.name));
  });
  const count = (predicate: (status: JobStatus) => boolean) => jobs.filter(predicate).length;
  return {
    jobs,
    totals: {
      jobs: jobs.length,
      enabled: count((status) => status.enabled),
      paused: count((status) => !status.enabled),
      executing: count((status) => status.isExecuting),
      failing: count((status) => status.health === 'failing'),
      late: count((status) => status.health === 'late'),
      missed: count((status) => status.health === 'missed'),
    },
    generatedAt: now.toISOString(),
    nextCursor: page.nextCursor,
  };
}

/** Each job's latest run, settled: by its run state's lease, in two batches; and the run states read. */
async function latestRuns(
  deps: StatusDeps,
  jobs: readonly Job[],
): Promise<{ latest: Map<string, Run>; states: ReadonlyMap<string, JobRunState> }> {
  const states = await deps.jobs.runStates(jobs.map((job) => job.name));
  const leased: RunKey[] = [];
  const stateless: string[] = [];
  for (const job of jobs) {
    const state = states.get(job.name);
    if (state === undefined) stateless.push(job.name);
    else if (state.lease !== undefined) leased.push({ job: job.name, slot: state.lease.slot });
  }
  const [found, legacy] = await Promise.all([
    deps.runs.getMany(leased),
    Promise.all(stateless.map(async (name) => (await deps.runs.list({ job: name, limit: 1 })).items[0])),
  ]);
  const runs = [...found, ...legacy.filter((run): run is Run => run !== undefined)];
  const latest = new Map<string, Run>();
  for (const run of await settleRuns(deps, runs)) latest.set(run.job, run);
  return { latest, states };
}

/** One job's line of the status view. Pure: exported for unit tests. */
export function jobStatus(
  job: Job,
  lastRun: Run | undefined,
  isExecuting: boolean,
  now: Date,
  state?: JobRunState,
): JobStatus {
  const next = nextRuns(job, now, 1)[0];
  return {
    name: job.name,
    kind: job.kind,
    enabled: job.enabled,
    schedule: {
      input: job.schedule.input,
      expression: job.schedule.expression,
      timezone: job.schedule.timezone,
      description: job.schedule.description,
    },
    nextRun: next === undefined ? null : next.toISOString(),
    isExecuting,
    lastRun:
      lastRun === undefined
        ? null
        : {
            runId: lastRun.runId,
            status: lastRun.status,
            startedAt: lastRun.startedAt ?? null,
            finishedAt: lastRun.finishedAt ?? null,
            error: lastRun.error ?? null,
          },
    health: healthOf(job, state),
    healthReason: job.enabled ? state?.healthReason : undefined,
    pauseNote: job.pauseNote,
    state: job.schedule.type === 'at' ? (job.oneTimeState ?? 'scheduled') : undefined,
  };
}

/**
 * The recorded health: `paused` while the job is disabled (whatever was recorded before the pause), else
 * what the tracker recorded; `ok` for a job with none recorded (new, or stored before health was).
 */
export function healthOf(job: Job, state: JobRunState | undefined): JobHealth {
  if (!job.enabled) return 'paused';
  return state?.health === undefined || state.health === 'paused' ? 'ok' : state.health;
}
