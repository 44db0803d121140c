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

  describe('CheckpointStore contract: keyed checkpoints with leases', () => {
    const t0 = new Date('2026-03-01T10:00:00.000Z');
    const t1 = new Date('2026-03-01T10:10:00.000Z');
    const lease = (runId: string, expiresAt = '2026-03-01T10:05:00.000Z') => ({ runId, expiresAt });
    const commit = (runId: string, expectedVersion: number, value: string | undefined, release = false) => ({
      runId,
      expectedVersion,
      value,
      generation: 0,
      updatedAt: t0,
      release,
    });

    it('Given no checkpoint, When a run takes its lease, Then it starts at version 0 from the beginning', async () => {
      const store = await subject.open();
      expect(await store.readKeyed(job, ['crm'])).toEqual(new Map());
      expect(await store.acquireKeyed(job, 'crm', lease('run-a'), t0)).toEqual({
        acquired: true,
        checkpoint: { version: 0, generation: 0 },
      });
      expect(await store.readKeyed(job, ['crm'])).toEqual(
        new Map([['crm', { version: 0, generation: 0, lease: lease('run-a') }]]),
      );
    });

    it('Given a leased key, When another run asks before the lease expires, Then it is refused with the holder; after it, it is taken', async () => {
      const store = await subject.open();
      await store.acquireKeyed(job, 'crm', lease('run-a'), t0);
      expect(await store.acquireKeyed(job, 'crm', lease('run-b', '2026-03-01T10:20:00.000Z'), t0)).toEqual({
        acquired: false,
        reason: 'held',
        holder: lease('run-a'),
      });
      expect(
        await store.acquireKeyed(job, 'crm', lease('run-a', '2026-03-01T10:06:00.000Z'), t0),
      ).toMatchObject({
        acquired: true,
      });
      expect(
        await store.acquireKeyed(job, 'crm', lease('run-b', '2026-03-01T10:20:00.000Z'), t1),
      ).toMatchObject({
        acquired: true,
      });
    });

    it('Given two runs at once, When both take the lease of a key, Then exactly one gets it', async () => {
      const store = await subject.open();
      const outcomes = await Promise.all([
        store.acquireKeyed(job, 'crm', lease('run-a'), t0),
        store.acquireKeyed(job, 'crm', lease('run-b'), t0),
      ]);
      expect(outcomes.filter((outcome) => outcome.acquired)).toHaveLength(1);
    });

    it('Given a lease, When its holder commits page after page and releases with the last, Then the value moves and the key is free', async () => {
      const store = await subject.open();
      await store.acquireKeyed(job, 'crm', lease('run-a'), t0);
      expect(await store.commitKeyed(job, 'crm', commit('run-a', 0, '20'))).toBe(true);
      expect(await store.commitKeyed(job, 'crm', commit('run-a', 1, '40', true))).toBe(true);
      expect(await store.readKeyed(job, ['crm', 'billing'])).toEqual(
        new Map([['crm', { value: '40', version: 2, generation: 0, updatedAt: t0.toISOString() }]]),
      );
      expect(await store.acquireKeyed(job, 'crm', lease('run-b'), t0)).toEqual({
        acquired: true,
        checkpoint: { value: '40', version: 2, generation: 0, updatedAt: t0.toISOString() },
      });
    });

    it.each([
      ['a stale version', 'run-a', 0],
      ['another run', 'run-b', 1],
    ])(
      'Given a committed page, When %s commits, Then it is refused and the value stays',
      async (_case, runId, version) => {
        const store = await subject.open();
        await store.acquireKeyed(job, 'crm', lease('run-a'), t0);
        await store.commitKeyed(job, 'crm', commit('run-a', 0, '20'));
        expect(await store.commitKeyed(job, 'crm', commit(runId, version, '99'))).toBe(false);
        expect((await store.readKeyed(job, ['crm'])).get('crm')?.value).toBe('20');
      },
    );

    it('Given no lease, When a run commits, Then it is refused', async () => {
      const store = await subject.open();
      expect(await store.commitKeyed(job, 'crm', commit('run-a', 0, '20'))).toBe(false);
      await store.acquireKeyed(job, 'crm', lease('run-a'), t0);
      await store.releaseKeyed(job, 'crm', 'run-a');
      expect(await store.commitKeyed(job, 'crm', commit('run-a', 0, '20'))).toBe(false);
    });

    it('Given a lease of run a, When run b releases it, Then nothing changes', async () => {
      const store = await subject.open();
      await store.acquireKeyed(job, 'crm', lease('run-a'), t0);
      await store.releaseKeyed(job, 'crm', 'run-b');
      expect((await store.readKeyed(job, ['crm'])).get('crm')?.lease).toEqual(lease('run-a'));
    });

    it('Given a value, When reset while a run holds the key, Then it is refused with the holder; once free, it starts over in a new generation', async () => {
      const store = await subject.open();
      await store.acquireKeyed(job, 'crm', lease('run-a'), t0);
      await store.commitKeyed(job, 'crm', commit('run-a', 0, '20'));
      expect(await store.resetKeyed(job, 'crm', t0)).toEqual({ reset: false, holder: lease('run-a') });
      await store.releaseKeyed(job, 'crm', 'run-a');
      expect(await store.resetKeyed(job, 'crm', t1)).toEqual({
        reset: true,
        checkpoint: { version: 2, generation: 1, updatedAt: t1.toISOString() },
      });
      // A run that read version 1 before the reset cannot commit over it.
      await store.acquireKeyed(job, 'crm', lease('run-c', '2026-03-01T10:30:00.000Z'), t1);
      expect(await store.commitKeyed(job, 'crm', commit('run-c', 1, '40'))).toBe(false);
    });

    it('Given an expired lease, When reset, Then it starts over', async () => {
      const store = await subject.open();
      await store.acquireKeyed(job, 'crm', lease('run-a'), t0);
      expect(await store.resetKeyed(job, 'crm', t1)).toMatchObject({
        reset: true,
        checkpoint: { version: 1 },
      });
    });

    it('Given no checkpoint, When reset, Then there is nothing to start over', async () => {
      const store = await subject.open();
      expect(await store.resetKeyed(job, 'crm', t0)).toEqual({
        reset: true,
        checkpoint: { version: 0, generation: 0 },
      });
    });

    it('Given keys of a job deleted and created again, When the new job reads and leases, Then it starts afresh, and a late run of the old job is refused', async () => {
      const store = await subject.open();
      await store.acquireKeyed(job, 'crm', lease('run-a'), t0);
      await store.commitKeyed(job, 'crm', commit('run-a', 0, '20', true));
      expect(await store.readKeyed(again, ['crm'])).toEqual(new Map());
      expect(await store.acquireKeyed(again, 'crm', lease('run-n'), t0)).toEqual({
        acquired: true,
        checkpoint: { version: 0, generation: 0 },
      });
      expect(await store.acquireKeyed(job, 'crm', lease('run-late'), t1)).toEqual({
        acquired: false,
        reason: 'recreated',
      });
      expect(await store.commitKeyed(job, 'crm', commit('run-a', 0, '99'))).toBe(false);
      expect(await store.readKeyed(job, ['crm'])).toEqual(new Map());
    });

    it("Given keyed checkpoints, Then they are apart from the job's single checkpoint and from other keys and jobs", async () => {
      const store = await subject.open();
      await store.advance(job, undefined, 'watermark');
      await store.acquireKeyed(job, 'crm', lease('run-a'), t0);
      await store.commitKeyed(job, 'crm', commit('run-a', 0, 'c1', true));
      await store.acquireKeyed(other, 'crm', lease('run-b'), t0);
      expect(await store.read(job)).toEqual({ value: 'watermark', version: 1 });
      expect([...(await store.readKeyed(job, ['crm', 'billing'])).keys()]).toEqual(['crm']);
      expect((await store.readKeyed(other, ['crm'])).get('crm')).toEqual({
        version: 0,
        generation: 0,
        lease: lease('run-b'),
      });
    });
  });
}
