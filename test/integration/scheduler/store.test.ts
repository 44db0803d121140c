/**
 * The store and its journal on a real file: the journal is compacted while the emulator runs once
 * fire records pile up, and replaying the compacted file gives back the same state.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../../local/scheduler/journal.ts';
import type { PendingRetry } from '../../../local/scheduler/model.ts';
import { SchedulerStore } from '../../../local/scheduler/store.ts';
import { FUNCTION_ARN, newDataDir, ROLE_ARN, removeDataDir } from './helpers.ts';

const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDataDir(dir);
});

async function openStore(path: string, errors: string[]) {
  const { journal, replay } = await Journal.open(path);
  const store = new SchedulerStore({
    journal,
    arn: { region: 'eu-west-1', accountId: '123456789012' },
    now: () => Date.parse('2026-03-02T08:00:00Z'),
    onError: (message) => errors.push(message),
    compactionSlack: 5,
  });
  store.replay(replay.records);
  await store.ensureDefaultGroup();
  return { journal, store };
}

describe('SchedulerStore journal compaction while running', () => {
  it('compacts once fire records exceed the slack, and the compacted journal replays to the same state', async () => {
    // Given a store with one schedule
    const dir = await newDataDir();
    dirs.push(dir);
    const path = join(dir, 'journal.jsonl');
    const errors: string[] = [];
    const { journal, store } = await openStore(path, errors);
    await store.schedules.create('ticker', {
      ScheduleExpression: 'rate(1 minute)',
      Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN },
      FlexibleTimeWindow: { Mode: 'OFF' },
    });
    const live = store.get('default/ticker');
    if (live === undefined) throw new Error('schedule not stored');

    // When 40 slots are marked fired and then handed over, as the dispatcher does, one write each
    for (let minute = 1; minute <= 40; minute++) {
      const fired = [{ live, slot: Date.parse('2026-03-02T08:00:00Z') + minute * 60_000 }];
      await store.firing.markFired(fired);
      await store.firing.markHandedOver(fired);
    }
    await journal.close();

    // Then the file is far shorter than the 82 lines written, and replays to the last fired slot
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThan(15);
    const { journal: reopened, store: replayed } = await openStore(path, errors);
    expect(replayed.get('default/ticker')?.lastFiredSlot).toBe(Date.parse('2026-03-02T08:40:00Z'));
    expect(replayed.get('default/ticker')?.handingOver).toBeUndefined();
    expect(replayed.get('default/ticker')?.arn).toBe(
      'arn:aws:scheduler:eu-west-1:123456789012:schedule/default/ticker',
    );
    await reopened.close();
    expect(errors).toEqual([]);
  });
});

describe('SchedulerStore pending retries', () => {
  it('keep their schedule snapshot through later attempts and compaction, and go when handled', async () => {
    // Given a store with one schedule and a retry of its 08:30 slot persisted, then moved twice
    const dir = await newDataDir();
    dirs.push(dir);
    const path = join(dir, 'journal.jsonl');
    const errors: string[] = [];
    const { journal, store } = await openStore(path, errors);
    await store.schedules.create('flaky', {
      ScheduleExpression: 'rate(1 hour)',
      Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, Input: '{"big":"payload"}' },
      FlexibleTimeWindow: { Mode: 'OFF' },
    });
    const live = store.get('default/flaky');
    if (live === undefined) throw new Error('schedule not stored');
    const slot = Date.parse('2026-03-02T08:30:00Z');
    const retry = (attempt: number): PendingRetry => ({
      groupName: 'default',
      name: 'flaky',
      slot,
      attempt,
      firstAttemptAt: slot,
      retryAt: slot + 1000 * 2 ** (attempt - 1),
      last: false,
      lastExecutionId: `execution-${attempt - 1}`,
      errorCode: 'Error',
      errorMessage: 'down',
      record: live.record,
    });
    await store.firing.savePendingRetry(live, retry(2), true);
    await store.firing.savePendingRetry(live, retry(3), false);
    await store.firing.savePendingRetry(live, retry(4), false);

    // Then only the first line carries the snapshot (a large Input is not rewritten per attempt)
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    const retryLines = lines.filter((line) => line.includes('"retryPending"'));
    expect(retryLines.map((line) => line.includes('"record"'))).toEqual([true, false, false]);

    // When the journal is compacted and replayed
    await journal.compact(() => store.snapshot());
    await journal.close();
    const second = await openStore(path, errors);

    // Then the latest attempt is there with the snapshot, and counted
    expect(second.store.pendingRetryCount).toBe(1);
    const restored = second.store.get('default/flaky')?.retries?.get(slot);
    expect(restored).toMatchObject({ attempt: 4, lastExecutionId: 'execution-3' });
    expect(restored?.record.target.input).toBe('{"big":"payload"}');

    // When the retry is handled, it is gone, also after a replay
    const replayedLive = second.store.get('default/flaky');
    if (replayedLive === undefined) throw new Error('schedule not replayed');
    await second.store.firing.clearPendingRetry(replayedLive, slot);
    expect(second.store.pendingRetryCount).toBe(0);
    await second.journal.close();
    const third = await openStore(path, errors);
    expect(third.store.pendingRetryCount).toBe(0);
    await third.journal.close();
    expect(errors).toEqual([]);
  });
});

describe('SchedulerStore slots handing over', () => {
  async function storeWithSchedules(path: string, errors: string[], names: readonly string[]) {
    const opened = await openStore(path, errors);
    for (const name of names) {
      await opened.store.schedules.create(name, {
        ScheduleExpression: 'rate(1 minute)',
        Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN },
        FlexibleTimeWindow: { Mode: 'OFF' },
      });
    }
    const lives = names.map((name) => {
      const live = opened.store.get(`default/${name}`);
      if (live === undefined) throw new Error(`${name} not stored`);
      return live;
    });
    return { ...opened, lives };
  }

  const slot = Date.parse('2026-03-02T08:01:00Z');

  it('keep a batch fired and not handed over through a compaction, and let it go once handed over', async () => {
    // Given a batch of two slots marked fired, not handed over
    const dir = await newDataDir();
    dirs.push(dir);
    const path = join(dir, 'journal.jsonl');
    const errors: string[] = [];
    const { journal, store, lives } = await storeWithSchedules(path, errors, ['a', 'b']);
    const batch = lives.map((live) => ({ live, slot }));
    await store.firing.markFired(batch);

    // When the journal is compacted meanwhile and read back
    await journal.compact(() => store.snapshot());
    const replayed = await openStore(path, errors);

    // Then both slots are still handing over (a start would deliver them again), and fired
    for (const name of ['a', 'b']) {
      expect(replayed.store.get(`default/${name}`)?.handingOver).toEqual(new Set([slot]));
      expect(replayed.store.get(`default/${name}`)?.lastFiredSlot).toBe(slot);
    }
    await replayed.journal.close();

    // When the batch is handed over (after the compaction) and the journal read back again
    await store.firing.markHandedOver(batch);
    await journal.close();
    const again = await openStore(path, errors);

    // Then nothing is handing over any more, and the slots stay fired
    for (const name of ['a', 'b']) {
      expect(again.store.get(`default/${name}`)?.handingOver).toBeUndefined();
      expect(again.store.get(`default/${name}`)?.lastFiredSlot).toBe(slot);
    }
    await again.journal.close();
    expect(errors).toEqual([]);
  });

  it('read a journal of the previous format (one `firing` and one `fired` line per slot)', async () => {
    // Given a journal whose slots were marked one line each: `a` handed over, `b` not
    const dir = await newDataDir();
    dirs.push(dir);
    const path = join(dir, 'journal.jsonl');
    const errors: string[] = [];
    const { journal } = await storeWithSchedules(path, errors, ['a', 'b']);
    await journal.append([
      { op: 'firing', groupName: 'default', name: 'a', slot },
      { op: 'firing', groupName: 'default', name: 'b', slot },
      { op: 'fired', groupName: 'default', name: 'a', slot },
    ]);
    await journal.close();

    // When it is read back
    const { journal: reopened, store } = await openStore(path, errors);

    // Then `b` alone is handing over, and both slots count as fired
    expect(store.get('default/a')?.handingOver).toBeUndefined();
    expect(store.get('default/b')?.handingOver).toEqual(new Set([slot]));
    expect([store.get('default/a')?.lastFiredSlot, store.get('default/b')?.lastFiredSlot]).toEqual([
      slot,
      slot,
    ]);
    await reopened.close();
    expect(errors).toEqual([]);
  });
});
