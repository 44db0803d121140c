/**
 * What the sink receives and what fails a run cleanly: chunks under maxChunkBytes, a row too large for
 * any chunk, a source answering garbage (not JSON, the wrong shape, too much), and the onResult summary.
 * A failed run sends nothing it should not and never moves the watermark.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_SOURCE_RESPONSE_BYTES } from '../../../shared/kinds/telemetry/http-source.ts';
import { cancelRun } from '../../../shared/runs/cancel.ts';
import { expectedRows, exported, givenTelemetryJob, startWorld, type World } from './support.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});
beforeEach(() => {
  const { platform } = world;
  platform.deliveries.length = 0;
  platform.posts.length = 0;
  platform.failIngest = undefined;
  platform.holdIngest = undefined;
  platform.telemetryAnswer = undefined;
  platform.padBytes = 0;
});

const SLOT = '2026-03-02T10:00:00.000Z';

describe('telemetry chunks', () => {
  it('Given rows worth many chunks, When the run exports, Then every chunk is at most maxChunkBytes and together they hold every row once, in order', async () => {
    // Given rows of ~300 bytes and chunks of at most 4 KiB
    world.platform.padBytes = 250;
    const job = await givenTelemetryJob(world, {
      sink: { url: world.platform.ingestUrl, signingSecret: 'demo/ingest', maxChunkBytes: 4096 },
    });
    // When
    await world.run(job, SLOT);
    // Then
    const { deliveries } = world.platform;
    expect(deliveries.length).toBeGreaterThan(5);
    for (const delivery of deliveries) expect(Buffer.byteLength(delivery.rawBody)).toBeLessThanOrEqual(4096);
    expect(deliveries.map((delivery) => delivery.body.chunk)).toEqual(
      deliveries.map((_, index) => ({ index, count: deliveries.length })),
    );
    expect(new Set(deliveries.map((delivery) => delivery.key)).size).toBe(deliveries.length);
    expect(exported(world.platform)).toEqual(
      expectedRows(['predictions', 'latency'], '2026-03-02T08:58:00.000Z', '2026-03-02T09:58:00.000Z'),
    );
    expect((await world.runOf(job, SLOT)).result).toMatchObject({
      chunks: deliveries.length,
      bytes: deliveries.reduce((sum, delivery) => sum + Buffer.byteLength(delivery.rawBody), 0),
    });
  });

  it('Given a row larger than a chunk may be, When the run exports, Then it fails naming the row, sends nothing, and keeps the watermark', async () => {
    // Given rows of ~2 KB and chunks of at most 1 KiB
    world.platform.padBytes = 2000;
    const job = await givenTelemetryJob(world, {
      sink: { url: world.platform.ingestUrl, signingSecret: 'demo/ingest', maxChunkBytes: 1024 },
    });
    // When
    await expect(world.run(job, SLOT)).rejects.toThrow(/row 0 of table predictions is \d+ bytes as JSON/);
    // Then
    expect(await world.runOf(job, SLOT)).toMatchObject({
      status: 'failed',
      error: { type: 'RowTooLargeError' },
    });
    expect(world.platform.posts).toEqual([]);
    expect(await world.checkpoints.read(job)).toBeUndefined();
  });
});

describe('cancelling a telemetry run', () => {
  it('Given a run sending chunks, When it is cancelled during the first, Then it stops before the next, ends cancelled, and keeps the watermark', async () => {
    // Given a window of several chunks, and a sink that holds the first until the cancel is accepted
    const job = await givenTelemetryJob(world, {
      sink: { url: world.platform.ingestUrl, signingSecret: 'demo/ingest', maxChunkBytes: 2048 },
    });
    world.platform.holdIngest = async (index) => {
      if (index !== 0) return;
      const [running] = (await world.deps.runs.list({ job: job.name, limit: 1 })).items;
      if (running === undefined) throw new Error('no running run');
      await cancelRun(world.deps, running.runId);
      // Past the interval the run trusts its last look at the cancel flag for.
      world.clock.advance(60_000);
    };
    // When
    const outcome = await world.run(job, SLOT);
    // Then
    expect(outcome.outcome).toBe('cancelled');
    expect(world.platform.posts).toHaveLength(1);
    expect(await world.checkpoints.read(job)).toBeUndefined();
  });
});

describe('telemetry source answers that fail the run', () => {
  it.each([
    ['not JSON', { body: '<html>oops</html>' }, /answered a body that is not JSON: "<html>oops<\/html>"/],
    ['JSON without rows', { body: '{"data": []}' }, /answered JSON without a "rows" array/],
    [
      'rows that are not objects',
      { body: '{"rows": [{"a": 1}, 42]}' },
      /answered rows\[1\] that is not an object/,
    ],
    ['an error status', { status: 502, body: 'bad gateway' }, /answered HTTP 502: bad gateway/],
    [
      'a body over the size bound',
      { body: `{"rows": ["${'x'.repeat(MAX_SOURCE_RESPONSE_BYTES)}"]}` },
      /answered more than 33554432 bytes for 10001 rows: lower limitPerTable/,
    ],
  ])(
    'Given a source answering %s, When the run exports, Then it fails with a clear error, sends nothing, and keeps the watermark',
    async (_case, answer, message) => {
      // Given
      world.platform.telemetryAnswer = answer;
      const job = await givenTelemetryJob(world);
      // When
      await expect(world.run(job, SLOT)).rejects.toThrow(message);
      // Then
      const run = await world.runOf(job, SLOT);
      expect(run).toMatchObject({ status: 'failed', error: { type: 'TelemetrySourceError' } });
      expect(run.error?.message).toMatch(message);
      expect(world.platform.posts).toEqual([]);
      expect(await world.checkpoints.read(job)).toBeUndefined();
    },
  );
});

describe('telemetry onResult', () => {
  it('Given onResult, When the run succeeds, Then the endpoint gets the signed summary and the result says it was delivered', async () => {
    // Given an onResult endpoint (the platform's ingest, which verifies the signature)
    const job = await givenTelemetryJob(world, {
      tables: ['latency'],
      onResult: { url: `${world.platform.ingestUrl}?summary=1`, signingSecret: 'demo/ingest' },
    });
    // When
    await world.run(job, SLOT);
    // Then the chunk, then the summary arrived, both signed
    expect(world.platform.signatureFailures).toEqual([]);
    const summary = world.platform.deliveries.at(-1);
    expect(summary?.key).toMatch(/:result$/);
    expect(JSON.parse(summary?.rawBody ?? '{}')).toMatchObject({
      job: job.name,
      log_type: 'telemetry_result',
      window: { from: '2026-03-02T08:58:00.000Z', to: '2026-03-02T09:58:00.000Z' },
      rows: { latency: 60 },
      chunks: 1,
      hasMore: false,
    });
    expect((await world.runOf(job, SLOT)).result).toMatchObject({
      onResult: { delivered: true, httpStatus: 200 },
    });
  });
});
