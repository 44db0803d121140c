/**
 * Sync checkpoints through the real lifecycle: a run continues where the last one committed; the
 * checkpoint moves only after the sink acknowledged a page; two runs at once never lose or duplicate a
 * page; a crash between the sink's ack and the commit re-sends that page under the same key; the
 * deadline and maxPagesPerRun stop a run cleanly and the next one goes on; fullResync and the
 * connectors parameter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointStore } from '../../../shared/kinds/capabilities.ts';
import { faulty } from '../../support/faults.ts';
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
/** While set, a page of `crm` waits for it: a run kept mid-sync. */
let gate:
  | { readonly opened: Promise<void>; open(): void; reached(): void; readonly arrived: Promise<void> }
  | undefined;

beforeAll(async () => {
  world = await startSyncWorld({
    retries: 2,
    beforeConnectorPage: async (connector, offset) => {
      if (gate !== undefined && connector === 'crm' && offset > 0) {
        gate.reached();
        await gate.opened;
      }
    },
  });
});
afterAll(async () => {
  await world.close();
});

function newGate() {
  let open = () => {};
  let reached = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const arrived = new Promise<void>((resolve) => {
    reached = resolve;
  });
  return { opened, open, reached, arrived };
}

describe('sync checkpoints', () => {
  it('Given a connector of 250 records, When runs of 3 pages of 50 follow each other, Then each continues from the committed cursor and the sink gets every record once, signed', async () => {
    // Given
    const job = await givenSyncJob(world, { maxPagesPerRun: 3 });
    // When
    const first = await world.run(job, '2026-03-02T10:00:00.000Z');
    const second = await world.run(job, '2026-03-02T11:00:00.000Z');
    // Then
    expect(first.outcome).toBe('succeeded');
    expect(runOf(first).result).toEqual({
      connectors: {
        crm: {
          status: 'succeeded',
          records: 150,
          pages: 3,
          hasMore: true,
          reason: 'stopped after maxPagesPerRun (3) pages',
        },
      },
      records: 150,
      pages: 3,
      hasMore: true,
    });
    expect(runOf(second).result).toMatchObject({
      connectors: { crm: { status: 'succeeded', records: 100, pages: 2, hasMore: false } },
    });
    expect(syncedIds(world, job.name, 'crm')).toEqual(expectedIds('crm', 0, 250));
    const stored = await world.checkpoints.readKeyed(job, ['crm']);
    expect(stored.get('crm')).toEqual({
      value: '250',
      version: 5,
      generation: 0,
      updatedAt: '2026-03-02T11:00:00.000Z',
    });
    const [delivery] = world.platform
      .received()
      .ingest.items.filter((item) => (item.body as { job?: string }).job === job.name);
    expect(delivery?.body).toMatchObject({
      log_type: 'connector_records',
      connector: 'crm',
      cursor: null,
      nextCursor: '50',
    });
    // Accepted by the platform's ingest, which verifies each Tickwork-Signature and refuses a bad one (401).
    expect(delivery?.idempotencyKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('Given a run holding the connector mid-sync, When a manual run starts meanwhile, Then it skips the connector naming the holder, and the pages arrive once each', async () => {
    // Given a run of allow-overlap job stopped between its first and second page
    const job = await givenSyncJob(world, { pageSize: 25 }, { overlap: 'allow' });
    gate = newGate();
    const held = gate;
    const scheduled = world.run(job, '2026-03-02T10:00:00.000Z');
    await held.arrived;
    // When a manual run of the job starts while it holds the lease
    const manual = await world.runManual(job, {});
    held.open();
    gate = undefined;
    const first = await scheduled;
    // Then the manual run skipped crm, saying which run syncs it; the scheduled one synced it all
    expect(manual.outcome).toBe('succeeded');
    expect(runOf(manual).result).toMatchObject({
      connectors: {
        crm: {
          status: 'skipped',
          records: 0,
          reason: expect.stringContaining(`run ${runOf(first).runId} is syncing it`),
        },
      },
    });
    expect(runOf(first).result).toMatchObject({ connectors: { crm: { status: 'succeeded', records: 250 } } });
    expect(syncedIds(world, job.name, 'crm')).toEqual(expectedIds('crm', 0, 250));
  });

  it('Given two runs of the job started at once, When both sync, Then no page is lost or duplicated', async () => {
    // Given
    const job = await givenSyncJob(world, { pageSize: 10, maxPagesPerRun: 13 }, { overlap: 'allow' });
    // When
    const outcomes = await Promise.all([
      world.run(job, '2026-03-02T10:00:00.000Z'),
      world.runManual(job, {}),
    ]);
    const last = await world.run(job, '2026-03-02T11:00:00.000Z');
    // Then
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['succeeded', 'succeeded']);
    expect(last.outcome).toBe('succeeded');
    expect(syncedIds(world, job.name, 'crm')).toEqual(expectedIds('crm', 0, 250));
  });

  it('Given a crash between the sink acknowledging page 2 and its commit, When the run is retried, Then page 2 is sent again with the same key and the sink counts it once', async () => {
    // Given the store fails the second commit and the lease's release (the function died there)
    const job = await givenSyncJob(world);
    const store = faulty<CheckpointStore>(world.checkpoints);
    store.beforeNext('commitKeyed', async () => {});
    store.failNext('commitKeyed', new Error('the function stopped'));
    store.failNext('releaseKeyed', new Error('the function stopped'));
    const duplicatesBefore = world.platform.received().ingest.duplicates;
    const crashed = await world
      .run(job, '2026-03-02T10:00:00.000Z', { checkpoints: store.port })
      .catch((error: unknown) => error);
    expect(crashed).toBeInstanceOf(Error);
    expect((await world.checkpoints.readKeyed(job, ['crm'])).get('crm')).toMatchObject({
      value: '50',
      version: 1,
    });
    const keysBefore = keysOf(job.name);
    // When Lambda retries the slot (the same run: it takes its own lease back)
    const retried = await world.run(job, '2026-03-02T10:00:00.000Z');
    // Then
    expect(retried.outcome).toBe('succeeded');
    expect(runOf(retried).attempt).toBe(2);
    expect(world.platform.received().ingest.duplicates - duplicatesBefore).toBe(1);
    expect(syncedIds(world, job.name, 'crm')).toEqual(expectedIds('crm', 0, 250));
    expect(keysBefore).toHaveLength(2);
    expect((await world.checkpoints.readKeyed(job, ['crm'])).get('crm')).toMatchObject({
      value: '250',
      version: 5,
    });
  });

  it("Given the function's time running out, When a page would not fit, Then the run stops cleanly saying hasMore, and the next run continues", async () => {
    // Given a minute spent per page read (as Lambda's remaining time would say) from a five-minute budget
    const job = await givenSyncJob(world);
    const served = () => world.platform.received().connectors.pageRequests.crm ?? 0;
    const start = served();
    const remainingTimeMs = () => 300_000 - 60_000 * (served() - start);
    // When
    const stopped = await world.run(job, '2026-03-02T10:00:00.000Z', { remainingTimeMs });
    const next = await world.run(job, '2026-03-02T11:00:00.000Z');
    // Then 2 pages fit: the first page's cycle took two reads (its own, and the second page's, read
    // ahead while it was sent), 120 s, which the run expects of the next page too; after the second
    // page's send (the third read ahead) 120 s are left, under 120 s + the sink's 30 s + 5 s: the third
    // page is not sent, and the next run reads it again
    expect(stopped.outcome).toBe('succeeded');
    expect(runOf(stopped).result).toMatchObject({
      connectors: {
        crm: {
          status: 'succeeded',
          records: 100,
          pages: 2,
          hasMore: true,
          reason: "stopped before the function's deadline (120 s left)",
        },
      },
      hasMore: true,
    });
    expect(runOf(next).result).toMatchObject({
      connectors: { crm: { records: 150, pages: 3, hasMore: false } },
    });
    expect(syncedIds(world, job.name, 'crm')).toEqual(expectedIds('crm', 0, 250));
  });

  it('Given a synced job of two connectors, When a manual run asks for a full resync of one, Then only that one is read again from the start, under new keys', async () => {
    // Given
    const job = await givenSyncJob(world, {
      connectors: [demoConnector(world.platform, 'crm'), demoConnector(world.platform, 'tickets')],
      pageSize: 20,
    });
    await world.run(job, '2026-03-02T10:00:00.000Z');
    const crmKeys = keysOf(job.name, 'crm');
    const ticketsBefore = syncedIds(world, job.name, 'tickets');
    // When
    const resync = await world.runManual(job, { connectors: ['crm'], fullResync: true });
    // Then
    expect(runOf(resync).result).toMatchObject({
      connectors: { crm: { status: 'succeeded', records: 250, hasMore: false } },
      fullResync: true,
    });
    expect(Object.keys((runOf(resync).result as { connectors: object }).connectors)).toEqual(['crm']);
    expect(syncedIds(world, job.name, 'crm')).toEqual([
      ...expectedIds('crm', 0, 250),
      ...expectedIds('crm', 0, 250),
    ]);
    expect(syncedIds(world, job.name, 'tickets')).toEqual(ticketsBefore);
    const newKeys = keysOf(job.name, 'crm').slice(crmKeys.length);
    expect(newKeys).toHaveLength(crmKeys.length);
    expect(newKeys.filter((key) => crmKeys.includes(key))).toEqual([]);
    expect((await world.checkpoints.readKeyed(job, ['crm'])).get('crm')).toMatchObject({
      value: '250',
      generation: 1,
    });
  });
});

/** The idempotency keys the sink accepted for a job (and connector), in order. */
function keysOf(job: string, connector?: string): string[] {
  return world.platform
    .received()
    .ingest.items.filter((item) => {
      const body = item.body as { job?: string; connector?: string };
      return body.job === job && (connector === undefined || body.connector === connector);
    })
    .map((item) => item.idempotencyKey ?? '');
}
