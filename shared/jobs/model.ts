/**
 * The domain model: jobs (the source of truth) and runs (one per slot). Plain data, no I/O.
 */
import type { JobCatchup } from '../health/fields.ts';
import type { JobKind } from '../kinds/registry.ts';
import type { ScheduleType } from '../schedule/index.ts';

/** Job kinds are listed once, in the kind registry. */
export type { JobKind } from '../kinds/registry.ts';

export type OverlapPolicy = 'skip' | 'allow';

/** The normalized schedule as stored on the job and returned by the API. */
export interface JobSchedule {
  readonly input: string;
  readonly expression: string;
  readonly timezone: string;
  readonly description: string;
  readonly type: ScheduleType;
}

/** One-time jobs: `scheduled` until they fire; `executed` after a successful run; `cancelled` if removed first. */
export type OneTimeState = 'scheduled' | 'executed' | 'cancelled';

/**
 * The job's latest run and until when it may still be running: its lease. Every run records itself here
 * when it starts (the job's run state, JobStore.acquireLease); under overlap `skip` only a free lease can
 * be taken, which is what keeps a second run from starting. Readers use it to find the job's last run.
 */
export interface RunLease {
  readonly runId: string;
  readonly slot: string;
  /** ISO instant; after it the lease is stale (the function's timeout has passed). */
  readonly expiresAt: string;
}

/**
 * The jobs a job's runs lead to (`then`): each named job is started as a run with trigger `chain` when
 * one of this job's runs ends `succeeded` (`onSuccess`) or `failed` for good (`onFailure`).
 */
export interface JobChains {
  readonly onSuccess?: readonly string[];
  readonly onFailure?: readonly string[];
}

export interface Job {
  readonly name: string;
  readonly kind: JobKind;
  readonly schedule: JobSchedule;
  readonly enabled: boolean;
  readonly description?: string;
  /** Kind-specific, validated by the kind's schema. Holds secret *names* only, never values. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly overlap: OverlapPolicy;
  readonly flexibleWindowMinutes?: number;
  /** ISO instants bounding the schedule. */
  readonly startDate?: string;
  readonly endDate?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly runImmediately: boolean;
  /** The StartDate sent to Scheduler for rate schedules (anchor of the sequence). */
  readonly scheduleStartDate?: string;
  readonly oneTimeState?: OneTimeState;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Optimistic concurrency: every write is conditional on the version it read. */
  readonly version: number;
  /** Epoch seconds after which a finished one-time job is purged (filtered on read before that). */
  readonly expiresAt?: number;
  /** Jobs to run when a run of this one ends (shared/jobs/chains.ts checks them, shared/runs/chain.ts starts them). */
  readonly then?: JobChains;
  /** Fan-out: each run asks this source for contexts and runs one child per context (shared/runs/fan-out.ts). */
  readonly expand?: JobExpand;
  /** Why the job is paused, as the operator who paused it said (POST /jobs/{name}/pause); cleared on resume. */
  readonly pauseNote?: string;
  /**
   * Where the job is defined when it is deployed as code (e.g. `stack Tickwork-dev-Service`, or
   * `tickwork local (tickwork.jobs.yaml)`): only a writer with that source may change or delete it
   * (shared/jobs/managed.ts); anyone may still pause, resume, run and cancel it. Absent: an operator's job.
   */
  readonly managedBy?: string;
  /** Where the job's health changes are sent besides the stack's topic (shared/alerts/). */
  readonly alerts?: JobAlerts;
  /**
   * Health settings as the user gave them (shared/health/settings.ts fills in the defaults): a delivery
   * later than the starting deadline after its slot is recorded `missed`, not run; a slot with no run by
   * slot + grace makes the job `late`; what to run of missed slots (catch-up); how many consecutive
   * failures make it `failing` and successes make it `ok` again.
   */
  readonly startingDeadlineSeconds?: number;
  readonly graceSeconds?: number;
  readonly catchup?: JobCatchup;
  readonly failureThreshold?: number;
  readonly recoveryThreshold?: number;
}

/** A job's alert webhook (shared/alerts/field.ts checks it). */
export interface JobAlerts {
  /** Each health change is POSTed here, signed (through the outbound guard). */
  readonly url: string;
  /** The NAME of the secret the signature is keyed with. */
  readonly signingSecret: string;
  /** While the job stays unhealthy, the change is sent again every this many minutes. */
  readonly reAlertMinutes?: number;
}

/**
 * Where a fan-out's contexts come from (exactly one of `url` and `functionArn`) and its bounds, stored
 * with the defaults applied (shared/runs/fan-out-spec.ts).
 */
export interface JobExpand {
  /** `GET url` answers `{"contexts": [...]}` (through the outbound guard). */
  readonly url?: string;
  /** The function, invoked synchronously with the run, answers `{"contexts": [...]}`. */
  readonly functionArn?: string;
  readonly maxChildren: number;
  /** Children running at once. */
  readonly concurrency: number;
}

/**
 * `retrying` is not final: an attempt failed and Lambda will retry it (see Run.nextAttemptAt).
 * `waiting` is not final either: a fan-out parent whose children are still running (Run.children).
 */
export const RUN_STATUSES = [
  'pending',
  'running',
  'retrying',
  'waiting',
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
  'timed_out',
  /** A scheduled slot that did not run by its starting deadline (no delivery, or one too late). */
  'missed',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINAL_RUN_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
  'timed_out',
  'missed',
];

/**
 * What started a run: its schedule, an operator (`manual`), a parent run fanning out per context
 * (`fan-out`: a child run), the end of another job's run (`chain`), or an operator's backfill of past
 * slots (`backfill`, shared/runs/backfill.ts), or the catch-up of slots recorded missed (`catch-up`,
 * shared/health/catch-up.ts). Every trigger but `schedule`
 * creates the run `pending` first and invokes the kind's function with its run id.
 */
export const RUN_TRIGGERS = ['schedule', 'manual', 'fan-out', 'chain', 'backfill', 'catch-up'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** The run whose end started a chained run (`Run.upstream`). */
export interface UpstreamRun {
  readonly job: string;
  readonly runId: string;
  readonly status: RunStatus;
  /** Left out when larger than a chained run may carry (shared/runs/chain.ts, MAX_UPSTREAM_RESULT_BYTES). */
  readonly result?: Readonly<Record<string, unknown>>;
  /** The upstream's result was too large to carry; read it with GET /runs/{runId}. */
  readonly resultOmitted?: boolean;
  /** How many chained runs led to this one: 1 when the upstream run was not chained itself. */
  readonly depth?: number;
}

/** A backfill run's backfill: which one, the range it covers, and how many of its runs go at once. */
export interface RunBackfill {
  readonly id: string;
  /** ISO instants: the backfill runs the job's slots in `[from, to)`. */
  readonly from: string;
  readonly to: string;
  /** Runs at once: each run starts the slot `lanes` slots after its own when it ends. */
  readonly lanes: number;
}

/** The context a child run of a fan-out works on: `key` names it among its siblings. */
export interface FanOutContext {
  readonly key: string;
  readonly [field: string]: unknown;
}

/** The final statuses a fan-out parent counts its children in. */
export type ChildStatus = 'succeeded' | 'failed' | 'cancelled' | 'skipped' | 'timed_out';

/** A fan-out parent's children: how many it created, and how many ended in each final status. */
export type ChildCounts = { readonly total: number } & { readonly [S in ChildStatus]: number };

export interface RunError {
  readonly type: string;
  readonly message: string;
}

export interface Run {
  /** Sortable by time (ULID); unique across jobs. */
  readonly runId: string;
  readonly job: string;
  /** The slot key within the job: the scheduled time for scheduled runs. */
  readonly slot: string;
  readonly trigger: RunTrigger;
  readonly status: RunStatus;
  /** ISO instant the run was due. */
  readonly scheduledFor: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly attempt: number;
  readonly executionId?: string;
  readonly error?: RunError;
  /** Kind-specific summary of what the run did. */
  readonly result?: Readonly<Record<string, unknown>>;
  /** A manual run's parameters, validated against the kind's schema when the run was requested. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** A child run of a fan-out: the parent run's id. */
  readonly parentRunId?: string;
  /** A child run of a fan-out: the context it works on. */
  readonly context?: FanOutContext;
  /** A chained run: the run whose end started it. */
  readonly upstream?: UpstreamRun;
  /** A backfill run: the backfill it belongs to. */
  readonly backfill?: RunBackfill;
  /** A fan-out parent: its children's counts by final status (the parent ends when they reach `total`). */
  readonly children?: ChildCounts;
  /**
   * A fan-out parent's bookkeeping: the indexes of the children already counted (so a child's count is
   * added once whatever retries), and when the last one was (a reader recounts a parent that stalls).
   */
  readonly countedChildren?: Readonly<Record<string, boolean>>;
  readonly lastChildAt?: string;
  /** A fan-out child: its position among its siblings, and the slot of the child it starts when it ends. */
  readonly childIndex?: number;
  readonly nextChildSlot?: string;
  /**
   * `retrying` runs: when the next attempt is expected (Lambda retries a failed asynchronous invocation
   * after about one, then two minutes). An estimate: Lambda may deliver it later under throttling.
   */
  readonly nextAttemptAt?: string;
  readonly duplicatesSuppressed: number;
  /** Why a run was skipped or timed out. */
  readonly reason?: string;
  readonly cancelRequested?: boolean;
  /**
   * Ended by a reader, not by its own attempt (shared/runs/settle.ts: an attempt that never came back, a
   * retry or an invocation that never came): no lifecycle counted it, so the sweeper counts it on the
   * job's health when it looks at the slot (shared/health/sweep.ts).
   */
  readonly settled?: boolean;
  /**
   * ISO instant by which the running attempt must end (its start plus the function's timeout).
   * A `running` record past it belongs to an attempt Lambda has stopped: readers record it `timed_out`.
   */
  readonly deadline?: string;
  /** Epoch seconds after which the run is purged (filtered on read before that). */
  readonly expiresAt: number;
}
