/**
 * The job service's write rules and compensations (shared/jobs/service.ts), on the in-memory ports: the
 * record is written first and put back as it was when Scheduler fails; a delete puts the schedule back
 * when the record cannot be removed. The memory ports pass the same contract suites as DynamoDB and
 * Scheduler (test/contract/), and a failure is made at one chosen call by test/support/faults.ts.
 * The same rules over HTTP on the real engines: test/integration/api/scheduler-failure.test.ts and
 * test/integration/jobs/service.test.ts.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { createLambdaJobInvoker } from '../../../shared/adapters/lambda/job-invoker.ts';
import {
  MemoryJobStore,
  MemoryRunLedger,
  MemorySchedulePort,
} from '../../../shared/adapters/memory/index.ts';
import { LocalSecretSource } from '../../../shared/adapters/secrets/local.ts';
import { ConcurrentModificationError, SchedulerRequestError } from '../../../shared/errors.ts';
import type { Job } from '../../../shared/jobs/model.ts';
import { desiredSchedule, type ScheduleDeployment } from '../../../shared/jobs/schedule-spec.ts';
import {
  createJob,
  deleteJob,
  type JobServiceDeps,
  patchJob,
  pauseJob,
  replaceJob,
  resumeJob,
} from '../../../shared/jobs/service.ts';
import { retentionExpiresAt } from '../../../shared/runs/manual.ts';
import { faulty } from '../../support/faults.ts';
import { promptDefinition as body } from '../../support/jobs.ts';
import { captureLogs } from '../../support/logs.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const NOW = '2026-03-02T08:00:00.000Z';
const RETENTION_DAYS = 30;

const deployment: ScheduleDeployment = {
  targetArns: { prompt: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-test-prompt' },
  roleArn: 'arn:aws:iam::000000000000:role/tickwork-test-scheduler',
};

/** What Scheduler answers when the schedule group is gone. */
function schedulerRefusal(operation: string): SchedulerRequestError {
  return new SchedulerRequestError(
    operation,
    'ResourceNotFoundException',
    `EventBridge Scheduler refused ${operation}: ResourceNotFoundException`,
  );
}

function setup() {
  const clock = new ManualClock(NOW);
  const store = new MemoryJobStore(clock);
  const jobs = faulty(store);
  const schedules = faulty(new MemorySchedulePort(clock));
  const logs = captureLogs();
  const deps: JobServiceDeps = {
    jobs: jobs.port,
    runs: new MemoryRunLedger(clock),
    schedules: schedules.port,
    // The real invoker with no function configured: these tests never start a run, and one that tried
    // would fail at once (JobInvokeError) without a request.
    invoker: createLambdaJobInvoker({ client: new LambdaClient({ region: 'us-east-1' }), functionArns: {} }),
    clock,
    deployment,
    mode: 'local',
    runRetentionDays: RETENTION_DAYS,
    retryPolicy: { delaysMs: [] },
    secrets: new LocalSecretSource({ env: { TICKWORK_SECRET_HOOK_KEY: 'signing-secret' } }),
    log: logs.log,
  };
  return { clock, store, jobs, schedules, logs, deps };
}

/** A job without the fields every write changes. */
function content(job: Job | undefined) {
  if (job === undefined) return undefined;
  const { version: _version, updatedAt: _updatedAt, ...rest } = job;
  return rest;
}

/** A concurrent edit of the stored job, as another request would make it. */
async function editMeanwhile(store: MemoryJobStore, name: string): Promise<void> {
  const job = (await store.get(name)) as Job;
  await store.put({ ...job, description: 'changed meanwhile', version: job.version + 1 }, job.version);
}

describe('createJob and replaceJob of a new name', () => {
  it('Given a free name, When a job is created, Then the job is stored with the schedule derived from it', async () => {
    // Given
    const { deps } = setup();
    // When
    const { job, warnings } = await createJob(deps, body('daily-digest'));
    // Then
    expect(warnings).toEqual([]);
    expect(await deps.jobs.get('daily-digest')).toEqual(job);
    expect(await deps.schedules.get({ name: 'daily-digest', kind: 'prompt' })).toEqual(
      desiredSchedule(job, deployment, new Date(NOW)),
    );
  });

  it.each<[string, (deps: JobServiceDeps) => Promise<unknown>]>([
    ['POST /jobs', (deps) => createJob(deps, body('half-made'))],
    ['PUT of a new name', (deps) => replaceJob(deps, 'half-made', body('half-made'))],
  ])(
    'Given Scheduler refuses, When %s, Then its error is raised and no job is left behind',
    async (_case, act) => {
      // Given
      const { deps, schedules } = setup();
      const refusal = schedulerRefusal('CreateSchedule');
      schedules.failNext('put', refusal);
      // When
      const error = await act(deps).catch((caught: unknown) => caught);
      // Then
      expect(error).toBe(refusal);
      expect(await deps.jobs.get('half-made')).toBeUndefined();
      expect((await deps.jobs.list({ limit: 10 })).items).toEqual([]);
      expect(await deps.schedules.get({ name: 'half-made', kind: 'prompt' })).toBeUndefined();
    },
  );

  it('Given a rate job created days ago, When it is paused, Then its StartDate moves forward onto the same sequence and Scheduler accepts it', async () => {
    // Given: Scheduler (and the memory port, which passes the same contract) refuses a StartDate more than 5 minutes past
    const { clock, deps } = setup();
    const { job } = await createJob(deps, body('hourly', { schedule: 'rate(1 hour)' }));
    clock.advance(3 * 24 * 3_600_000 + 17 * 60_000);
    // When
    await pauseJob(deps, 'hourly');
    // Then
    const schedule = await deps.schedules.get({ name: 'hourly', kind: 'prompt' });
    expect(schedule?.state).toBe('DISABLED');
    const start = schedule?.startDate?.getTime() ?? 0;
    expect(start).toBeGreaterThan(clock.now().getTime() - 5 * 60_000);
    expect((start - Date.parse(job.scheduleStartDate ?? '')) % 3_600_000).toBe(0);
  });
});

describe('changes that Scheduler refuses put the job record back', () => {
  it.each<
    [
      string,
      ((deps: JobServiceDeps) => Promise<unknown>) | undefined,
      (deps: JobServiceDeps) => Promise<unknown>,
    ]
  >([
    [
      'PUT replace',
      undefined,
      (deps) => replaceJob(deps, 'kept', body('kept', { description: 'changed', schedule: 'rate(1 hour)' })),
    ],
    ['PATCH', undefined, (deps) => patchJob(deps, 'kept', { description: 'changed', enabled: false })],
    ['pause', undefined, (deps) => pauseJob(deps, 'kept')],
    ['resume', (deps) => pauseJob(deps, 'kept'), (deps) => resumeJob(deps, 'kept')],
  ])(
    'Given a job, When %s fails at Scheduler, Then the error is raised and the job and its schedule are as before',
    async (_case, prepare, act) => {
      // Given
      const { deps, schedules } = setup();
      await createJob(deps, body('kept', { description: 'original' }));
      await prepare?.(deps);
      const before = await deps.jobs.get('kept');
      const scheduleBefore = await deps.schedules.get({ name: 'kept', kind: 'prompt' });
      const refusal = schedulerRefusal('UpdateSchedule');
      schedules.failNext('put', refusal);
      // When
      const error = await act(deps).catch((caught: unknown) => caught);
      // Then the record is back, at a version past both writes, so an edit based on the failed one fails
      expect(error).toBe(refusal);
      const after = await deps.jobs.get('kept');
      expect(content(after)).toEqual(content(before));
      expect(after?.version).toBe((before?.version ?? 0) + 2);
      expect(await deps.schedules.get({ name: 'kept', kind: 'prompt' })).toEqual(scheduleBefore);
    },
  );

  it('Given a cancelled one-time job, When a PUT makes it again and Scheduler refuses, Then the cancelled record is back', async () => {
    // Given
    const { deps, schedules } = setup();
    await createJob(deps, body('once', { schedule: 'at(2026-03-05T09:00:00)' }));
    await deleteJob(deps, 'once');
    const cancelled = await deps.jobs.get('once');
    expect(cancelled?.oneTimeState).toBe('cancelled');
    schedules.failNext('put', schedulerRefusal('CreateSchedule'));
    // When
    await expect(
      replaceJob(deps, 'once', body('once', { schedule: 'at(2026-03-06T09:00:00)' })),
    ).rejects.toThrow(SchedulerRequestError);
    // Then
    expect(content(await deps.jobs.get('once'))).toEqual(content(cancelled));
    expect(await deps.schedules.get({ name: 'once', kind: 'prompt' })).toBeUndefined();
  });
});

describe('deleteJob', () => {
  it('Given a recurring job, When it is deleted, Then the record and the schedule are gone', async () => {
    const { deps } = setup();
    await createJob(deps, body('gone'));
    await deleteJob(deps, 'gone');
    expect(await deps.jobs.get('gone')).toBeUndefined();
    expect(await deps.schedules.get({ name: 'gone', kind: 'prompt' })).toBeUndefined();
  });

  it('Given a one-time job that has not fired, When it is deleted, Then it stays as cancelled history until the retention passes', async () => {
    // Given
    const { clock, deps } = setup();
    await createJob(deps, body('once', { schedule: 'at(2026-03-05T09:00:00)' }));
    // When
    await deleteJob(deps, 'once');
    // Then
    expect(await deps.jobs.get('once')).toMatchObject({
      oneTimeState: 'cancelled',
      expiresAt: retentionExpiresAt(new Date(NOW), RETENTION_DAYS),
    });
    expect(await deps.schedules.get({ name: 'once', kind: 'prompt' })).toBeUndefined();
    clock.advance(RETENTION_DAYS * 86_400_000);
    expect(await deps.jobs.get('once')).toBeUndefined();
  });

  it('Given Scheduler refuses the delete, When the job is deleted, Then the error is raised and the job is untouched', async () => {
    const { deps, schedules } = setup();
    const { job } = await createJob(deps, body('stays'));
    const refusal = schedulerRefusal('DeleteSchedule');
    schedules.failNext('delete', refusal);
    await expect(deleteJob(deps, 'stays')).rejects.toBe(refusal);
    expect(await deps.jobs.get('stays')).toEqual(job);
    expect(await deps.schedules.get({ name: 'stays', kind: 'prompt' })).toBeDefined();
  });

  it('Given another request changes the job between the read and the delete, When it is deleted, Then the conflict is raised and the schedule is back as it was', async () => {
    // Given
    const { deps, jobs, store } = setup();
    await createJob(deps, body('raced'));
    const scheduleBefore = await deps.schedules.get({ name: 'raced', kind: 'prompt' });
    jobs.beforeNext('delete', () => editMeanwhile(store, 'raced'));
    // When
    const error = await deleteJob(deps, 'raced').catch((caught: unknown) => caught);
    // Then
    expect(error).toBeInstanceOf(ConcurrentModificationError);
    expect(await deps.jobs.get('raced')).toMatchObject({ version: 2, description: 'changed meanwhile' });
    expect(await deps.schedules.get({ name: 'raced', kind: 'prompt' })).toEqual(scheduleBefore);
  });

  it('Given the delete conflicts and putting the schedule back fails too, Then the conflict is raised and the failed compensation is logged', async () => {
    // Given
    const { deps, jobs, store, schedules, logs } = setup();
    await createJob(deps, body('raced'));
    jobs.beforeNext('delete', () => editMeanwhile(store, 'raced'));
    schedules.failNext('put', schedulerRefusal('CreateSchedule'));
    // When
    const error = await deleteJob(deps, 'raced').catch((caught: unknown) => caught);
    // Then the caller sees the conflict; the drift left behind is reported for reconcile
    expect(error).toBeInstanceOf(ConcurrentModificationError);
    expect(await deps.schedules.get({ name: 'raced', kind: 'prompt' })).toBeUndefined();
    expect(logs.entries).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'compensation failed',
        action: 'restore schedule after failed delete',
        job: 'raced',
        error: 'SchedulerRequestError',
      }),
    );
  });
});
