/**
 * What the contract suites share: the refusals every listing makes, and a walk through a listing's
 * pages. A contract suite only speaks to the port; it never reads the engine behind it.
 */
import { expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.ts';
import type { Page } from '../../shared/jobs/ports.ts';

/** Limits outside 1–100, or not whole numbers. */
const BAD_LIMITS: readonly number[] = [0, 101, 2.5, -1, Number.NaN];

/** Cursors no listing ever answered. */
const GARBAGE_CURSORS: readonly [string, string][] = [
  ['empty', ''],
  ['not base64url', 'not a cursor!'],
  ['not an encoded key', Buffer.from('hello').toString('base64url')],
  ['too long', 'A'.repeat(3000)],
];

/** Awaits a rejection and checks that it is a ValidationError about `field`. */
export async function expectValidation(promise: Promise<unknown>, field: string): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).field).toBe(field);
  return error as ValidationError;
}

/**
 * Every page of a listing, following nextCursor until a page has none: what each page held, by `key`.
 * Bounded, so a cursor that never ends fails the test instead of hanging it.
 */
export async function pagesOf<T, Q extends { readonly cursor?: string }>(
  list: (query: Q) => Promise<Page<T>>,
  query: Q,
  key: (item: T) => string,
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor === undefined ? query : { ...query, cursor });
    pages.push(page.items.map(key));
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 50);
  expect(cursor, 'the listing still had a cursor after 50 pages').toBeUndefined();
  return pages;
}

/** The first page's cursor of a listing (the listing must have more than one page). */
export async function cursorOf<T, Q>(list: (query: Q) => Promise<Page<T>>, query: Q): Promise<string> {
  const { nextCursor } = await list(query);
  expect(nextCursor).toBeDefined();
  return nextCursor ?? '';
}

/**
 * The refusals every listing of every port makes, as the DynamoDB adapters' `checkLimit` and
 * `decodeCursor` make them. `open` gives the listing of a store that holds something to list.
 */
export function listingRefusals(
  open: () => Promise<(query: { readonly limit: number; readonly cursor?: string }) => Promise<unknown>>,
): void {
  it.each(BAD_LIMITS)(
    'Given limit %s, When listed, Then a ValidationError names the limit',
    async (limit) => {
      const list = await open();
      await expectValidation(list({ limit }), 'limit');
    },
  );

  it.each(GARBAGE_CURSORS)(
    'Given a cursor that is %s, When listed, Then a ValidationError names the cursor',
    async (_case, cursor) => {
      const list = await open();
      const error = await expectValidation(list({ limit: 2, cursor }), 'cursor');
      expect(error.message).toContain('nextCursor');
    },
  );
}
