/**
 * The CheckpointStore contract: one value per job, moved only by a conditional write naming the
 * version read, and belonging to one job (a job created again under the name starts without one).
 * Run against the in-memory store (test/unit/contract/) and the DynamoDB adapter on dynalite and
 * DynamoDB Local (test/integration/contract/).
 */
import { describe, expect, it } from 'vitest';
import type { JobIdentity } from '../../shared/jobs/ports.ts';
import type { CheckpointStore } from '../../shared/kinds/capabilities.ts';

export interface CheckpointSubject {
  /** An empty store. */
  open(): Promise<CheckpointStore>;
}

const job: JobIdentity = { name: 'export-metrics', createdAt: '2026-03-01T00:00:00.000Z' };
const again: JobIdentity = { name: 'export-metrics', createdAt: '2026-03-02T00:00:00.000Z' };
const other: JobIdentity = { name: 'export-logs', createdAt: '2026-03-01T00:00:00.000Z' };

export function checkpointStoreContract(subject: CheckpointSubject): void {
  describe('CheckpointStore contract', () => {
    it('Given a job without a checkpoint, When read, Then there is none', async () => {
      const store = await subject.open();
      expect(await store.read(job)).toBeUndefined();
    });

    it('Given none, When advanced from no version, Then it holds the value at version 1', async () => {
      const store = await subject.open();
      expect(await store.advance(job, undefined, '2026-03-01T10:00:00.000Z')).toBe(true);
      expect(await store.read(job)).toEqual({ value: '2026-03-01T10:00:00.000Z', version: 1 });
    });

    it('Given version 1, When advanced from version 1, Then it holds the new value at version 2', async () => {
      const store = await subject.open();
      await store.advance(job, undefined, 'a');
      expect(await store.advance(job, 1, 'b')).toBe(true);
      expect(await store.read(job)).toEqual({ value: 'b', version: 2 });
    });

    it.each([
      ['a version it no longer has', 1],
      ['a version it never had', 7],
      ['no version, though it has one', undefined],
    ])(
      'Given version 2, When advanced from %s, Then it is refused and the value stays',
      async (_case, version) => {
        const store = await subject.open();
        await store.advance(job, undefined, 'a');
        await store.advance(job, 1, 'b');
        expect(await store.advance(job, version, 'stale')).toBe(false);
        expect(await store.read(job)).toEqual({ value: 'b', version: 2 });
      },
    );

    it('Given none, When advanced from a version, Then it is refused and there is still none', async () => {
      const store = await subject.open();
      expect(await store.advance(job, 1, 'a')).toBe(false);
      expect(await store.read(job)).toBeUndefined();
    });

    it('Given two writers that read the same version, When both advance, Then exactly one wins', async () => {
      const store = await subject.open();
      await store.advance(job, undefined, 'a');
      const results = await Promise.all([store.advance(job, 1, 'left'), store.advance(job, 1, 'right')]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results[0] ? 'left' : 'right';
      expect(await store.read(job)).toEqual({ value: winner, version: 2 });
    });

    it('Given a checkpoint of a job deleted and created again, When the new job reads, Then it has none and starts at version 1', async () => {
      const store = await subject.open();
      await store.advance(job, undefined, 'old');
      await store.advance(job, 1, 'older');
      expect(await store.read(again)).toBeUndefined();
      expect(await store.advance(again, undefined, 'new')).toBe(true);
      expect(await store.read(again)).toEqual({ value: 'new', version: 1 });
    });

    it("Given the new job's checkpoint, When a late run of the old job writes, Then it is refused and the old job reads none", async () => {
      const store = await subject.open();
      await store.advance(job, undefined, 'old');
      await store.advance(again, undefined, 'new');
      expect(await store.advance(job, 1, 'late')).toBe(false);
      expect(await store.advance(job, undefined, 'late')).toBe(false);
      expect(await store.read(job)).toBeUndefined();
      expect(await store.read(again)).toEqual({ value: 'new', version: 1 });
    });

    it('Given two jobs, When each advances, Then their checkpoints are their own', async () => {
      const store = await subject.open();
      await store.advance(job, undefined, 'one');
      await store.advance(other, undefined, 'two');
      await store.advance(other, 1, 'three');
      expect(await store.read(job)).toEqual({ value: 'one', version: 1 });
      expect(await store.read(other)).toEqual({ value: 'three', version: 2 });
    });
  });
}
