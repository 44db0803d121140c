/**
 * Job use cases. The job record is the source of truth and its schedule follows it: every change
 * writes the record (conditional on the version read), then puts or deletes the schedule; when the
 * Scheduler call fails the record is put back as it was (a compensation, since the local engines have
 * no transactions) and the Scheduler's error is raised. What is left over after a failed compensation
 * is drift that `reconcile` reports and repairs.
 */
import type { Clock } from '../clock.ts';
import type { RetryPolicy, RuntimeMode } from '../config.ts';
import type { Problem } from '../errors.ts';
import {
  ConcurrentModificationError,
  JobConflictError,
  JobNotFoundError,
  ValidationError,
} from '../errors.ts';
import { keyedCheckpointKeys } from '../kinds/keyed-checkpoints.ts';
import { kindDefinition } from '../kinds/registry.ts';
import type { Logger } from '../logger.ts';
import { retentionExpiresAt, startPendingRun } from '../runs/manual.ts';
import { isPlainObject } from '../validation.ts';
import { checkChains, releaseChainsTo } from './chains.ts';
import {
  buildJob,
  type DefinitionContext,
  definitionFields,
  type JobFields,
  normalizeDefinition,
  patchedDefinition,
  sameTiming,
} from './definition.ts';
import { assertMayWrite, type WriteOptions, withSource } from './managed.ts';
import type { Job, Run } from './model.ts';
import type {
  JobInvoker,
  JobQuery,
  JobStore,
  Page,
  RunLedger,
  SchedulePort,
  SecretCheck,
  SecretSource,
} from './ports.ts';
import { desiredSchedule, oneTimeIsOver, type ScheduleDeployment } from './schedule-spec.ts';
import { parseJobPatch, parsePauseRequest } from './validation.ts';

export interface JobServiceDeps {
  readonly jobs: JobStore;
  readonly runs: RunLedger;
  readonly schedules: SchedulePort;
  readonly invoker: JobInvoker;
  readonly clock: Clock;
  readonly deployment: ScheduleDeployment;
  /** `aws` adds the deployed-only config rules (e.g. https webhooks). */
  readonly mode: RuntimeMode;
  /** How long finished one-time jobs and runs stay queryable. */
  readonly runRetentionDays: number;
  /** Lambda's retries of the job functions: tells a run that will be retried from a failed one. */
  readonly retryPolicy: RetryPolicy;
  /** To warn when a job names a secret that does not exist (yet). */
  readonly secrets: SecretSource;
  /** Where failed compensations are reported. */
  readonly log: Logger;
}

/** A job as written, with what the caller should know but that did not stop the write. */
export interface WrittenJob {
  readonly job: Job;
  /** E.g. a signing secret that does not exist yet: the job is written, its runs fail until it does. */
  readonly warnings: readonly Problem[];
}

export interface PutJobOutcome extends WrittenJob {
  /** True when no job had the name (201), false when one was replaced (200). */
  readonly created: boolean;
}

function contextOf(deps: JobServiceDeps): DefinitionContext {
  return { now: deps.clock.now(), mode: deps.mode };
}

export type { WriteOptions } from './managed.ts';

/**
 * `POST /jobs`: validates, writes the job (the name must be free), creates its schedule. With a
 * `source`, the job is managed by it (shared/jobs/managed.ts).
 */
export async function createJob(
  deps: JobServiceDeps,
  body: unknown,
  options: WriteOptions = {},
): Promise<WrittenJob> {
  const fields = definitionFields(body, contextOf(deps));
  await checkChains(deps.jobs, fields.name, fields.then);
  return withWarnings(deps, await insertJob(deps, fields, undefined, options));
}

/**
 * `PUT /jobs/{name}`: creates or replaces the whole job. The body's name, if given, must be the
 * path's. A rate schedule whose timing did not change keeps its anchor. A managed job is replaced only
 * by its own source; a `source` takes the job over when no other source manages it (an upsert by name).
 */
export async function replaceJob(
  deps: JobServiceDeps,
  name: string,
  body: unknown,
  options: WriteOptions = {},
): Promise<PutJobOutcome> {
  const context = contextOf(deps);
  const fields = definitionFields(withPathName(body, name), context);
  await checkChains(deps.jobs, name, fields.then);
  const existing = await deps.jobs.get(name);
  if (existing === undefined || existing.oneTimeState === 'cancelled') {
    return { ...(await withWarnings(deps, await insertJob(deps, fields, existing, options))), created: true };
  }
  assertMayWrite(existing, options, 'replaced');
  const job = keepPauseNote(withSource(buildJob(fields, context.now, existing), options), existing);
  // A PUT repeating the same timing is idempotent: it does not run the job again.
  const written = await writeAndSync(deps, job, existing);
  await runImmediatelyIfAsked(deps, written, !sameTiming(existing, written));
  return { ...(await withWarnings(deps, written)), created: false };
}

/**
 * `PATCH /jobs/{name}`: omitted fields stay, `null` clears, `config` is merged then checked by the kind.
 * A managed job is patched only by its own source.
 */
export async function patchJob(
  deps: JobServiceDeps,
  name: string,
  body: unknown,
  options: WriteOptions = {},
): Promise<WrittenJob> {
  const patch = parseJobPatch(body);
  const existing = await requireLiveJob(deps, name, 'changed');
  assertMayWrite(existing, options, 'changed');
  const context = contextOf(deps);
  if (patch.schedule === undefined && oneTimeIsOver(existing, context.now)) {
    throw new JobConflictError(
      `job "${name}" is a one-time job whose time has passed (state ${existing.oneTimeState ?? 'scheduled'}); give it a new schedule to run it again`,
    );
  }
  const definition = patchedDefinition(existing, patch, context);
  const job = keepPauseNote(
    withSource(buildJob(normalizeDefinition(definition, context), context.now, existing), {
      source: options.source ?? existing.managedBy,
    }),
    existing,
  );
  // Links the patch leaves as they were were checked when they were written.
  if (patch.then !== undefined && patch.then !== null) await checkChains(deps.jobs, name, job.then);
  const retimed = !sameTiming(existing, job);
  if (patch.runImmediately === true && !retimed) {
    throw new ValidationError(
      'runImmediately',
      `runImmediately: true takes effect only when a job is created or its timing (schedule, timezone, startDate) changes, and this PATCH leaves the timing of job "${name}" as it was; to run it now, use POST /jobs/${name}/runs`,
    );
  }
  const written = await writeAndSync(deps, job, existing);
  await runImmediatelyIfAsked(deps, written, retimed);
  return withWarnings(deps, written);
}

export async function getJob(deps: JobServiceDeps, name: string): Promise<Job> {
  const job = await deps.jobs.get(name);
  if (job === undefined) throw new JobNotFoundError(name);
  return job;
}

export async function listJobs(deps: JobServiceDeps, query: JobQuery): Promise<Page<Job>> {
  return deps.jobs.list(query);
}

export interface DeleteJobOptions extends WriteOptions {
  /** Remove the links of the jobs whose `then` names this one, instead of refusing the delete. */
  readonly unlinkChains?: boolean;
}

/**
 * `DELETE /jobs/{name}`: the schedule goes first, then the record. A one-time job that has not fired
 * becomes `cancelled` and stays queryable until the retention passes; run history stays until it
 * expires. If the record cannot be changed, the schedule is put back. A job that other jobs chain to
 * is not deleted (JobChainedToError naming them) unless `unlinkChains`: then each of them is rewritten
 * without its links to this job first (see releaseChainsTo), unless one of them is managed by another
 * source. A managed job is deleted only by its own source.
 */
export async function deleteJob(
  deps: JobServiceDeps,
  name: string,
  options: DeleteJobOptions = {},
): Promise<void> {
  const existing = await deps.jobs.get(name);
  if (existing === undefined) throw new JobNotFoundError(name);
  assertMayWrite(existing, options, 'deleted');
  await releaseChainsTo(deps, name, options.unlinkChains === true, (job, current) => {
    assertMayWrite(current, options, 'unlinked');
    return writeAndSync(deps, job, current);
  });
  const now = deps.clock.now();
  await deps.schedules.delete({ name, kind: existing.kind });
  let cancelled = true;
  try {
    if (existing.schedule.type === 'at' && !oneTimeIsOver(existing, now)) {
      cancelled = await deps.jobs.markOneTime(
        existing,
        'cancelled',
        retentionExpiresAt(now, deps.runRetentionDays),
        now,
      );
    } else {
      await deps.jobs.delete(name, existing.version, keyedCheckpointKeys(existing));
    }
  } catch (error) {
    await compensate(deps, 'restore schedule after failed delete', name, async () => {
      const spec = desiredSchedule(existing, deps.deployment, deps.clock.now());
      if (spec !== undefined) await deps.schedules.put(spec);
    });
    throw error;
  }
  if (!cancelled) {
    // The one-time job is no longer the one this DELETE read: it fired and was marked executed, was
    // given a new schedule, or was deleted (and maybe created again) by another request. Its schedule,
    // which the delete above may have removed, follows the job as it is now; the caller reads again.
    await compensate(deps, 'resync schedule after a raced delete', name, async () => {
      const current = await deps.jobs.get(name);
      if (current !== undefined) await syncSchedule(deps, current);
    });
    throw new ConcurrentModificationError(`job "${name}"`);
  }
}

/**
 * `POST /jobs/{name}/pause`: the job is disabled and so is its schedule (State DISABLED). The optional
 * body `{"note"}` says why (`Job.pauseNote`); pausing a paused job with a note replaces its note, without
 * one leaves the job as it is.
 */
export function pauseJob(deps: JobServiceDeps, name: string, body?: unknown): Promise<Job> {
  return setEnabled(deps, name, false, parsePauseRequest(body));
}

/** `POST /jobs/{name}/resume`: enabled again, its pause note gone; a rate schedule continues on its anchor. */
export function resumeJob(deps: JobServiceDeps, name: string): Promise<Job> {
  return setEnabled(deps, name, true, undefined);
}

async function setEnabled(
  deps: JobServiceDeps,
  name: string,
  enabled: boolean,
  note: string | undefined,
): Promise<Job> {
  const existing = await requireLiveJob(deps, name, enabled ? 'resumed' : 'paused');
  if (existing.enabled === enabled && (note === undefined || note === existing.pauseNote)) return existing;
  const now = deps.clock.now();
  const { pauseNote: _previous, ...rest } = existing;
  const job: Job = {
    ...rest,
    enabled,
    ...(note === undefined ? {} : { pauseNote: note }),
    updatedAt: now.toISOString(),
    version: existing.version + 1,
  };
  return writeAndSync(deps, job, existing);
}

/** A PUT or PATCH that leaves a paused job paused keeps the note that says why; one that enables it drops it. */
function keepPauseNote(job: Job, existing: Job): Job {
  if (job.enabled || existing.enabled || existing.pauseNote === undefined) return job;
  return { ...job, pauseNote: existing.pauseNote };
}

/** The job, or JobNotFoundError; a cancelled one-time job (kept only as history) is a JobConflictError. */
export async function requireLiveJob(deps: JobServiceDeps, name: string, verb: string): Promise<Job> {
  const job = await deps.jobs.get(name);
  if (job === undefined) throw new JobNotFoundError(name);
  if (job.oneTimeState === 'cancelled') {
    throw new JobConflictError(
      `job "${name}" was deleted (a cancelled one-time job kept as history) and cannot be ${verb}; create it again with PUT /jobs/${name}`,
    );
  }
  return job;
}

/**
 * Writes a new job (no live job has the name, or it replaces a cancelled one-time job), then its
 * schedule; removes the record again if Scheduler fails.
 */
async function insertJob(
  deps: JobServiceDeps,
  fields: JobFields,
  cancelled: Job | undefined,
  options: WriteOptions,
): Promise<Job> {
  const fresh = withSource(buildJob(fields, deps.clock.now()), options);
  if (cancelled === undefined) {
    await deps.jobs.create(fresh);
  } else {
    await deps.jobs.put({ ...fresh, version: cancelled.version + 1 }, cancelled.version);
  }
  const job = cancelled === undefined ? fresh : { ...fresh, version: cancelled.version + 1 };
  try {
    await syncSchedule(deps, job);
  } catch (error) {
    await compensate(deps, 'remove job after failed schedule create', job.name, () =>
      cancelled === undefined
        ? deps.jobs.delete(job.name, job.version)
        : deps.jobs.put({ ...cancelled, version: job.version + 1 }, job.version),
    );
    throw error;
  }
  await runImmediatelyIfAsked(deps, job, true);
  return job;
}

/**
 * `runImmediately` is honoured when a job is created and whenever a PUT or PATCH changes its timing
 * (`retimed`). A rate schedule runs at once through its StartDate (see rateAnchor); cron has no such
 * anchor, so a manual run stands in for it. The job is written either way: a failed invoke shows as a
 * failed run.
 */
async function runImmediatelyIfAsked(deps: JobServiceDeps, job: Job, retimed: boolean): Promise<void> {
  if (retimed && job.runImmediately && job.enabled && job.schedule.type === 'cron') {
    await startManualRun(deps, job).catch(() => undefined);
  }
}

/**
 * Records a `pending` manual run of `job`, then invokes the kind's function asynchronously with it.
 * If the invoke fails, the run is marked `failed` and JobInvokeError raised.
 */
export function startManualRun(
  deps: JobServiceDeps,
  job: Job,
  params?: Readonly<Record<string, unknown>>,
): Promise<Run> {
  return startPendingRun(
    { ...deps, retentionDays: deps.runRetentionDays },
    job,
    params === undefined ? {} : { params },
  );
}

/** Writes `job` over `existing` (conditional on its version), then its schedule; restores `existing` on failure. */
async function writeAndSync(deps: JobServiceDeps, job: Job, existing: Job): Promise<Job> {
  await deps.jobs.put(job, existing.version);
  try {
    await syncSchedule(deps, job);
  } catch (error) {
    await compensate(deps, 'restore job after failed schedule update', job.name, () =>
      deps.jobs.put(
        { ...existing, version: job.version + 1, updatedAt: deps.clock.now().toISOString() },
        job.version,
      ),
    );
    throw error;
  }
  return job;
}

/** Puts the schedule the job should have (a full replace), or deletes it when it should have none. */
export async function syncSchedule(
  deps: Pick<JobServiceDeps, 'schedules' | 'deployment' | 'clock'>,
  job: Job,
) {
  const spec = desiredSchedule(job, deps.deployment, deps.clock.now());
  if (spec === undefined) await deps.schedules.delete({ name: job.name, kind: job.kind });
  else await deps.schedules.put(spec);
}

async function compensate(
  deps: JobServiceDeps,
  action: string,
  jobName: string,
  undo: () => Promise<unknown>,
): Promise<void> {
  try {
    await undo();
  } catch (error) {
    // The original error is what the caller must see; this leaves drift that reconcile repairs.
    deps.log.error('compensation failed', {
      action,
      job: jobName,
      error: error instanceof Error ? error.name : 'UnknownError',
    });
  }
}

/**
 * The job with a warning for each secret its config names that does not exist: a job may be created
 * before its secret, but its runs will fail until the secret is there.
 */
async function withWarnings(deps: JobServiceDeps, job: Job): Promise<WrittenJob> {
  const references: { field: string; name: string; consequence?: string }[] = [
    ...(kindDefinition(job.kind).secretsOf?.(job.config) ?? []),
    // The alert webhook's secret is checked like a kind's: no alert reaches alerts.url until it exists.
    ...(job.alerts === undefined
      ? []
      : [
          {
            field: 'alerts.signingSecret',
            name: job.alerts.signingSecret,
            consequence: `alerts of job "${job.name}" will not be sent to alerts.url until it does`,
          },
        ]),
  ];
  const warnings: Problem[] = [];
  for (const reference of references) {
    let check: SecretCheck;
    try {
      check = await deps.secrets.check(reference.name);
    } catch (error) {
      // The job is written already: a lookup that fails is worth a warning, not an error.
      warnings.push({
        field: reference.field,
        message: `could not check whether secret "${reference.name}" exists (${error instanceof Error ? error.name : 'UnknownError'})`,
      });
      continue;
    }
    if (!check.exists) {
      warnings.push({
        field: reference.field,
        message: `secret "${reference.name}" does not exist yet (looked in ${check.where}); ${reference.consequence ?? `runs of job "${job.name}" will fail until it does`}`,
      });
    }
  }
  return { job, warnings };
}

function withPathName(body: unknown, name: string): unknown {
  if (!isPlainObject(body)) return body;
  if (!Object.hasOwn(body, 'name')) return { ...body, name };
  const bodyName = body.name;
  if (bodyName !== name) {
    throw new ValidationError(
      'name',
      `name in the body (${JSON.stringify(bodyName)}) must equal the name in the path ("${name}"), or be left out`,
    );
  }
  return body;
}
