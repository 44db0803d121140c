/**
 * A job changing under a fired slot, between the run's read of the job and its lease write (overlap
 * `skip`): the skipped run says what really happened. The change is made by another client at the wire,
 * right before the lease's UpdateItem reaches the engine, so the store's condition fails for real.
 * On both engines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { DynamoJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../../../shared/adapters/dynamodb/run-ledger.ts';
import type { Job } from '../../../shared/jobs/model.ts';
import type { JobStore } from '../../../shared/jobs/ports.ts';
import { executeRun, type RunDeps } from '../../../shared/runs/lifecycle.ts';
import { unusedJobInvoker } from '../../support/unused-invoker.ts';
import { captureLog, engineKinds, ManualClock, promptJob, stores, useEngine } from './support.ts';

const SLOT = '2026-03-01T12:00:00.000Z';

let counter = 0;

describe.each(engineKinds)('on %s', (kind) => {
  const engine = useEngine(kind);
  const clients: { destroy(): void }[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });

  /**
   * Run dependencies whose job store's next lease write is preceded by `race` (made through another
   * client, as another request would).
   */
  function setup(race: (other: JobStore, job: Job) => Promise<void>) {
    const clock = new ManualClock(SLOT);
    const doc = createDocumentClient({ endpoint: engine().endpoint, region: 'us-east-1' });
    clients.push(doc);
    const other = stores(engine(), clock).jobs;
    counter++;
    const job = promptJob(`raced-${counter}`, { overlap: 'skip', createdAt: '2026-03-01T11:00:00.000Z' });
    let armed = true;
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { TableName?: string; UpdateExpression?: string };
        if (
          armed &&
          context.commandName === 'UpdateItemCommand' &&
          input.TableName === engine().tables.jobs &&
          input.UpdateExpression === 'SET #lease = :lease'
        ) {
          armed = false;
          await race(other, job);
        }
        return next(args);
      },
      { step: 'initialize', name: 'raceBeforeLease' },
    );
    const deps: RunDeps = {
      jobs: new DynamoJobStore(doc, engine().tables.jobs, clock),
      runs: new DynamoRunLedger(doc, engine().tables.runs, clock),
      clock,
      log: captureLog().logger,
      retentionDays: 30,
      leaseSeconds: 60,
      invoker: unusedJobInvoker(),
      retryPolicy: { delaysMs: [] },
    };
    return { deps, job, isRaced: () => !armed };
  }

  const recreated = (job: Job) => ({ ...job, createdAt: '2026-03-01T11:59:59.000Z', description: 'new one' });

  it.each<[string, (other: JobStore, job: Job) => Promise<void>, string]>([
    [
      'deleted',
      (other, job) => other.delete(job.name, undefined),
      'the job was deleted after this slot fired',
    ],
    [
      'deleted and created again',
      async (other, job) => {
        await other.delete(job.name, undefined);
        await other.create(recreated(job));
      },
      'the job was deleted and created again after this slot fired; the new job runs on its own schedule',
    ],
    [
      'leased by another run',
      async (other, job) => {
        // Another run of the job claimed its slot and took the lease: its record says it is running
        const lease = {
          runId: 'other-run',
          slot: '2026-03-01T11:59:59.000Z',
          expiresAt: '2026-03-01T12:01:00.000Z',
        };
        const runs = stores(engine(), new ManualClock(SLOT)).runs;
        await runs.claim({
          runId: 'other-run',
          job: job.name,
          slot: lease.slot,
          trigger: 'schedule',
          status: 'running',
          scheduledFor: lease.slot,
          startedAt: SLOT,
          deadline: lease.expiresAt,
          attempt: 1,
          duplicatesSuppressed: 0,
          expiresAt: Date.parse(SLOT) / 1000 + 86_400,
        });
        expect(await other.acquireLease(job, lease, new Date(SLOT))).toEqual({ acquired: true });
      },
      'run other-run of this job is still in progress (slot 2026-03-01T11:59:59.000Z)',
    ],
  ])(
    'Given a job %s after its slot fired, When the run asks for the lease, Then it is skipped with that reason',
    async (_case, race, reason) => {
      // Given
      const { deps, job, isRaced } = setup(race);
      await deps.jobs.create(job);
      let worked = false;
      // When
      const outcome = await executeRun(
        deps,
        { job: job.name, scheduledTime: SLOT, executionId: 'e-1' },
        async () => {
          worked = true;
          return {};
        },
      );
      // Then
      expect(isRaced()).toBe(true);
      expect(worked).toBe(false);
      expect(outcome.outcome === 'skipped' && outcome.run).toMatchObject({ status: 'skipped', reason });
      expect(await deps.runs.get(job.name, SLOT)).toMatchObject({ status: 'skipped', reason });
    },
  );

  it('Given a job recreated after its slot fired, Then the new job carries no lease of the old run', async () => {
    const { deps, job } = setup(async (other, raced) => {
      await other.delete(raced.name, undefined);
      await other.create(recreated(raced));
    });
    await deps.jobs.create(job);
    await executeRun(deps, { job: job.name, scheduledTime: SLOT, executionId: 'e-1' }, async () => ({}));
    expect(await deps.jobs.get(job.name)).toStrictEqual(recreated(job));
  });
});
