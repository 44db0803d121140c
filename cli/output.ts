/**
 * Rendering for the CLI's readable output: aligned tables, key/value blocks, short instants and
 * durations. Pure functions returning text; commands decide where it goes.
 */

/** Columns padded to the widest cell; `-` for empty cells. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly (string | undefined)[])[],
): string {
  const cells = rows.map((row) => headers.map((_, index) => oneLine(row[index] ?? '') || '-'));
  const widths = headers.map((header, index) =>
    Math.max(header.length, ...cells.map((row) => (row[index] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
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
