/**
 * A DynamoDB table held in memory, for the in-memory JobStore and RunLedger. It keeps the semantics
 * of DynamoDB that a caller of those stores can observe, so the stores can mirror the DynamoDB
 * adapters query for query (the same indexes from `shared/tables.ts`, the same cursors):
 * - items are stored as the document client writes them: deep copies, `undefined` members removed,
 *   and values it cannot marshall refused with its error;
 * - a Query reads the table or one global secondary index in sort-key order (UTF-8 byte order, as
 *   DynamoDB compares strings), applies `Limit` before the filter, and returns a LastEvaluatedKey
 *   whenever the limit was reached, even on the last item (DynamoDB, DynamoDB Local and dynalite all
 *   do; a page therefore reads one item more than it returns, to know whether a cursor is due).
 *
 * Every method is synchronous, so a store's read-check-write is atomic, as a conditional write is.
 * Test support only: production code never builds one.
 */
import type { TableDefinition } from '../../tables.ts';
import { MAX_REQUESTS_PER_PAGE, type PageKey, pageOf } from '../dynamodb/cursor.ts';

export type Item = Record<string, unknown>;

export interface TableQuery {
  /** Absent: the table's own key. */
  readonly indexName?: string;
  /** The value of the partition key the query fixes. */
  readonly partition: string;
  /** A condition on the sort key (part of the key condition: it applies before `Limit`). */
  readonly sortKey?: { readonly beginsWith: string } | { readonly equals: string };
  /** The FilterExpression: applied after `Limit`. */
  readonly filter?: (item: Item) => boolean;
  /** ScanIndexForward: false. */
  readonly descending?: boolean;
  readonly limit: number;
  readonly start?: PageKey;
}

export interface QueryOutput {
  readonly items: Item[];
  readonly lastEvaluatedKey?: PageKey;
}

interface KeySchema {
  readonly partition: string;
  readonly sort?: string;
}

export class MemoryTable {
  readonly #items = new Map<string, Item>();
  readonly #key: KeySchema;
  readonly #indexes: ReadonlyMap<string, KeySchema>;

  constructor(definition: TableDefinition) {
    this.#key = { partition: definition.partitionKey.name, sort: definition.sortKey?.name };
    this.#indexes = new Map(
      definition.globalSecondaryIndexes.map((index) => [
        index.indexName,
        { partition: index.partitionKey.name, sort: index.sortKey?.name },
      ]),
    );
  }

  /** GetItem: a copy, or undefined. */
  get(key: Item): Item | undefined {
    const item = this.#items.get(this.#id(key));
    return item === undefined ? undefined : stored(item);
  }

  /** PutItem: replaces the whole item. */
  put(item: Item): void {
    this.#items.set(this.#id(item), stored(item));
  }

  /** DeleteItem. */
  delete(key: Item): void {
    this.#items.delete(this.#id(key));
  }

  /** One Query request. */
  query(query: TableQuery): QueryOutput {
    const index = this.#schema(query.indexName);
    const sortOf = (item: Item) => (index.sort === undefined ? '' : String(item[index.sort] ?? ''));
    const matches = [...this.#items.values()].filter((item) => {
      // A global secondary index holds only the items that carry its key attributes.
      if (item[index.partition] !== query.partition) return false;
      if (index.sort !== undefined && item[index.sort] === undefined) return false;
      const condition = query.sortKey;
      if (condition === undefined) return true;
      return 'equals' in condition
        ? sortOf(item) === condition.equals
        : sortOf(item).startsWith(condition.beginsWith);
    });
    const position = (item: Item) => this.#position(index, item);
    matches.sort((a, b) => comparePositions(position(a), position(b)));
    if (query.descending === true) matches.reverse();
    const direction = query.descending === true ? -1 : 1;
    const start = query.start;
    const after =
      start === undefined
        ? matches
        : matches.filter((item) => comparePositions(position(item), position(start)) * direction > 0);
    const evaluated = after.slice(0, query.limit);
    const items = evaluated.filter((item) => query.filter?.(item) ?? true).map(stored);
    const last = evaluated.at(-1);
    return evaluated.length === query.limit && last !== undefined
      ? { items, lastEvaluatedKey: this.#evaluatedKey(index, last) }
      : { items };
  }

  /**
   * A listing page as the DynamoDB adapters' `queryPage` builds it: Query again from the last evaluated
   * key until the page and one item more are read, at most MAX_REQUESTS_PER_PAGE times; the cursor
   * comes from the page's last item when more follow.
   */
  page(query: Omit<TableQuery, 'limit' | 'start'>, limit: number, start: PageKey | undefined) {
    const items: Item[] = [];
    let startKey = start;
    for (let request = 0; request < MAX_REQUESTS_PER_PAGE; request++) {
      const output = this.query({
        ...query,
        limit: limit + 1 - items.length,
        ...(startKey === undefined ? {} : { start: startKey }),
      });
      items.push(...output.items);
      startKey = output.lastEvaluatedKey;
      if (startKey === undefined || items.length > limit) break;
    }
    return pageOf(items, limit, startKey, this.#keyAttributes(this.#schema(query.indexName)));
  }

  /** The attributes of a LastEvaluatedKey of an index query: the table's key and the index's. */
  #keyAttributes(index: KeySchema): string[] {
    const names = [this.#key.partition, this.#key.sort, index.partition, index.sort];
    return [...new Set(names.filter((name): name is string => name !== undefined))];
  }

  #schema(indexName: string | undefined): KeySchema {
    if (indexName === undefined) return this.#key;
    const index = this.#indexes.get(indexName);
    if (index === undefined) throw new Error(`the table has no index "${indexName}"`);
    return index;
  }

  #id(key: Item): string {
    return JSON.stringify([
      key[this.#key.partition],
      this.#key.sort === undefined ? '' : key[this.#key.sort],
    ]);
  }

  /** Where an item (or a start key) stands in an index: its sort key, then the table's key for ties. */
  #position(index: KeySchema, item: Item): string[] {
    const at = (name: string | undefined) => (name === undefined ? '' : String(item[name] ?? ''));
    return [at(index.sort), at(this.#key.partition), at(this.#key.sort)];
  }

  /** LastEvaluatedKey of an index query: the table's key attributes and the index's. */
  #evaluatedKey(index: KeySchema, item: Item): PageKey {
    const key: PageKey = {};
    for (const name of this.#keyAttributes(index)) key[name] = String(item[name]);
    return key;
  }
}

function comparePositions(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const order = Buffer.compare(Buffer.from(a[i] ?? '', 'utf8'), Buffer.from(b[i] ?? '', 'utf8'));
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * A value as the document client stores it (`removeUndefinedValues`, no class instances): a deep copy
 * without undefined members. What the client refuses (a Date, NaN) is refused with its message, so a
 * write that fails against DynamoDB fails here too.
 */
export function stored<T>(value: T): T {
  return copy(value) as T;
}

function copy(value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`Special numeric value ${String(value)} is not allowed`);
  }
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.filter((entry) => entry !== undefined).map(copy);
  if (value instanceof Set) return new Set([...value].map(copy));
  if (value instanceof Uint8Array) return new Uint8Array(value);
  // A Map is marshalled as a map attribute and read back as a plain object.
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  const prototype = Object.getPrototypeOf(value);
  if (!(value instanceof Map) && prototype !== Object.prototype && prototype !== null) {
    throw new Error(
      `Unsupported type passed: ${String(value)}. Pass options.convertClassInstanceToMap=true to marshall typeof object as map attribute.`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [name, member] of entries) {
    if (member !== undefined) out[String(name)] = copy(member);
  }
  return out;
}
