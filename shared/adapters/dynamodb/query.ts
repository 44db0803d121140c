import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { encodeCursor, type PageKey } from './cursor.ts';

/**
 * DynamoDB applies `Limit` before the FilterExpression (expired items, filters), so one request can
 * return fewer items than asked. Keep querying from LastEvaluatedKey until the page is full, but stop
 * after a few requests so a sparse filter cannot turn one API call into a long walk: the caller then
 * gets a short page with a cursor, which is still correct.
 */
const MAX_REQUESTS_PER_PAGE = 5;

export interface QueriedPage {
  readonly items: Record<string, unknown>[];
  readonly nextCursor?: string;
}

export async function queryPage(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  limit: number,
  start: PageKey | undefined,
): Promise<QueriedPage> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined = start;
  for (let request = 0; request < MAX_REQUESTS_PER_PAGE; request++) {
    const output = await doc.send(
      new QueryCommand({ ...input, Limit: limit - items.length, ExclusiveStartKey: startKey }),
    );
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
    if (startKey === undefined || items.length >= limit) break;
  }
  return startKey === undefined ? { items } : { items, nextCursor: encodeCursor(toPageKey(startKey)) };
}

function toPageKey(key: Record<string, unknown>): PageKey {
  const out: PageKey = {};
  for (const [name, value] of Object.entries(key)) out[name] = String(value);
  return out;
}
