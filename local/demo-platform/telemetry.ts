/**
 * The demo platform's telemetry API: `GET /telemetry?from&to&table&limit` answers rows generated from
 * the window alone, so the same query always gets the same bytes and a telemetry job's exports can be
 * checked for gaps and overlaps without storing anything.
 *
 * Rows sit on a fixed grid of instants: `rowsPerMinute` per minute of the epoch, row `i` of minute `m`
 * at `m·60 000 + floor(i·60 000 / rowsPerMinute)` ms. A window `[from, to)` (end exclusive) answers the
 * grid points inside it, so windows that tile the time line tile the rows: each row belongs to exactly
 * one window, whatever the windows' alignment (a window that is not whole minutes gets the grid points
 * that fall inside it).
 */
import { ValidationError } from '../../shared/errors.ts';
import { normalizeInstant } from '../../shared/runs/event.ts';

export const MAX_TELEMETRY_LIMIT = 100_000;
/** One row per millisecond at most: every row keeps an instant of its own. */
export const MAX_ROWS_PER_MINUTE = 60_000;
export const DEFAULT_ROWS_PER_MINUTE = 10;
const TABLE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const MINUTE_MS = 60_000;

export interface TelemetryQuery {
  /** Epoch milliseconds, inclusive. */
  readonly from: number;
  /** Epoch milliseconds, exclusive. */
  readonly to: number;
  readonly table: string;
  readonly limit: number;
}

/** One row, its fields in this order (the answer's bytes depend on it). */
export interface TelemetryRow {
  readonly timestamp: string;
  readonly table: string;
  readonly requestId: string;
  readonly model: string;
  readonly latencyMs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly status: 'ok' | 'error' | 'throttled';
}

const MODELS = ['demo-small', 'demo-medium', 'demo-large'] as const;

/** The single value of a query parameter; ValidationError naming it when it is missing or repeated. */
export function singleParam(params: URLSearchParams, name: string, required: true): string;
export function singleParam(params: URLSearchParams, name: string, required: false): string | undefined;
export function singleParam(params: URLSearchParams, name: string, required: boolean): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw new ValidationError(name, `${name} must be given once; got ${values.length}`);
  const value = values[0];
  if (value === undefined && required) throw new ValidationError(name, `${name} is required`);
  return value;
}

/** The query of `GET /telemetry`; ValidationError naming the first bad parameter. */
export function parseTelemetryQuery(params: URLSearchParams): TelemetryQuery {
  const from = Date.parse(normalizeInstant(singleParam(params, 'from', true), 'from'));
  const to = Date.parse(normalizeInstant(singleParam(params, 'to', true), 'to'));
  if (!(from < to)) {
    throw new ValidationError(
      'to',
      `to must be after from; got from=${params.get('from')} to=${params.get('to')}`,
    );
  }
  const table = singleParam(params, 'table', true);
  if (!TABLE_PATTERN.test(table)) {
    throw new ValidationError(
      'table',
      `table must be 1-64 of A-Z a-z 0-9 _ . -; got "${table.slice(0, 80)}"`,
    );
  }
  // Optional: a caller that does not page gets the most the platform answers.
  const limitText = singleParam(params, 'limit', false) ?? String(MAX_TELEMETRY_LIMIT);
  const limit = Number(limitText);
  if (!/^\d{1,6}$/.test(limitText) || limit < 1 || limit > MAX_TELEMETRY_LIMIT) {
    throw new ValidationError(
      'limit',
      `limit must be a whole number from 1 to ${MAX_TELEMETRY_LIMIT}; got "${limitText.slice(0, 20)}"`,
    );
  }
  return { from, to, table, limit };
}

/** The rows of the window, in timestamp order, at most `query.limit` of them. */
export function telemetryRows(query: TelemetryQuery, rowsPerMinute: number): TelemetryRow[] {
  const rows: TelemetryRow[] = [];
  const seed = fnv1a(query.table);
  for (let minute = Math.floor(query.from / MINUTE_MS); ; minute++) {
    for (let index = 0; index < rowsPerMinute; index++) {
      const time = minute * MINUTE_MS + Math.floor((index * MINUTE_MS) / rowsPerMinute);
      if (time < query.from) continue;
      if (time >= query.to || rows.length >= query.limit) return rows;
      rows.push(row(query.table, seed, time, index));
    }
  }
}

/**
 * A row's values come from a 32-bit mix of (table, instant, index), not a cryptographic hash: nothing
 * here is secret, and a 100 000-row window (the benchmark's) must be generated in a blink, not seconds.
 */
function row(table: string, seed: number, time: number, index: number): TelemetryRow {
  const words = new Words(
    seed ^ fmix32(time >>> 0) ^ fmix32(Math.floor(time / 2 ** 32) + Math.imul(index, 0x9e3779b1)),
  );
  const requestId = `req-${words.hex()}${words.hex()}${words.hex()}`;
  const pick = words.next() % 50;
  return {
    timestamp: new Date(time).toISOString(),
    table,
    requestId,
    model: MODELS[words.next() % MODELS.length] as string,
    latencyMs: 40 + (words.next() % 2000),
    inputTokens: 20 + (words.next() % 4000),
    outputTokens: 1 + (words.next() % 1000),
    // About 2 % errors and 2 % throttles, so a dashboard built on the export has something to show.
    status: pick === 0 ? 'error' : pick === 1 ? 'throttled' : 'ok',
  };
}

/** murmur3's finalizer: every input bit reaches every output bit. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Successive 32-bit words from one state. */
class Words {
  #state: number;

  constructor(state: number) {
    this.#state = state >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    return fmix32(this.#state);
  }

  hex(): string {
    return this.next().toString(16).padStart(8, '0');
  }
}
