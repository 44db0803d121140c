/**
 * RunLedger on DynamoDB (table `runs`, pk `job`, sk `slot`). A slot is claimed with a conditional
 * PutItem, so a second delivery of the same slot can never create a second run; every later change
 * is an UpdateItem conditional on the status the caller expects.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../clock.ts';
import type { ChildStatus, Run, RunStatus } from '../../jobs/model.ts';
import type {
  ChildrenQuery,
  ClaimOutcome,
  Page,
  RunKey,
  RunLedger,
  RunQuery,
  RunState,
  TransitionGuard,
} from '../../jobs/ports.ts';
import { tableDefinitions } from '../../tables.ts';
import { batchGet } from './batch-get.ts';
import { isConditionFailed } from './client.ts';
import { type CursorShape, decodeCursor } from './cursor.ts';
import { checkLimit, epochSeconds, isExpired } from './job-store.ts';
import { queryPage } from './query.ts';
import { countChild, listChildren } from './run-children.ts';

/** The constant partition key of the `runs-by-id` index: history across all jobs is one Query. */
export const RUN_LIST_KEY = 'run';

const BY_ID = tableDefinitions.runs.globalSecondaryIndexes[0].indexName;

/** The identity of a run never changes after the claim. */
const IMMUTABLE_RUN_FIELDS: ReadonlySet<string> = new Set(['job', 'slot', 'runId', 'listKey']);

const LIVE = '(attribute_not_exists(#expiresAt) OR #expiresAt > :nowSec)';

export class DynamoRunLedger implements RunLedger {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async claim(run: Run): Promise<ClaimOutcome> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...run, listKey: RUN_LIST_KEY },
          ConditionExpression: 'attribute_not_exists(#slot)',
          ExpressionAttributeNames: { '#slot': 'slot' },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    // Read the winner (strongly consistent). The existing item may have expired by TTL but not yet
    // been deleted: it still owns the slot, which is what at-most-once-per-slot needs.
    const output = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { job: run.job, slot: run.slot },
        ConsistentRead: true,
      }),
    );
    if (output.Item === undefined) {
      // Deleted between the failed put and the read (TTL): claim again once.
      return this.claim(run);
    }
    return { claimed: false, existing: toRun(output.Item) };
  }

  async recordDuplicate(job: string, slot: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { job, slot },
          UpdateExpression: 'ADD #duplicates :one',
          ConditionExpression: 'attribute_exists(#slot)',
          ExpressionAttributeNames: { '#duplicates': 'duplicatesSuppressed', '#slot': 'slot' },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  async transition(
    job: string,
    slot: string,
    from: readonly RunStatus[],
    changes: Partial<Run>,
    guard?: TransitionGuard,
  ): Promise<Run | undefined> {
    if (from.length === 0) throw new Error('transition needs at least one status to move from');
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    let i = 0;
    for (const [attribute, value] of Object.entries(changes)) {
      if (IMMUTABLE_RUN_FIELDS.has(attribute)) throw new Error(`a run's ${attribute} cannot change`);
      i++;
      names[`#a${i}`] = attribute;
      if (value === undefined) {
        removes.push(`#a${i}`);
      } else {
        values[`:v${i}`] = value;
        sets.push(`#a${i} = :v${i}`);
      }
    }
    if (sets.length === 0 && removes.length === 0) throw new Error('transition needs at least one change');
    const fromValues = from.map((status, n) => {
      values[`:from${n}`] = status;
      return `:from${n}`;
    });
    let condition = `#status IN (${fromValues.join(', ')})`;
    if (guard?.attempt !== undefined) {
      condition += ' AND #attempt = :attempt';
      names['#attempt'] = 'attempt';
      values[':attempt'] = guard.attempt;
    }
    const update = [
      sets.length > 0 ? `SET ${sets.join(', ')}` : '',
      removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
    ]
      .filter((part) => part !== '')
      .join(' ');
    try {
      const output = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { job, slot },
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return output.Attributes === undefined ? undefined : toRun(output.Attributes);
    } catch (error) {
      // Also the answer when the item does not exist: `#status IN (...)` is false on a missing item.
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
  }

  async get(job: string, slot: string): Promise<Run | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { job, slot }, ConsistentRead: true }),
    );
    const item = output.Item;
    if (item === undefined || isExpired(item, this.clock.now())) return undefined;
    return toRun(item);
  }

  async getState(job: string, slot: string): Promise<RunState | undefined> {
    const output = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { job, slot },
        ConsistentRead: true,
        ProjectionExpression: '#status, #attempt, #cancelRequested, #expiresAt',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#attempt': 'attempt',
          '#cancelRequested': 'cancelRequested',
          '#expiresAt': 'expiresAt',
        },
      }),
    );
    const item = output.Item;
    if (item === undefined || isExpired(item, this.clock.now())) return undefined;
    return toRunState(item);
  }

  async getById(runId: string): Promise<Run | undefined> {
    const output = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: BY_ID,
        KeyConditionExpression: '#listKey = :listKey AND #runId = :runId',
        FilterExpression: LIVE,
        ExpressionAttributeNames: { '#listKey': 'listKey', '#runId': 'runId', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: {
          ':listKey': RUN_LIST_KEY,
          ':runId': runId,
          ':nowSec': epochSeconds(this.clock.now()),
        },
      }),
    );
    const item = output.Items?.[0];
    return item === undefined ? undefined : toRun(item);
  }

  async getMany(keys: readonly RunKey[]): Promise<Run[]> {
    const now = this.clock.now();
    const batch = keys.map(({ job, slot }) => ({ job, slot }));
    const items = await batchGet(this.doc, this.tableName, batch, { consistentRead: true });
    return items.filter((item) => !isExpired(item, now)).map(toRun);
  }

  async list(query: RunQuery): Promise<Page<Run>> {
    checkLimit(query.limit);
    const names: Record<string, string> = { '#expiresAt': 'expiresAt' };
    const values: Record<string, unknown> = { ':nowSec': epochSeconds(this.clock.now()) };
    let filter = LIVE;
    let keyCondition: string;
    let indexName: string | undefined;
    let shape: CursorShape;
    if (query.job !== undefined) {
      // One job's runs: the table itself, slots (scheduled times) descending.
      keyCondition = '#job = :job';
      names['#job'] = 'job';
      values[':job'] = query.job;
      shape = { attributes: ['job', 'slot'], fixed: { job: query.job } };
    } else {
      // History across jobs, newest first; a status is a filter on it. No index by status: keeping one
      // up to date cost three write units per run (the claim's entry, and moving it at the outcome).
      indexName = BY_ID;
      keyCondition = '#listKey = :listKey';
      names['#listKey'] = 'listKey';
      values[':listKey'] = RUN_LIST_KEY;
      shape = { attributes: ['job', 'slot', 'listKey', 'runId'], fixed: { listKey: RUN_LIST_KEY } };
    }
    const statuses = queriedStatuses(query);
    if (statuses.length > 0) {
      const placeholders = statuses.map((status, n) => {
        values[`:status${n}`] = status;
        return `:status${n}`;
      });
      filter += ` AND #status IN (${placeholders.join(', ')})`;
      names['#status'] = 'status';
    }
    const start = query.cursor === undefined ? undefined : decodeCursor(query.cursor, shape);
    const page = await queryPage(
      this.doc,
      {
        TableName: this.tableName,
        ...(indexName === undefined ? {} : { IndexName: indexName }),
        KeyConditionExpression: keyCondition,
        FilterExpression: filter,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
      },
      query.limit,
      start,
      shape.attributes,
    );
    return { ...page, items: page.items.map(toRun) };
  }

  async listChildren(query: ChildrenQuery): Promise<Page<Run>> {
    const page = await listChildren(this.doc, this.tableName, this.clock, query);
    return { ...page, items: page.items.map(toRun) };
  }

  async countChild(parent: RunKey, index: number, status: ChildStatus, now: Date): Promise<Run | undefined> {
    const item = await countChild(this.doc, this.tableName, parent, index, status, now);
    return item === undefined ? undefined : toRun(item);
  }
}

/** The statuses a listing keeps (none: every status). */
export function queriedStatuses(query: RunQuery): readonly RunStatus[] {
  return query.statuses ?? (query.status === undefined ? [] : [query.status]);
}

function toRun(item: Record<string, unknown>): Run {
  const { listKey: _listKey, ...run } = item;
  return run as unknown as Run;
}

/** The watched part of a run item (shared with the in-memory ledger). */
export function toRunState(item: Record<string, unknown>): RunState {
  return {
    status: item.status as RunState['status'],
    attempt: item.attempt as number,
    ...(item.cancelRequested === undefined ? {} : { cancelRequested: item.cancelRequested as boolean }),
  };
}
