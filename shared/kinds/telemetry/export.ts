/**
 * One window's export: lay out, then send. The layout reads every table's page first (asking the
 * source for at most `limit` rows), so the window is final before the first chunk goes out: a table
 * holding more than `limit` rows in the window halves the window (and the run says `hasMore`) instead
 * of losing rows or sending chunks of a window that then changes. Pages are kept for the send while
 * they fit in a budget of a few chunks; beyond it a page is read again when its chunks are sent, so
 * memory is bounded by one page and a few chunks whatever the window holds.
 */
import { createHash } from 'node:crypto';
import type { OutboundHttp } from '../capabilities.ts';
import { SIGNATURE_HEADER, signPayload } from '../signature.ts';
import { ChunkPlanner, chunkBody, type Envelope } from './chunks.ts';
import { TelemetrySourceError } from './http-source.ts';
import type { TelemetrySource, TelemetryWindow } from './source.ts';
import { firstHalf } from './window.ts';

/** Pages kept between the layout and the send, as a multiple of the chunk size. */
const KEPT_PAGES_CHUNKS = 4;

export interface ExportSettings {
  readonly job: string;
  readonly model: Readonly<Record<string, unknown>>;
  readonly tables: readonly string[];
  readonly limit: number;
  readonly maxChunkBytes: number;
  readonly source: TelemetrySource;
  readonly signal: AbortSignal;
  remainingTimeMs(): number;
  /** Called between steps: throws when the run must stop (a cancel, the deadline). */
  checkpoint(): Promise<void>;
}

export interface SinkSettings {
  readonly url: string;
  readonly secret: string;
  readonly timeoutMs: number;
  readonly http: OutboundHttp;
  readonly now: () => Date;
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

interface Layout {
  readonly window: TelemetryWindow;
  readonly narrowed: boolean;
  readonly rows: Record<string, number>;
  readonly chunks: ReturnType<ChunkPlanner['finish']>;
  readonly kept: Map<string, readonly string[]>;
}

export async function exportWindow(
  settings: ExportSettings,
  sink: SinkSettings,
  window: TelemetryWindow,
): Promise<ExportOutcome> {
  const layout = await layOut(settings, window);
  const envelope: Envelope = { model: settings.model, window: layout.window };
  const count = layout.chunks.length;
  const target = describeTarget(sink.url);
  // The pages of the tables the current chunk holds (a chunk spans the end of one table and the start
  // of the next): at most the tables of one chunk, each read once.
  let loaded = new Map<string, readonly string[]>();
  const rowsOf = (table: string): readonly string[] => {
    const rows = loaded.get(table);
    if (rows === undefined) throw new Error(`rows of ${table} were not loaded`);
    return rows;
  };
  let bytes = 0;
  for (const [index, chunk] of layout.chunks.entries()) {
    const next = new Map<string, readonly string[]>();
    for (const { table } of chunk.segments) {
      next.set(table, loaded.get(table) ?? layout.kept.get(table) ?? (await reread(settings, layout, table)));
    }
    loaded = next;
    await settings.checkpoint();
    const body = chunkBody(envelope, index, count, chunk, rowsOf);
    const timestamp = Math.floor(sink.now().getTime() / 1000);
    const answer = await sink.http.post(
      sink.url,
      body,
      {
        'Content-Type': 'application/json',
        'Idempotency-Key': idempotencyKey(settings.job, layout.window, settings.tables, index),
        [SIGNATURE_HEADER]: signPayload(sink.secret, timestamp, body),
      },
      { timeoutMs: sink.timeoutMs, signal: settings.signal },
    );
    if (answer.status < 200 || answer.status > 299) {
      throw new SinkRejectedError(target, index, count, answer.status, answer.bodyExcerpt);
    }
    bytes += Buffer.byteLength(body);
  }
  return { window: layout.window, narrowed: layout.narrowed, rows: layout.rows, chunks: count, bytes };
}

/** Reads every table's page for the window, halving it until every table fits; lays out the chunks. */
async function layOut(settings: ExportSettings, initial: TelemetryWindow): Promise<Layout> {
  let window = initial;
  let narrowed = false;
  attempt: for (;;) {
    const planner = new ChunkPlanner({ model: settings.model, window }, settings.maxChunkBytes);
    const rows: Record<string, number> = {};
    const kept = new Map<string, readonly string[]>();
    let keptBytes = 0;
    for (const table of settings.tables) {
      await settings.checkpoint();
      const page = await settings.source.read({ ...query(settings, table), window });
      if (page.hasMore) {
        const half = firstHalf(window);
        if (half === undefined) {
          throw new TelemetrySourceError(
            `table ${table} holds more than ${settings.limit} rows in ${describeWindow(window)}, which cannot be split further: raise limitPerTable`,
          );
        }
        window = half;
        narrowed = true;
        continue attempt;
      }
      const serialized = page.rows.map((row) => JSON.stringify(row));
      let tableBytes = 0;
      for (const [index, row] of serialized.entries()) {
        const rowBytes = Buffer.byteLength(row);
        tableBytes += rowBytes;
        planner.add(table, index, rowBytes);
      }
      rows[table] = serialized.length;
      if (keptBytes + tableBytes <= KEPT_PAGES_CHUNKS * settings.maxChunkBytes) {
        kept.set(table, serialized);
        keptBytes += tableBytes;
      }
    }
    return { window, narrowed, rows, chunks: planner.finish(), kept };
  }
}

/** A page read again for its chunks; it must be the page the layout was made from. */
async function reread(settings: ExportSettings, layout: Layout, table: string): Promise<readonly string[]> {
  const page = await settings.source.read({ ...query(settings, table), window: layout.window });
  if (page.hasMore || page.rows.length !== layout.rows[table]) {
    throw new TelemetrySourceError(
      `table ${table} answered ${layout.rows[table]} rows for ${describeWindow(layout.window)}, then ${page.rows.length}${page.hasMore ? '+' : ''} when read again: the window changed after its settle lag (raise window.settleLag)`,
    );
  }
  return page.rows.map((row) => JSON.stringify(row));
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
