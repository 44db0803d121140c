/**
 * Rendering for the CLI's readable output: aligned tables, key/value blocks, short instants and
 * durations. Pure functions returning text; commands decide where it goes.
 */

/**
 * How a table is laid out for where it goes (see terminal.ts): `width` is the terminal's (undefined when
 * the output is not a terminal: a pipe or a file gets every character); `flexible` are the free-text
 * columns (descriptions, errors, notes) that may be cut to fit it; `paint` colours a cell (after its
 * padding is measured, so escape sequences never skew the columns).
 */
export interface TableLayout {
  readonly width?: number | undefined;
  readonly flexible?: readonly number[];
  readonly paint?: (cell: string, column: number) => string;
}

/** A flexible column is never cut below this (or its header, when shorter). */
const MIN_FLEXIBLE_WIDTH = 8;
const GAP = '  ';

/**
 * Columns padded to the widest cell; `-` for empty cells. With a `width`, the widest flexible column is
 * cut (ending in `…`) one character at a time until the table fits, or every flexible column is at its
 * minimum (a table of fixed columns wider than the terminal still prints whole: ids are not cut).
 */
export function table(
  headers: readonly string[],
  rows: readonly (readonly (string | undefined)[])[],
  layout: TableLayout = {},
): string {
  const cells = rows.map((row) => headers.map((_, index) => oneLine(row[index] ?? '') || '-'));
  const widths = headers.map((header, index) =>
    Math.max(header.length, ...cells.map((row) => (row[index] ?? '').length)),
  );
  if (layout.width !== undefined) fitWidths(widths, headers, layout.flexible ?? [], layout.width);
  const paint = layout.paint;
  const line = (row: readonly string[], painted: boolean) =>
    row
      .map((cell, index) => {
        const width = widths[index] ?? 0;
        const shown = ellipsis(cell, width);
        const padded = index === row.length - 1 ? shown : shown.padEnd(width);
        return painted && paint !== undefined && shown !== '-'
          ? paintPadded(padded, shown, index, paint)
          : padded;
      })
      .join(GAP)
      .trimEnd();
  return [line(headers, false), ...cells.map((row) => line(row, true))].join('\n');
}

/** Paints the text of a padded cell, leaving the padding outside the escape sequences. */
function paintPadded(
  padded: string,
  shown: string,
  column: number,
  paint: (cell: string, column: number) => string,
): string {
  return paint(shown, column) + padded.slice(shown.length);
}

/** Narrows the flexible columns of `widths` (in place) until the row fits `width`. */
function fitWidths(
  widths: number[],
  headers: readonly string[],
  flexible: readonly number[],
  width: number,
): void {
  const total = () => widths.reduce((sum, each) => sum + each, 0) + GAP.length * (widths.length - 1);
  const floor = (index: number) =>
    Math.min(widths[index] ?? 0, Math.max(MIN_FLEXIBLE_WIDTH, headers[index]?.length ?? 0));
  let excess = total() - width;
  while (excess > 0) {
    let widest: number | undefined;
    for (const index of flexible) {
      if ((widths[index] ?? 0) <= floor(index)) continue;
      if (widest === undefined || (widths[index] ?? 0) > (widths[widest] ?? 0)) widest = index;
    }
    if (widest === undefined) return;
    widths[widest] = (widths[widest] ?? 0) - 1;
    excess--;
  }
}

/** `text` cut to `width` characters, its last one `…` when anything was cut. */
export function ellipsis(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 0 ? '' : `${text.slice(0, width - 1)}…`;
}

/** `key: value` lines with the keys aligned; undefined values are left out. */
export function keyValues(entries: readonly (readonly [string, string | undefined])[]): string {
  const present = entries.filter((entry): entry is readonly [string, string] => entry[1] !== undefined);
  const width = Math.max(0, ...present.map(([key]) => key.length)) + 1;
  return present.map(([key, value]) => `${`${key}:`.padEnd(width)} ${value}`).join('\n');
}

/** Collapses whitespace so a value never breaks a table row. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** An ISO instant as `2026-01-31 09:00:00Z` (UTC, second precision); other text unchanged. */
export function instant(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** Milliseconds as `850 ms`, `12.3 s`, `4m 05s`. */
export function duration(ms: unknown): string | undefined {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return undefined;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

export function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function yesNo(value: unknown): string | undefined {
  return typeof value === 'boolean' ? (value ? 'yes' : 'no') : undefined;
}

/** Pretty JSON with a trailing newline, as `--json` prints answers. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
