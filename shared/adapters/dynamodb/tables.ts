/**
 * Creates the tables of `shared/tables.ts` on a local engine (dynalite, DynamoDB Local), for the
 * local runtime, tests and benchmarks. The deployed tables come from the CDK stack, built from the
 * same definitions.
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { Clock } from '../../clock.ts';
import { systemClock } from '../../clock.ts';
import { type TableDefinition, type TableId, tableDefinitions } from '../../tables.ts';

/**
 * Creates each table that does not exist yet and waits until all are ACTIVE. TTL is not switched on:
 * dynalite has no UpdateTimeToLive, and readers filter expired items anyway.
 */
export async function createTables(
  client: DynamoDBClient,
  names: Readonly<Record<TableId, string>>,
  clock: Clock = systemClock,
): Promise<void> {
  for (const id of Object.keys(tableDefinitions) as TableId[]) {
    const definition: TableDefinition = tableDefinitions[id];
    const attributes = new Map<string, AttributeDefinition>();
    const keys = [
      definition.partitionKey,
      ...(definition.sortKey === undefined ? [] : [definition.sortKey]),
      ...definition.globalSecondaryIndexes.flatMap((index) => [
        index.partitionKey,
        ...(index.sortKey === undefined ? [] : [index.sortKey]),
      ]),
    ];
    for (const key of keys) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
    try {
      await client.send(
        new CreateTableCommand({
          TableName: names[id],
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...attributes.values()],
          KeySchema: [
            { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
            ...(definition.sortKey === undefined
              ? []
              : [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' as const }]),
          ],
          GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
              ...(index.sortKey === undefined
                ? []
                : [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' as const }]),
            ],
            Projection: { ProjectionType: 'ALL' },
          })),
        }),
      );
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
    }
  }
  for (const id of Object.keys(tableDefinitions) as TableId[]) {
    for (let attempt = 0; ; attempt++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: names[id] }));
      const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every(
        (index) => index.IndexStatus === 'ACTIVE',
      );
      if (Table?.TableStatus === 'ACTIVE' && indexesActive) break;
      if (attempt >= 200) throw new Error(`table ${names[id]} did not become ACTIVE`);
      await clock.sleep(50);
    }
  }
}
