/**
 * BatchGetItem for the adapters: the keys of one table in requests of up to 100 (DynamoDB's limit), with
 * the keys and items converted by ./attribute-values.ts as every other command's are (document-client.ts),
 * and the keys DynamoDB leaves unprocessed (throttling, the 16 MB answer limit) asked for again a bounded
 * number of times.
 */
import { type AttributeValue, BatchGetItemCommand, type KeysAndAttributes } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fromAttributeMap, toAttributeMap } from './attribute-values.ts';

/** DynamoDB's limit on the keys of one BatchGetItem. */
const MAX_BATCH_GET_KEYS = 100;

/** Rounds of asking again for unprocessed keys before giving up (with a doubling pause from 25 ms). */
const MAX_ROUNDS = 6;

export class UnprocessedKeysError extends Error {
  constructor(
    readonly tableName: string,
    readonly remaining: number,
  ) {
    super(`DynamoDB left ${remaining} key(s) of ${tableName} unprocessed after ${MAX_ROUNDS} rounds`);
    this.name = 'UnprocessedKeysError';
  }
}

export interface BatchGetOptions {
  readonly consistentRead?: boolean;
  readonly projection?: { readonly expression: string; readonly names: Readonly<Record<string, string>> };
}

/** The items found for `keys` (in no particular order; a missing key has no item). */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  options: BatchGetOptions = {},
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += MAX_BATCH_GET_KEYS) {
    found.push(
      ...(await batchGetOnce(doc, tableName, keys.slice(start, start + MAX_BATCH_GET_KEYS), options)),
    );
  }
  return found;
}

/** One batch of at most MAX_BATCH_GET_KEYS keys, with its unprocessed keys asked for again. */
async function batchGetOnce(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  options: BatchGetOptions,
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  let pending: Record<string, AttributeValue>[] = keys.map((key) => toAttributeMap(key));
  for (let round = 0; pending.length > 0; round++) {
    if (round === MAX_ROUNDS) throw new UnprocessedKeysError(tableName, pending.length);
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** (round - 1)));
    const request: KeysAndAttributes = {
      Keys: pending,
      ...(options.consistentRead === true ? { ConsistentRead: true } : {}),
      ...(options.projection === undefined
        ? {}
        : {
            ProjectionExpression: options.projection.expression,
            ExpressionAttributeNames: { ...options.projection.names },
          }),
    };
    const output = await doc.send(new BatchGetItemCommand({ RequestItems: { [tableName]: request } }));
    for (const item of output.Responses?.[tableName] ?? []) found.push(fromAttributeMap(item));
    pending = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  return found;
}
