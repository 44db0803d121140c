/**
 * The fan-out part of the DynamoDB RunLedger: listing a parent's children (a Query of the parent's job
 * partition on the slot prefix: children's slots are `<parent slot>#<key>`) and counting a child on its
 * parent (one conditional UpdateItem: the count, the index marked counted, the time of the count).
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../clock.ts';
import type { ChildStatus, Run } from '../../jobs/model.ts';
import type { ChildrenQuery, Page, RunKey } from '../../jobs/ports.ts';
import { isConditionFailed } from './client.ts';
import { type CursorShape, decodeCursor } from './cursor.ts';
import { checkLimit, epochSeconds } from './job-store.ts';
import { queryPage } from './query.ts';

const LIVE = '(attribute_not_exists(#expiresAt) OR #expiresAt > :nowSec)';

/** The slots of `parent`'s children begin with this (shared with the in-memory ledger). */
export function childSlotPrefix(parent: Pick<Run, 'slot'>): string {
  return `${parent.slot}#`;
}

/** The cursor shape of a children listing: the table's key, within the parent's partition and prefix. */
export function childrenCursorShape(query: ChildrenQuery): CursorShape {
  return {
    attributes: ['job', 'slot'],
    fixed: { job: query.parent.job },
    prefixes: { slot: childSlotPrefix(query.parent) },
  };
}

export async function listChildren(
  doc: DynamoDBDocumentClient,
  tableName: string,
  clock: Clock,
  query: ChildrenQuery,
): Promise<Page<Record<string, unknown>>> {
  checkLimit(query.limit);
  const shape = childrenCursorShape(query);
  const start = query.cursor === undefined ? undefined : decodeCursor(query.cursor, shape);
  const page = await queryPage(
    doc,
    {
      TableName: tableName,
      KeyConditionExpression: '#job = :job AND begins_with(#slot, :prefix)',
      // A manual run due at the very instant of a scheduled parent's slot has a slot with the same
      // prefix (`<instant>#<runId>`): the parent's id tells its children apart.
      FilterExpression: `${LIVE} AND #parentRunId = :parentRunId`,
      ExpressionAttributeNames: {
        '#job': 'job',
        '#slot': 'slot',
        '#expiresAt': 'expiresAt',
        '#parentRunId': 'parentRunId',
      },
      ExpressionAttributeValues: {
        ':job': query.parent.job,
        ':prefix': childSlotPrefix(query.parent),
        ':parentRunId': query.parent.runId,
        ':nowSec': epochSeconds(clock.now()),
      },
    },
    query.limit,
    start,
    shape.attributes,
  );
  return page;
}

/**
 * SET on a nested path: ADD works on top-level attributes only. The parent's `children` map and its
 * `countedChildren` map exist from the moment it expanded (the counts start at 0).
 */
export async function countChild(
  doc: DynamoDBDocumentClient,
  tableName: string,
  parent: RunKey,
  index: number,
  status: ChildStatus,
  now: Date,
): Promise<Record<string, unknown> | undefined> {
  try {
    const output = await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { job: parent.job, slot: parent.slot },
        UpdateExpression:
          'SET #children.#child = #children.#child + :one, #counted.#index = :true, #lastChildAt = :now',
        ConditionExpression:
          '#status IN (:running, :waiting) AND attribute_exists(#children) AND attribute_not_exists(#counted.#index)',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#children': 'children',
          '#child': status,
          '#counted': 'countedChildren',
          '#index': String(index),
          '#lastChildAt': 'lastChildAt',
        },
        ExpressionAttributeValues: {
          ':one': 1,
          ':true': true,
          ':now': now.toISOString(),
          ':running': 'running',
          ':waiting': 'waiting',
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return output.Attributes;
  } catch (error) {
    if (isConditionFailed(error)) return undefined;
    throw error;
  }
}
