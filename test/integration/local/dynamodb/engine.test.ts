import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbEngine, startDynamoDbEngine } from '../../../../local/dynamodb/engine.ts';
import { ensureTables, TableSchemaMismatchError } from '../../../../local/dynamodb/tables.ts';
import { EngineStartError } from '../../../../local/dynamodb/wait-ready.ts';
import {
  type IndexDefinition,
  type TableDefinition,
  tableDefinitions,
  tableName,
} from '../../../../shared/tables.ts';
import { TEST_CREDENTIALS } from '../../../support/sigv4.ts';

const client = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
/** The indexes as DescribeTable shows them: name, keys and projection (indexes and attributes in any order). */
function indexesOf(table: TableDescription | undefined): object[] {
  return (table?.GlobalSecondaryIndexes ?? [])
    .map((index) => ({
      name: index.IndexName,
      keys: index.KeySchema?.map((key) => key.AttributeName),
      projection: index.Projection?.ProjectionType,
      nonKeyAttributes: index.Projection?.NonKeyAttributes?.toSorted(),
    }))
    .toSorted((a, b) => String(a.name).localeCompare(String(b.name)));
}

/** The same shape, as the definitions say it should be. */
function definedIndexes(indexes: readonly IndexDefinition[]): object[] {
  return indexes.map(definedIndex).toSorted((a, b) => a.name.localeCompare(b.name));
}

function definedIndex(index: IndexDefinition) {
  return {
    name: index.indexName,
    keys: [index.partitionKey.name, ...(index.sortKey === undefined ? [] : [index.sortKey.name])],
    projection: index.projection.type,
    nonKeyAttributes:
      index.projection.type === 'INCLUDE' ? index.projection.attributes.toSorted() : undefined,
  };
}

const JOBS = tableName('local', 'jobs');
const RUNS = tableName('local', 'runs');

describe.each([
  ['dynalite', 'DISABLED'],
  ['dynamodb-local', 'ENABLED'],
] as const)('the %s engine', (kind, ttlStatus) => {
  let dataDir: string;
  let engine: DynamoDbEngine | undefined;

  // One engine per kind (a JVM start takes seconds); the restart test replaces it with its successor.
  // A JVM start takes 3 s on an idle machine and much longer on a busy one.
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), `tickwork-${kind}-`));
    engine = await startDynamoDbEngine({ spec: { kind }, dataDir, port: 0, credentials: TEST_CREDENTIALS });
  }, 180_000);

  afterAll(async () => {
    await engine?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const running = (): DynamoDbEngine => {
    if (engine === undefined) throw new Error('the engine did not start');
    return engine;
  };

  it('Given an empty data directory, When tables are ensured, Then the tables of shared/tables.ts exist, and again changes nothing, and data survives a restart', async () => {
    let db = client(running().endpoint);

    expect(await ensureTables(db, { stage: 'local' })).toEqual([
      { tableName: JOBS, created: true },
      { tableName: RUNS, created: true },
    ]);
    const runs = (await db.send(new DescribeTableCommand({ TableName: RUNS }))).Table;
    expect(runs?.TableStatus).toBe('ACTIVE');
    expect(runs?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(runs?.KeySchema).toEqual([
      { AttributeName: 'job', KeyType: 'HASH' },
      { AttributeName: 'slot', KeyType: 'RANGE' },
    ]);
    for (const definition of Object.values(tableDefinitions)) {
      const table = (
        await db.send(new DescribeTableCommand({ TableName: tableName('local', definition.id) }))
      ).Table;
      expect(indexesOf(table)).toEqual(definedIndexes(definition.globalSecondaryIndexes));
    }
    const ttl = await db.send(new DescribeTimeToLiveCommand({ TableName: RUNS }));
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe(ttlStatus);

    expect(await ensureTables(db, { stage: 'local' })).toEqual([
      { tableName: JOBS, created: false },
      { tableName: RUNS, created: false },
    ]);

    await db.send(
      new PutItemCommand({ TableName: JOBS, Item: { name: { S: 'nightly' }, listKey: { S: 'job' } } }),
    );
    db.destroy();
    const stopped = running();
    await stopped.close();
    engine = undefined;
    const late = client(stopped.endpoint);
    await expect(late.send(new ListTablesCommand({}))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    late.destroy();
    engine = await startDynamoDbEngine({ spec: { kind }, dataDir, port: 0, credentials: TEST_CREDENTIALS });
    db = client(running().endpoint);

    expect(await ensureTables(db, { stage: 'local' })).toEqual([
      { tableName: JOBS, created: false },
      { tableName: RUNS, created: false },
    ]);
    const item = await db.send(new GetItemCommand({ TableName: JOBS, Key: { name: { S: 'nightly' } } }));
    expect(item.Item).toEqual({ name: { S: 'nightly' }, listKey: { S: 'job' } });
    db.destroy();
  }, 180_000);

  it('Given a table of the same name with other keys, When tables are ensured, Then TableSchemaMismatchError says what differs', async () => {
    const db = client(running().endpoint);
    const jobs = tableName('mismatch', 'jobs');
    await db.send(
      new CreateTableCommand({
        TableName: jobs,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );

    const ensuring = ensureTables(db, { stage: 'mismatch' });

    await expect(ensuring).rejects.toBeInstanceOf(TableSchemaMismatchError);
    await expect(ensuring).rejects.toThrow(
      `table ${jobs} exists but does not match shared/tables.ts (key schema id:S:HASH, expected name:S:HASH)`,
    );
    db.destroy();
  });

  it('Given indexes projecting KEYS_ONLY and INCLUDE, When tables are ensured, Then the engine has those projections, and an index that projects otherwise is a TableSchemaMismatchError', async () => {
    const db = client(running().endpoint);
    const definition: TableDefinition = {
      ...tableDefinitions.runs,
      retiredIndexes: [],
      globalSecondaryIndexes: [
        { ...tableDefinitions.runs.globalSecondaryIndexes[0], projection: { type: 'KEYS_ONLY' } },
        {
          indexName: 'runs-by-status',
          partitionKey: { name: 'status', type: 'S' },
          sortKey: { name: 'runId', type: 'S' },
          projection: { type: 'INCLUDE', attributes: ['startedAt', 'attempt'] },
        },
      ],
    };

    await ensureTables(db, { stage: 'projected', definitions: [definition] });

    const table = (await db.send(new DescribeTableCommand({ TableName: tableName('projected', 'runs') })))
      .Table;
    expect(indexesOf(table)).toEqual(definedIndexes(definition.globalSecondaryIndexes));
    const [byId, byStatus] = definition.globalSecondaryIndexes;
    const changed: TableDefinition = {
      ...definition,
      globalSecondaryIndexes: [
        { ...(byId as IndexDefinition), projection: { type: 'ALL' } },
        byStatus as IndexDefinition,
      ],
    };
    const ensuring = ensureTables(db, { stage: 'projected', definitions: [changed] });
    await expect(ensuring).rejects.toBeInstanceOf(TableSchemaMismatchError);
    await expect(ensuring).rejects.toThrow(
      `table ${tableName('projected', 'runs')} exists but does not match shared/tables.ts (index runs-by-id projects KEYS_ONLY, expected ALL)`,
    );
    const included: TableDefinition = {
      ...definition,
      globalSecondaryIndexes: [
        byId as IndexDefinition,
        { ...(byStatus as IndexDefinition), projection: { type: 'INCLUDE', attributes: ['startedAt'] } },
      ],
    };
    await expect(ensureTables(db, { stage: 'projected', definitions: [included] })).rejects.toThrow(
      'index runs-by-status projects INCLUDE(attempt, startedAt), expected INCLUDE(startedAt)',
    );
    db.destroy();
  });

  it('Given a runs table an earlier version created (with its runs-by-status index), When tables are ensured, Then it is accepted and the retired index is dropped where the engine can', async () => {
    // Given: the runs table as versions before 2026-11 defined it
    const db = client(running().endpoint);
    const earlier: TableDefinition = {
      ...tableDefinitions.runs,
      retiredIndexes: [],
      globalSecondaryIndexes: [
        ...tableDefinitions.runs.globalSecondaryIndexes,
        {
          indexName: 'runs-by-status',
          partitionKey: { name: 'status', type: 'S' },
          sortKey: { name: 'runId', type: 'S' },
          projection: { type: 'ALL' },
        },
      ],
    };
    await ensureTables(db, { stage: 'earlier', definitions: [earlier] });
    // When: this version ensures it, twice (the migration is idempotent)
    await ensureTables(db, { stage: 'earlier', definitions: [tableDefinitions.runs] });
    await ensureTables(db, { stage: 'earlier', definitions: [tableDefinitions.runs] });
    // Then: DynamoDB Local deletes the retired index; dynalite accepts the request and keeps it
    const table = (await db.send(new DescribeTableCommand({ TableName: tableName('earlier', 'runs') })))
      .Table;
    const retired = table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === 'runs-by-status');
    if (kind === 'dynalite') expect(retired?.IndexStatus).toBe('ACTIVE');
    else expect(['DELETING', 'gone']).toContain(retired?.IndexStatus ?? 'gone');
    db.destroy();
  });

  it('Given a jobs table an earlier version created (without the jobs-by-due index), When tables are ensured, Then the index is added and every item is kept', async () => {
    // Given: the jobs table as versions before 2026-11 defined it, holding a job and its run state
    const db = client(running().endpoint);
    const earlier: TableDefinition = {
      ...tableDefinitions.jobs,
      globalSecondaryIndexes: tableDefinitions.jobs.globalSecondaryIndexes.filter(
        (index) => index.indexName !== 'jobs-by-due',
      ),
    };
    const jobs = tableName('before-due', 'jobs');
    await ensureTables(db, { stage: 'before-due', definitions: [earlier] });
    const items: Record<string, AttributeValue>[] = [
      { name: { S: 'nightly' }, listKey: { S: 'job' }, kind: { S: 'prompt' } },
      { name: { S: 'nightly#run' }, jobCreatedAt: { S: '2026-01-01T00:00:00.000Z' } },
    ];
    for (const Item of items) await db.send(new PutItemCommand({ TableName: jobs, Item }));
    // When: this version ensures it, twice (the migration is idempotent)
    await ensureTables(db, { stage: 'before-due', definitions: [tableDefinitions.jobs] });
    await ensureTables(db, { stage: 'before-due', definitions: [tableDefinitions.jobs] });
    // Then: the table has this version's indexes (DynamoDB Local adds it; dynalite's table is rebuilt)
    const table = (await db.send(new DescribeTableCommand({ TableName: jobs }))).Table;
    expect(indexesOf(table)).toEqual(definedIndexes(tableDefinitions.jobs.globalSecondaryIndexes));
    // And every item is still there
    for (const item of items) {
      const read = await db.send(
        new GetItemCommand({ TableName: jobs, Key: { name: item.name as AttributeValue } }),
      );
      expect(read.Item).toEqual(item);
    }
    db.destroy();
  });

  it('Given its port is taken, When started, Then it rejects with EADDRINUSE and starts nothing', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = address !== null && typeof address !== 'string' ? address.port : 0;

    const starting = startDynamoDbEngine({ spec: { kind }, dataDir, port, credentials: TEST_CREDENTIALS });

    await expect(starting).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await new Promise((resolve) => blocker.close(resolve));
  });
});

describe('an external engine', () => {
  let external: Server;
  let endpoint: string;

  beforeAll(async () => {
    external = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => external.listen(0, '127.0.0.1', resolve));
    const address = external.address();
    endpoint = `http://127.0.0.1:${address !== null && typeof address !== 'string' ? address.port : 0}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => external.close(resolve));
  });

  it('Given the URL of a running engine, When started, Then it is used as is, and close leaves it running', async () => {
    const engine = await startDynamoDbEngine({
      spec: { kind: 'external', endpoint },
      dataDir: '/nonexistent',
      port: 0,
      credentials: TEST_CREDENTIALS,
    });
    const db = client(engine.endpoint);

    expect(engine).toMatchObject({ kind: 'external', endpoint });
    expect((await ensureTables(db, { stage: 'local' })).map((table) => table.created)).toEqual([true, true]);
    await engine.close();

    expect((await db.send(new ListTablesCommand({}))).TableNames).toEqual([JOBS, RUNS]);
    db.destroy();
  });

  it('Given a URL where nothing answers, When started, Then EngineStartError names the URL within the bound', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    const port = address !== null && typeof address !== 'string' ? address.port : 0;
    await new Promise((resolve) => probe.close(resolve));

    const starting = startDynamoDbEngine({
      spec: { kind: 'external', endpoint: `http://127.0.0.1:${port}` },
      dataDir: '/nonexistent',
      port: 0,
      credentials: TEST_CREDENTIALS,
      readyTimeoutMs: 300,
    });

    await expect(starting).rejects.toBeInstanceOf(EngineStartError);
    await expect(
      startDynamoDbEngine({
        spec: { kind: 'external', endpoint: `http://127.0.0.1:${port}` },
        dataDir: '/nonexistent',
        port: 0,
        credentials: TEST_CREDENTIALS,
        readyTimeoutMs: 300,
      }),
    ).rejects.toThrow(
      `the DynamoDB engine at http://127.0.0.1:${port} did not answer ListTables within 0.3 s`,
    );
  });
});
