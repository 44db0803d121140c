/**
 * Keyed checkpoints (the `checkpoints` capability, several per job): one small item per key in the jobs
 * table, key `<name>#checkpoint#<key>` (a job name never holds `#`, so no job, run state or single
 * checkpoint can collide with it). Like the job's single checkpoint it carries neither `listKey` nor
 * `kind`, so no index holds it, and `jobCreatedAt` says which job it belongs to.
 *
 * Attributes: `value` (absent: from the beginning), `version`, `generation`, `updatedAt`, and the lease
 * `leaseRunId`/`leaseExpiresAt`. Every change is one conditional UpdateItem (so the function needs only
 * GetItem and UpdateItem); only a refused lease or reset reads (to say who holds it, or to replace an
 * item an earlier job of the name left).
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { JobIdentity } from '../../jobs/ports.ts';
import type {
  CheckpointLease,
  KeyedCheckpoint,
  KeyedCommit,
  KeyedLease,
  KeyedReset,
} from '../../kinds/capabilities.ts';
import { isConditionFailed } from './client.ts';

const INFIX = '#checkpoint#';

/** The key of job `name`'s checkpoint `key` in the jobs table. */
type ExpressionUpdate = Pick<
  UpdateCommandInput,
  'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
>;

export function keyedCheckpointKey(name: string, key: string): { name: string } {
  return { name: `${name}${INFIX}${key}` };
}

/** A stored item as the domain reads it (shared with the in-memory store). */
export interface KeyedItem extends KeyedCheckpoint {
  readonly jobCreatedAt: string;
}

/** Free for `runId` at `now`: no lease, an expired one, or its own (ISO instants compare as strings). */
export function leaseFree(lease: CheckpointLease | undefined, runId: string, now: string): boolean {
  return lease === undefined || lease.expiresAt <= now || lease.runId === runId;
}

/** Live at `now`: a lease a reset must not take away. */
export function leaseLive(lease: CheckpointLease | undefined, now: string): lease is CheckpointLease {
  return lease !== undefined && lease.expiresAt > now;
}

export function toKeyedItem(item: Record<string, unknown>): KeyedItem {
  return {
    jobCreatedAt: String(item.jobCreatedAt),
    ...(typeof item.value === 'string' ? { value: item.value } : {}),
    version: Number(item.version ?? 0),
    generation: Number(item.generation ?? 0),
    ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
    ...(typeof item.leaseRunId === 'string' && typeof item.leaseExpiresAt === 'string'
      ? { lease: { runId: item.leaseRunId, expiresAt: item.leaseExpiresAt } }
      : {}),
  };
}

export function keyedView(item: KeyedItem): KeyedCheckpoint {
  const { jobCreatedAt: _owner, ...checkpoint } = item;
  return checkpoint;
}

const NAMES = {
  '#jobCreatedAt': 'jobCreatedAt',
  '#leaseRunId': 'leaseRunId',
  '#leaseExpiresAt': 'leaseExpiresAt',
} as const;

export class DynamoKeyedCheckpoints {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(job: JobIdentity, keys: readonly string[]): Promise<ReadonlyMap<string, KeyedCheckpoint>> {
    // GetItem per key, at once: a job has at most a few dozen keys, and the API's grant stays the
    // item actions it has (no BatchGetItem).
    const unique = [...new Set(keys)];
    const items = await Promise.all(unique.map((key) => this.#get(job.name, key)));
    const found = new Map<string, KeyedCheckpoint>();
    unique.forEach((key, index) => {
      const item = items[index];
      if (item?.jobCreatedAt === job.createdAt) found.set(key, keyedView(item));
    });
    return found;
  }

  async acquire(job: JobIdentity, key: string, lease: CheckpointLease, now: Date): Promise<KeyedLease> {
    // Two rounds at most: the second after replacing an item an earlier job of the name left.
    for (let round = 0; round < 2; round++) {
      const after = await this.#update(job.name, key, {
        UpdateExpression:
          'SET #jobCreatedAt = :createdAt, #leaseRunId = :runId, #leaseExpiresAt = :expiresAt, ' +
          '#version = if_not_exists(#version, :zero), #generation = if_not_exists(#generation, :zero)',
        ConditionExpression:
          'attribute_not_exists(#name) OR (#jobCreatedAt = :createdAt AND ' +
          '(attribute_not_exists(#leaseRunId) OR #leaseExpiresAt <= :now OR #leaseRunId = :runId))',
        ExpressionAttributeNames: {
          ...NAMES,
          '#name': 'name',
          '#version': 'version',
          '#generation': 'generation',
        },
        ExpressionAttributeValues: {
          ':createdAt': job.createdAt,
          ':runId': lease.runId,
          ':expiresAt': lease.expiresAt,
          ':now': now.toISOString(),
          ':zero': 0,
        },
      });
      if (after !== undefined) {
        const { lease: _mine, ...checkpoint } = keyedView(after);
        return { acquired: true, checkpoint };
      }
      const stored = await this.#get(job.name, key);
      if (stored === undefined) continue;
      if (stored.jobCreatedAt > job.createdAt) return { acquired: false, reason: 'recreated' };
      if (stored.jobCreatedAt < job.createdAt) {
        await this.#replaceEarlier(job, key, stored.jobCreatedAt);
        continue;
      }
      if (stored.lease !== undefined) return { acquired: false, reason: 'held', holder: stored.lease };
    }
    // Only a writer racing this one, round after round, gets here: the key is being taken by another run.
    const stored = await this.#get(job.name, key);
    return stored?.lease === undefined
      ? { acquired: false, reason: 'recreated' }
      : { acquired: false, reason: 'held', holder: stored.lease };
  }

  async commit(job: JobIdentity, key: string, commit: KeyedCommit): Promise<boolean> {
    const set = ['#version = :next', '#generation = :generation', '#updatedAt = :updatedAt'];
    const remove: string[] = [];
    if (commit.value === undefined) remove.push('#value');
    else set.push('#value = :value');
    if (commit.release) remove.push('#leaseRunId', '#leaseExpiresAt');
    // The committer knows what it wrote: nothing is asked back (a smaller answer on every page).
    return this.#write(job.name, key, {
      UpdateExpression: `SET ${set.join(', ')}${remove.length === 0 ? '' : ` REMOVE ${remove.join(', ')}`}`,
      ConditionExpression: '#jobCreatedAt = :createdAt AND #version = :version AND #leaseRunId = :runId',
      // DynamoDB refuses a name the expressions do not use: the lease's expiry only with a release.
      ExpressionAttributeNames: {
        '#jobCreatedAt': 'jobCreatedAt',
        '#leaseRunId': 'leaseRunId',
        ...(commit.release ? { '#leaseExpiresAt': 'leaseExpiresAt' } : {}),
        '#version': 'version',
        '#generation': 'generation',
        '#updatedAt': 'updatedAt',
        '#value': 'value',
      },
      ExpressionAttributeValues: {
        ':createdAt': job.createdAt,
        ':version': commit.expectedVersion,
        ':runId': commit.runId,
        ':next': commit.expectedVersion + 1,
        ':generation': commit.generation,
        ':updatedAt': commit.updatedAt.toISOString(),
        ...(commit.value === undefined ? {} : { ':value': commit.value }),
      },
    });
  }

  async release(job: JobIdentity, key: string, runId: string): Promise<void> {
    // Not held by runId (expired and taken, or reset): nothing of this run's to release.
    await this.#write(job.name, key, {
      UpdateExpression: 'REMOVE #leaseRunId, #leaseExpiresAt',
      ConditionExpression: '#jobCreatedAt = :createdAt AND #leaseRunId = :runId',
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: { ':createdAt': job.createdAt, ':runId': runId },
    });
  }

  async reset(job: JobIdentity, key: string, now: Date): Promise<KeyedReset> {
    const after = await this.#update(job.name, key, {
      UpdateExpression:
        'SET #version = #version + :one, #generation = #generation + :one, #updatedAt = :now ' +
        'REMOVE #value, #leaseRunId, #leaseExpiresAt',
      ConditionExpression:
        '#jobCreatedAt = :createdAt AND (attribute_not_exists(#leaseRunId) OR #leaseExpiresAt <= :now)',
      ExpressionAttributeNames: {
        ...NAMES,
        '#version': 'version',
        '#generation': 'generation',
        '#updatedAt': 'updatedAt',
        '#value': 'value',
      },
      ExpressionAttributeValues: { ':createdAt': job.createdAt, ':now': now.toISOString(), ':one': 1 },
    });
    if (after !== undefined) return { reset: true, checkpoint: keyedView(after) };
    const stored = await this.#get(job.name, key);
    if (
      stored !== undefined &&
      stored.jobCreatedAt === job.createdAt &&
      leaseLive(stored.lease, now.toISOString())
    ) {
      return { reset: false, holder: stored.lease };
    }
    // No checkpoint of this job (none yet, or only an earlier job's): its next run starts from the beginning.
    return { reset: true, checkpoint: { version: 0, generation: 0 } };
  }

  async #get(name: string, key: string): Promise<KeyedItem | undefined> {
    const { Item: item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: keyedCheckpointKey(name, key), ConsistentRead: true }),
    );
    return item === undefined ? undefined : toKeyedItem(item);
  }

  /** An earlier job of the name left the item: this job starts it afresh (if no one did first). */
  async #replaceEarlier(job: JobIdentity, key: string, earlierCreatedAt: string): Promise<void> {
    // Another writer replaced it first: the caller's next round reads what it left.
    await this.#update(job.name, key, {
      UpdateExpression:
        'SET #jobCreatedAt = :createdAt, #version = :zero, #generation = :zero ' +
        'REMOVE #value, #updatedAt, #leaseRunId, #leaseExpiresAt',
      ConditionExpression: '#jobCreatedAt = :earlier',
      ExpressionAttributeNames: {
        ...NAMES,
        '#version': 'version',
        '#generation': 'generation',
        '#value': 'value',
        '#updatedAt': 'updatedAt',
      },
      ExpressionAttributeValues: {
        ':createdAt': job.createdAt,
        ':earlier': earlierCreatedAt,
        ':zero': 0,
      },
    });
  }

  /**
   * One conditional update of a key's item: the item after it, or undefined when the condition did not
   * hold (the callers read that as a lost race or a lease held by another run).
   */
  /** The same update without the item back: true when it was written, false when the condition did not hold. */
  async #write(name: string, key: string, update: ExpressionUpdate): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({ TableName: this.tableName, Key: keyedCheckpointKey(name, key), ...update }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async #update(name: string, key: string, update: ExpressionUpdate): Promise<KeyedItem | undefined> {
    try {
      const { Attributes: after } = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyedCheckpointKey(name, key),
          ...update,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toKeyedItem(after ?? {});
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
  }
}
