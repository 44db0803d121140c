/**
 * Checkpoint use cases of the API: list a job's keyed checkpoints (a sync job's cursor per connector)
 * and reset one, so the next run starts that key from the beginning. Kind-agnostic: the kind declares
 * its keyed checkpoints (KindDefinition.keyedCheckpoints) and its config names the keys.
 */
import type { Clock } from '../clock.ts';
import { JobNotFoundError, ValidationError } from '../errors.ts';
import type { CheckpointLease, CheckpointStore, KeyedCheckpoint } from '../kinds/capabilities.ts';
import { checkpointKeysOf, kindsWithKeyedCheckpoints } from '../kinds/keyed-checkpoints.ts';
import type { Job } from './model.ts';
import type { JobStore } from './ports.ts';

export interface CheckpointDeps {
  readonly jobs: JobStore;
  readonly checkpoints: CheckpointStore;
  readonly clock: Clock;
}

/** The key is not one of the job's (its config names no such connector). */
export class CheckpointNotFoundError extends Error {
  constructor(job: string, keyName: string, key: string, keys: readonly string[]) {
    super(
      `job "${job}" has no ${keyName} ${JSON.stringify(key)}; its ${keyName}s: ${keys.length === 0 ? 'none' : keys.join(', ')}`,
    );
    this.name = 'CheckpointNotFoundError';
  }
}

/** A run holds the key's lease: resetting under it would race the run's next commit. */
export class CheckpointLeasedError extends Error {
  constructor(job: string, keyName: string, key: string, holder: CheckpointLease) {
    super(
      `the ${keyName} ${JSON.stringify(key)} of job "${job}" is being synced by run ${holder.runId} (its lease ends ${holder.expiresAt}); cancel that run or reset after it ended`,
    );
    this.name = 'CheckpointLeasedError';
  }
}

/** One checkpoint as the API shows it: `{<keyName>, cursor, version, updatedAt}` (and the lease's holder). */
export type CheckpointView = Readonly<Record<string, unknown>>;

function view(
  keyName: string,
  key: string,
  checkpoint: KeyedCheckpoint | undefined,
  now: Date,
): CheckpointView {
  const lease = checkpoint?.lease;
  return {
    [keyName]: key,
    cursor: checkpoint?.value ?? null,
    version: checkpoint?.version ?? 0,
    updatedAt: checkpoint?.updatedAt ?? null,
    ...(lease !== undefined && lease.expiresAt > now.toISOString() ? { leasedBy: lease } : {}),
  };
}

/** The job, and its keyed checkpoints' names; ValidationError (400) for a kind that keeps none. */
async function keyedJob(
  deps: CheckpointDeps,
  name: string,
): Promise<{ job: Job; keyName: string; keys: readonly string[] }> {
  const job = await deps.jobs.get(name);
  if (job === undefined) throw new JobNotFoundError(name);
  const keyed = checkpointKeysOf(job);
  if (keyed === undefined) {
    const kinds = kindsWithKeyedCheckpoints().map((entry) => entry.kind);
    throw new ValidationError(
      'name',
      `job "${name}" is of kind ${job.kind}, which keeps no keyed checkpoints; jobs of kind ${kinds.join(', ')} do`,
    );
  }
  return { job, ...keyed };
}

/** `GET /jobs/{name}/checkpoints`: every key the config names, in config order, synced or not yet. */
export async function listCheckpoints(deps: CheckpointDeps, name: string): Promise<CheckpointView[]> {
  const { job, keyName, keys } = await keyedJob(deps, name);
  const stored = await deps.checkpoints.readKeyed(job, keys);
  const now = deps.clock.now();
  return keys.map((key) => view(keyName, key, stored.get(key), now));
}

/**
 * `POST /jobs/{name}/checkpoints/{key}/reset`: the key's next run starts from the beginning, in a new
 * generation (the sink gets the records again, under new idempotency keys). 404 for a key the job does
 * not have, 409 while a run holds the key.
 */
export async function resetCheckpoint(
  deps: CheckpointDeps,
  name: string,
  key: string,
): Promise<CheckpointView> {
  const { job, keyName, keys } = await keyedJob(deps, name);
  if (!keys.includes(key)) throw new CheckpointNotFoundError(name, keyName, key, keys);
  const now = deps.clock.now();
  const outcome = await deps.checkpoints.resetKeyed(job, key, now);
  if (!outcome.reset) throw new CheckpointLeasedError(name, keyName, key, outcome.holder);
  return view(keyName, key, outcome.checkpoint, now);
}
