/**
 * Ports owned by the domain. Adapters (DynamoDB, EventBridge Scheduler, Secrets Manager, local files)
 * implement them; use cases take them as arguments. Only single-item conditional writes: the local
 * engines have no transactions.
 */
import type { Job, JobKind, Run, RunStatus } from './model.ts';

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
  /** Conditional on version; throws ConcurrentModificationError. Missing is a no-op only if expectedVersion is undefined. */
  delete(name: string, expectedVersion: number | undefined): Promise<void>;
  /** A Query on an index, never a Scan. */
  list(query: JobQuery): Promise<Page<Job>>;
  /**
   * Takes the job's run lease for `lease.runId` if it is free: no lease, an expired one, or one held by
   * `replaceRunId` (a run the caller knows has finished). Returns false if another live run holds it.
   */
  acquireLease(
    name: string,
    lease: NonNullable<Job['lease']>,
    now: Date,
    replaceRunId?: string,
  ): Promise<boolean>;
  /** Records the outcome of a one-time job (`executed`), with its purge time. */
  markOneTime(name: string, state: 'executed' | 'cancelled', expiresAt: number, now: Date): Promise<void>;
}

export interface RunQuery {
  readonly job?: string;
  readonly status?: RunStatus;
  /** 1–100. */
  readonly limit: number;
  readonly cursor?: string;
}

export type ClaimOutcome = { readonly claimed: true } | { readonly claimed: false; readonly existing: Run };

/** Extra conditions on a run transition, beyond its status. */
export interface TransitionGuard {
  /** The run's attempt must still be this one (two retries of one slot cannot both take it over). */
  readonly attempt?: number;
}

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
  getById(runId: string): Promise<Run | undefined>;
  /** Newest first; expired runs filtered. */
  list(query: RunQuery): Promise<Page<Run>>;
}

/** The schedule as Scheduler holds it: what Tickwork derives from a job. */
export interface ScheduleSpec {
  readonly name: string;
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

export interface SchedulePort {
  /** CreateSchedule, or UpdateSchedule (a full replace) if it exists. */
  put(spec: ScheduleSpec): Promise<void>;
  /** Idempotent: a missing schedule is not an error. */
  delete(name: string): Promise<void>;
  get(name: string): Promise<ScheduleSpec | undefined>;
  /** Every schedule in the deployment's group (for reconcile). */
  list(): AsyncIterable<ScheduleSpec>;
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
  readonly trigger?: 'schedule' | 'manual';
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
