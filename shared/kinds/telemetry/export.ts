/**
 * One window's export: spool, then send. Every table is read once, as a stream of rows (the source's
 * `eachRow`), each row serialized into the chunk being built, and each full chunk written to a file of a
 * per-export spool directory, so memory holds one chunk and one row whatever the window holds. Only
 * once every table is read is the window final and the chunk count known (a table holding more than
 * `limit` rows in the window halves the window, and the run says `hasMore`: the spool is dropped and
 * everything read again); then the chunks are sent from their files, in order, with their
 * `{index, count}` and the same idempotency keys as ever (job + window + tables + index).
 *
 * The spool lives under os.tmpdir(): on Lambda that is /tmp, 512 MB by default (ephemeral storage),
 * which bounds a window's serialized rows; the directory is removed however the export ends.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIGNATURE_HEADER, type SinkSettings, signPayload } from '../signature.ts';
import { ChunkBuilder, chunkBody, type Envelope } from './chunks.ts';
import { TelemetrySourceError } from './http-source.ts';
import type { RowSource, TelemetryWindow } from './source.ts';
import { firstHalf } from './window.ts';

/** The prefix of an export's spool directory under the temporary directory. */
export const SPOOL_PREFIX = 'tickwork-telemetry-spool-';

export interface ExportSettings {
  readonly job: string;
  readonly model: Readonly<Record<string, unknown>>;
  readonly tables: readonly string[];
  readonly limit: number;
  readonly maxChunkBytes: number;
  readonly source: RowSource;
  readonly signal: AbortSignal;
  /** Where the spool directory is made. @default os.tmpdir() */
  readonly spoolRoot?: string;
  remainingTimeMs(): number;
  /** Called between steps: throws when the run must stop (a cancel, the deadline). */
  checkpoint(): Promise<void>;
}

export interface ExportOutcome {
  readonly window: TelemetryWindow;
  /** The window was halved because a table held more than the limit. */
  readonly narrowed: boolean;
  readonly rows: Readonly<Record<string, number>>;
  readonly chunks: number;
  readonly bytes: number;
}

/** The sink answered, but not with a 2xx: the run fails, and its retry sends the same chunks again. */
export class SinkRejectedError extends Error {
  constructor(target: string, index: number, count: number, status: number, excerpt: string) {
    super(
      `sink ${target} answered HTTP ${status} to chunk ${index + 1} of ${count}${excerpt === '' ? '' : `: ${excerpt}`}`,
    );
    this.name = 'SinkRejectedError';
  }
}

/**
 * Stable across attempts and runs: the job, the window, the tables exported and the chunk's index, so
 * a retry (or a backfill of a window already sent, with the same tables) repeats the keys exactly.
 */
export function idempotencyKey(
  job: string,
  window: TelemetryWindow,
  tables: readonly string[],
  index: number,
): string {
  return createHash('sha256')
    .update(
      [job, window.from.toISOString(), window.to.toISOString(), tables.join(','), String(index)].join('\n'),
    )
    .digest('hex');
}

interface Spooled {
  readonly window: TelemetryWindow;
  readonly narrowed: boolean;
  readonly rows: Record<string, number>;
  /** The chunks' data, in files `dir/<index>`. */
  readonly dir: string;
  readonly count: number;
}

export async function exportWindow(
  settings: ExportSettings,
  sink: SinkSettings,
  window: TelemetryWindow,
): Promise<ExportOutcome> {
  const spool = await mkdtemp(join(settings.spoolRoot ?? tmpdir(), SPOOL_PREFIX));
  try {
    const spooled = await spoolWindow(settings, window, spool);
    const bytes = await send(settings, sink, spooled);
    const { window: exported, narrowed, rows, count: chunks } = spooled;
    return { window: exported, narrowed, rows, chunks, bytes };
  } finally {
    await rm(spool, { recursive: true, force: true });
  }
}

/** Sends the spooled chunks in order; the bytes sent. */
async function send(settings: ExportSettings, sink: SinkSettings, spooled: Spooled): Promise<number> {
  const envelope: Envelope = { model: settings.model, window: spooled.window };
  const target = describeTarget(sink.url);
  let bytes = 0;
  for (let index = 0; index < spooled.count; index++) {
    await settings.checkpoint();
    const body = chunkBody(
      envelope,
      index,
      spooled.count,
      await readFile(join(spooled.dir, String(index)), 'utf8'),
    );
    const timestamp = Math.floor(sink.now().getTime() / 1000);
    const answer = await sink.http.post(
      sink.url,
      body,
      {
        'Content-Type': 'application/json',
        'Idempotency-Key': idempotencyKey(settings.job, spooled.window, settings.tables, index),
        [SIGNATURE_HEADER]: signPayload(sink.secret, timestamp, body),
      },
      { timeoutMs: sink.timeoutMs, signal: settings.signal },
    );
    if (answer.status < 200 || answer.status > 299) {
      throw new SinkRejectedError(target, index, spooled.count, answer.status, answer.bodyExcerpt);
    }
    bytes += Buffer.byteLength(body);
  }
  return bytes;
}

/**
 * Reads every table once into chunk files, halving the window (and reading again, into a fresh
 * directory) until every table fits the limit.
 */
async function spoolWindow(
  settings: ExportSettings,
  initial: TelemetryWindow,
  spool: string,
): Promise<Spooled> {
  let window = initial;
  let narrowed = false;
  for (let attempt = 0; ; attempt++) {
    const dir = join(spool, String(attempt));
    await mkdir(dir);
    const builder = new ChunkBuilder({ model: settings.model, window }, settings.maxChunkBytes);
    let count = 0;
    const write = async (data: string) => {
      await writeFile(join(dir, String(count)), data, 'utf8');
      count++;
    };
    const rows: Record<string, number> = {};
    let overflow: string | undefined;
    for (const table of settings.tables) {
      await settings.checkpoint();
      let index = 0;
      const { hasMore } = await settings.source.eachRow({ ...query(settings, table), window }, (row) => {
        const closed = builder.add(table, index, JSON.stringify(row));
        index++;
        return closed === undefined ? undefined : write(closed);
      });
      if (hasMore) {
        overflow = table;
        break;
      }
      rows[table] = index;
    }
    if (overflow === undefined) {
      const last = builder.finish();
      if (last !== undefined) await write(last);
      return { window, narrowed, rows, dir, count };
    }
    const half = firstHalf(window);
    if (half === undefined) {
      throw new TelemetrySourceError(
        `table ${overflow} holds more than ${settings.limit} rows in ${describeWindow(window)}, which cannot be split further: raise limitPerTable`,
      );
    }
    await rm(dir, { recursive: true, force: true });
    window = half;
    narrowed = true;
  }
}
function query(settings: ExportSettings, table: string) {
  return {
    table,
    limit: settings.limit,
    signal: settings.signal,
    remainingTimeMs: () => settings.remainingTimeMs(),
  };
}

function describeWindow(window: TelemetryWindow): string {
  return `[${window.from.toISOString()}, ${window.to.toISOString()})`;
}

/** Origin and path only: query strings may carry tokens. */
export function describeTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
