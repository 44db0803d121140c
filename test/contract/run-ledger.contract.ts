/**
 * The RunLedger contract: what every RunLedger does, as far as a caller can observe. It runs against
 * the DynamoDB adapter on dynalite and DynamoDB Local (test/integration/contract/dynamodb.test.ts) and
 * against the in-memory ledger (test/unit/contract/memory.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/clock.ts';
import type { Run, RunStatus } from '../../shared/jobs/model.ts';
import type { RunLedger, RunQuery, TransitionGuard } from '../../shared/jobs/ports.ts';
import { newRunId } from '../../shared/runs/run-id.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { cursorOf, expectValidation, listingRefusals, pagesOf } from './support.ts';

export interface RunLedgerSubject {
  /** A ledger holding no run, reading the time from `clock`. */
  open(clock: Clock): Promise<RunLedger>;
}

const START = '2026-03-01T12:00:00.000Z';
const START_SEC = Date.parse(START) / 1000;

/** A run of `job` at `slot`; its id sorts by the slot's time plus `tick` milliseconds. */
function run(job: string, slot: string, overrides: Partial<Run> = {}, tick = 0): Run {
  return {
    runId: newRunId(new Date(Date.parse(slot) + tick)),
    job,
    slot,
    trigger: 'schedule',
    status: 'succeeded',
    scheduledFor: slot,
    attempt: 1,
    duplicatesSuppressed: 0,
    expiresAt: START_SEC + 86_400,
    ...overrides,
  };
}

const SLOTS = ['2026-02-01T00:00:00.000Z', '2026-02-01T00:05:00.000Z', '2026-02-01T00:10:00.000Z'];

export function runLedgerContract(subject: RunLedgerSubject): void {
  async function given(...runs: Run[]) {
    const clock = new ManualClock(START);
    const ledger = await subject.open(clock);
    for (const item of runs) expect(await ledger.claim(item)).toEqual({ claimed: true });
    return { clock, ledger };
  }

  /** Two jobs, three slots each; the last slot of history-a is still running. */
  function history(): Run[] {
    return SLOTS.flatMap((slot, index) => [
      run('history-a', slot, { status: index === 2 ? 'running' : 'succeeded' }),
      run('history-b', slot, {}, 1),
    ]);
  }

  const idsOf = (runs: readonly Run[]) => runs.map((item) => item.runId);
  const newestFirst = (runs: readonly Run[]) => idsOf(runs).sort().reverse();

  describe('claim', () => {
    it('Given a free slot, When it is claimed, Then the run reads back as written, by slot and by id', async () => {
      // Given
      const { ledger } = await given();
      const first = run('claim-job', SLOTS[0] as string, { status: 'running', executionId: 'exec-1' });
      // When
      expect(await ledger.claim(first)).toEqual({ claimed: true });
      // Then
      expect(await ledger.get('claim-job', first.slot)).toStrictEqual(first);
      expect(await ledger.getById(first.runId)).toStrictEqual(first);
    });

    it('Given a claimed slot, When another run claims it, Then it is refused with the existing run, which stays as it was', async () => {
      // Given
      const first = run('claim-job', SLOTS[0] as string, { status: 'running' });
      const { ledger } = await given(first);
      // When
      const second = await ledger.claim({ ...first, runId: newRunId(new Date(START)), status: 'pending' });
      // Then
      expect(second).toStrictEqual({ claimed: false, existing: first });
      expect(await ledger.get('claim-job', first.slot)).toStrictEqual(first);
    });

    it('Given an expired run still stored, When its slot is claimed, Then the old run still owns the slot', async () => {
      // Given: expired runs are not read, but a redelivery of their slot must not run again
      const old = run('ttl-job', SLOTS[0] as string, { expiresAt: START_SEC - 1 });
      const { ledger } = await given(old);
      expect(await ledger.get('ttl-job', old.slot)).toBeUndefined();
      // When
      const again = await ledger.claim(run('ttl-job', old.slot));
      // Then
      expect(again).toStrictEqual({ claimed: false, existing: old });
    });

    it('Given a run holding a value DynamoDB cannot store (a Date), When it is claimed, Then the write fails and nothing is stored', async () => {
      const { ledger } = await given();
      const broken = run('date-job', SLOTS[0] as string, { result: { at: new Date(START) } });
      await expect(ledger.claim(broken)).rejects.toThrow(/Unsupported type/);
      expect(await ledger.get('date-job', broken.slot)).toBeUndefined();
    });

    it('Given a claimed run, When the caller changes the run it wrote or one it read, Then the stored run does not change', async () => {
      const written = run('copy-job', SLOTS[0] as string, { result: { delivered: true } });
      const original = structuredClone(written);
      const { ledger } = await given(written);
      const scribble = (item: Run | undefined) => {
        (item?.result as Record<string, unknown>).delivered = false;
        (item as { status: RunStatus }).status = 'failed';
      };
      scribble(written);
      scribble(await ledger.get('copy-job', written.slot));
      scribble(await ledger.getById(written.runId));
      scribble((await ledger.list({ limit: 10 })).items[0]);
      scribble(await ledger.transition('copy-job', written.slot, ['succeeded'], { reason: 'noted' }));
      expect(await ledger.get('copy-job', written.slot)).toStrictEqual({ ...original, reason: 'noted' });
    });
  });

  describe('recordDuplicate', () => {
    it('Given a claimed run, When three duplicates are recorded at once, Then it counts three', async () => {
      const claimed = run('dup-job', SLOTS[0] as string);
      const { ledger } = await given(claimed);
      await Promise.all([1, 2, 3].map(() => ledger.recordDuplicate('dup-job', claimed.slot)));
      expect(await ledger.get('dup-job', claimed.slot)).toStrictEqual({
        ...claimed,
        duplicatesSuppressed: 3,
      });
    });

    it('Given no run at the slot, When a duplicate is recorded, Then nothing happens and no run appears', async () => {
      const { ledger } = await given();
      await expect(ledger.recordDuplicate('dup-job', 'no-such-slot')).resolves.toBeUndefined();
      expect(await ledger.get('dup-job', 'no-such-slot')).toBeUndefined();
      expect((await ledger.list({ limit: 10 })).items).toEqual([]);
    });
  });

  describe('transition', () => {
    const failed = () =>
      run('move-job', SLOTS[0] as string, { status: 'failed', error: { type: 'Error', message: 'boom' } });

    it('Given a failed run, When it moves from one of the statuses named at its attempt, Then the changes are made and undefined ones removed', async () => {
      // Given
      const before = failed();
      const { ledger } = await given(before);
      // When
      const moved = await ledger.transition(
        'move-job',
        before.slot,
        ['timed_out', 'failed'],
        { status: 'running', attempt: 2, startedAt: START, error: undefined },
        { attempt: 1 },
      );
      // Then
      const { error: _removed, ...rest } = before;
      const expected = { ...rest, status: 'running', attempt: 2, startedAt: START };
      expect(moved).toStrictEqual(expected);
      expect(await ledger.get('move-job', before.slot)).toStrictEqual(expected);
    });

    it.each<[string, string, RunStatus[], TransitionGuard | undefined]>([
      ['its status is not one named', SLOTS[0] as string, ['running', 'pending'], undefined],
      ['its attempt is not the one named', SLOTS[0] as string, ['failed'], { attempt: 2 }],
      ['there is no run at the slot', 'no-such-slot', ['failed'], undefined],
    ])(
      'Given %s, When a transition is asked, Then it answers undefined and changes nothing',
      async (_case, slot, from, guard) => {
        const before = failed();
        const { ledger } = await given(before);
        expect(
          await ledger.transition('move-job', slot, from, { status: 'succeeded' }, guard),
        ).toBeUndefined();
        expect(await ledger.get('move-job', before.slot)).toStrictEqual(before);
        expect(await ledger.get('move-job', 'no-such-slot')).toBeUndefined();
      },
    );

    it.each<[string, readonly RunStatus[], Partial<Run>, RegExp]>([
      ['a new job', ['failed'], { job: 'other' }, /job cannot change/],
      ['a new slot', ['failed'], { slot: 'other' }, /slot cannot change/],
      ['a new run id', ['failed'], { runId: 'other', status: 'running' }, /runId cannot change/],
      ['no status to move from', [], { status: 'running' }, /at least one status/],
      ['no change', ['failed'], {}, /at least one change/],
    ])(
      'Given a transition with %s, When it is asked, Then it is refused and nothing changes',
      async (_case, from, changes, message) => {
        const before = failed();
        const { ledger } = await given(before);
        await expect(ledger.transition('move-job', before.slot, from, changes)).rejects.toThrow(message);
        expect(await ledger.get('move-job', before.slot)).toStrictEqual(before);
      },
    );

    it('Given a running run past its deadline, When it is read, Then it is as stored (settling is the domain rule)', async () => {
      const stale = run('stale-job', SLOTS[0] as string, {
        status: 'running',
        startedAt: SLOTS[0] as string,
        deadline: SLOTS[1] as string,
      });
      const { ledger } = await given(stale);
      expect(await ledger.get('stale-job', stale.slot)).toStrictEqual(stale);
      expect((await ledger.list({ status: 'running', limit: 10 })).items).toStrictEqual([stale]);
    });
  });

  describe('getState', () => {
    it('Given a running run, When a cancel is requested, Then its state reads status, attempt and the flag, and nothing else', async () => {
      // Given
      const running = run('state-job', SLOTS[0] as string, {
        status: 'running',
        attempt: 2,
        startedAt: SLOTS[0] as string,
        result: { large: 'x'.repeat(100) },
      });
      const { ledger } = await given(running);
      expect(await ledger.getState('state-job', running.slot)).toStrictEqual({
        status: 'running',
        attempt: 2,
      });
      // When
      await ledger.transition('state-job', running.slot, ['running'], { cancelRequested: true });
      // Then
      expect(await ledger.getState('state-job', running.slot)).toStrictEqual({
        status: 'running',
        attempt: 2,
        cancelRequested: true,
      });
    });

    it('Given no run at the slot, or an expired one, When its state is read, Then there is none', async () => {
      const expired = run('state-job', SLOTS[0] as string, { expiresAt: START_SEC });
      const { ledger } = await given(expired);
      expect(await ledger.getState('state-job', expired.slot)).toBeUndefined();
      expect(await ledger.getState('state-job', SLOTS[1] as string)).toBeUndefined();
    });
  });

  describe('expiry (expiresAt in epoch seconds against the clock)', () => {
    it.each<[string, number, boolean]>([
      ['a second ago', -1, false],
      ['this second', 0, false],
      ['in a second', 1, true],
    ])('Given a run that expires %s, Then it is read and listed accordingly', async (_case, offset, live) => {
      // Given, next to a run that lives on
      const expiring = run('ttl-job', SLOTS[0] as string, { expiresAt: START_SEC + offset });
      const kept = run('ttl-job', SLOTS[1] as string);
      const { ledger } = await given(expiring, kept);
      // Then
      expect(await ledger.get('ttl-job', expiring.slot)).toStrictEqual(live ? expiring : undefined);
      expect(await ledger.getById(expiring.runId)).toStrictEqual(live ? expiring : undefined);
      const expected = live ? [kept.runId, expiring.runId] : [kept.runId];
      for (const query of [{ job: 'ttl-job' }, { status: 'succeeded' as const }, {}]) {
        expect(idsOf((await ledger.list({ ...query, limit: 10 })).items)).toEqual(expected);
      }
    });
  });

  describe('list', () => {
    it('Given three runs of a job, When its runs are listed one at a time, Then they come newest slot first, and the page that reaches the end has no cursor', async () => {
      const { ledger } = await given(...history());
      const pages = await pagesOf(
        (q: RunQuery) => ledger.list(q),
        { job: 'history-a', limit: 1 },
        (item) => item.slot,
      );
      expect(pages).toEqual([[SLOTS[2]], [SLOTS[1]], [SLOTS[0]]]);
    });

    it.each<[string, Omit<RunQuery, 'limit'>, (runs: Run[]) => Run[]]>([
      ['every run', {}, (runs) => runs],
      ['a status', { status: 'succeeded' }, (runs) => runs.filter((item) => item.status === 'succeeded')],
      ['a status nothing has', { status: 'failed' }, () => []],
      [
        'a job and a status',
        { job: 'history-a', status: 'running' },
        (runs) => runs.filter((item) => item.job === 'history-a' && item.status === 'running'),
      ],
      ['a job and a status it has no run in', { job: 'history-b', status: 'running' }, () => []],
    ])(
      'Given runs of two jobs, When listed by %s across pages, Then the matches come newest run id first',
      async (_case, query, matches) => {
        const runs = history();
        const { ledger } = await given(...runs);
        const pages = await pagesOf(
          (q: RunQuery) => ledger.list(q),
          { ...query, limit: 2 },
          (item) => item.runId,
        );
        expect(pages.flat()).toEqual(newestFirst(matches(runs)));
      },
    );

    it('Given runs of two jobs, When every run is listed, Then the runs come whole, as claimed', async () => {
      const runs = history();
      const { ledger } = await given(...runs);
      const listed = (await ledger.list({ limit: 100 })).items;
      expect(listed).toStrictEqual(
        newestFirst(runs).map((id) => runs.find((item) => item.runId === id) as Run),
      );
    });

    it('Given runs of two jobs, When one is asked for by an unknown id, Then there is none', async () => {
      const { ledger } = await given(...history());
      expect(await ledger.getById(newRunId(new Date(START)))).toBeUndefined();
    });

    listingRefusals(async () => {
      const { ledger } = await given(...history());
      return (query) => ledger.list(query);
    });

    it.each<[string, string, RunQuery, Omit<RunQuery, 'cursor'>]>([
      ['a job', 'another job', { job: 'history-a', limit: 1 }, { job: 'history-b', limit: 1 }],
      ['a job', 'every run', { job: 'history-a', limit: 1 }, { limit: 1 }],
      ['a status', 'a job', { status: 'succeeded', limit: 1 }, { job: 'history-b', limit: 1 }],
      ['every run', 'a job', { limit: 1 }, { job: 'history-b', limit: 1 }],
    ])(
      'Given the cursor of a listing by %s, When a listing by %s is asked with it, Then a ValidationError names the cursor',
      async (_from, _to, from, to) => {
        const { ledger } = await given(...history());
        const cursor = await cursorOf((q: RunQuery) => ledger.list(q), from);
        await expectValidation(ledger.list({ ...to, cursor }), 'cursor');
      },
    );

    it('Given the cursor of a listing by a status, When every run is listed from it, Then the listing goes on after that run: a status filters the one history', async () => {
      const runs = history();
      const { ledger } = await given(...runs);
      const first = await ledger.list({ statuses: ['succeeded', 'failed', 'running', 'skipped'], limit: 1 });
      const everyRun = newestFirst(runs);
      expect(first.items.map((run) => run.runId)).toStrictEqual(everyRun.slice(0, 1));
      const rest = await ledger.list({ limit: 100, cursor: first.nextCursor });
      expect(rest.items.map((run) => run.runId)).toStrictEqual(everyRun.slice(1));
    });
  });
}
