import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../../shared/adapters/dynamodb/cursor.ts';
import {
  ConcurrentModificationError,
  JobAlreadyExistsError,
  ValidationError,
} from '../../../shared/errors.ts';
import type { Run } from '../../../shared/jobs/model.ts';
import { newRunId } from '../../../shared/runs/run-id.ts';
import {
  ENGINE_START_TIMEOUT_MS,
  type Engine,
  engineKinds,
  ManualClock,
  promptJob,
  startEngine,
  stores,
} from './support.ts';

const clock = new ManualClock('2026-03-01T12:00:00.000Z');

const nowSec = () => Math.floor(clock.now().getTime() / 1000);

function run(job: string, slot: string, overrides: Partial<Run> = {}): Run {
  return {
    runId: newRunId(new Date(slot)),
    job,
    slot,
    trigger: 'schedule',
    status: 'succeeded',
    scheduledFor: slot,
    attempt: 1,
    duplicatesSuppressed: 0,
    expiresAt: nowSec() + 86_400,
    ...overrides,
  };
}

async function expectValidation(promise: Promise<unknown>, field: string): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).field).toBe(field);
  return error as ValidationError;
}

describe.each(engineKinds)('on %s', (kind) => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await startEngine(kind);
  }, ENGINE_START_TIMEOUT_MS);
  afterAll(async () => {
    await engine?.close();
  });

  describe('DynamoJobStore', () => {
    it('creates, reads and refuses a second job with the same name', async () => {
      // Given
      const { jobs } = stores(engine, clock);
      const job = promptJob('create-me', { description: 'first' });
      // When
      await jobs.create(job);
      // Then
      expect(await jobs.get('create-me')).toEqual(job);
      await expect(jobs.create(job)).rejects.toBeInstanceOf(JobAlreadyExistsError);
      expect(await jobs.get('missing')).toBeUndefined();
    });

    it('replaces a job only at the version read, keeps the run lease, and drops optional fields left out', async () => {
      // Given a job holding a run lease
      const { jobs } = stores(engine, clock);
      await jobs.create(promptJob('replace-me', { description: 'old', flexibleWindowMinutes: 5 }));
      const lease = {
        runId: newRunId(clock.now()),
        slot: '2026-03-01T12:00:00.000Z',
        expiresAt: '2026-03-01T12:01:00.000Z',
      };
      expect(await jobs.acquireLease('replace-me', lease, clock.now())).toBe(true);
      // When it is replaced at version 1 without description or window
      await jobs.put(promptJob('replace-me', { enabled: false, version: 2 }), 1);
      // Then
      const stored = await jobs.get('replace-me');
      expect(stored).toMatchObject({ enabled: false, version: 2, lease });
      expect(stored?.description).toBeUndefined();
      expect(stored?.flexibleWindowMinutes).toBeUndefined();
      // And a write based on the old version fails
      await expect(jobs.put(promptJob('replace-me', { version: 2 }), 1)).rejects.toBeInstanceOf(
        ConcurrentModificationError,
      );
      // And a "create or replace" without a version fails when a live job exists
      await expect(jobs.put(promptJob('replace-me'), undefined)).rejects.toBeInstanceOf(
        ConcurrentModificationError,
      );
    });

    it('deletes conditionally on the version; deleting a missing job without a version is a no-op', async () => {
      const { jobs } = stores(engine, clock);
      await jobs.create(promptJob('delete-me', { version: 3 }));
      await expect(jobs.delete('delete-me', 2)).rejects.toBeInstanceOf(ConcurrentModificationError);
      await jobs.delete('delete-me', 3);
      expect(await jobs.get('delete-me')).toBeUndefined();
      await expect(jobs.delete('delete-me', undefined)).resolves.toBeUndefined();
    });

    it('treats an expired one-time job as gone: not read, not listed, and its name can be reused', async () => {
      // Given an executed one-time job whose retention ends in 10 s
      const { jobs } = stores(engine, clock);
      await jobs.create(promptJob('expire-me', { oneTimeState: 'scheduled' }));
      await jobs.markOneTime('expire-me', 'executed', nowSec() + 10, clock.now());
      expect(await jobs.get('expire-me')).toMatchObject({ oneTimeState: 'executed', version: 2 });
      // When the retention passes
      const later = new ManualClock(new Date(clock.now().getTime() + 11_000));
      const { jobs: laterJobs } = stores(engine, later);
      // Then
      expect(await laterJobs.get('expire-me')).toBeUndefined();
      const listed = await laterJobs.list({ name: 'expire-', limit: 10 });
      expect(listed.items).toEqual([]);
      await laterJobs.create(promptJob('expire-me'));
      expect(await laterJobs.get('expire-me')).toMatchObject({ version: 1 });
    });

    it('pages through jobs by name with an opaque cursor, and filters by prefix, kind and enabled', async () => {
      // Given five jobs, two disabled
      const { jobs } = stores(engine, clock);
      for (const [index, name] of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'].entries()) {
        await jobs.create(promptJob(name, { enabled: index % 2 === 0 }));
      }
      // When listed two at a time
      const names: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await jobs.list({
          name: 'page-',
          limit: 2,
          ...(cursor === undefined ? {} : { cursor }),
        });
        names.push(...page.items.map((job) => job.name));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== undefined);
      // Then every job appears once, in name order
      expect(names).toEqual(['page-a', 'page-b', 'page-c', 'page-d', 'page-e']);
      expect(pages).toBeGreaterThanOrEqual(3);
      const enabled = await jobs.list({ name: 'page-', enabled: true, limit: 10 });
      expect(enabled.items.map((job) => job.name)).toEqual(['page-a', 'page-c', 'page-e']);
      const byKind = await jobs.list({ kind: 'prompt', name: 'page-', enabled: false, limit: 10 });
      expect(byKind.items.map((job) => job.name)).toEqual(['page-b', 'page-d']);
    });

    it.each([
      ['not base64url', 'not a cursor!'],
      ['not JSON', Buffer.from('hello').toString('base64url')],
      ['wrong attributes', encodeCursor({ name: 'page-a' })],
      ['another listing', encodeCursor({ name: 'page-a', kind: 'prompt' })],
      ['tampered partition', encodeCursor({ name: 'page-a', listKey: 'other' })],
    ])('rejects a bad cursor (%s) with a ValidationError on "cursor"', async (_case, cursor) => {
      const { jobs } = stores(engine, clock);
      const error = await expectValidation(jobs.list({ limit: 2, cursor }), 'cursor');
      expect(error.message).toContain('nextCursor');
    });

    it.each([0, 101, 2.5])('rejects limit %s', async (limit) => {
      const { jobs } = stores(engine, clock);
      await expectValidation(jobs.list({ limit }), 'limit');
    });

    it('grants the lease only when it is free, expired, or held by the run named as finished', async () => {
      const { jobs } = stores(engine, clock);
      await jobs.create(promptJob('lease-me'));
      const now = clock.now();
      const first = { runId: newRunId(now), slot: 'slot-1', expiresAt: '2026-03-01T12:01:00.000Z' };
      const second = { runId: newRunId(now), slot: 'slot-2', expiresAt: '2026-03-01T12:02:00.000Z' };
      expect(await jobs.acquireLease('lease-me', first, now)).toBe(true);
      expect(await jobs.acquireLease('lease-me', second, now)).toBe(false);
      expect(await jobs.acquireLease('lease-me', second, now, 'someone-else')).toBe(false);
      expect(await jobs.acquireLease('lease-me', second, now, first.runId)).toBe(true);
      const third = { runId: newRunId(now), slot: 'slot-3', expiresAt: '2026-03-01T12:05:00.000Z' };
      expect(await jobs.acquireLease('lease-me', third, new Date('2026-03-01T12:02:00.001Z'))).toBe(true);
      expect((await jobs.get('lease-me'))?.lease).toEqual(third);
    });

    it('does not create a stub item when leasing a job that does not exist', async () => {
      const { jobs } = stores(engine, clock);
      const lease = { runId: newRunId(clock.now()), slot: 's', expiresAt: '2026-03-01T12:01:00.000Z' };
      expect(await jobs.acquireLease('never-existed', lease, clock.now())).toBe(false);
      const raw = await engine.doc.send(
        new GetCommand({ TableName: engine.tables.jobs, Key: { name: 'never-existed' } }),
      );
      expect(raw.Item).toBeUndefined();
    });
  });

  describe('DynamoRunLedger', () => {
    it('claims a slot once; a second claim returns the existing run', async () => {
      const { runs } = stores(engine, clock);
      const first = run('claim-job', '2026-03-01T10:00:00.000Z', { status: 'running' });
      expect(await runs.claim(first)).toEqual({ claimed: true });
      const second = await runs.claim({ ...first, runId: newRunId(clock.now()) });
      expect(second).toEqual({ claimed: false, existing: first });
    });

    it('counts suppressed duplicates atomically', async () => {
      const { runs } = stores(engine, clock);
      const claimed = run('dup-job', '2026-03-01T10:00:00.000Z');
      await runs.claim(claimed);
      await Promise.all([1, 2, 3].map(() => runs.recordDuplicate('dup-job', claimed.slot)));
      expect((await runs.get('dup-job', claimed.slot))?.duplicatesSuppressed).toBe(3);
    });

    it('transitions only from the expected status and attempt, and removes attributes set to undefined', async () => {
      const { runs } = stores(engine, clock);
      const failed = run('move-job', '2026-03-01T10:00:00.000Z', {
        status: 'failed',
        error: { type: 'Error', message: 'boom' },
      });
      await runs.claim(failed);
      expect(
        await runs.transition('move-job', failed.slot, ['running'], { status: 'succeeded' }),
      ).toBeUndefined();
      expect(
        await runs.transition('move-job', failed.slot, ['failed'], { status: 'running' }, { attempt: 2 }),
      ).toBeUndefined();
      const moved = await runs.transition(
        'move-job',
        failed.slot,
        ['failed', 'timed_out'],
        { status: 'running', attempt: 2, error: undefined },
        { attempt: 1 },
      );
      expect(moved).toMatchObject({ status: 'running', attempt: 2, runId: failed.runId });
      expect(moved?.error).toBeUndefined();
      expect(
        await runs.transition('move-job', 'no-such-slot', ['running'], { status: 'failed' }),
      ).toBeUndefined();
    });

    it('lists one job newest first, across jobs newest first, and by status, with cursors', async () => {
      // Given runs of two jobs at increasing times
      const { runs } = stores(engine, clock);
      const slots = ['2026-02-01T00:00:00.000Z', '2026-02-01T00:05:00.000Z', '2026-02-01T00:10:00.000Z'];
      const made: Run[] = [];
      for (const [index, slot] of slots.entries()) {
        for (const job of ['hist-a', 'hist-b']) {
          const item = run(job, slot, {
            runId: newRunId(new Date(Date.parse(slot) + (job === 'hist-b' ? 1 : 0))),
            status: index === 2 && job === 'hist-a' ? 'running' : 'succeeded',
          });
          made.push(item);
          await runs.claim(item);
        }
      }
      // When one job's runs are listed one per page
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await runs.list({
          job: 'hist-a',
          limit: 1,
          ...(cursor === undefined ? {} : { cursor }),
        });
        seen.push(...page.items.map((item) => item.slot));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      // Then newest first
      expect(seen).toEqual([...slots].reverse());
      // And across jobs, newest first by run id
      const all = await runs.list({ limit: 100 });
      const ours = all.items.filter((item) => item.job.startsWith('hist-')).map((item) => item.runId);
      expect(ours).toEqual(
        made
          .map((item) => item.runId)
          .sort()
          .reverse(),
      );
      const firstTwo = await runs.list({ limit: 2 });
      expect(firstTwo.nextCursor).toBeDefined();
      const next = await runs.list({ limit: 2, cursor: firstTwo.nextCursor });
      expect(next.items[0]?.runId ?? '').toBeTruthy();
      expect((next.items[0]?.runId ?? '') < (firstTwo.items[1]?.runId ?? '')).toBe(true);
      // And by status
      const running = await runs.list({ status: 'running', limit: 10 });
      expect(running.items.filter((item) => item.job === 'hist-a').map((item) => item.slot)).toEqual([
        slots[2],
      ]);
      const jobRunning = await runs.list({ job: 'hist-b', status: 'running', limit: 10 });
      expect(jobRunning.items).toEqual([]);
      // And by id
      const wanted = made[3] as Run;
      expect(await runs.getById(wanted.runId)).toEqual(wanted);
      expect(await runs.getById(newRunId(clock.now()))).toBeUndefined();
    });

    it('filters expired runs from reads and lists', async () => {
      const { runs } = stores(engine, clock);
      const expired = run('ttl-job', '2026-01-01T00:00:00.000Z', { expiresAt: nowSec() - 1 });
      const live = run('ttl-job', '2026-01-02T00:00:00.000Z');
      await runs.claim(expired);
      await runs.claim(live);
      expect(await runs.get('ttl-job', expired.slot)).toBeUndefined();
      expect(await runs.getById(expired.runId)).toBeUndefined();
      expect((await runs.list({ job: 'ttl-job', limit: 10 })).items.map((item) => item.runId)).toEqual([
        live.runId,
      ]);
    });

    it.each([
      ['a job listing cursor for another job', { job: 'hist-b', limit: 1 }, { job: 'hist-a', slot: 'x' }],
      [
        'a status cursor for another status',
        { status: 'failed' as const, limit: 1 },
        {
          job: 'a',
          slot: 'b',
          status: 'running',
          runId: 'c',
        },
      ],
      ['a history cursor missing attributes', { limit: 1 }, { job: 'a', slot: 'b' }],
    ])('rejects %s', async (_case, query, key) => {
      const { runs } = stores(engine, clock);
      await expectValidation(runs.list({ ...query, cursor: encodeCursor(key) }), 'cursor');
    });
  });
});
