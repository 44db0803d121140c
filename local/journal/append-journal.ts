/**
 * An append-only JSON Lines journal, the persistence of the Scheduler emulator and of the local Lambda
 * runtime's asynchronous events. Every change is one line, written before the change is acknowledged
 * (an HTTP answer, an accepted event). Appends made in the same turn of the event loop share one write
 * (group commit: 10,000 slots fired together cost one write). At start the journal is replayed; its
 * owner rewrites it as a snapshot of the live state when it has grown well past that state.
 *
 * Appends use write(2) on the main thread: a small append to the page cache takes microseconds,
 * less than handing it to libuv's thread pool and back, and it keeps a sequential request fast. Lines
 * survive the process being killed (kill -9); fsync happens only at compaction and close (a local
 * stack does not need to survive power loss, and an fsync per request would dominate).
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A line before the last one does not parse: real damage, not a write cut short by a crash. */
export class JournalCorruptError extends Error {
  constructor(label: string, path: string, line: number, cause: unknown) {
    super(`${label} ${path} is unreadable at line ${line}; move it aside to start empty`, { cause });
    this.name = 'JournalCorruptError';
  }
}

export interface ReplayResult<R> {
  readonly records: R[];
  /** A torn last line (the process died mid-write) that was ignored. */
  readonly tornTail: boolean;
}

interface PendingWrite {
  readonly text: string;
  readonly lines: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class AppendJournal<R> {
  readonly path: string;
  readonly #label: string;
  #fd: number;
  #pending: PendingWrite[] = [];
  #flushScheduled = false;
  /** While a snapshot is written, appends wait: they belong in the new file, after the snapshot. */
  #compacting = false;
  #compaction: Promise<void> | undefined;
  #pendingLines = 0;
  #linesSinceCompaction = 0;
  #closed = false;

  private constructor(path: string, label: string, fd: number, lines: number) {
    this.path = path;
    this.#label = label;
    this.#fd = fd;
    this.#linesSinceCompaction = lines;
  }

  /**
   * Reads the journal at `path` (missing = empty) and opens it for appending. `label` names it in
   * errors, e.g. `scheduler journal`.
   */
  static async open<R>(
    path: string,
    label: string,
  ): Promise<{ journal: AppendJournal<R>; replay: ReplayResult<R> }> {
    await mkdir(dirname(path), { recursive: true });
    const replay = await readJournal<R>(path, label);
    const fd = openSync(path, 'a');
    return { journal: new AppendJournal<R>(path, label, fd, replay.records.length), replay };
  }

  /** Lines written since the last compaction. */
  get linesSinceCompaction(): number {
    return this.#linesSinceCompaction;
  }

  /** Resolves once the record(s) are written to the file. */
  append(recordOrRecords: R | readonly R[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`${this.#label} is closed`));
    const records = Array.isArray(recordOrRecords)
      ? (recordOrRecords as readonly R[])
      : [recordOrRecords as R];
    let text = '';
    for (const record of records) text += `${JSON.stringify(record)}\n`;
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ text, lines: records.length, resolve, reject });
      this.#linesSinceCompaction += records.length;
      this.#pendingLines += records.length;
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        queueMicrotask(this.#scheduledFlush);
      }
    });
  }

  /**
   * Replaces the journal with a snapshot of the live state. `snapshot` is called after everything
   * appended so far is written; lines appended while the snapshot is written go to the new file
   * after it. Replaying a line twice is harmless (every record sets state rather than changing it).
   */
  compact(snapshot: () => R[]): Promise<void> {
    if (this.#compaction === undefined) {
      this.#compaction = this.#compact(snapshot).finally(() => {
        this.#compaction = undefined;
      });
    }
    return this.#compaction;
  }

  async #compact(snapshot: () => R[]): Promise<void> {
    this.#flush();
    this.#compacting = true;
    try {
      const records = snapshot();
      const temporary = `${this.path}.compact`;
      const out = await open(temporary, 'w');
      try {
        const chunk: string[] = [];
        for (const record of records) {
          chunk.push(JSON.stringify(record));
          if (chunk.length === 5000) {
            await out.write(`${chunk.join('\n')}\n`);
            chunk.length = 0;
          }
        }
        if (chunk.length > 0) await out.write(`${chunk.join('\n')}\n`);
        await out.sync();
      } finally {
        await out.close();
      }
      await rename(temporary, this.path);
      const previous = this.#fd;
      this.#fd = openSync(this.path, 'a');
      closeSync(previous);
      this.#linesSinceCompaction = records.length + this.#pendingLines;
    } finally {
      this.#compacting = false;
      this.#flush();
    }
  }

  /** Writes what is queued, syncs and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#compaction;
    this.#flush();
    this.#closed = true;
    fsyncSync(this.#fd);
    closeSync(this.#fd);
  }

  readonly #scheduledFlush = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };

  #flush(): void {
    if (this.#compacting || this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    let text = '';
    for (const write of batch) {
      text += write.text;
      this.#pendingLines -= write.lines;
    }
    try {
      writeFully(this.#fd, Buffer.from(text, 'utf8'));
    } catch (error) {
      for (const write of batch) write.reject(error);
      return;
    }
    for (const write of batch) write.resolve();
  }
}

function writeFully(fd: number, buffer: Buffer): void {
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

async function readJournal<R>(path: string, label: string): Promise<ReplayResult<R>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], tornTail: false };
    throw error;
  }
  const lines = text.split('\n');
  const records: R[] = [];
  let tornTail = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as R);
    } catch (error) {
      // Only the last line can be torn by a crash mid-write; anything earlier is real damage.
      if (index === lines.length - 1) {
        tornTail = true;
        continue;
      }
      throw new JournalCorruptError(label, path, index + 1, error);
    }
  }
  return { records, tornTail };
}
