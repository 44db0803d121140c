/**
 * The JobStore contract, continued: what the run lifecycle writes on a job (its run lease, and the
 * outcome of a one-time job) and the delete path's `cancelled` mark. Both writes apply only to the job
 * the caller read: a job deleted since, or created again under its name, or (for the one-time marks)
 * given a new schedule, is left as it is, and the caller is told why. Runs where job-store.contract.ts
 * runs: on both DynamoDB engines and on the in-memory store.
 */
import { describe, expect, it } from 'vitest';
import { ConcurrentModificationError } from '../../shared/errors.ts';
import type { Job, RunLease } from '../../shared/jobs/model.ts';
import type { LeaseOutcome } from '../../shared/jobs/ports.ts';
import { promptJob } from '../support/jobs.ts';
import { ManualClock } from '../support/manual-clock.ts';
import type { JobStoreSubject } from './job-store.contract.ts';

const START = '2026-03-01T12:00:00.000Z';
const START_SEC = Date.parse(START) / 1000;

function lease(runId: string, expiresAt: string): RunLease {
  return { runId, slot: `slot-of-${runId}`, expiresAt };
}

/** A one-time job waiting for its slot. */
function oneTimeJob(name: string, overrides: Partial<Job> = {}): Job {
  return promptJob(name, {
    schedule: {
      input: 'at(2026-03-01T12:00:00)',
      expression: 'at(2026-03-01T12:00:00)',
      timezone: 'UTC',
      description: 'once, at 2026-03-01 12:00 UTC',
      type: 'at',
    },
    oneTimeState: 'scheduled',
    ...overrides,
  });
}

export function jobRunMarksContract(subject: JobStoreSubject): void {
  async function given(...jobs: Job[]) {
    const clock = new ManualClock(START);
    const store = await subject.open(clock);
    for (const job of jobs) await store.create(job);
    return { clock, store };
  }

  describe('acquireLease', () => {
    const held = lease('holder', '2026-03-01T12:01:00.000Z');
    it.each<[string, RunLease | undefined, string | undefined, string, LeaseOutcome]>([
      ['no lease', undefined, undefined, START, { acquired: true }],
      ['a live lease', held, undefined, START, { acquired: false, reason: 'held', holder: held }],
      [
        'a live lease, replacing another run',
        held,
        'someone-else',
        START,
        { acquired: false, reason: 'held', holder: held },
      ],
      ['a live lease, replacing its holder', held, 'holder', START, { acquired: true }],
      [
        'a lease expiring this instant',
        held,
        undefined,
        held.expiresAt,
        { acquired: false, reason: 'held', holder: held },
      ],
      ['a lease expired a millisecond ago', held, undefined, '2026-03-01T12:01:00.001Z', { acquired: true }],
    ])(
      'Given %s, When another run asks for it, Then the answer is %j',
      async (_case, before, replace, now, answer) => {
        // Given
        const job = promptJob('lease-me');
        const { store } = await given(job);
        if (before !== undefined)
          expect(await store.acquireLease(job, before, new Date(START))).toEqual({ acquired: true });
        // When
        const wanted = lease('newcomer', '2026-03-01T12:05:00.000Z');
        const outcome = await store.acquireLease(
          job,
          wanted,
          new Date(now),
          replace === undefined ? undefined : { replaceRunId: replace },
        );
        // Then
        expect(outcome).toStrictEqual(answer);
        expect((await store.runStates(['lease-me'])).get('lease-me')?.lease).toStrictEqual(
          outcome.acquired ? wanted : before,
        );
      },
    );

    it('Given a leased job, Then its version is unchanged and an edit at the version read still succeeds', async () => {
      const job = promptJob('leased');
      const { store } = await given(job);
      await store.acquireLease(job, held, new Date(START));
      expect((await store.get('leased'))?.version).toBe(1);
      await expect(store.put(promptJob('leased', { version: 2 }), 1)).resolves.toBeUndefined();
    });

    it('Given a job edited since the run read it, When the run asks for the lease, Then it is granted', async () => {
      // Given: an edit moves the version on but keeps the job's identity (its createdAt)
      const read = promptJob('edited');
      const { store } = await given(read);
      await store.put(promptJob('edited', { description: 'edited meanwhile', version: 2 }), 1);
      // When / Then
      expect(await store.acquireLease(read, held, new Date(START))).toEqual({ acquired: true });
      expect(await store.get('edited')).toMatchObject({ version: 2 });
      expect((await store.runStates(['edited'])).get('edited')).toStrictEqual({ lease: held });
    });

    it('Given no job, When a lease is asked for, Then it is refused as deleted and no job appears', async () => {
      const { store } = await given();
      expect(await store.acquireLease(promptJob('never-existed'), held, new Date(START))).toStrictEqual({
        acquired: false,
        reason: 'deleted',
      });
      expect(await store.get('never-existed')).toBeUndefined();
      expect((await store.list({ limit: 10 })).items).toEqual([]);
      expect((await store.runStates(['never-existed'])).size).toBe(0);
    });

    it('Given the job was deleted and created again, When a run of the old one asks for the lease, Then it is refused as recreated and the new job is untouched', async () => {
      // Given
      const old = promptJob('again', { createdAt: '2026-03-01T11:00:00.000Z' });
      const again = promptJob('again', { createdAt: '2026-03-01T11:59:00.000Z' });
      const { store } = await given(old);
      await store.delete('again', 1);
      await store.create(again);
      // When
      const outcome = await store.acquireLease(old, held, new Date(START));
      // Then
      expect(outcome).toStrictEqual({ acquired: false, reason: 'recreated' });
      expect(await store.get('again')).toStrictEqual(again);
      expect((await store.runStates(['again'])).get('again')).toStrictEqual({});
    });

    it('Given a live lease, When a run of an `allow` job records itself (shared), Then it is the lease whatever stood', async () => {
      const job = promptJob('shared');
      const { store } = await given(job);
      await store.acquireLease(job, held, new Date(START));
      const wanted = lease('newcomer', '2026-03-01T12:05:00.000Z');
      expect(await store.acquireLease(job, wanted, new Date(START), { shared: true })).toEqual({
        acquired: true,
      });
      expect((await store.runStates(['shared'])).get('shared')).toStrictEqual({ lease: wanted });
    });

    it('Given the lease of a run that started later, When an earlier run of an `allow` job records itself, Then the later one stays the latest', async () => {
      const job = promptJob('shared-later');
      const { store } = await given(job);
      const later = lease('run-2', '2026-03-01T12:05:00.000Z');
      await store.acquireLease(job, later, new Date(START), { shared: true });
      expect(await store.acquireLease(job, lease('run-1', START), new Date(START), { shared: true })).toEqual(
        {
          acquired: true,
        },
      );
      expect((await store.runStates(['shared-later'])).get('shared-later')).toStrictEqual({ lease: later });
    });

    it('Given no job, When a shared lease is asked for, Then it is refused as deleted', async () => {
      const { store } = await given();
      expect(
        await store.acquireLease(promptJob('gone'), held, new Date(START), { shared: true }),
      ).toStrictEqual({
        acquired: false,
        reason: 'deleted',
      });
      expect((await store.runStates(['gone'])).size).toBe(0);
    });

    it('Given jobs created and one deleted, Then run states answer in one batch for the live ones, with no lease until a run', async () => {
      const { store } = await given(promptJob('a'), promptJob('b'), promptJob('c'));
      await store.acquireLease(promptJob('b'), held, new Date(START));
      await store.delete('c', 1);
      const states = await store.runStates(['a', 'b', 'c', 'unknown']);
      expect(Object.fromEntries(states)).toStrictEqual({ a: {}, b: { lease: held } });
    });

    it('Given more than 100 jobs, Then run states answer for all of them', async () => {
      const jobs = Array.from({ length: 130 }, (_, i) => promptJob(`many-${String(i).padStart(3, '0')}`));
      const { store } = await given(...jobs);
      const states = await store.runStates(jobs.map((job) => job.name));
      expect(states.size).toBe(130);
    });

    it.each<[string, RunLease | undefined, LeaseOutcome]>([
      ['no lease', undefined, { acquired: true }],
      ['a live lease on the item', held, { acquired: false, reason: 'held', holder: held }],
    ])(
      'Given a job stored by an earlier version (%s, no run state), When a run asks for the lease, Then the state is created from the item and the answer is %j',
      async (_case, onItem, answer) => {
        // Given
        const job = promptJob('legacy');
        const { store } = await given();
        await subject.writeItem({
          ...job,
          listKey: 'job',
          ...(onItem === undefined ? {} : { lease: onItem }),
        });
        expect((await store.runStates(['legacy'])).size).toBe(0);
        // When
        const wanted = lease('newcomer', '2026-03-01T12:05:00.000Z');
        const outcome = await store.acquireLease(job, wanted, new Date(START));
        // Then
        expect(outcome).toStrictEqual(answer);
        expect((await store.runStates(['legacy'])).get('legacy')).toStrictEqual({
          lease: outcome.acquired ? wanted : onItem,
        });
      },
    );

    it('Given a run state a deleted job of the name left behind, When a run of the new job asks for the lease, Then it gets it', async () => {
      // Given: the state of a job created at 11:00 (its delete stopped before it removed the state)
      const job = promptJob('reborn', { createdAt: '2026-03-01T11:59:00.000Z' });
      const { store } = await given(job);
      await subject.writeItem({ name: 'reborn#run', jobCreatedAt: '2026-03-01T11:00:00.000Z', lease: held });
      // When / Then
      expect(
        await store.acquireLease(job, lease('new', '2026-03-01T12:05:00.000Z'), new Date(START)),
      ).toEqual({
        acquired: true,
      });
      expect((await store.runStates(['reborn'])).get('reborn')?.lease?.runId).toBe('new');
    });
  });

  describe('acquireLease with the version of the copy a run carries', () => {
    const held = lease('holder', '2026-03-01T12:01:00.000Z');
    const now = new Date(START);

    it('Given a job just created, When a run carrying version 1 asks, Then it is granted; another version is stale', async () => {
      const job = promptJob('copied');
      const { store } = await given(job);
      expect(await store.acquireLease(job, held, now, { version: 2 })).toStrictEqual({
        acquired: false,
        reason: 'stale',
      });
      expect(await store.acquireLease(job, held, now, { version: 1 })).toEqual({ acquired: true });
      expect((await store.runStates(['copied'])).get('copied')).toStrictEqual({ lease: held });
    });

    it('Given a job edited since its schedule was written, When a run carries the old version, Then it is stale, and the new version is granted', async () => {
      const job = promptJob('edited-copy');
      const { store } = await given(job);
      await store.put(promptJob('edited-copy', { version: 2, enabled: false }), 1);
      expect(await store.acquireLease(job, held, now, { version: 1 })).toStrictEqual({
        acquired: false,
        reason: 'stale',
      });
      expect((await store.runStates(['edited-copy'])).get('edited-copy')).toStrictEqual({});
      expect(await store.acquireLease(job, held, now, { version: 2 })).toEqual({ acquired: true });
    });

    it('Given a stale copy and a live lease, Then the answer is stale, not held (the run must read the job first)', async () => {
      const job = promptJob('stale-and-held');
      const { store } = await given(job);
      await store.acquireLease(job, held, now);
      await store.put(promptJob('stale-and-held', { version: 2 }), 1);
      expect(await store.acquireLease(job, lease('late', START), now, { version: 1 })).toStrictEqual({
        acquired: false,
        reason: 'stale',
      });
      expect(await store.acquireLease(job, lease('late', START), now, { version: 2 })).toStrictEqual({
        acquired: false,
        reason: 'held',
        holder: held,
      });
    });

    it('Given an edit refused for its version, Then no version is confirmed until the next edit succeeds, and a run without a copy is unaffected', async () => {
      const job = promptJob('refused-edit');
      const { store } = await given(job);
      await expect(store.put(promptJob('refused-edit', { version: 3 }), 2)).rejects.toThrow(
        ConcurrentModificationError,
      );
      // The job is still version 1, but the refused write left nothing confirmed: runs read the job.
      expect(await store.acquireLease(job, held, now, { version: 1 })).toStrictEqual({
        acquired: false,
        reason: 'stale',
      });
      expect(await store.acquireLease(job, held, now)).toEqual({ acquired: true });
      await store.put(promptJob('refused-edit', { version: 2 }), 1);
      const next = lease('next', '2026-03-01T12:10:00.000Z');
      expect(
        await store.acquireLease(job, next, new Date('2026-03-01T12:02:00.000Z'), { version: 2 }),
      ).toEqual({
        acquired: true,
      });
    });

    it('Given a one-time job cancelled before it fired, Then a copy of it is stale, and its new version confirmed', async () => {
      const job = oneTimeJob('once-cancelled');
      const { store } = await given(job);
      expect(await store.markOneTime(job, 'cancelled', START_SEC + 3600, now)).toBe(true);
      expect((await store.get('once-cancelled'))?.version).toBe(2);
      expect(await store.acquireLease(job, held, now, { version: 1 })).toMatchObject({ reason: 'stale' });
      expect(await store.acquireLease(job, held, now, { version: 2 })).toEqual({ acquired: true });
    });

    it("Given a one-time job marked executed, Then its run state is not written (its slot has run; the slot's claim refuses a repeat)", async () => {
      const job = oneTimeJob('once-executed');
      const { store } = await given(job);
      expect(await store.markOneTime(job, 'executed', START_SEC + 3600, now)).toBe(true);
      expect((await store.get('once-executed'))?.version).toBe(2);
      expect(await store.acquireLease(job, held, now, { version: 1 })).toEqual({ acquired: true });
    });

    it('Given a deleted job, When a run carrying its copy asks, Then it is refused as deleted', async () => {
      const job = promptJob('deleted-copy');
      const { store } = await given(job);
      await store.delete('deleted-copy', 1);
      expect(await store.acquireLease(job, held, now, { version: 1 })).toStrictEqual({
        acquired: false,
        reason: 'deleted',
      });
    });

    it('Given a job stored before run states, When a run carrying its copy asks, Then the state is created from the item with its version', async () => {
      const job = promptJob('legacy-copy', { version: 4 });
      const { store } = await given();
      await subject.writeItem({ ...job, listKey: 'job' });
      expect(await store.acquireLease(job, held, now, { version: 3 })).toMatchObject({ reason: 'stale' });
      expect(await store.acquireLease(job, held, now, { version: 4 })).toEqual({ acquired: true });
    });

    it('Given a run state written before versions were confirmed, Then a copy is stale until the job is next written', async () => {
      const job = promptJob('unversioned');
      const { store } = await given();
      await subject.writeItem({ ...job, listKey: 'job' });
      await subject.writeItem({ name: 'unversioned#run', jobCreatedAt: job.createdAt });
      expect(await store.acquireLease(job, held, now, { version: 1 })).toMatchObject({ reason: 'stale' });
      await store.put(promptJob('unversioned', { version: 2 }), 1);
      const next = lease('next', '2026-03-01T12:10:00.000Z');
      expect(
        await store.acquireLease(job, next, new Date('2026-03-01T12:02:00.000Z'), { version: 2 }),
      ).toEqual({
        acquired: true,
      });
    });
  });

  describe('markOneTime', () => {
    it.each(['executed', 'cancelled'] as const)(
      'Given a scheduled one-time job, When it is marked %s, Then state, purge time and updatedAt are set and the version moves on',
      async (state) => {
        // Given
        const job = oneTimeJob('once', { version: 4 });
        const { store } = await given(job);
        // When
        const marked = await store.markOneTime(
          job,
          state,
          START_SEC + 3600,
          new Date('2026-03-01T12:30:00.000Z'),
        );
        // Then
        expect(marked).toBe(true);
        expect(await store.get('once')).toStrictEqual({
          ...job,
          oneTimeState: state,
          expiresAt: START_SEC + 3600,
          updatedAt: '2026-03-01T12:30:00.000Z',
          version: 5,
        });
        // And an edit based on the state before fails
        await expect(store.put({ ...job, version: 5 }, 4)).rejects.toBeInstanceOf(
          ConcurrentModificationError,
        );
      },
    );

    it('Given a job edited since it was read but on the same timing, When it is marked, Then the mark applies', async () => {
      // Given: a description edit moves the version on; the slot is the same
      const read = oneTimeJob('described');
      const { store } = await given(read);
      await store.put({ ...read, description: 'edited meanwhile', version: 2 }, 1);
      // When / Then
      expect(await store.markOneTime(read, 'executed', START_SEC + 60, new Date(START))).toBe(true);
      expect(await store.get('described')).toMatchObject({
        description: 'edited meanwhile',
        oneTimeState: 'executed',
        version: 3,
      });
    });

    it('Given a one-time record without a state (written before states existed), When it is marked, Then the mark applies', async () => {
      const job = oneTimeJob('stateless', { oneTimeState: undefined });
      const { store } = await given(job);
      expect(await store.markOneTime(job, 'cancelled', START_SEC + 60, new Date(START))).toBe(true);
      expect((await store.get('stateless'))?.oneTimeState).toBe('cancelled');
    });

    const newAt = {
      input: 'at(2026-03-01T12:00:20)',
      expression: 'at(2026-03-01T12:00:20)',
      timezone: 'UTC',
      description: 'once, at 2026-03-01 12:00:20 UTC',
      type: 'at',
    } as const;
    const cron = {
      input: 'cron(* * * * ? *)',
      expression: 'cron(* * * * ? *)',
      timezone: 'UTC',
      description: 'every minute',
      type: 'cron',
    } as const;
    it.each<[string, Partial<Job>]>([
      ['given a new at() schedule', { schedule: newAt }],
      ['given a recurring schedule', { schedule: cron, oneTimeState: undefined }],
      ['moved to another time zone', { schedule: { ...oneTimeJob('x').schedule, timezone: 'Europe/Paris' } }],
      ['deleted and created again', { createdAt: '2026-03-01T12:00:01.500Z' }],
      ['marked executed already', { oneTimeState: 'executed', expiresAt: START_SEC + 99 }],
      ['cancelled already', { oneTimeState: 'cancelled', expiresAt: START_SEC + 99 }],
    ])(
      'Given a one-time job %s since it was read, When it is marked, Then the mark is refused and the job is left as it is',
      async (_case, change) => {
        // Given
        const read = oneTimeJob('moved');
        const { store } = await given(read);
        // (without members holding undefined: the store drops them, and toStrictEqual tells them apart)
        const now = JSON.parse(JSON.stringify({ ...read, ...change, version: 2 })) as Job;
        await store.put(now, 1);
        // When
        const marked = await store.markOneTime(read, 'executed', START_SEC + 60, new Date(START));
        // Then
        expect(marked).toBe(false);
        expect(await store.get('moved')).toStrictEqual(now);
      },
    );

    it('Given no job, When it is marked, Then it is refused and no job appears', async () => {
      const { store } = await given();
      expect(await store.markOneTime(oneTimeJob('gone'), 'executed', START_SEC + 60, new Date(START))).toBe(
        false,
      );
      expect(await store.get('gone')).toBeUndefined();
      expect((await store.list({ limit: 10 })).items).toEqual([]);
    });
  });
}
