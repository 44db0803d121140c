/**
 * The events the local EventBridge endpoint took, kept in `<dataDir>/events.jsonl` (one JSON object per
 * line, append-only) for `tickwork events` and for tests. Bounded: once the file passes MAX_EVENTS_FILE_BYTES
 * it becomes `events.1.jsonl` (replacing the one before) and a new file starts, so the two hold at most
 * about twice that. The reader takes both, oldest first, and skips a torn last line (a crash mid-write).
 */
import { appendFile, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const EVENTS_FILE = 'events.jsonl';
export const ROTATED_EVENTS_FILE = 'events.1.jsonl';
/** 8 MiB: thousands of events of a few KB, and a file `tickwork events` reads at once. */
export const MAX_EVENTS_FILE_BYTES = 8 * 1024 * 1024;

/** One event as a bus got it. */
export interface StoredEvent {
  /** The EventId PutEvents answered. */
  readonly id: string;
  /** The bus's name (an ARN in the request is kept as the name it names). */
  readonly bus: string;
  readonly source: string;
  readonly detailType: string;
  /** The detail, parsed (always a JSON object). */
  readonly detail: Readonly<Record<string, unknown>>;
  readonly resources: readonly string[];
  /** The event's time: the entry's `Time`, else when it was received (ISO). */
  readonly time: string;
  /** When the endpoint took it (ISO). */
  readonly receivedAt: string;
}

export function eventsPath(dataDir: string): string {
  return join(dataDir, EVENTS_FILE);
}

export class EventStore {
  readonly path: string;
  readonly #rotatedPath: string;
  readonly #maxBytes: number;
  /** Appends in arrival order, one at a time: a request's events are one write. */
  #tail: Promise<void> = Promise.resolve();

  constructor(dataDir: string, options: { readonly maxBytes?: number } = {}) {
    this.path = eventsPath(dataDir);
    this.#rotatedPath = join(dataDir, ROTATED_EVENTS_FILE);
    this.#maxBytes = options.maxBytes ?? MAX_EVENTS_FILE_BYTES;
  }

  /** Resolves once the events are written (PutEvents answers after that, as the service answers once stored). */
  append(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return this.#tail;
    const lines = events.map((event) => `${JSON.stringify(event)}\n`).join('');
    const write = this.#tail.then(async () => {
      await this.#rotateIfFull();
      await appendFile(this.path, lines, { mode: 0o600 });
    });
    // A failed write fails its request only; the next one tries again.
    this.#tail = write.catch(() => {});
    return write;
  }

  async #rotateIfFull(): Promise<void> {
    const size = await stat(this.path).then(
      (found) => found.size,
      () => 0,
    );
    if (size >= this.#maxBytes) await rename(this.path, this.#rotatedPath);
  }
}

/** Every kept event, oldest first (the rotated file, then the current one); none when there are no files. */
export async function listEvents(dataDir: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (const file of [join(dataDir, ROTATED_EVENTS_FILE), eventsPath(dataDir)]) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        events.push(JSON.parse(line) as StoredEvent);
      } catch {
        // A torn line: the stack stopped mid-write. Only the last line of a file can be one.
      }
    }
  }
  return events;
}
