/**
 * The migration of a local table an earlier version created without an index this version defines.
 *
 * DynamoDB adds an index to a live table (UpdateTable `Create`, which CloudFormation does on deploy);
 * dynalite cannot (it accepts only throughput changes). So the local stack rebuilds the table: its items
 * are copied into a staging table that already has every index, the table is created again from the
 * definition, and the items are copied back. One code path for both local engines, and one that
 * survives a crash at any step: the staging table is only dropped once the table holds every item, and
 * a start that finds it resumes (see `resumeRebuild`). Local data is small; the copy is a Scan and
 * BatchWriteItem calls.
 */
import {
  BatchWriteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '../../shared/tables.ts';

/** The staging table of a rebuild of `name`. */
export function stagingTableName(name: string): string {
  return `${name}.rebuild`;
}

export interface RebuildSteps {
  /** Creates `name` from the definition and waits until it and its indexes are ACTIVE. */
  readonly createActive: (name: string) => Promise<void>;
}

/** Rebuilds `name` (which lacks some of the definition's indexes) with every index, keeping its items. */
export async function rebuildTable(client: DynamoDBClient, name: string, steps: RebuildSteps): Promise<void> {
  const staging = stagingTableName(name);
  await steps.createActive(staging);
  await copyItems(client, name, staging);
  await deleteTable(client, name);
  await finish(client, name, staging, steps);
}

/**
 * A start after a rebuild was interrupted. While `name` still lacks indexes (`stale`), the staging copy
 * may be partial: it is dropped and the caller rebuilds from scratch. Otherwise the staging table holds
 * every item and `name` is missing or partly refilled: the copy back is finished (writing an item again
 * writes the same item).
 */
export async function resumeRebuild(
  client: DynamoDBClient,
  name: string,
  stale: boolean,
  steps: RebuildSteps,
): Promise<void> {
  const staging = stagingTableName(name);
  if (!(await exists(client, staging))) return;
  if (stale) {
    await deleteTable(client, staging);
    return;
  }
  await finish(client, name, staging, steps);
}

async function finish(
  client: DynamoDBClient,
  name: string,
  staging: string,
  steps: RebuildSteps,
): Promise<void> {
  await steps.createActive(name);
  await copyItems(client, staging, name);
  await deleteTable(client, staging);
}

async function exists(client: DynamoDBClient, name: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

/** Deletes the table and waits until it is gone (a create of the same name fails until then). */
async function deleteTable(client: DynamoDBClient, name: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: name }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  while (await exists(client, name)) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Every item of `from` written into `to`, 25 at a time (BatchWriteItem's bound), unprocessed ones again. */
async function copyItems(client: DynamoDBClient, from: string, to: string): Promise<void> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: from,
        ...(start === undefined ? {} : { ExclusiveStartKey: start as never }),
      }),
    );
    const items = page.Items ?? [];
    for (let i = 0; i < items.length; i += 25) {
      let requests: WriteRequest[] = items.slice(i, i + 25).map((item) => ({ PutRequest: { Item: item } }));
      while (requests.length > 0) {
        const answer = await client.send(new BatchWriteItemCommand({ RequestItems: { [to]: requests } }));
        requests = answer.UnprocessedItems?.[to] ?? [];
      }
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
}

/** The definition's indexes the table lacks. */
export function missingIndexes(definition: TableDefinition, present: ReadonlySet<string>): readonly string[] {
  return definition.globalSecondaryIndexes
    .map((index) => index.indexName)
    .filter((indexName) => !present.has(indexName));
}
