/** Paging of the List operations, with the service's opaque NextToken. */
import { SchedulerValidationError } from './errors.ts';
import type { ListQuery } from './validation/list-query.ts';
import { isObject } from './validation/rules.ts';

export interface Page<T> {
  readonly items: T[];
  readonly nextToken: string | undefined;
}

const DEFAULT_PAGE_SIZE = 100;

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** NextToken is the (opaque, base64url) key of the last item returned; the next page starts after it. */
export function paginate<T>(sorted: T[], keyOf: (item: T) => string, query: ListQuery): Page<T> {
  let start = 0;
  if (query.nextToken !== undefined) {
    const after = decodeToken(query.nextToken);
    start = sorted.findIndex((item) => compareText(keyOf(item), after) > 0);
    if (start < 0) start = sorted.length;
  }
  const size = query.maxResults ?? DEFAULT_PAGE_SIZE;
  const items = sorted.slice(start, start + size);
  const last = items.at(-1);
  const more = start + size < sorted.length;
  return { items, nextToken: more && last !== undefined ? encodeToken(keyOf(last)) : undefined };
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isObject(parsed) && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // Reported below.
  }
  throw new SchedulerValidationError(
    `Invalid NextToken '${token}': pass the NextToken of the previous response`,
  );
}
