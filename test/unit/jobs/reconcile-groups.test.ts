/**
 * Reconcile with one schedule group per kind (shared/jobs/reconcile.ts), on the in-memory ports: a job's
 * schedule is its kind's group's, a schedule of its name in another kind's group is stray, and schedules
 * left in the old single group are moved (created in the kind's group first, then deleted there), or left
 * where they are when their job's schedule could not be written. The same migration on the local stack:
 * test/integration/local/schedule-groups.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { MemoryJobStore, MemorySchedulePort } from '../../../shared/adapters/memory/index.ts';
import { SchedulerRequestError } from '../../../shared/errors.ts';
import { buildJob, normalizeDefinition } from '../../../shared/jobs/definition.ts';
import { reconcile } from '../../../shared/jobs/reconcile.ts';
import { desiredSchedule, type ScheduleDeployment } from '../../../shared/jobs/schedule-spec.ts';
import type { JobDefinition } from '../../../shared/jobs/validation.ts';
import { JOB_KINDS } from '../../../shared/kinds/registry.ts';
import { faulty } from '../../support/faults.ts';
import { promptDefinition } from '../../support/jobs.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const NOW = '2026-03-02T08:00:00.000Z';
const deployment: ScheduleDeployment = {
  targetArns: { prompt: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-test-prompt' },
  roleArn: 'arn:aws:iam::000000000000:role/tickwork-test-scheduler',
};
const otherKind = JOB_KINDS.find((kind) => kind !== 'prompt') ?? 'prompt';

async function setup(names: readonly string[]) {
  const clock = new ManualClock(NOW);
  const jobs = new MemoryJobStore(clock);
  const memory = new MemorySchedulePort(clock);
  const schedules = faulty(memory);
  for (const name of names) {
    const job = buildJob(
      normalizeDefinition(promptDefinition(name) as JobDefinition, { now: clock.now(), mode: 'local' }),
      clock.now(),
    );
    await jobs.put(job, undefined);
  }
  const deps = { jobs, schedules: schedules.port, clock, deployment };
  const legacyNames = async () => {
    const found: string[] = [];
    for await (const name of schedules.port.listLegacy()) found.push(name);
    return found;
  };
  return { clock, jobs, schedules, memory, deps, legacyNames };
}

describe('reconcile moves schedules out of the old single group', () => {
  it('Given jobs whose schedules are only in the old group, When reconciled, Then each is created in its kind group and deleted from the old one', async () => {
    // Given two prompt jobs as a deployment before one group per kind left them
    const { deps, memory, legacyNames } = await setup(['nightly', 'hourly']);
    memory.putLegacy('nightly');
    memory.putLegacy('hourly');
    // When
    const report = await reconcile(deps, { dryRun: false });
    // Then
    expect(report).toMatchObject({
      missing: ['hourly', 'nightly'],
      legacy: ['hourly', 'nightly'],
      repaired: ['hourly', 'nightly'],
      errors: [],
    });
    const job = await deps.jobs.get('nightly');
    expect(await memory.get({ name: 'nightly', kind: 'prompt' })).toEqual(
      job === undefined ? undefined : desiredSchedule(job, deployment, deps.clock.now()),
    );
    expect(await legacyNames()).toEqual([]);
    // And a second pass finds nothing left to do
    expect(await reconcile(deps, { dryRun: false })).toMatchObject({ missing: [], legacy: [], repaired: [] });
  });

  it('Given a dry run, Then the old group is reported and left as it is', async () => {
    const { deps, memory, legacyNames } = await setup(['nightly']);
    memory.putLegacy('nightly');
    const report = await reconcile(deps, { dryRun: true });
    expect(report).toMatchObject({ missing: ['nightly'], legacy: ['nightly'], repaired: [] });
    expect(await legacyNames()).toEqual(['nightly']);
  });

  it('Given a schedule in the old group that no job wants, Then it is deleted', async () => {
    const { deps, memory, legacyNames } = await setup([]);
    memory.putLegacy('gone');
    expect(await reconcile(deps, { dryRun: false })).toMatchObject({ legacy: ['gone'], repaired: ['gone'] });
    expect(await legacyNames()).toEqual([]);
  });

  it("Given the kind group's schedule cannot be written, Then the old one is kept, so the job still fires", async () => {
    const { deps, memory, schedules, legacyNames } = await setup(['nightly']);
    memory.putLegacy('nightly');
    schedules.failNext(
      'put',
      new SchedulerRequestError('CreateSchedule', 'ThrottlingException', 'EventBridge Scheduler refused'),
    );
    const report = await reconcile(deps, { dryRun: false });
    expect(report).toMatchObject({ legacy: ['nightly'], repaired: [] });
    expect(report.errors.map((error) => error.name)).toEqual(['nightly']);
    expect(await legacyNames()).toEqual(['nightly']);
  });
});

describe("reconcile finds a job's schedule in its kind's group only", () => {
  it("Given a schedule of the job's name in another kind's group, Then that one is stray and deleted, and the job's is created", async () => {
    // Given a prompt job, and a schedule of its name in another kind's group (its own is missing)
    const { deps, memory } = await setup(['twin']);
    const job = await deps.jobs.get('twin');
    const spec = job === undefined ? undefined : desiredSchedule(job, deployment, deps.clock.now());
    if (spec === undefined) throw new Error('the job should want a schedule');
    await memory.put({ ...spec, kind: otherKind });
    await memory.delete({ name: 'twin', kind: 'prompt' });
    // When
    const report = await reconcile(deps, { dryRun: false });
    // Then
    expect(report).toMatchObject({ missing: ['twin'], stray: ['twin'], repaired: ['twin'], errors: [] });
    expect(await memory.get({ name: 'twin', kind: otherKind })).toBeUndefined();
    expect(await memory.get({ name: 'twin', kind: 'prompt' })).toEqual(spec);
  });
});
