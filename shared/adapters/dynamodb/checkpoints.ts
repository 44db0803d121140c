/**
 * Job checkpoints (the `checkpoints` capability): one small item per job in the jobs table, key
 * `<name>#checkpoint` (`#` is never in a job name). Like the run state (run-state.ts) it carries neither
 * `listKey` nor `kind`, so no index holds it: job listings, the status page and reconcile (all Queries
 * on the indexes) never see it, and advancing it costs one write unit whatever the size of the job.
 *
 * `jobCreatedAt` says which job the checkpoint belongs to: a job deleted and created again under the
 * name is another job and starts from nothing, even if the delete left the item behind. Deleting a job
 * deletes its checkpoint too (DynamoJobStore.delete), so normally nothing is left.
 *
 * Keyed checkpoints (several per job, each with a lease) are items of their own: keyed-checkpoints.ts.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { JobIdentity } from '../../jobs/ports.ts';
import type {
  Checkpoint,
  CheckpointLease,
  CheckpointStore,
  KeyedCheckpoint,
  KeyedCommit,
  KeyedLease,
  KeyedReset,
} from '../../kinds/capabilities.ts';
import { isConditionFailed } from './client.ts';
import { DynamoKeyedCheckpoints } from './keyed-checkpoints.ts';

const SUFFIX = '#checkpoint';

/** The key of job `name`'s checkpoint in the jobs table. */
export function checkpointKey(name: string): { name: string } {
  return { name: `${name}${SUFFIX}` };
}

/**
 * The write condition, shared with the in-memory store's reading of it (checkpointWritable): over no
 * checkpoint, or one of an earlier job of the name; else exactly the version the writer read.
 */
export function checkpointCondition(expectedVersion: number | undefined): string {
  return expectedVersion === undefined
    ? 'attribute_not_exists(#name) OR #jobCreatedAt < :createdAt'
    : '#jobCreatedAt = :createdAt AND #version = :version';
}

/** The in-memory reading of checkpointCondition (ISO instants compare as strings, as in DynamoDB). */
export function checkpointWritable(
  stored: { readonly jobCreatedAt: string; readonly version: number } | undefined,
  job: JobIdentity,
  expectedVersion: number | undefined,
): boolean {
  if (expectedVersion === undefined) return stored === undefined || stored.jobCreatedAt < job.createdAt;
  return stored?.jobCreatedAt === job.createdAt && stored.version === expectedVersion;
}

export class DynamoCheckpointStore implements CheckpointStore {
  readonly #keyed: DynamoKeyedCheckpoints;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.#keyed = new DynamoKeyedCheckpoints(doc, tableName);
  }

  readKeyed(job: JobIdentity, keys: readonly string[]): Promise<ReadonlyMap<string, KeyedCheckpoint>> {
    return this.#keyed.read(job, keys);
  }

  acquireKeyed(job: JobIdentity, key: string, lease: CheckpointLease, now: Date): Promise<KeyedLease> {
    return this.#keyed.acquire(job, key, lease, now);
  }

  commitKeyed(job: JobIdentity, key: string, commit: KeyedCommit): Promise<boolean> {
    return this.#keyed.commit(job, key, commit);
  }

  releaseKeyed(job: JobIdentity, key: string, runId: string): Promise<void> {
    return this.#keyed.release(job, key, runId);
  }

  resetKeyed(job: JobIdentity, key: string, now: Date): Promise<KeyedReset> {
    return this.#keyed.reset(job, key, now);
  }

  async read(job: JobIdentity): Promise<Checkpoint | undefined> {
    const { Item: item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: checkpointKey(job.name), ConsistentRead: true }),
    );
    if (item === undefined || item.jobCreatedAt !== job.createdAt) return undefined;
    return { value: String(item.value), version: Number(item.version) };
  }

  async advance(job: JobIdentity, expectedVersion: number | undefined, value: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: checkpointKey(job.name),
          UpdateExpression: 'SET #jobCreatedAt = :createdAt, #value = :value, #version = :next',
          ConditionExpression: checkpointCondition(expectedVersion),
          ExpressionAttributeNames: {
            '#jobCreatedAt': 'jobCreatedAt',
            '#value': 'value',
            '#version': 'version',
            ...(expectedVersion === undefined ? { '#name': 'name' } : {}),
          },
          ExpressionAttributeValues: {
            ':createdAt': job.createdAt,
            ':value': value,
            ':next': (expectedVersion ?? 0) + 1,
            ...(expectedVersion === undefined ? {} : { ':version': expectedVersion }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }
}
