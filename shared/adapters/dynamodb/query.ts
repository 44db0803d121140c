import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { MAX_REQUESTS_PER_PAGE, type PageKey, pageOf, type QueriedPage } from './cursor.ts';

/**
 * One page of `limit` items, read one item further than the page: DynamoDB returns a LastEvaluatedKey
 * whenever `Limit` was reached, even on the last item, so a full page alone cannot tell whether anything
 * follows. The extra item can; the cursor is then built from the page's last item (`keyAttributes`: the
 * table's key and the index's), and a page that reaches the end has none. Only a page cut short by
 * MAX_REQUESTS_PER_PAGE under a sparse filter carries DynamoDB's own key, which may lead to an empty page.
 */
export async function queryPage(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  limit: number,
  start: PageKey | undefined,
  keyAttributes: readonly string[],
): Promise<QueriedPage> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined = start;
  for (let request = 0; request < MAX_REQUESTS_PER_PAGE; request++) {
    const output = await doc.send(
      new QueryCommand({ ...input, Limit: limit + 1 - items.length, ExclusiveStartKey: startKey }),
    );
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
    if (startKey === undefined || items.length > limit) break;
  }
  return pageOf(items, limit, startKey, keyAttributes);
}
