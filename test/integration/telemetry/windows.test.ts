/**
 * Telemetry windows through the real lifecycle: no gaps and no overlaps across late, retried, skipped
 * and manual runs; the watermark moves only after the sink acknowledged every chunk; a backfill leaves
 * it alone; `max` and the per-table limit leave the rest to the next run, which the result says.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../../../shared/kinds/signature.ts';
import { newManualRun } from '../../../shared/runs/manual.ts';
import {
  expectedRows,
  exported,
  givenTelemetryJob,
  INGEST_SECRET,
  startWorld,
  TOKEN,
  type World,
} from './support.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld({ retries: 2 });
});
afterAll(async () => {
  await world.close();
});
beforeEach(() => {
  const { platform } = world;
  platform.deliveries.length = 0;
  platform.posts.length = 0;
  platform.telemetryRequests.length = 0;
  platform.failIngest = undefined;
  platform.telemetryAnswer = undefined;
  platform.rowsPerStep = {};
  platform.padBytes = 0;
});

describe('telemetry windows', () => {
  it('Given a new job, When its first slot runs, Then it exports one period back from slot − settleLag, signed, and sets the watermark there', async () => {
    // Given
    const job = await givenTelemetryJob(world);
    // When
    const outcome = await world.run(job, '2026-03-02T10:00:00.000Z');
    // Then
    expect(outcome.outcome).toBe('succeeded');
    const run = await world.runOf(job, '2026-03-02T10:00:00.000Z');
    expect(run.result).toEqual({
      window: { from: '2026-03-02T08:58:00.000Z', to: '2026-03-02T09:58:00.000Z' },
      rows: { predictions: 60, latency: 60 },
      chunks: 1,
      bytes: Buffer.byteLength(world.platform.deliveries[0]?.rawBody ?? ''),
      hasMore: false,
    });
    expect(exported(world.platform)).toEqual(
      expectedRows(['predictions', 'latency'], '2026-03-02T08:58:00.000Z', '2026-03-02T09:58:00.000Z'),
    );
    const [delivery] = world.platform.deliveries;
    expect(delivery?.body).toMatchObject({
      model: { name: 'claims-triage', version: '3.1.0', environment: 'prod', purpose: 'route claims' },
      log_type: 'telemetry',
      window: { from: '2026-03-02T08:58:00.000Z', to: '2026-03-02T09:58:00.000Z' },
      chunk: { index: 0, count: 1 },
    });
    expect(
      verifySignature(
        delivery?.headers['tickwork-signature'] as string,
        delivery?.rawBody ?? '',
        INGEST_SECRET,
        {
          now: world.clock.now(),
        },
      ).valid,
    ).toBe(true);
    expect(world.platform.telemetryRequests.map((request) => request.authorization)).toEqual([
      `Bearer ${TOKEN}`,
      `Bearer ${TOKEN}`,
    ]);
    expect(world.platform.telemetryRequests[0]).toMatchObject({ table: 'predictions', limit: 10_001 });
    expect(await world.checkpoints.read(job)).toEqual({ value: '2026-03-02T09:58:00.000Z', version: 1 });
  });

  it('Given runs that are late, skipped and repeated, When they run, Then every minute is exported exactly once and the windows tile', async () => {
    // Given a job whose 10:00 run exported, that runs deliveries up to 2 h late (past its default
    // starting deadline of one period, a late slot would be recorded missed instead)
    const job = await givenTelemetryJob(
      world,
      { tables: ['predictions'] },
      { startingDeadlineSeconds: 7200 },
    );
    await world.run(job, '2026-03-02T10:00:00.000Z');
    // When 11:00 never fires (skipped), 12:00 fires 7 minutes late, then 11:00 arrives after all,
    // and 12:00 is delivered again (a Scheduler repeat), then 13:00 runs
    await world.run(job, '2026-03-02T12:00:00.000Z', '2026-03-02T12:07:00.000Z');
    await world.run(job, '2026-03-02T11:00:00.000Z', '2026-03-02T12:08:00.000Z');
    await world.run(job, '2026-03-02T12:00:00.000Z', '2026-03-02T12:09:00.000Z');
    await world.run(job, '2026-03-02T13:00:00.000Z');
    // Then the windows follow each other with no gap and no overlap, whatever the clock said
    const windows = world.platform.deliveries.map((delivery) => delivery.body.window);
    expect(windows).toEqual([
      { from: '2026-03-02T08:58:00.000Z', to: '2026-03-02T09:58:00.000Z' },
      { from: '2026-03-02T09:58:00.000Z', to: '2026-03-02T11:58:00.000Z' },
      { from: '2026-03-02T11:58:00.000Z', to: '2026-03-02T12:58:00.000Z' },
    ]);
    expect(exported(world.platform)).toEqual(
      expectedRows(['predictions'], '2026-03-02T08:58:00.000Z', '2026-03-02T12:58:00.000Z'),
    );
    // And the late 11:00 run exported an empty window
    expect((await world.runOf(job, '2026-03-02T11:00:00.000Z')).result).toMatchObject({
      window: { from: '2026-03-02T11:58:00.000Z', to: '2026-03-02T11:58:00.000Z' },
      rows: { predictions: 0 },
      chunks: 0,
    });
  });

  it('Given a sink that fails a chunk, When the run fails and Lambda retries it, Then the watermark stayed, and the retry sends the same window with the same keys', async () => {
    // Given a job whose window makes several chunks, and a sink refusing the second one once
    const job = await givenTelemetryJob(world, {
      tables: ['predictions'],
      sink: { url: world.platform.ingestUrl, signingSecret: 'demo/ingest', maxChunkBytes: 2048 },
    });
    let refused = 0;
    world.platform.failIngest = (index) => (index === 1 && refused++ === 0 ? 503 : undefined);
    // When the slot runs
    await expect(world.run(job, '2026-03-02T10:00:00.000Z')).rejects.toThrow(/HTTP 503 to chunk 2 of/);
    // Then it is retrying, and the watermark has not moved
    expect(await world.runOf(job, '2026-03-02T10:00:00.000Z')).toMatchObject({
      status: 'retrying',
      error: { type: 'SinkRejectedError' },
    });
    expect(await world.checkpoints.read(job)).toBeUndefined();
    const firstKeys = [...world.platform.posts];
    // When Lambda retries the slot a minute later
    const retried = await world.run(job, '2026-03-02T10:00:00.000Z', '2026-03-02T10:01:00.000Z');
    // Then the same window goes out with the same keys; the sink stored each chunk once
    expect(retried).toMatchObject({ outcome: 'succeeded', run: { attempt: 2 } });
    expect(world.platform.posts.slice(0, firstKeys.length)).toEqual(firstKeys);
    expect(world.platform.posts.slice(firstKeys.length)[0]).toBe(firstKeys[0]);
    expect(exported(world.platform)).toEqual(
      expectedRows(['predictions'], '2026-03-02T08:58:00.000Z', '2026-03-02T09:58:00.000Z'),
    );
    const count = world.platform.deliveries[0]?.body.chunk.count ?? 0;
    expect(count).toBeGreaterThan(2);
    expect(
      world.platform.deliveries.map((delivery) => delivery.body.chunk.index).sort((a, b) => a - b),
    ).toEqual(Array.from({ length: count }, (_, index) => index));
    expect(await world.checkpoints.read(job)).toEqual({ value: '2026-03-02T09:58:00.000Z', version: 1 });
  });

  it('Given a watermark a day behind and max PT3H, When runs follow, Then each exports at most 3 hours, says hasMore, and the next continues', async () => {
    // Given
    const job = await givenTelemetryJob(world, {
      tables: ['latency'],
      window: { initial: 'P1D', max: 'PT3H' },
    });
    // When
    await world.run(job, '2026-03-02T10:00:00.000Z');
    await world.run(job, '2026-03-02T11:00:00.000Z');
    // Then
    expect((await world.runOf(job, '2026-03-02T10:00:00.000Z')).result).toMatchObject({
      window: { from: '2026-03-01T09:58:00.000Z', to: '2026-03-01T12:58:00.000Z' },
      hasMore: true,
    });
    expect((await world.runOf(job, '2026-03-02T11:00:00.000Z')).result).toMatchObject({
      window: { from: '2026-03-01T12:58:00.000Z', to: '2026-03-01T15:58:00.000Z' },
      hasMore: true,
    });
    expect(exported(world.platform)).toEqual(
      expectedRows(['latency'], '2026-03-01T09:58:00.000Z', '2026-03-01T15:58:00.000Z'),
    );
  });

  it('Given a table holding more rows than the limit, When the run exports, Then it narrows the window, loses nothing, and the next run continues', async () => {
    // Given 3 rows a minute in one table and a limit of 100 rows per table
    world.platform.rowsPerStep = { predictions: 3 };
    const job = await givenTelemetryJob(world, { limitPerTable: 100 });
    // When the slot (an hour: 180 rows) runs, then the next two
    await world.run(job, '2026-03-02T10:00:00.000Z');
    await world.run(job, '2026-03-02T10:10:00.000Z');
    await world.run(job, '2026-03-02T10:20:00.000Z');
    // Then the first exported the first half hour and said there was more
    expect((await world.runOf(job, '2026-03-02T10:00:00.000Z')).result).toMatchObject({
      window: { from: '2026-03-02T08:58:00.000Z', to: '2026-03-02T09:28:00.000Z' },
      rows: { predictions: 90, latency: 30 },
      hasMore: true,
    });
    // And together the runs exported every row once, in tiling windows
    const rows = exported(world.platform);
    expect(new Set(rows).size).toBe(rows.length);
    const to = (await world.checkpoints.read(job))?.value ?? '';
    expect(to).toBe('2026-03-02T10:18:00.000Z');
    expect([...rows].sort()).toEqual(
      [
        ...expectedRows(['predictions'], '2026-03-02T08:58:00.000Z', to, 3),
        ...expectedRows(['latency'], '2026-03-02T08:58:00.000Z', to),
      ].sort(),
    );
  });

  it('Given a manual run with from/to, When it runs, Then it exports exactly that window and the watermark does not move', async () => {
    // Given a job that has exported once
    const job = await givenTelemetryJob(world);
    await world.run(job, '2026-03-02T10:00:00.000Z');
    const before = await world.checkpoints.read(job);
    world.platform.deliveries.length = 0;
    // When a backfill of one table is requested, and runs
    const manual = newManualRun(job, world.clock.now(), {
      retentionDays: 30,
      params: { from: '2026-02-01T00:00:00Z', to: '2026-02-01T00:30:00Z', tables: ['latency'] },
    });
    await world.deps.runs.claim(manual.run);
    const outcome = await world.runEvent(manual.event);
    // Then exactly that window of that table went out
    expect(outcome.outcome).toBe('succeeded');
    expect(exported(world.platform)).toEqual(
      expectedRows(['latency'], '2026-02-01T00:00:00.000Z', '2026-02-01T00:30:00.000Z'),
    );
    expect((await world.deps.runs.get(job.name, manual.run.slot))?.result).toMatchObject({
      window: { from: '2026-02-01T00:00:00.000Z', to: '2026-02-01T00:30:00.000Z' },
      rows: { latency: 30 },
      backfill: true,
    });
    // And the watermark is where the scheduled run left it
    expect(await world.checkpoints.read(job)).toEqual(before);
    // And a manual run without a window continues from the watermark like a scheduled one
    world.platform.deliveries.length = 0;
    const plain = newManualRun(job, new Date('2026-03-02T10:30:00.000Z'), { retentionDays: 30 });
    await world.deps.runs.claim(plain.run);
    expect((await world.runEvent(plain.event)).outcome).toBe('succeeded');
    expect(world.platform.deliveries.map((delivery) => delivery.body.window)).toEqual([
      { from: '2026-03-02T09:58:00.000Z', to: '2026-03-02T10:28:00.000Z' },
    ]);
  });
});
