/**
 * Opaque list cursors: base64url of the DynamoDB LastEvaluatedKey. Decoding checks that the key has
 * exactly the attributes the query's index uses (and the values the query fixes), so a cursor from
 * another listing, or a hand-made one, is a ValidationError rather than a DynamoDB error.
 */
import { ValidationError } from '../../errors.ts';

export type PageKey = Record<string, string>;

/**
 * DynamoDB applies `Limit` before the FilterExpression (expired items, filters), so one request can
 * return fewer items than asked. Keep querying from LastEvaluatedKey until the page is full, but stop
 * after a few requests so a sparse filter cannot turn one API call into a long walk: the caller then
 * gets a short page with a cursor, which is still correct.
 */
export const MAX_REQUESTS_PER_PAGE = 5;

export interface QueriedPage {
  readonly items: Record<string, unknown>[];
  readonly nextCursor?: string;
}

/** The page a read of up to `limit + 1` items makes (shared with the in-memory table, which mirrors it). */
export function pageOf(
  items: Record<string, unknown>[],
  limit: number,
  lastEvaluatedKey: Record<string, unknown> | undefined,
  keyAttributes: readonly string[],
): QueriedPage {
  if (items.length > limit) {
    const page = items.slice(0, limit);
    const last = page.at(-1) ?? {};
    const key = Object.fromEntries(keyAttributes.map((name) => [name, last[name]]));
    return { items: page, nextCursor: encodeCursor(toPageKey(key)) };
  }
  return lastEvaluatedKey === undefined
    ? { items }
    : { items, nextCursor: encodeCursor(toPageKey(lastEvaluatedKey)) };
}

function toPageKey(key: Record<string, unknown>): PageKey {
  const out: PageKey = {};
  for (const [name, value] of Object.entries(key)) out[name] = String(value);
  return out;
}

export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export interface CursorShape {
  /** The attributes of the LastEvaluatedKey: table key plus index key. */
  readonly attributes: readonly string[];
  /** Attributes whose value the query fixes (the partition key it queries). */
  readonly fixed?: Readonly<Record<string, string>>;
  /**
   * Attributes the query bounds with `begins_with` (a name prefix): DynamoDB answers a start key outside
   * the key condition with a ValidationException, so a cursor of another prefix is refused here.
   */
  readonly prefixes?: Readonly<Record<string, string>>;
}

const MAX_CURSOR_LENGTH = 2048;

export function decodeCursor(cursor: string, shape: CursorShape): PageKey {
  const invalid = (rule: string) =>
    new ValidationError(
      'cursor',
      `cursor must be the nextCursor of a previous page of the same listing; got "${excerpt(cursor)}" (${rule})`,
    );
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw invalid('not base64url text');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not an encoded key');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalid('not an encoded key');
  const entries = Object.entries(parsed);
  const expected = new Set(shape.attributes);
  if (entries.length !== expected.size) throw invalid('wrong key attributes');
  const key: PageKey = {};
  for (const [name, value] of entries) {
    if (!expected.has(name) || typeof value !== 'string' || value === '')
      throw invalid('wrong key attributes');
    key[name] = value;
  }
  for (const [name, value] of Object.entries(shape.fixed ?? {})) {
    if (key[name] !== value) throw invalid(`it belongs to a listing with another ${name}`);
  }
  for (const [name, prefix] of Object.entries(shape.prefixes ?? {})) {
    if (!key[name]?.startsWith(prefix)) {
      throw invalid(`it belongs to another query: its ${name} does not start with "${prefix}"`);
    }
  }
  return key;
}

function excerpt(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
