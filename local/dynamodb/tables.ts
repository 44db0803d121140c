/**
 * Creates the tables of `shared/tables.ts` on a local engine, the same key schemas and indexes the
 * stack deploys. Idempotent: an existing table is checked, not recreated.
 */
import {
  type AttributeDefinition,
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndexDescription,
  type KeySchemaElement,
  type Projection,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type IndexProjection,
  type KeyAttribute,
  type TableDefinition,
  tableDefinitions,
  tableName,
} from '../../shared/tables.ts';

/** A table of that name exists with other keys or indexes than its definition says. */
export class TableSchemaMismatchError extends Error {
  constructor(
    readonly tableName: string,
    detail: string,
  ) {
    super(
      `table ${tableName} exists but does not match shared/tables.ts (${detail}); delete it (or the local data directory) to recreate it`,
    );
    this.name = 'TableSchemaMismatchError';
  }
}

export interface EnsureTablesOptions {
  readonly stage: string;
  /** @default every table in shared/tables.ts */
  readonly definitions?: readonly TableDefinition[];
  /** Bound on waiting for a table and its indexes to become ACTIVE. @default 30 s */
  readonly activeTimeoutMs?: number;
}

export interface EnsuredTable {
  readonly tableName: string;
  readonly created: boolean;
}

export async function ensureTables(
  client: DynamoDBClient,
  options: EnsureTablesOptions,
): Promise<EnsuredTable[]> {
  const definitions = options.definitions ?? Object.values(tableDefinitions);
  const results: EnsuredTable[] = [];
  for (const definition of definitions) {
    const name = tableName(options.stage, definition.id);
    const existing = await describe(client, name);
    let created = false;
    if (existing === undefined) {
      created = await create(client, name, definition);
    } else {
      assertMatches(name, definition, await addMissingIndexes(client, name, definition, existing));
      await dropRetiredIndexes(client, name, definition, existing);
    }
    await waitActive(client, name, definition, options.activeTimeoutMs ?? 30_000);
    if (definition.timeToLiveAttribute !== undefined) {
      await enableTimeToLive(client, name, definition.timeToLiveAttribute);
    }
    results.push({ tableName: name, created });
  }
  return results;
}

async function describe(client: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Returns false when another process created the table first. */
async function create(client: DynamoDBClient, name: string, definition: TableDefinition): Promise<boolean> {
  const attributes = new Map<string, AttributeDefinition>();
  const remember = (key: KeyAttribute | undefined) => {
    if (key !== undefined) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  };
  remember(definition.partitionKey);
  remember(definition.sortKey);
  for (const index of definition.globalSecondaryIndexes) {
    remember(index.partitionKey);
    remember(index.sortKey);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes.values()],
        KeySchema: keySchema(definition.partitionKey, definition.sortKey),
        GlobalSecondaryIndexes:
          definition.globalSecondaryIndexes.length === 0
            ? undefined
            : definition.globalSecondaryIndexes.map((index) => ({
                IndexName: index.indexName,
                KeySchema: keySchema(index.partitionKey, index.sortKey),
                Projection: projection(index.projection),
              })),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ResourceInUseException) return false;
    throw error;
  }
}

function keySchema(partitionKey: KeyAttribute, sortKey: KeyAttribute | undefined): KeySchemaElement[] {
  const schema: KeySchemaElement[] = [{ AttributeName: partitionKey.name, KeyType: 'HASH' }];
  if (sortKey !== undefined) schema.push({ AttributeName: sortKey.name, KeyType: 'RANGE' });
  return schema;
}

function projection(definition: IndexProjection): Projection {
  return definition.type === 'INCLUDE'
    ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...definition.attributes] }
    : { ProjectionType: definition.type };
}

/** `ALL`, `KEYS_ONLY` or `INCLUDE(a, b)`: the attributes sorted, as the engine may list them in any order. */
function describeProjection(projection: Projection | undefined): string {
  const type = projection?.ProjectionType ?? 'none';
  if (type !== 'INCLUDE') return type;
  return `INCLUDE(${[...(projection?.NonKeyAttributes ?? [])].sort().join(', ')})`;
}

function assertMatches(name: string, definition: TableDefinition, table: TableDescription): void {
  const types = new Map((table.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
  const have = (schema: KeySchemaElement[] | undefined) =>
    (schema ?? [])
      .map((key) => `${key.AttributeName}:${types.get(key.AttributeName)}:${key.KeyType}`)
      .join(',');
  const want = (partitionKey: KeyAttribute, sortKey: KeyAttribute | undefined) =>
    [partitionKey, sortKey]
      .flatMap((key, i) =>
        key === undefined ? [] : [`${key.name}:${key.type}:${i === 0 ? 'HASH' : 'RANGE'}`],
      )
      .join(',');

  const tableKeys = want(definition.partitionKey, definition.sortKey);
  if (have(table.KeySchema) !== tableKeys) {
    throw new TableSchemaMismatchError(name, `key schema ${have(table.KeySchema)}, expected ${tableKeys}`);
  }
  const indexes = new Map<string, GlobalSecondaryIndexDescription>(
    (table.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName ?? '', index]),
  );
  for (const index of definition.globalSecondaryIndexes) {
    const existing = indexes.get(index.indexName);
    if (existing === undefined)
      throw new TableSchemaMismatchError(name, `index ${index.indexName} is missing`);
    const indexKeys = want(index.partitionKey, index.sortKey);
    if (have(existing.KeySchema) !== indexKeys) {
      throw new TableSchemaMismatchError(
        name,
        `index ${index.indexName} has keys ${have(existing.KeySchema)}, expected ${indexKeys}`,
      );
    }
    // A projection is fixed when the index is created: an index that copies other attributes than the
    // stack deploys would make queries here return what they would not in AWS, and cost otherwise.
    const haveProjection = describeProjection(existing.Projection);
    const wantProjection = describeProjection(projection(index.projection));
    if (haveProjection !== wantProjection) {
      throw new TableSchemaMismatchError(
        name,
        `index ${index.indexName} projects ${haveProjection}, expected ${wantProjection}`,
      );
    }
    indexes.delete(index.indexName);
  }
  for (const retired of definition.retiredIndexes ?? []) indexes.delete(retired);
  if (indexes.size > 0) {
    throw new TableSchemaMismatchError(name, `unexpected index ${[...indexes.keys()].join(', ')}`);
  }
}

/**
 * The migration of a table an earlier version created without an index this version defines (the
 * `jobs-by-due` index of the next expected slots came in 2026-11): UpdateTable creates it where the
 * engine can (DynamoDB Local; DynamoDB fills it from the items), and where it cannot (dynalite answers
 * without creating it) the table is rebuilt: its items read, the table created again with every index,
 * the items written back. A local data directory is small: a rebuild takes seconds. Answers the table
 * as it now is.
 */
async function addMissingIndexes(
  client: DynamoDBClient,
  name: string,
  definition: TableDefinition,
  table: TableDescription,
): Promise<TableDescription> {
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const missing = definition.globalSecondaryIndexes.filter((index) => !present.has(index.indexName));
  if (missing.length === 0) return table;
  // Only a table that matches its definition in everything else is migrated (never one with other keys,
  // or an index of other keys or projection: that stays the mismatch it is, reported as such).
  assertMatches(
    name,
    {
      ...definition,
      globalSecondaryIndexes: definition.globalSecondaryIndexes.filter((index) =>
        present.has(index.indexName),
      ),
    },
    table,
  );
  for (const index of missing) {
    try {
      await client.send(
        new UpdateTableCommand({
          TableName: name,
          AttributeDefinitions: [index.partitionKey, index.sortKey]
            .filter((key): key is KeyAttribute => key !== undefined)
            .map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
          GlobalSecondaryIndexUpdates: [
            {
              Create: {
                IndexName: index.indexName,
                KeySchema: keySchema(index.partitionKey, index.sortKey),
                Projection: projection(index.projection),
              },
            },
          ],
        }),
      );
      // One index at a time (DynamoDB creates one per request): the next waits for this one.
      await waitActive(client, name, definition, 60_000, index.indexName);
    } catch {
      // Not created (the engine cannot, or another process is at it): the table is read again below.
    }
  }
  const after = (await describe(client, name)) ?? table;
  const still = new Set((after.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  if (definition.globalSecondaryIndexes.every((index) => still.has(index.indexName))) return after;
  return rebuild(client, name, definition);
}

/** Reads every item of the table, creates it again from its definition and writes the items back. */
async function rebuild(
  client: DynamoDBClient,
  name: string,
  definition: TableDefinition,
): Promise<TableDescription> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: name, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  await client.send(new DeleteTableCommand({ TableName: name }));
  while ((await describe(client, name)) !== undefined)
    await new Promise((resolve) => setTimeout(resolve, 20));
  await create(client, name, definition);
  await waitActive(client, name, definition, 60_000);
  for (let i = 0; i < items.length; i += 25) {
    let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const output = await client.send(new BatchWriteItemCommand({ RequestItems: { [name]: pending } }));
      pending = (output.UnprocessedItems?.[name] ?? []) as typeof pending;
    }
  }
  const rebuilt = await describe(client, name);
  if (rebuilt === undefined) throw new Error(`table ${name} is gone after its rebuild`);
  return rebuilt;
}

/**
 * The migration of a table an earlier version created: deletes the indexes this version retired
 * (idempotent; nothing reads them any more). dynalite accepts the request and keeps the index, which
 * then only costs it some work on each write; DynamoDB Local and DynamoDB delete it.
 */
async function dropRetiredIndexes(
  client: DynamoDBClient,
  name: string,
  definition: TableDefinition,
  table: TableDescription,
): Promise<void> {
  // An index already being deleted (a start right after another) needs nothing more.
  const present = new Set(
    (table.GlobalSecondaryIndexes ?? [])
      .filter((index) => index.IndexStatus !== 'DELETING')
      .map((index) => index.IndexName),
  );
  for (const retired of definition.retiredIndexes ?? []) {
    if (!present.has(retired)) continue;
    try {
      await client.send(
        new UpdateTableCommand({
          TableName: name,
          GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: retired } }],
        }),
      );
    } catch (error) {
      // Another process started its deletion between our describe and our request.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
}

async function waitActive(
  client: DynamoDBClient,
  name: string,
  definition: TableDefinition,
  timeoutMs: number,
  only?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // A retired index being deleted is not waited for: nothing uses it.
  const defined = new Set(
    definition.globalSecondaryIndexes
      .map((index) => index.indexName)
      .filter((index) => only === undefined || index === only),
  );
  for (;;) {
    const table = await describe(client, name);
    const active =
      table?.TableStatus === 'ACTIVE' &&
      (table.GlobalSecondaryIndexes ?? [])
        .filter((index) => defined.has(index.IndexName ?? ''))
        .every((index) => index.IndexStatus === 'ACTIVE');
    if (active) return;
    if (Date.now() >= deadline) {
      throw new Error(`table ${name} did not become ACTIVE within ${timeoutMs / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Turns TTL on where the engine supports it. dynalite has no UpdateTimeToLive (it answers
 * UnknownOperationException) and no engine deletes expired items locally, so readers filter anyway.
 */
async function enableTimeToLive(client: DynamoDBClient, name: string, attribute: string): Promise<void> {
  try {
    const current = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    const status = current.TimeToLiveDescription?.TimeToLiveStatus;
    if (status === 'ENABLED' || status === 'ENABLING') return;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'UnknownOperationException') return;
    throw error;
  }
}
