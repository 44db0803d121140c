/**
 * ISO-8601 instants on the command line (`--from`, `--start`, `--end`): a date and time with `Z` or an
 * offset, refused when the calendar date does not exist (Date would roll `2026-02-30` over to March).
 */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/i;

/** The instant `text` names, or undefined when it is not a valid ISO-8601 instant with a zone. */
export function parseInstant(text: string): Date | undefined {
  const match = INSTANT.exec(text);
  if (match === null) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return undefined;
  // Comparing the fields back, in the text's own offset, refuses dates that rolled over.
  const zone = match[8] ?? '';
  const wall = new Date(date.getTime() + (zone.toUpperCase() === 'Z' ? 0 : offsetMinutes(zone)) * 60_000);
  const same =
    wall.getUTCFullYear() === Number(match[1]) &&
    wall.getUTCMonth() + 1 === Number(match[2]) &&
    wall.getUTCDate() === Number(match[3]) &&
    wall.getUTCHours() === Number(match[4]) &&
    wall.getUTCMinutes() === Number(match[5]);
  return same ? date : undefined;
}

function offsetMinutes(offset: string): number {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (match === null) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}
