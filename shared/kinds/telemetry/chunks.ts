/**
 * Chunking, pure: rows (already serialized) are laid out into chunks of at most `maxChunkBytes` as the
 * sink receives them, before anything is sent, so each chunk knows the total count and a retry of the
 * same window lays out the same chunks. A chunk body is
 *
 *   {"model":{...},"log_type":"telemetry","window":{"from","to"},"chunk":{"index","count"},"data":{"<table>":[rows],...}}
 *
 * and the planner keeps only each chunk's row ranges, never the rows: memory stays bounded by one chunk.
 */
import { utf8Length } from '../../validation.ts';
import type { TelemetryWindow } from './source.ts';

/** A run of consecutive rows of one table inside a chunk: rows `[start, end)` of the table's page. */
export interface Segment {
  readonly table: string;
  readonly start: number;
  readonly end: number;
}

export interface ChunkLayout {
  readonly segments: readonly Segment[];
}

/** A row the sink could never take whole: it alone is larger than a chunk may be. */
export class RowTooLargeError extends Error {
  constructor(table: string, index: number, bytes: number, maxChunkBytes: number) {
    super(
      `row ${index} of table ${table} is ${bytes} bytes as JSON, more than fits in a chunk of at most ${maxChunkBytes} bytes (sink.maxChunkBytes)`,
    );
    this.name = 'RowTooLargeError';
  }
}

/** Room for any chunk index and count (up to 12 digits each), so the layout never depends on the count. */
const COUNT_PLACEHOLDER = 999_999_999_999;

/** The `log_type` of a telemetry chunk (what an ingest endpoint tells telemetry apart by). */
export const TELEMETRY_LOG_TYPE = 'telemetry';

export interface Envelope {
  readonly model: Readonly<Record<string, unknown>>;
  readonly window: TelemetryWindow;
}

/** The body's text before and after the data, for a chunk `index` of `count`. */
export function envelopeParts(envelope: Envelope, index: number, count: number): [string, string] {
  const head = JSON.stringify({
    model: envelope.model,
    log_type: TELEMETRY_LOG_TYPE,
    window: { from: envelope.window.from.toISOString(), to: envelope.window.to.toISOString() },
    chunk: { index, count },
  });
  return [`${head.slice(0, -1)},"data":{`, '}}'];
}

export class ChunkPlanner {
  readonly #chunks: ChunkLayout[] = [];
  readonly #base: number;
  #segments: Segment[] = [];
  #bytes: number;
  #open: { table: string; start: number; end: number } | undefined;

  constructor(
    envelope: Envelope,
    private readonly maxChunkBytes: number,
  ) {
    const [head, tail] = envelopeParts(envelope, COUNT_PLACEHOLDER, COUNT_PLACEHOLDER);
    this.#base = utf8Length(head) + utf8Length(tail);
    this.#bytes = this.#base;
  }

  /** Adds row `index` of `table` (rows of a table come in order, tables one after the other). */
  add(table: string, index: number, rowBytes: number): void {
    // `"table":[` + `]`, and a comma before every segment but the first (counted always: a byte at most).
    const segmentBytes = utf8Length(JSON.stringify(table)) + 4;
    const needsSegment = this.#open?.table !== table;
    const cost = rowBytes + 1 + (needsSegment ? segmentBytes : 0);
    if (this.#base + segmentBytes + rowBytes + 1 > this.maxChunkBytes) {
      throw new RowTooLargeError(table, index, rowBytes, this.maxChunkBytes);
    }
    if (this.#bytes + cost > this.maxChunkBytes) {
      this.#close();
      this.#open = { table, start: index, end: index + 1 };
      this.#bytes = this.#base + segmentBytes + rowBytes + 1;
      return;
    }
    if (needsSegment) {
      this.#closeSegment();
      this.#open = { table, start: index, end: index + 1 };
    } else if (this.#open !== undefined) {
      this.#open.end = index + 1;
    }
    this.#bytes += cost;
  }

  /** The chunks, in order; none when there was no row. */
  finish(): readonly ChunkLayout[] {
    this.#close();
    return this.#chunks;
  }

  #closeSegment(): void {
    if (this.#open !== undefined) this.#segments.push({ ...this.#open });
    this.#open = undefined;
  }

  #close(): void {
    this.#closeSegment();
    if (this.#segments.length > 0) this.#chunks.push({ segments: this.#segments });
    this.#segments = [];
    this.#bytes = this.#base;
  }
}

/** One chunk's body from its layout and the serialized rows of its tables. */
export function chunkBody(
  envelope: Envelope,
  index: number,
  count: number,
  layout: ChunkLayout,
  rowsOf: (table: string) => readonly string[],
): string {
  const [head, tail] = envelopeParts(envelope, index, count);
  const data = layout.segments.map(
    (segment) =>
      `${JSON.stringify(segment.table)}:[${rowsOf(segment.table).slice(segment.start, segment.end).join(',')}]`,
  );
  return `${head}${data.join(',')}${tail}`;
}
