/**
 * Chunking, pure: rows (already serialized) are cut into chunks of at most `maxChunkBytes` as the sink
 * receives them; a retry of the same window cuts the same chunks. A chunk body is
 *
 *   {"model":{...},"log_type":"telemetry","window":{"from","to"},"chunk":{"index","count"},"data":{"<table>":[rows],...}}
 *
 * and the builder holds one chunk's rows at a time: memory stays bounded by one chunk.
 */
import { utf8Length } from '../../validation.ts';
import type { TelemetryWindow } from './source.ts';

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

/**
 * Builds chunks' data as rows come in (tables one after the other, rows in order): `add` returns the
 * data of the chunk a row did not fit in, once it is full, so the caller writes it out and memory holds
 * one chunk. The data is `"<table>":[rows],...`; the body is the envelope around it (chunkBody), sized
 * with room for any index and count, so where chunks end never depends on how many there are.
 */
export class ChunkBuilder {
  readonly #base: number;
  #parts: string[] = [];
  #bytes: number;
  #table: string | undefined;

  constructor(
    envelope: Envelope,
    private readonly maxChunkBytes: number,
  ) {
    const [head, tail] = envelopeParts(envelope, COUNT_PLACEHOLDER, COUNT_PLACEHOLDER);
    this.#base = utf8Length(head) + utf8Length(tail);
    this.#bytes = this.#base;
  }

  /** Adds row `index` of `table`, serialized; returns the previous chunk's data when this row closed it. */
  add(table: string, index: number, row: string): string | undefined {
    const rowBytes = utf8Length(row);
    // `"table":[` + `]`, and a comma before every segment but the first (counted always: a byte at most).
    const segmentBytes = utf8Length(JSON.stringify(table)) + 4;
    if (this.#base + segmentBytes + rowBytes + 1 > this.maxChunkBytes) {
      throw new RowTooLargeError(table, index, rowBytes, this.maxChunkBytes);
    }
    const needsSegment = this.#table !== table;
    const cost = rowBytes + 1 + (needsSegment ? segmentBytes : 0);
    let closed: string | undefined;
    if (this.#bytes + cost > this.maxChunkBytes) {
      closed = this.finish();
      this.#bytes = this.#base + segmentBytes + rowBytes + 1;
    } else {
      this.#bytes += cost;
    }
    if (this.#table !== table) {
      if (this.#table !== undefined) this.#parts.push('],');
      this.#parts.push(`${JSON.stringify(table)}:[`, row);
      this.#table = table;
    } else {
      this.#parts.push(',', row);
    }
    return closed;
  }

  /** The data of the chunk being built, and starts an empty one; undefined when it holds no row. */
  finish(): string | undefined {
    if (this.#table === undefined) return undefined;
    this.#parts.push(']');
    const data = this.#parts.join('');
    this.#parts = [];
    this.#table = undefined;
    this.#bytes = this.#base;
    return data;
  }
}

/** One chunk's body: the envelope of chunk `index` of `count` around its data. */
export function chunkBody(envelope: Envelope, index: number, count: number, data: string): string {
  const [head, tail] = envelopeParts(envelope, index, count);
  return `${head}${data}${tail}`;
}
