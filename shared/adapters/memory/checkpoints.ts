/** In-memory CheckpointStore: the DynamoDB adapter's rules (checkpointWritable, leaseFree), in maps. */
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
import { checkpointWritable } from '../dynamodb/checkpoints.ts';
import { type KeyedItem, keyedView, leaseFree, leaseLive } from '../dynamodb/keyed-checkpoints.ts';

interface Stored extends Checkpoint {
  readonly jobCreatedAt: string;
}

export class MemoryCheckpointStore implements CheckpointStore {
  readonly #items = new Map<string, Stored>();
  readonly #keyed = new Map<string, KeyedItem>();

  async read(job: JobIdentity): Promise<Checkpoint | undefined> {
    const stored = this.#items.get(job.name);
    if (stored === undefined || stored.jobCreatedAt !== job.createdAt) return undefined;
    return { value: stored.value, version: stored.version };
  }

  async advance(job: JobIdentity, expectedVersion: number | undefined, value: string): Promise<boolean> {
    if (!checkpointWritable(this.#items.get(job.name), job, expectedVersion)) return false;
    this.#items.set(job.name, { jobCreatedAt: job.createdAt, value, version: (expectedVersion ?? 0) + 1 });
    return true;
  }

  async readKeyed(job: JobIdentity, keys: readonly string[]): Promise<ReadonlyMap<string, KeyedCheckpoint>> {
    const found = new Map<string, KeyedCheckpoint>();
    for (const key of keys) {
      const item = this.#keyed.get(keyOf(job.name, key));
      if (item?.jobCreatedAt === job.createdAt) found.set(key, keyedView(item));
    }
    return found;
  }

  async acquireKeyed(job: JobIdentity, key: string, lease: CheckpointLease, now: Date): Promise<KeyedLease> {
    const id = keyOf(job.name, key);
    const stored = this.#keyed.get(id);
    if (stored !== undefined && stored.jobCreatedAt > job.createdAt)
      return { acquired: false, reason: 'recreated' };
    const mine = stored?.jobCreatedAt === job.createdAt ? stored : undefined;
    if (mine !== undefined && !leaseFree(mine.lease, lease.runId, now.toISOString())) {
      return { acquired: false, reason: 'held', holder: mine.lease as CheckpointLease };
    }
    const { lease: _previous, ...rest } = mine ?? { jobCreatedAt: job.createdAt, version: 0, generation: 0 };
    this.#keyed.set(id, { ...rest, lease });
    const { jobCreatedAt: _owner, ...checkpoint } = rest;
    return { acquired: true, checkpoint };
  }

  async commitKeyed(job: JobIdentity, key: string, commit: KeyedCommit): Promise<boolean> {
    const id = keyOf(job.name, key);
    const stored = this.#keyed.get(id);
    if (
      stored === undefined ||
      stored.jobCreatedAt !== job.createdAt ||
      stored.version !== commit.expectedVersion ||
      stored.lease?.runId !== commit.runId
    ) {
      return false;
    }
    this.#keyed.set(id, {
      jobCreatedAt: stored.jobCreatedAt,
      ...(commit.value === undefined ? {} : { value: commit.value }),
      version: commit.expectedVersion + 1,
      generation: commit.generation,
      updatedAt: commit.updatedAt.toISOString(),
      ...(commit.release ? {} : { lease: stored.lease }),
    });
    return true;
  }

  async releaseKeyed(job: JobIdentity, key: string, runId: string): Promise<void> {
    const id = keyOf(job.name, key);
    const stored = this.#keyed.get(id);
    if (stored === undefined || stored.jobCreatedAt !== job.createdAt || stored.lease?.runId !== runId)
      return;
    const { lease: _released, ...rest } = stored;
    this.#keyed.set(id, rest);
  }

  async resetKeyed(job: JobIdentity, key: string, now: Date): Promise<KeyedReset> {
    const id = keyOf(job.name, key);
    const stored = this.#keyed.get(id);
    if (stored === undefined || stored.jobCreatedAt !== job.createdAt) {
      return { reset: true, checkpoint: { version: 0, generation: 0 } };
    }
    if (leaseLive(stored.lease, now.toISOString())) return { reset: false, holder: stored.lease };
    const next: KeyedItem = {
      jobCreatedAt: stored.jobCreatedAt,
      version: stored.version + 1,
      generation: stored.generation + 1,
      updatedAt: now.toISOString(),
    };
    this.#keyed.set(id, next);
    return { reset: true, checkpoint: keyedView(next) };
  }
}

function keyOf(name: string, key: string): string {
  return `${name}#${key}`;
}
