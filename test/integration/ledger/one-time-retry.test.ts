/**
 * A one-time job whose run failed is given a new `at()` while Lambda's retry of the old slot is pending.
 * The retry reads the new definition (the store's condition on the definition cannot tell it apart),
 * so the lifecycle checks the slot: the old slot's success does not mark the new one executed, and the
 * new slot runs when it comes. On both engines, with a manual clock.
 */
import { describe, expect, it } from 'vitest';
import type { Job, JobSchedule } from '../../../shared/jobs/model.ts';
import { executeRun, type RunWork } from '../../../shared/runs/lifecycle.ts';
import { captureLog, engineKinds, ManualClock, promptJob, runDeps, useEngine } from './support.ts';

function at(local: string): JobSchedule {
  return {
    input: `at(${local})`,
    expression: `at(${local})`,
    timezone: 'UTC',
    description: 'once',
    type: 'at',
  };
}

let counter = 0;

describe.each(engineKinds)('on %s', (kind) => {
  const engine = useEngine(kind);

  it('Given a failed one-time run whose job was given a new at(), When the retry of the old slot succeeds, Then the job stays scheduled for its new slot, which then runs', async () => {
    // Given a one-time job whose run at 12:00 failed, with one Lambda retry left
    const clock = new ManualClock('2026-03-01T12:00:00.000Z');
    const deps = runDeps(engine(), clock, captureLog().logger, { retryPolicy: { delaysMs: [60_000] } });
    counter++;
    const job = promptJob(`retimed-${counter}`, {
      schedule: at('2026-03-01T12:00:00'),
      oneTimeState: 'scheduled',
    });
    await deps.jobs.create(job);
    const failing: RunWork = async () => {
      throw new Error('receiver is down');
    };
    const ok: RunWork = async () => ({ delivered: true });
    await expect(
      executeRun(deps, { job: job.name, scheduledTime: '2026-03-01T12:00:00Z' }, failing),
    ).rejects.toThrow();
    // And the job is given a new at() meanwhile (as a PATCH writes it)
    clock.advance(30_000);
    const retimed: Job = {
      ...job,
      schedule: at('2026-03-01T12:05:00'),
      updatedAt: clock.now().toISOString(),
      version: 2,
    };
    await deps.jobs.put(retimed, 1);
    // When Lambda's retry of the old slot comes, and succeeds
    clock.advance(30_000);
    const retried = await executeRun(deps, { job: job.name, scheduledTime: '2026-03-01T12:00:00Z' }, ok);
    // Then the old slot's run is done, and the job still waits for its new slot
    expect(retried).toMatchObject({ outcome: 'succeeded', run: { attempt: 2 } });
    expect(await deps.jobs.get(job.name)).toStrictEqual(retimed);
    // And the new slot runs, and marks it executed
    clock.set('2026-03-01T12:05:00.000Z');
    const next = await executeRun(deps, { job: job.name, scheduledTime: '2026-03-01T12:05:00Z' }, ok);
    expect(next.outcome).toBe('succeeded');
    expect((await deps.jobs.get(job.name))?.oneTimeState).toBe('executed');
  });
});
