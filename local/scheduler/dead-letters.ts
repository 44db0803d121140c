/**
 * The local stand-in for a schedule's dead-letter queue: events the emulator could not deliver
 * (retries or event age exhausted) are appended to `<dataDir>/dead-letters.jsonl`, one per line.
 * Reading needs no running emulator, so a CLI command can list them with `listDeadLetters(dataDir)`.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeadLetter } from './model.ts';

export const DEAD_LETTERS_FILE = 'dead-letters.jsonl';

export function deadLettersPath(dataDir: string): string {
  return join(dataDir, DEAD_LETTERS_FILE);
}

/** Every dead letter stored under `dataDir`, oldest first; none when the file does not exist. */
export async function listDeadLetters(dataDir: string): Promise<DeadLetter[]> {
  let text: string;
  try {
    text = await readFile(deadLettersPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const letters: DeadLetter[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line === '') continue;
    try {
      letters.push(JSON.parse(line) as DeadLetter);
    } catch (error) {
      // A torn last line is a write interrupted by a crash; earlier damage is reported.
      if (index === lines.length - 1) continue;
      throw new Error(`dead-letter store ${deadLettersPath(dataDir)} is unreadable at line ${index + 1}`, {
        cause: error,
      });
    }
  }
  return letters;
}

/** Appends dead letters one write at a time, so lines never interleave. */
export class DeadLetterStore {
  readonly #path: string;
  readonly #dataDir: string;
  #tail: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
    this.#path = deadLettersPath(dataDir);
  }

  add(letter: DeadLetter): Promise<void> {
    const write = this.#tail.then(async () => {
      await mkdir(this.#dataDir, { recursive: true });
      await appendFile(this.#path, `${JSON.stringify(letter)}\n`);
    });
    this.#tail = write.catch(() => undefined);
    return write;
  }

  /** Resolves when every write so far has finished. */
  flush(): Promise<void> {
    return this.#tail;
  }

  list(): Promise<DeadLetter[]> {
    return this.#tail.then(() => listDeadLetters(this.#dataDir));
  }
}
