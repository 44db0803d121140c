/**
 * Connectors are isolated: a failing connector is recorded in its entry while the others sync; a
 * disabled or disconnected one is skipped, not failed; the run fails only when every connector it
 * tried failed. A fan-out child's context narrows the run to its connectors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newManualRun } from '../../../shared/runs/manual.ts';
import {
  demoConnector,
  expectedIds,
  givenSyncJob,
  runOf,
  type SyncWorld,
  startSyncWorld,
  syncedIds,
} from './support.ts';

let world: SyncWorld;
beforeAll(async () => {
  world = await startSyncWorld({ connectorRecords: 60 });
});
afterAll(async () => {
  await world.close();
});

describe('sync connector isolation', () => {
  it('Given a healthy, a failing, a disconnected and a disabled connector, When the job runs, Then the failure is in its entry and the healthy one syncs everything', async () => {
    // Given
    const job = await givenSyncJob(world, {
      pageSize: 20,
      concurrency: 2,
      connectors: [
        demoConnector(world.platform, 'crm'),
        demoConnector(world.platform, 'tickets'),
        demoConnector(world.platform, 'billing'),
        { ...demoConnector(world.platform, 'crm'), id: 'crm-archive', enabled: false },
      ],
    });
    // When
    const outcome = await world.run(job, '2026-03-02T10:00:00.000Z');
    // Then
    expect(outcome.outcome).toBe('succeeded');
    expect(runOf(outcome).result).toEqual({
      connectors: {
        crm: { status: 'succeeded', records: 60, pages: 3, hasMore: false },
        tickets: {
          status: 'failed',
          records: 40,
          pages: 2,
          hasMore: true,
          error: expect.stringContaining('/connectors/tickets/records (cursor "40") answered HTTP 500'),
        },
        billing: {
          status: 'skipped',
          records: 0,
          pages: 0,
          hasMore: false,
          reason: expect.stringMatching(
            /^disconnected: health check .*\/connectors\/billing\/health answered HTTP 503$/,
          ),
        },
        'crm-archive': {
          status: 'skipped',
          records: 0,
          pages: 0,
          hasMore: false,
          reason: 'disabled in the config',
        },
      },
      records: 100,
      pages: 5,
      hasMore: true,
    });
    expect(syncedIds(world, job.name, 'crm')).toEqual(expectedIds('crm', 0, 60));
    expect(syncedIds(world, job.name, 'tickets')).toEqual(expectedIds('tickets', 0, 40));
    // The failed connector's checkpoint is where its last acknowledged page left it, and it is free.
    const stored = await world.checkpoints.readKeyed(job, ['tickets', 'billing', 'crm-archive']);
    expect(stored.get('tickets')).toMatchObject({ value: '40', version: 2 });
    expect(stored.get('tickets')?.lease).toBeUndefined();
    expect(stored.has('billing')).toBe(false);
  });

  it('Given the failing connector and a disconnected one, When the job runs, Then every connector it tried failed and the run fails naming it', async () => {
    // Given
    const job = await givenSyncJob(world, {
      pageSize: 20,
      connectors: [demoConnector(world.platform, 'tickets'), demoConnector(world.platform, 'billing')],
    });
    // When
    const thrown = await world.run(job, '2026-03-02T11:00:00.000Z').catch((error: unknown) => error);
    // Then the run is failed (and the error rethrown, for Lambda's retries and dead-letter queue)
    expect(thrown).toMatchObject({ name: 'SyncFailedError' });
    const failed = await world.deps.runs.get(job.name, '2026-03-02T11:00:00.000Z');
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toEqual({
      type: 'SyncFailedError',
      message: expect.stringMatching(
        /^every connector the run synced failed \(tickets: connector source .* answered HTTP 500/,
      ),
    });
  });

  it.each([
    ['its connectors list', { key: 'group-a', connectors: ['crm'] }, ['crm']],
    ['its key as a connector id', { key: 'crm' }, ['crm']],
  ])(
    'Given a fan-out child whose context names a connector by %s, When it runs, Then it syncs only that one',
    async (_case, context, synced) => {
      // Given
      const job = await givenSyncJob(world, {
        pageSize: 20,
        connectors: [demoConnector(world.platform, 'crm'), demoConnector(world.platform, 'tickets')],
      });
      const { run, event } = newManualRun(job, world.clock.now(), {
        retentionDays: 30,
        trigger: 'fan-out',
        slot: `2026-03-02T10:00:00.000Z#${context.key}`,
        context,
        parentRunId: '01JNPARENT0000000000000000',
      });
      await world.deps.runs.claim(run);
      // When
      const outcome = await world.runEvent(event);
      // Then
      expect(Object.keys((runOf(outcome).result as { connectors: object }).connectors)).toEqual(synced);
    },
  );

  it('Given a fan-out context naming a connector the job does not have, When the child runs, Then it fails saying so', async () => {
    const job = await givenSyncJob(world);
    const { run, event } = newManualRun(job, world.clock.now(), {
      retentionDays: 30,
      trigger: 'fan-out',
      slot: '2026-03-02T10:00:00.000Z#zendesk',
      context: { key: 'zendesk' },
    });
    await world.deps.runs.claim(run);
    const thrown = await world.runEvent(event).catch((error: unknown) => error);
    expect(thrown).toMatchObject({ name: 'SyncFailedError' });
    const failed = await world.deps.runs.getById(run.runId);
    expect(failed?.status).toBe('failed');
    expect(failed?.error?.message).toContain(
      'zendesk: the job has no connector "zendesk" (its connectors: crm)',
    );
  });
});
