/**
 * The keyed checkpoints a job has, from its kind's declaration (`KindDefinition.keyedCheckpoints`) and
 * its stored config: what the API lists and resets, and what deleting the job removes. Kind-agnostic,
 * so the API and the CLI name no kind.
 */
import type { Job } from '../jobs/model.ts';
import type { KindDefinition } from './kind.ts';
import { kindDefinition, kinds } from './registry.ts';

export interface JobCheckpointKeys {
  /** What a key is called (`connector`). */
  readonly keyName: string;
  /** The keys the job's config has; none when the stored config no longer parses. */
  readonly keys: readonly string[];
}

/** The job's keyed checkpoints; undefined when its kind keeps none. */
export function checkpointKeysOf(job: Pick<Job, 'kind' | 'config'>): JobCheckpointKeys | undefined {
  const definition: KindDefinition = kindDefinition(job.kind);
  const keyed = definition.keyedCheckpoints;
  if (keyed === undefined) return undefined;
  const parsed = definition.configSchema.safeParse(job.config);
  return { keyName: keyed.keyName, keys: parsed.success ? keyed.keysOf(parsed.data) : [] };
}

/** The keys of the job's keyed checkpoints (none for a kind that keeps none): what its delete removes. */
export function keyedCheckpointKeys(job: Pick<Job, 'kind' | 'config'>): readonly string[] {
  return checkpointKeysOf(job)?.keys ?? [];
}

/** The kinds that keep keyed checkpoints, with the name of a key (for messages and the CLI). */
export function kindsWithKeyedCheckpoints(): { readonly kind: string; readonly keyName: string }[] {
  return kinds.flatMap((kind: KindDefinition) =>
    kind.keyedCheckpoints === undefined ? [] : [{ kind: kind.id, keyName: kind.keyedCheckpoints.keyName }],
  );
}
