/**
 * The JobStore contract: what every JobStore does, as far as a caller can observe. It runs against the
 * DynamoDB adapter on dynalite and DynamoDB Local (test/integration/contract/dynamodb.test.ts) and
 * against the in-memory store (test/unit/contract/memory.test.ts), so the fast store used by use-case
 * tests can never say what DynamoDB would not. What the run lifecycle asks of a job (its lease and the
 * one-time marks) is in job-run-marks.contract.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/clock.ts';
import { ConcurrentModificationError, JobAlreadyExistsError } from '../../shared/errors.ts';
import type { Job, JobKind, RunLease } from '../../shared/jobs/model.ts';
import type { JobQuery, JobStore } from '../../shared/jobs/ports.ts';
import { promptJob } from '../support/jobs.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { cursorOf, expectValidation, listingRefusals, pagesOf } from './support.ts';

export interface JobStoreSubject {
  /** A store holding no job, reading the time from `clock`. */
  open(clock: Clock): Promise<JobStore>;
  /** Writes an item as stored, as an earlier version wrote it, into the store opened last. */
  writeItem(item: Record<string, unknown>): Promise<void>;
}

const START = '2026-03-01T12:00:00.000Z';
const START_SEC = Date.parse(START) / 1000;

/**
 * Only one kind is registered today; a job of another kind (as a later version could write) gives the
 * kind filter something to leave out.
 */
const OTHER_KIND = 'report' as JobKind;

function lease(runId: string, expiresAt: string): RunLease {
  return { runId, slot: `slot-of-${runId}`, expiresAt };
}

/** Changes a job in place through every kind of member, as a careless caller might. */
function scribbleOn(job: Job): void {
  (job.tags as Record<string, string>).scribbled = 'yes';
  (job.schedule as { expression: string }).expression = 'rate(1 day)';
  ((job.config as { target: { url: string } }).target as { url: string }).url = 'http://scribbled';
  (job as { enabled: boolean }).enabled = !job.enabled;
}

export function jobStoreContract(subject: JobStoreSubject): void {
  async function given(...jobs: Job[]) {
    const clock = new ManualClock(START);
    const store = await subject.open(clock);
    for (const job of jobs) await store.create(job);
    return { clock, store };
  }

  const names = (store: JobStore, query: JobQuery) =>
    pagesOf(
      (q) => store.list(q),
      query,
      (job) => job.name,
    );

  describe('create and get', () => {
    it('Given an empty store, When a job is created, Then it reads back as written and other names read as nothing', async () => {
      // Given
      const { store } = await given();
      const job = promptJob('create-me', { description: 'first', flexibleWindowMinutes: 5 });
      // When
      await store.create(job);
      // Then
      expect(await store.get('create-me')).toStrictEqual(job);
      expect(await store.get('missing')).toBeUndefined();
    });

    it('Given a job with optional fields set to undefined, When it is read, Then those fields are absent', async () => {
      // Given
      const { store } = await given();
      const job = promptJob('sparse', { description: undefined, startDate: undefined, expiresAt: undefined });
      // When
      await store.create(job);
      // Then
      // (toStrictEqual tells a member holding undefined from a missing one)
      expect(await store.get('sparse')).toStrictEqual(promptJob('sparse'));
    });

    it('Given a live job, When a job of the same name is created, Then JobAlreadyExistsError names it and the job stays', async () => {
      // Given
      const first = promptJob('taken', { description: 'first' });
      const { store } = await given(first);
      // When
      const error = await store.create(promptJob('taken', { description: 'second' })).catch((e) => e);
      // Then
      expect(error).toBeInstanceOf(JobAlreadyExistsError);
      expect(error).toMatchObject({ name: 'JobAlreadyExistsError', jobName: 'taken' });
      expect(await store.get('taken')).toStrictEqual(first);
    });

    it('Given a stored job, When the caller changes the job it wrote or one it read, Then the stored job does not change', async () => {
      // Given
      const written = promptJob('copied');
      const original = structuredClone(written);
      const { store } = await given(written);
      // When
      scribbleOn(written);
      scribbleOn((await store.get('copied')) as Job);
      scribbleOn((await store.list({ limit: 10 })).items[0] as Job);
      // Then
      expect(await store.get('copied')).toStrictEqual(original);
    });
  });

  describe('put', () => {
    it('Given a job holding a lease, When it is replaced at the version read, Then it is the new job, its lease stands, and it loses the optional fields left out', async () => {
      // Given
      const original = promptJob('replace-me', { description: 'old', flexibleWindowMinutes: 5 });
      const { store } = await given(original);
      const held = lease('run-1', '2026-03-01T12:01:00.000Z');
      expect(await store.acquireLease(original, held, new Date(START))).toEqual({ acquired: true });
      // When
      const replacement = promptJob('replace-me', { enabled: false, version: 2, tags: { team: 'ops' } });
      await store.put(replacement, 1);
      // Then
      expect(await store.get('replace-me')).toStrictEqual(replacement);
      expect((await store.runStates(['replace-me'])).get('replace-me')).toStrictEqual({ lease: held });
    });

    it('Given a job with every optional field set, When it is replaced by one with none, Then none is left', async () => {
      // Given
      const full = promptJob('every-field', {
        description: 'old',
        flexibleWindowMinutes: 5,
        startDate: '2026-01-01T00:00:00.000Z',
        endDate: '2027-01-01T00:00:00.000Z',
        scheduleStartDate: '2026-01-01T00:05:00.000Z',
        oneTimeState: 'scheduled',
        expiresAt: 4_102_444_800,
        // biome-ignore lint/suspicious/noThenProperty: the job's field of chained jobs
        then: { onSuccess: ['next'] },
        expand: { url: 'https://contexts.example.com/sessions', maxChildren: 10, concurrency: 2 },
        pauseNote: 'migrating',
        managedBy: 'stack Tickwork-dev-Service',
      });
      const { store } = await given(full);
      // When
      const bare = promptJob('every-field', { version: 2 });
      await store.put(bare, 1);
      // Then
      expect(await store.get('every-field')).toStrictEqual(bare);
    });

    it('Given a job item of an earlier version carrying its lease, When it is read and replaced, Then the job reads without it', async () => {
      // Given: the job item as versions before run states wrote it
      const { store } = await given();
      const job = promptJob('legacy');
      await subject.writeItem({ ...job, listKey: 'job', lease: lease('run-1', START) });
      // When / Then
      expect(await store.get('legacy')).toStrictEqual(job);
      await store.put(promptJob('legacy', { version: 2 }), 1);
      expect(await store.get('legacy')).toStrictEqual(promptJob('legacy', { version: 2 }));
      expect((await store.list({ limit: 10 })).items).toStrictEqual([promptJob('legacy', { version: 2 })]);
    });

    it.each<[string, string, number | undefined]>([
      ['a version other than the stored one', 'stored', 1],
      ['a version of a job that does not exist', 'nobody', 1],
      ['no version while a live job has the name', 'stored', undefined],
    ])(
      'Given %s, When a job is put, Then ConcurrentModificationError and nothing changes',
      async (_case, name, expected) => {
        // Given a job at version 2
        const stored = promptJob('stored', { version: 2 });
        const { store } = await given(stored);
        // When
        const error = await store.put(promptJob(name, { version: 3 }), expected).catch((e) => e);
        // Then
        expect(error).toBeInstanceOf(ConcurrentModificationError);
        expect(error.name).toBe('ConcurrentModificationError');
        expect(await store.get('stored')).toStrictEqual(stored);
        expect(await store.get('nobody')).toBeUndefined();
      },
    );

    it('Given no job of the name, When a job is put without a version, Then it is created', async () => {
      const { store } = await given();
      await store.put(promptJob('fresh'), undefined);
      expect(await store.get('fresh')).toStrictEqual(promptJob('fresh'));
    });
  });

  describe('delete', () => {
    it.each<[string, number | undefined]>([
      ['the stored version', 3],
      ['no version', undefined],
    ])('Given a job, When it is deleted with %s, Then it is gone', async (_case, expected) => {
      const { store } = await given(promptJob('delete-me', { version: 3 }));
      await store.delete('delete-me', expected);
      expect(await store.get('delete-me')).toBeUndefined();
      expect((await store.list({ limit: 10 })).items).toEqual([]);
    });

    it('Given a job, When it is deleted with another version, Then ConcurrentModificationError and it stays', async () => {
      const job = promptJob('delete-me', { version: 3 });
      const { store } = await given(job);
      await expect(store.delete('delete-me', 2)).rejects.toBeInstanceOf(ConcurrentModificationError);
      expect(await store.get('delete-me')).toStrictEqual(job);
    });

    it('Given no job, When it is deleted, Then that is done without a version and a conflict with one', async () => {
      const { store } = await given();
      await expect(store.delete('never-existed', undefined)).resolves.toBeUndefined();
      await expect(store.delete('never-existed', 1)).rejects.toBeInstanceOf(ConcurrentModificationError);
    });
  });

  describe('expiry (expiresAt in epoch seconds against the clock)', () => {
    it.each<[string, number, boolean]>([
      ['a second ago', -1, false],
      ['this second', 0, false],
      ['in a second', 1, true],
    ])(
      'Given a job that expires %s, Then it is read, listed and its name taken accordingly',
      async (_case, offset, live) => {
        // Given
        const job = promptJob('expiring', { expiresAt: START_SEC + offset });
        const { store } = await given();
        await store.put(job, undefined);
        // Then
        expect(await store.get('expiring')).toStrictEqual(live ? job : undefined);
        expect((await store.list({ limit: 10 })).items.map((item) => item.name)).toEqual(
          live ? ['expiring'] : [],
        );
        const create = store.create(promptJob('expiring', { description: 'new' }));
        if (live) await expect(create).rejects.toBeInstanceOf(JobAlreadyExistsError);
        else await expect(create).resolves.toBeUndefined();
      },
    );

    it('Given an executed one-time job, When its retention passes, Then it is not read or listed and its name is free for a new job', async () => {
      // Given an executed one-time job whose retention ends in 10 s
      const once = promptJob('expire-me', { oneTimeState: 'scheduled' });
      const { clock, store } = await given(once);
      expect(await store.markOneTime(once, 'executed', START_SEC + 10, clock.now())).toBe(true);
      expect(await store.get('expire-me')).toMatchObject({ oneTimeState: 'executed', version: 2 });
      // When the retention passes
      clock.advance(11_000);
      // Then
      expect(await store.get('expire-me')).toBeUndefined();
      expect((await store.list({ name: 'expire-', limit: 10 })).items).toEqual([]);
      // And a new job takes the name, with nothing left of the old one
      await store.create(promptJob('expire-me'));
      expect(await store.get('expire-me')).toStrictEqual(promptJob('expire-me'));
    });
  });

  describe('list', () => {
    const five = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'];

    it('Given five jobs, When listed two at a time, Then each appears once, in name order, over three pages', async () => {
      // Given (created out of order)
      const { store } = await given(...[...five].reverse().map((name) => promptJob(name)));
      // When
      const pages = await names(store, { limit: 2 });
      // Then
      expect(pages).toEqual([['page-a', 'page-b'], ['page-c', 'page-d'], ['page-e']]);
    });

    it('Given as many jobs left as the limit, When listed, Then that last, full page has no cursor', async () => {
      const { store } = await given(...five.slice(0, 4).map((name) => promptJob(name)));
      expect(await names(store, { limit: 2 })).toEqual([
        ['page-a', 'page-b'],
        ['page-c', 'page-d'],
      ]);
    });

    it.each<[string, Omit<JobQuery, 'limit'>, string[]]>([
      ['a name prefix', { name: 'beta-' }, ['beta-1', 'beta-2']],
      ['enabled', { enabled: true }, ['alpha-1', 'beta-1', 'gamma-1']],
      ['disabled', { enabled: false }, ['alpha-2', 'beta-2']],
      ['a kind', { kind: OTHER_KIND }, ['alpha-2', 'gamma-1']],
      ['kind, prefix and enabled', { kind: 'prompt', name: 'beta-', enabled: false }, ['beta-2']],
      ['a prefix nothing has', { name: 'delta' }, []],
    ])(
      'Given jobs of two kinds, When listed by %s, Then only the matches come, in name order',
      async (_case, filter, expected) => {
        // Given
        const { store } = await given(
          promptJob('alpha-1'),
          promptJob('alpha-2', { enabled: false, kind: OTHER_KIND }),
          promptJob('beta-1'),
          promptJob('beta-2', { enabled: false }),
          promptJob('gamma-1', { kind: OTHER_KIND }),
        );
        // When
        const pages = await names(store, { ...filter, limit: 1 });
        // Then
        expect(pages.flat()).toEqual(expected);
      },
    );

    it('Given a filter that matches one job in twenty, When listed, Then a page can be empty yet have a cursor, and the cursor leads to the match', async () => {
      // Given: a page reads a bounded number of items (5 requests of limit + 1), so a sparse filter can
      // come back empty-handed
      const jobs = Array.from({ length: 20 }, (_, i) =>
        promptJob(`sparse-${String(i + 1).padStart(2, '0')}`, { enabled: i === 19 }),
      );
      const { store } = await given(...jobs);
      // When / Then
      expect(await names(store, { enabled: true, limit: 2 })).toEqual([[], ['sparse-20']]);
    });

    listingRefusals(async () => {
      const { store } = await given(promptJob('page-a'));
      return (query) => store.list(query);
    });

    it.each<[string, string, JobQuery, Omit<JobQuery, 'cursor'>]>([
      ['every job', 'a kind', { limit: 1 }, { kind: 'prompt', limit: 1 }],
      ['a kind', 'every job', { kind: 'prompt', limit: 1 }, { limit: 1 }],
      ['a kind', 'another kind', { kind: 'prompt', limit: 1 }, { kind: OTHER_KIND, limit: 1 }],
      ['a name prefix', 'another prefix', { name: 'a-', limit: 1 }, { name: 'b-', limit: 1 }],
      ['every job', 'a prefix the cursor is not under', { limit: 1 }, { name: 'b-', limit: 1 }],
    ])(
      'Given the cursor of a listing by %s, When a listing by %s is asked with it, Then a ValidationError names the cursor',
      async (_from, _to, from, to) => {
        // Given
        const { store } = await given(promptJob('a-1'), promptJob('a-2'), promptJob('b-1'), promptJob('b-2'));
        const cursor = await cursorOf((q: JobQuery) => store.list(q), from);
        // When / Then
        await expectValidation(store.list({ ...to, cursor }), 'cursor');
      },
    );
  });
}
