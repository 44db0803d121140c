/**
 * Ports owned by the domain. Adapters (DynamoDB, EventBridge Scheduler, Secrets Manager, local files)
 * implement them; use cases take them as arguments. Only single-item conditional writes: the local
 * engines have no transactions.
 */

import type { JobHealth } from '../health/model.ts';
import type {
  ChildStatus,
  Job,
  JobKind,
  JobSchedule,
  Run,
  RunLease,
  RunStatus,
  RunTrigger,
} from './model.ts';

export interface Page<T> {
  readonly items: T[];
  /** Opaque; absent on the last page. */
  readonly nextCursor?: string;
}

export interface JobQuery {
  readonly kind?: JobKind;
  /** Name prefix. */
  readonly name?: string;
  readonly enabled?: boolean;
  /** 1–100. */
  readonly limit: number;
  readonly cursor?: string;
}

export interface JobStore {
  /** Strongly consistent read; expired (purged-but-not-yet-deleted) jobs read as undefined. */
  get(name: string): Promise<Job | undefined>;
  /** Throws JobAlreadyExistsError if a live job has the name. */
  create(job: Job): Promise<void>;
  /**
   * Writes the whole job, conditional on the stored version being `expectedVersion`
   * (or on no live item when `expectedVersion` is undefined). Throws ConcurrentModificationError.
   */
  put(job: Job, expectedVersion: number | undefined): Promise<void>;
  /**
   * Conditional on version; throws ConcurrentModificationError. Missing is a no-op only if expectedVersion
   * is undefined. The job's checkpoints go with it: its single one, and the keyed ones of `checkpointKeys`
   * (which its config names: a store cannot list them without a Scan).
   */
  delete(
    name: string,
    expectedVersion: number | undefined,
    checkpointKeys?: readonly string[],
  ): Promise<void>;
  /** A Query on an index, never a Scan. */
  list(query: JobQuery): Promise<Page<Job>>;
  /**
   * Takes the run lease of job `job` (the one the caller read: the same `createdAt`) for `lease.runId`.
   * With `shared` (overlap `allow`) it is recorded whatever it replaces: the job's latest run. Otherwise
   * only if it is free: no lease, an expired one, or one held by `replaceRunId` (a run the caller knows
   * has finished). The lease lives on the job's run state, a small item of its own, so taking it costs
   * one write of that item whatever the size of the job; only a refused write reads, to say why.
   */
  acquireLease(job: JobIdentity, lease: RunLease, now: Date, options?: LeaseOptions): Promise<LeaseOutcome>;
  /**
   * The run states of jobs `names` in one batch (for a status page): each job's lease, i.e. its latest
   * run. A name missing from the answer has no run state (a job stored before run states existed, or no
   * job): the caller finds its latest run otherwise.
   */
  runStates(names: readonly string[]): Promise<ReadonlyMap<string, JobRunState>>;
  /**
   * Records the outcome of one-time job `job` (as the caller read it): `executed` after its run, or
   * `cancelled` when it is deleted before it fired, with its purge time. It applies only while the
   * stored job is still that definition and still `scheduled`: the same `createdAt` (a job deleted and
   * created again is another job) and the same timing (schedule expression and time zone: a job given a
   * new schedule since has its slot still to come). Returns false, changing nothing, otherwise (or when
   * the job is gone).
   */
  markOneTime(
    job: OneTimeDefinition,
    state: 'executed' | 'cancelled',
    expiresAt: number,
    now: Date,
  ): Promise<boolean>;
}

/**
 * Which job a run belongs to: its name and its creation time. A job deleted and created again under the
 * same name is another job (its `createdAt` is new).
 */
export type JobIdentity = Pick<Job, 'name' | 'createdAt'>;

/** The definition of a one-time job that a mark applies to: the job and the timing of its slot. */
export type OneTimeDefinition = JobIdentity & {
  readonly schedule: Pick<JobSchedule, 'expression' | 'timezone'>;
};

export interface LeaseOptions {
  /** The lease a finished run left that this one may replace. */
  readonly replaceRunId?: string;
  /** Overlap `allow`: record the run whatever lease stands (no exclusion, still only for this job). */
  readonly shared?: boolean;
  /**
   * The version of the job the run holds: its schedule's copy of the definition (JobEvent.definition),
   * not read from the store. The lease is taken only while the run state confirms that version is the
   * stored one, so a run never works from a definition that was changed, paused or deleted since.
   */
  readonly version?: number;
}

/** What the job's run state says: its latest run (`lease`), if any run has started since it was created. */
export interface JobRunState {
  readonly lease?: RunLease;
  /** The job's recorded health (shared/health/tracker.ts) and why it last changed; absent: never recorded. */
  readonly health?: JobHealth;
  readonly healthReason?: string;
}

/** Why a lease was not taken, when it was not. */
export type LeaseRefusal =
  /** A live run holds it (`holder`, as read after the refusal). */
  | { readonly acquired: false; readonly reason: 'held'; readonly holder?: RunLease }
  /** No job has the name any more. */
  | { readonly acquired: false; readonly reason: 'deleted' }
  /** The name belongs to a job created after the one the run read (deleted and created again). */
  | { readonly acquired: false; readonly reason: 'recreated' }
  /**
   * LeaseOptions.version is not the version the run state confirms: the job changed since its schedule
   * was written, or a change is being written now. The run reads the job and tries again.
   */
  | { readonly acquired: false; readonly reason: 'stale' };

export type LeaseOutcome = { readonly acquired: true } | LeaseRefusal;

export interface RunQuery {
  readonly job?: string;
  readonly status?: RunStatus;
  /** Any of these statuses (instead of `status`). */
  readonly statuses?: readonly RunStatus[];
  /** 1–100. */
  readonly limit: number;
  readonly cursor?: string;
}

export type RunKey = Pick<Run, 'job' | 'slot'>;

export type ClaimOutcome = { readonly claimed: true } | { readonly claimed: false; readonly existing: Run };

/** Extra conditions on a run transition, beyond its status. */
export interface TransitionGuard {
  /** The run's attempt must still be this one (two retries of one slot cannot both take it over). */
  readonly attempt?: number;
}

/** The part of a run a running attempt watches (RunLedger.getState). */
export type RunState = Pick<Run, 'status' | 'attempt' | 'cancelRequested'>;

export interface RunLedger {
  /** Conditional put keyed by (job, slot). Never overwrites. */
  claim(run: Run): Promise<ClaimOutcome>;
  /** Counts a suppressed duplicate delivery on the run (an atomic ADD). */
  recordDuplicate(job: string, slot: string): Promise<void>;
  /**
   * Updates the run only if its status is one of `from` (and the guard holds); returns the new run, or
   * undefined if the condition failed (someone else moved it, or no such run). A key present in
   * `changes` with the value `undefined` removes that attribute (e.g. `error` when a run is retried).
   */
  transition(
    job: string,
    slot: string,
    from: readonly RunStatus[],
    changes: Partial<Run>,
    guard?: TransitionGuard,
  ): Promise<Run | undefined>;
  get(job: string, slot: string): Promise<Run | undefined>;
  /**
   * What a running attempt needs to know whether it must stop: the run's status, attempt and cancel
   * flag, read strongly consistent and nothing else (a projected GetItem). Expired runs read as undefined.
   */
  getState(job: string, slot: string): Promise<RunState | undefined>;
  getById(runId: string): Promise<Run | undefined>;
  /** Runs by key in one batch (at most 100 keys), strongly consistent; missing or expired ones are left out. */
  getMany(keys: readonly RunKey[]): Promise<Run[]>;
  /** Newest first; expired runs filtered. */
  list(query: RunQuery): Promise<Page<Run>>;
  /**
   * The children of fan-out parent `parent`, by slot (its job's partition, slots beginning with the
   * parent's slot and `#`, filtered by `parentRunId`); expired runs filtered.
   */
  listChildren(parent: ChildrenQuery): Promise<Page<Run>>;
  /**
   * Counts child `index` of `parent` in `status` with one atomic update, once: only while the parent is
   * `running` or `waiting` and has not counted that index yet. Returns the parent as updated, or
   * undefined when nothing was counted (already counted, or the parent is not counting).
   */
  countChild(parent: RunKey, index: number, status: ChildStatus, now: Date): Promise<Run | undefined>;
}

export interface ChildrenQuery {
  readonly parent: Pick<Run, 'job' | 'slot' | 'runId'>;
  /** 1–100. */
  readonly limit: number;
  readonly cursor?: string;
}

/** The schedule as Scheduler holds it: what Tickwork derives from a job. */
export interface ScheduleSpec {
  readonly name: string;
  /** The job's kind: its schedule lives in that kind's schedule group (shared/schedule-groups.ts). */
  readonly kind: JobKind;
  readonly expression: string;
  readonly timezone: string;
  readonly description: string;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly startDate?: Date;
  readonly endDate?: Date;
  /** Absent: FlexibleTimeWindow OFF. */
  readonly flexibleWindowMinutes?: number;
  readonly actionAfterCompletion: 'NONE' | 'DELETE';
  readonly target: {
    readonly arn: string;
    readonly roleArn: string;
    readonly input: string;
    readonly deadLetterArn?: string;
    readonly retryPolicy: {
      readonly maximumRetryAttempts: number;
      readonly maximumEventAgeInSeconds: number;
    };
  };
}

/** A schedule is found by its job's name and kind (the kind names its group). A spec is a ref. */
export type ScheduleRef = Pick<ScheduleSpec, 'name' | 'kind'>;

export interface SchedulePort {
  /**
   * CreateSchedule, or UpdateSchedule (a full replace) if it exists, in the kind's group. While the
   * deployment has a legacy group, a schedule of the same name there is deleted after: a job written
   * since the upgrade never fires from both groups.
   */
  put(spec: ScheduleSpec): Promise<void>;
  /** Idempotent: a missing schedule is not an error. Also deletes the name from the legacy group. */
  delete(ref: ScheduleRef): Promise<void>;
  get(ref: ScheduleRef): Promise<ScheduleSpec | undefined>;
  /** Every schedule in every kind's group (for reconcile). */
  list(): AsyncIterable<ScheduleSpec>;
  /**
   * Names of the schedules still in the deployment's legacy single group (before one group per kind);
   * none when it has no such group. Reconcile moves them (shared/jobs/reconcile.ts).
   */
  listLegacy(): AsyncIterable<string>;
  /** Deletes a schedule from the legacy group; idempotent. */
  deleteLegacy(name: string): Promise<void>;
}

/** Starts a job function asynchronously (Lambda async invoke in AWS and locally). */
export interface JobInvoker {
  invoke(kind: JobKind, event: JobEvent): Promise<void>;
}

/**
 * The event a job function receives. From Scheduler, the strings are the substituted context
 * attributes; from a manual trigger, `runId` names the pending run the API created.
 */
export interface JobEvent {
  readonly job: string;
  readonly scheduledTime: string;
  readonly executionId?: string;
  readonly attempt?: string | number;
  readonly runId?: string;
  readonly trigger?: RunTrigger;
  /**
   * The slot of the pending run `runId` names, when it is not the manual slot of (scheduledTime, runId):
   * a fan-out child's slot is its parent's slot plus its key.
   */
  readonly slot?: string;
  /**
   * The job as its schedule was last written (scheduleTargetInput), so a scheduled run need not read the
   * job item: its version is checked against the run state when the run takes its lease.
   */
  readonly definition?: Job;
}

/** Secret values by name; never logged, never stored in a job. */
export interface SecretSource {
  /** Throws SecretNotFoundError. */
  get(name: string): Promise<string>;
  /**
   * Whether a secret exists, without reading its value (the API warns about a job that names one that
   * does not exist yet); `where` says where it was looked for.
   */
  check(name: string): Promise<SecretCheck>;
}

export interface SecretCheck {
  readonly exists: boolean;
  readonly where: string;
}
