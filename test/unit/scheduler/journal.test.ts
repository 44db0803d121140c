import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, JournalCorruptError, type JournalRecord } from '../../../local/scheduler/journal.ts';

const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function journalPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tickwork-journal-'));
  dirs.push(dir);
  return join(dir, 'nested', 'journal.jsonl');
}

const fired = (slot: number): JournalRecord => ({ op: 'fired', groupName: 'default', name: 'a', slot });

describe('Journal', () => {
  it('replays what was appended, including concurrent appends written as one batch', async () => {
    // Given a journal with 100 concurrent appends
    const path = await journalPath();
    const { journal } = await Journal.open(path);
    await Promise.all(Array.from({ length: 100 }, (_, slot) => journal.append(fired(slot))));
    await journal.close();

    // When it is opened again
    const { journal: reopened, replay } = await Journal.open(path);
    await reopened.close();

    // Then every record is there, in order
    expect(replay.records).toEqual(Array.from({ length: 100 }, (_, slot) => fired(slot)));
    expect(replay.tornTail).toBe(false);
  });

  it('ignores a torn last line but refuses damage earlier in the file', async () => {
    const path = await journalPath();
    const { journal } = await Journal.open(path);
    await journal.append(fired(1));
    await journal.close();
    await appendFile(path, '{"op":"fired","gro');

    const { journal: reopened, replay } = await Journal.open(path);
    await reopened.append(fired(2));
    await reopened.close();
    expect(replay).toEqual({ records: [fired(1)], tornTail: true });

    await appendFile(path, '\n{"op":"fired"}\n');
    await expect(Journal.open(path)).rejects.toBeInstanceOf(JournalCorruptError);
  });

  it('compacts to the snapshot and keeps appends made while compacting, after it', async () => {
    // Given a journal with many lines
    const path = await journalPath();
    const { journal } = await Journal.open(path);
    for (let slot = 0; slot < 50; slot++) await journal.append(fired(slot));

    // When it compacts while more records are appended
    const compaction = journal.compact(() => [fired(49)]);
    const during = journal.append(fired(50));
    await Promise.all([compaction, during]);
    await journal.append(fired(51));
    await journal.close();

    // Then the file holds the snapshot, then the later appends
    const lines = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([fired(49), fired(50), fired(51)]);
  });

  it('rejects appends after close', async () => {
    const { journal } = await Journal.open(await journalPath());
    await journal.close();
    await expect(journal.append(fired(1))).rejects.toThrow('scheduler journal is closed');
  });
});
