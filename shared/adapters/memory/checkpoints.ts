/** In-memory CheckpointStore: the DynamoDB adapter's rules (checkpointWritable), in a map. */
import type { JobIdentity } from '../../jobs/ports.ts';
import type { Checkpoint, CheckpointStore } from '../../kinds/capabilities.ts';
import { checkpointWritable } from '../dynamodb/checkpoints.ts';

interface Stored extends Checkpoint {
  readonly jobCreatedAt: string;
}

export class MemoryCheckpointStore implements CheckpointStore {
  readonly #items = new Map<string, Stored>();

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
}
