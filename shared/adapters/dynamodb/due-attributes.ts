/**
 * How a run state item carries its entry in the due index (`jobs-by-due`, shared/tables.ts): written by
 * the job store with each write of the job, moved by the sweeper (./health-store.ts).
 */
import type { DueSlot } from '../../health/ports.ts';

/** The one shard of the due index (see shared/tables.ts). */
export const DUE_SHARD = 'due';

/** The attributes of a run state that place it in the due index (or none: out of it). */
export function dueAttributes(due: DueSlot | undefined): Record<string, unknown> {
  return due === undefined
    ? {}
    : { dueShard: DUE_SHARD, dueAt: due.dueAt, dueSlot: due.slot, dueStage: due.stage };
}

export const DUE_ATTRIBUTE_NAMES = ['dueShard', 'dueAt', 'dueSlot', 'dueStage'] as const;
