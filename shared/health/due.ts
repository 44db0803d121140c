/**
 * Where a job stands in the index of next expected slots (pure). An enabled job with a slot to come
 * has one entry: its next slot, first due at slot + grace (`late` stage: has it run?), then at slot +
 * starting deadline (`missed` stage). A paused job, or one that will not fire again, has none.
 */
import type { Job } from '../jobs/model.ts';
import { nextRuns } from '../jobs/view.ts';
import type { DueSlot } from './ports.ts';
import { flexibleDelayMs, healthSettings } from './settings.ts';

/** The entry for the job's first slot strictly after `after`, or undefined when it has none. */
export function firstDue(job: Job, after: Date): DueSlot | undefined {
  const slot = nextRuns(job, after, 1)[0];
  if (slot === undefined) return undefined;
  const { graceSeconds } = healthSettings(job, slot);
  const dueMs = slot.getTime() + flexibleDelayMs(job) + graceSeconds * 1000;
  return { slot: slot.toISOString(), stage: 'late', dueAt: new Date(dueMs).toISOString() };
}

/** The entry that looks at `slot` again at its starting deadline. */
export function missedStage(job: Job, slot: string): DueSlot {
  const { startingDeadlineSeconds } = healthSettings(job, new Date(slot));
  return {
    slot,
    stage: 'missed',
    dueAt: new Date(Date.parse(slot) + flexibleDelayMs(job) + startingDeadlineSeconds * 1000).toISOString(),
  };
}
