/**
 * What the dispatcher records as it fires: slots marked fired before their targets are invoked and
 * marked handed over once their first attempt ended, retries pending and handled, and the deletion of
 * a schedule whose last slot was handled (ActionAfterCompletion DELETE). A restart reads them back, so
 * it neither fires a slot twice, nor loses one the target never took, nor loses a retry.
 */
import { randomUUID } from 'node:crypto';
import type { JournalRecord } from './journal.ts';
import type { PendingRetry } from './model.ts';
import { endHandingOver, type FiredSlot, type LiveSchedule, type SchedulerState } from './state.ts';

export class FiringRecords {
  readonly #state: SchedulerState;

  constructor(state: SchedulerState) {
    this.#state = state;
  }

  /**
   * Records slots as fired, in one journal write (a `firingBatch` line per slot among them), before
   * their targets are invoked: the schedules never fire them again. Until `markHandedOver(fired)` the
   * batch is handing over: a restart before that (or after a compaction meanwhile, which writes the
   * batch again) delivers its slots again.
   */
  markFired(fired: readonly FiredSlot[]): Promise<void> {
    const batch = randomUUID();
    // One array of keys per slot, stringified with its line: no string or record per fire that
    // lives until the write (a burst's 10,000 of them would all survive into the old generation).
    const records: JournalRecord[] = [];
    let keys: string[] = [];
    let openSlot = Number.NaN;
    for (const { live, slot } of fired) {
      live.lastFiredSlot = slot;
      if (slot !== openSlot) {
        keys = [];
        records.push({ op: 'firingBatch', batch, slot, schedules: keys });
        openSlot = slot;
      }
      keys.push(live.key);
    }
    this.#state.handingOverBatches.set(fired, batch);
    return this.#state.write(records);
  }

  /**
   * Slots the journal held as fired and not handed over when the emulator started: they become a
   * batch handing over, to be delivered again (or settled) and then passed to `markHandedOver`.
   */
  takeOverHandingOver(slots: readonly FiredSlot[]): void {
    for (const { live, slot } of slots) endHandingOver(live, slot);
    this.#state.handingOverBatches.set(slots, undefined);
  }

  /**
   * The first attempts of a batch from `markFired` or `takeOverHandingOver` ended (accepted, or
   * failed into a retry, a dead letter or a drop, each recorded by then): one journal line for a
   * batch fired here, one write of `fired` lines for slots taken over at start (schedules deleted
   * meanwhile left out: their lines would be ignored anyway).
   */
  async markHandedOver(handed: readonly FiredSlot[]): Promise<void> {
    const batch = this.#state.handingOverBatches.get(handed);
    this.#state.handingOverBatches.delete(handed);
    if (batch !== undefined) {
      await this.#state.write({ op: 'batchHandedOver', batch });
      return;
    }
    const records: JournalRecord[] = [];
    for (const { live, slot } of handed) {
      endHandingOver(live, slot);
      if (this.#state.schedules.get(live.key) !== live) continue;
      records.push({ op: 'fired', groupName: live.record.groupName, name: live.record.name, slot });
    }
    if (records.length > 0) await this.#state.write(records);
  }

  /**
   * Persists a retry of `live`'s slot before its timer is armed. `firstForSlot` writes the schedule
   * snapshot with it; later attempts of the same slot only move the attempt number and time.
   * Nothing is written for a schedule that was deleted meanwhile.
   */
  async savePendingRetry(live: LiveSchedule, retry: PendingRetry, firstForSlot: boolean): Promise<void> {
    if (this.#state.schedules.get(live.key) !== live) return;
    live.retries ??= new Map();
    live.retries.set(retry.slot, retry);
    if (firstForSlot) {
      await this.#state.write({ op: 'retryPending', retry });
      return;
    }
    const { record: _record, ...moved } = retry;
    await this.#state.write({ op: 'retryPending', retry: moved });
  }

  /** The retried event of `live`'s slot was handled: a restart must not re-arm it. */
  async clearPendingRetry(live: LiveSchedule, slot: number): Promise<void> {
    if (live.retries?.delete(slot) !== true) return;
    if (live.retries.size === 0) live.retries = undefined;
    if (this.#state.schedules.get(live.key) !== live) return;
    await this.#state.write({
      op: 'retryDone',
      groupName: live.record.groupName,
      name: live.record.name,
      slot,
    });
  }

  /**
   * Deletes a schedule whose last invocation is done (ActionAfterCompletion DELETE), unless it was
   * changed since that invocation was planned. Returns whether it was deleted.
   */
  async deleteAfterCompletion(key: string, version: number): Promise<boolean> {
    const live = this.#state.schedules.get(key);
    if (live === undefined || live.version !== version) return false;
    this.#state.removeSchedule(live);
    await this.#state.write({
      op: 'deleteSchedule',
      groupName: live.record.groupName,
      name: live.record.name,
    });
    return true;
  }
}
