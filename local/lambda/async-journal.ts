/**
 * The durable queue behind the runtime's asynchronous (Event) invocations. In AWS, Invoke with
 * `InvocationType: Event` answers once the event is durably queued: whatever happens to the function
 * afterwards, the event is run, retried or dropped by Lambda's rules, never forgotten. Locally the
 * queue is this journal in the data directory (append-only JSON Lines, local/journal/append-journal.ts:
 * it survives kill -9, not a power loss). Each event goes through
 *
 *   accepted → started (attempt 1) → [retry (attempt n) → started (attempt n)]* → done
 *
 * and the `accepted` line is written before the invoker is answered. A restart reads back the events
 * that are not done and the runtime takes each up where the journal left it (runtime.ts, `recover`).
 */
import { join } from 'node:path';
import { AppendJournal } from '../journal/append-journal.ts';

/** The journal file under the data directory. */
export const ASYNC_JOURNAL_FILE = 'lambda-async-events.jsonl';

export type AsyncEventRecord =
  /** The event is Lambda's from here on; written before the invoker gets its answer. */
  | {
      readonly op: 'accepted';
      readonly id: string;
      readonly function: string;
      readonly payload?: string;
      readonly origin?: string;
      readonly at: number;
    }
  /** An attempt began (its handler loaded); it ends by `deadline` (epoch ms), when the timeout stops it. */
  | { readonly op: 'started'; readonly id: string; readonly attempt: number; readonly deadline: number }
  /** Attempt `attempt` (a retry) is due at `due` (epoch ms). */
  | { readonly op: 'retry'; readonly id: string; readonly attempt: number; readonly due: number }
  /** Finished: an attempt succeeded, or the event ran out of attempts and was dropped. */
  | { readonly op: 'done'; readonly id: string; readonly outcome: 'succeeded' | 'dropped' };

/** Where an unfinished event stands, by the last line written about it. */
export type EventProgress =
  | { readonly step: 'accepted' }
  | { readonly step: 'started'; readonly attempt: number; readonly deadline: number }
  | { readonly step: 'retry'; readonly attempt: number; readonly due: number };

/** An accepted event that is not done. */
export interface UnfinishedEvent {
  /** The request id, the same across Lambda's retries of the event. */
  readonly id: string;
  readonly functionName: string;
  readonly payload: string | undefined;
  /** What sent the event, e.g. the schedule `group/name`; undefined for a direct Invoke. */
  readonly origin: string | undefined;
  readonly acceptedAt: number;
  progress: EventProgress;
}

/** What the runtime records about its asynchronous events; each promise resolves once the line is written. */
export interface AsyncEventLog {
  accepted(event: UnfinishedEvent): Promise<void>;
  started(id: string, attempt: number, deadline: number): Promise<void>;
  retry(id: string, attempt: number, due: number): Promise<void>;
  done(id: string, outcome: 'succeeded' | 'dropped'): Promise<void>;
  /** Events found unfinished when the log was opened, oldest first. */
  readonly recovered: readonly UnfinishedEvent[];
  close(): Promise<void>;
}

const written: Promise<void> = Promise.resolve();

/**
 * A runtime without a data directory (a test's, a benchmark's) keeps its events in memory only, as
 * before there was a journal: nothing survives the process.
 */
export const inMemoryEventLog: AsyncEventLog = {
  accepted: () => written,
  started: () => written,
  retry: () => written,
  done: () => written,
  recovered: [],
  close: () => written,
};

/**
 * Compact once the journal holds this many lines more than twice the unfinished events. A burst of
 * 10,000 events writes 30,000 lines; above that, a burst is not compacted while it runs (which would
 * rewrite events about to be done), and the file stays a few MB.
 */
const COMPACTION_SLACK = 40_000;

export class AsyncEventJournal implements AsyncEventLog {
  readonly path: string;
  readonly recovered: readonly UnfinishedEvent[];
  /** The journal's last line was cut by a crash mid-write, and was ignored (and rewritten at open). */
  readonly tornTail: boolean;
  readonly #journal: AppendJournal<AsyncEventRecord>;
  readonly #compactionSlack: number;
  /** Unfinished events by id: what a compaction writes. */
  readonly #live: Map<string, UnfinishedEvent>;
  #compacting = false;

  private constructor(
    journal: AppendJournal<AsyncEventRecord>,
    live: Map<string, UnfinishedEvent>,
    tornTail: boolean,
    compactionSlack: number,
  ) {
    this.#journal = journal;
    this.path = journal.path;
    this.#live = live;
    this.recovered = [...live.values()];
    this.tornTail = tornTail;
    this.#compactionSlack = compactionSlack;
  }

  /** Opens (or creates) the journal in `dataDir` and reads back the unfinished events. */
  static async open(dataDir: string, options: { compactionSlack?: number } = {}): Promise<AsyncEventJournal> {
    const { journal, replay } = await AppendJournal.open<AsyncEventRecord>(
      join(dataDir, ASYNC_JOURNAL_FILE),
      'Lambda event journal',
    );
    const live = new Map<string, UnfinishedEvent>();
    for (const record of replay.records) apply(live, record);
    const opened = new AsyncEventJournal(
      journal,
      live,
      replay.tornTail,
      options.compactionSlack ?? COMPACTION_SLACK,
    );
    // A torn last line must go before anything is appended after it.
    if (replay.tornTail) await journal.compact(() => opened.#snapshot());
    else opened.#compactIfLarge();
    return opened;
  }

  accepted(event: UnfinishedEvent): Promise<void> {
    this.#live.set(event.id, event);
    return this.#write(acceptedRecord(event));
  }

  started(id: string, attempt: number, deadline: number): Promise<void> {
    const event = this.#live.get(id);
    if (event !== undefined) event.progress = { step: 'started', attempt, deadline };
    return this.#write({ op: 'started', id, attempt, deadline });
  }

  retry(id: string, attempt: number, due: number): Promise<void> {
    const event = this.#live.get(id);
    if (event !== undefined) event.progress = { step: 'retry', attempt, due };
    return this.#write({ op: 'retry', id, attempt, due });
  }

  done(id: string, outcome: 'succeeded' | 'dropped'): Promise<void> {
    this.#live.delete(id);
    return this.#write({ op: 'done', id, outcome });
  }

  /** Writes what is queued, syncs and closes the file. */
  close(): Promise<void> {
    return this.#journal.close();
  }

  #write(record: AsyncEventRecord): Promise<void> {
    // The append's own promise, not an async wrapper's: a burst of 10,000 events writes 30,000 lines.
    const written = this.#journal.append(record);
    this.#compactIfLarge();
    return written;
  }

  #compactIfLarge(): void {
    if (this.#compacting) return;
    if (this.#journal.linesSinceCompaction <= this.#compactionSlack + 2 * this.#live.size) return;
    this.#compacting = true;
    // A failed compaction leaves the journal as it was (the snapshot goes to a temporary file first);
    // a later append tries again.
    this.#journal
      .compact(() => this.#snapshot())
      .catch(() => {})
      .finally(() => {
        this.#compacting = false;
      });
  }

  /** Two lines per unfinished event: its acceptance and where it stands. */
  #snapshot(): AsyncEventRecord[] {
    const records: AsyncEventRecord[] = [];
    for (const event of this.#live.values()) {
      records.push(acceptedRecord(event));
      const { progress } = event;
      if (progress.step === 'started') records.push({ op: 'started', id: event.id, ...rest(progress) });
      if (progress.step === 'retry') records.push({ op: 'retry', id: event.id, ...rest(progress) });
    }
    return records;
  }
}

function rest<T extends { readonly step: string }>(progress: T): Omit<T, 'step'> {
  const { step: _step, ...fields } = progress;
  return fields;
}

/** Replay: each line moves one event on; a line about an event already done is ignored. */
function apply(live: Map<string, UnfinishedEvent>, record: AsyncEventRecord): void {
  switch (record.op) {
    case 'accepted':
      live.set(record.id, {
        id: record.id,
        functionName: record.function,
        payload: record.payload,
        origin: record.origin,
        acceptedAt: record.at,
        progress: { step: 'accepted' },
      });
      return;
    case 'started': {
      const event = live.get(record.id);
      if (event !== undefined)
        event.progress = { step: 'started', attempt: record.attempt, deadline: record.deadline };
      return;
    }
    case 'retry': {
      const event = live.get(record.id);
      if (event !== undefined) event.progress = { step: 'retry', attempt: record.attempt, due: record.due };
      return;
    }
    case 'done':
      live.delete(record.id);
      return;
  }
}

/** The `accepted` line of an event: written when it is accepted, and again by each compaction. */
function acceptedRecord(event: UnfinishedEvent): AsyncEventRecord {
  return {
    op: 'accepted',
    id: event.id,
    function: event.functionName,
    ...(event.payload === undefined ? {} : { payload: event.payload }),
    ...(event.origin === undefined ? {} : { origin: event.origin }),
    at: event.acceptedAt,
  };
}
