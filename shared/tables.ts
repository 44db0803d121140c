/**
 * The DynamoDB tables, defined once: the CDK stack builds them from these definitions and the
 * local runtime creates the same tables on its engine, so key schemas and indexes cannot drift.
 */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

/**
 * What a global secondary index copies of each item. It sets what an index write costs (DynamoDB
 * writes the projected item, so ALL pays for the whole item again on every change to it) and what a
 * Query on the index returns without a second read of the table.
 */
export type IndexProjection =
  | { readonly type: 'ALL' }
  | { readonly type: 'KEYS_ONLY' }
  /** The keys of the table and the index, and `attributes`. */
  | { readonly type: 'INCLUDE'; readonly attributes: readonly string[] };

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly projection: IndexProjection;
}

export type TableId = 'jobs' | 'runs';

export interface TableDefinition {
  readonly id: TableId;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalSecondaryIndexes: readonly IndexDefinition[];
  /**
   * Indexes earlier versions defined and this one dropped: a deploy removes them (CloudFormation deletes
   * an index missing from the template), and the local runtime deletes them from an existing table.
   */
  readonly retiredIndexes?: readonly string[];
  /** Attribute holding an epoch-seconds expiry. DynamoDB deletes lazily (and dynalite never): readers filter. */
  readonly timeToLiveAttribute?: string;
}

const S = (name: string): KeyAttribute => ({ name, type: 'S' });
/** Every list and status query reads whole items from an index; ALL saves a read of the table per item. */
const ALL: IndexProjection = { type: 'ALL' };

export const tableDefinitions = {
  jobs: {
    id: 'jobs',
    // Two items per job: the job (key: its name) and its run state (key `<name>#run`, in no index; see
    // shared/adapters/dynamodb/run-state.ts); a third, its alert record (`<name>#alert`), once its health
    // changed (shared/adapters/dynamodb/alert-store.ts).
    partitionKey: S('name'),
    globalSecondaryIndexes: [
      // Every job carries the same `listKey`, so listing all jobs by name is a Query, never a Scan.
      { indexName: 'jobs-by-name', partitionKey: S('listKey'), sortKey: S('name'), projection: ALL },
      { indexName: 'jobs-by-kind', partitionKey: S('kind'), sortKey: S('name'), projection: ALL },
      // Sparse: only alert records that owe a send (a retry, a reminder) carry `alertDue` (a constant) and
      // `nextAlertAt`, so the reminder pass reads the jobs owed an alert, never all jobs
      // (shared/adapters/dynamodb/alert-store.ts). The records are small: ALL saves a read per record.
      { indexName: 'alerts-due', partitionKey: S('alertDue'), sortKey: S('nextAlertAt'), projection: ALL },
      // The next expected slot of each enabled job (shared/health/due.ts), on its run state item: sparse
      // (only states carrying `dueShard` are in it) and ordered by when the slot is next due, so a sweep
      // Queries the entries due by now and nothing else. One constant shard: a sweep a minute reads a
      // few items; at thousands of due entries a minute, shard `dueShard` and Query each shard.
      // INCLUDE, not ALL: the lease written on every run is not projected, so it costs no index write.
      {
        indexName: 'jobs-by-due',
        partitionKey: S('dueShard'),
        sortKey: S('dueAt'),
        projection: { type: 'INCLUDE', attributes: ['dueSlot', 'dueStage', 'jobCreatedAt'] },
      },
    ],
    // Executed and cancelled one-time jobs stay queryable until the retention window passes.
    timeToLiveAttribute: 'expiresAt',
  },
  runs: {
    id: 'runs',
    // One item per slot: (job, slot) where a scheduled slot is its scheduled time.
    partitionKey: S('job'),
    sortKey: S('slot'),
    globalSecondaryIndexes: [
      // History across all jobs, newest first (runId sorts by time); a listing by status filters it.
      // (Until 2026-11 a `runs-by-status` index existed too; each run paid 3 write units to keep it.)
      { indexName: 'runs-by-id', partitionKey: S('listKey'), sortKey: S('runId'), projection: ALL },
    ],
    retiredIndexes: ['runs-by-status'],
    timeToLiveAttribute: 'expiresAt',
  },
} as const satisfies Record<TableId, TableDefinition>;

/** The name of one of a table's indexes: an adapter names the index it queries, checked by the compiler. */
export type IndexName<T extends TableId> =
  (typeof tableDefinitions)[T]['globalSecondaryIndexes'][number]['indexName'];

/** Physical table name: the stage is part of every resource name so deployments can sit side by side. */
export function tableName(stage: string, id: TableId): string {
  return `tickwork-${stage}-${id}`;
}
