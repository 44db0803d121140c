/**
 * The emulator's state: its groups and schedules in memory, the journal that persists every change,
 * and the listener (the dispatcher) told of every schedule change. The operations on groups and
 * schedules and the dispatcher's records all change it through here, so every change is applied in
 * memory (a concurrent request sees it at once), handed to the listener (timers follow), and written
 * to the journal before the operation resolves (the HTTP answer comes after persistence).
 */
import type { Schedule } from '../../shared/schedule/index.ts';
import { SchedulerNotFoundError } from './errors.ts';
import type { Journal, JournalRecord } from './journal.ts';
import {
  type ArnContext,
  type GroupRecord,
  type PendingRetry,
  type ScheduleRecord,
  scheduleArn,
  scheduleKey,
} from './model.ts';
import { compactRecord } from './records.ts';
import { type CompiledInput, compileInput } from './target-invoker.ts';
import { parseExpression } from './validation/schedule-request.ts';

/** A schedule as the emulator holds it. `version` changes on every update, invalidating queued fires. */
export interface LiveSchedule {
  readonly key: string;
  readonly arn: string;
  /** Set with `setRecord`, which keeps `input` in step. */
  record: ScheduleRecord;
  /** The record's Target.Input split at its context attributes, once per record rather than per fire. */
  input: CompiledInput | undefined;
  /** The parsed expression; undefined when a stored schedule no longer parses (it is kept, not fired). */
  schedule: Schedule | undefined;
  version: number;
  /** The last slot fired (epoch ms): a restart never fires it again. */
  lastFiredSlot: number | undefined;
  /**
   * Slots the journal holds as fired and not handed over, read back at start (usually undefined):
   * the target may never have taken their events, so the dispatcher's `restore` delivers them again
   * and takes them over as a batch handing over (`SchedulerState.handingOverBatches`). Slots fired by
   * this process are tracked by batch there, not here: a burst of 10,000 fires allocates no Set per
   * schedule.
   */
  handingOver: Set<number> | undefined;
  /** Whether the dispatcher's queue holds an entry for the current version (the dispatcher keeps this). */
  queued: boolean;
  /** Persisted retries waiting for their time, by slot (undefined when there are none: the usual case). */
  retries: Map<number, PendingRetry> | undefined;
}

/** What the store tells the dispatcher. */
export interface ScheduleListener {
  /** A schedule was created or replaced; plan its next fire from `now`. */
  scheduleChanged(live: LiveSchedule, now: number): void;
  /** A schedule was deleted; its queued fire is now stale. */
  scheduleDeleted(live: LiveSchedule): void;
}

/** A stored schedule whose expression no longer validates: it is kept, not fired. */
export interface BrokenSchedule {
  /** `group/name`. */
  readonly schedule: string;
  readonly error: string;
}

/** Compact when the journal holds this many lines more than twice the live state (fire records pile up). */
const DEFAULT_COMPACTION_SLACK = 10_000;

export interface SchedulerStateOptions {
  readonly journal: Journal;
  readonly arn: ArnContext;
  readonly now: () => number;
  /** A background failure no request waits for (journal compaction). */
  readonly onError: (message: string, error: unknown) => void;
  /**
   * Compact once the journal holds this many lines more than twice the live state.
   * @default 10_000
   */
  readonly compactionSlack?: number;
}

interface ReplayedBatchLine {
  readonly slot: number;
  readonly keys: readonly string[];
}

/** One slot of one schedule, as the dispatcher fires it. */
export interface FiredSlot {
  readonly live: LiveSchedule;
  readonly slot: number;
}

export class SchedulerState {
  readonly arn: ArnContext;
  readonly now: () => number;
  readonly groups = new Map<string, GroupRecord>();
  readonly schedules = new Map<string, LiveSchedule>();
  /**
   * Batches of slots journaled as firing whose first attempts have not all ended, with the id of
   * their `firingBatch` lines (undefined for slots a start took over from the journal, which end with
   * `fired` lines): a compaction writes them again, so a restart still delivers them. FiringRecords
   * keeps it.
   */
  readonly handingOverBatches = new Map<readonly FiredSlot[], string | undefined>();
  /** During replay: the `firingBatch` lines of each batch not handed over (yet), by batch id. */
  readonly #replayedBatches = new Map<string, ReplayedBatchLine[]>();
  listener: ScheduleListener | undefined;
  readonly #journal: Journal;
  readonly #onError: (message: string, error: unknown) => void;
  readonly #compactionSlack: number;
  #version = 0;

  constructor(options: SchedulerStateOptions) {
    this.#journal = options.journal;
    this.arn = options.arn;
    this.now = options.now;
    this.#onError = options.onError;
    this.#compactionSlack = options.compactionSlack ?? DEFAULT_COMPACTION_SLACK;
  }

  /** A version no schedule had before: queued fires of older versions become stale. */
  nextVersion(): number {
    return ++this.#version;
  }

  requireGroup(name: string): GroupRecord {
    const group = this.groups.get(name);
    if (group === undefined) throw new SchedulerNotFoundError(`Schedule group ${name} does not exist.`);
    return group;
  }

  requireSchedule(groupName: string, name: string): LiveSchedule {
    this.requireGroup(groupName);
    const live = this.schedules.get(scheduleKey(groupName, name));
    if (live === undefined) {
      throw new SchedulerNotFoundError(`Schedule ${name} does not exist in schedule group ${groupName}.`);
    }
    return live;
  }

  removeSchedule(live: LiveSchedule): void {
    this.schedules.delete(live.key);
    live.version = this.nextVersion();
    this.listener?.scheduleDeleted(live);
  }

  async write(records: JournalRecord | readonly JournalRecord[]): Promise<void> {
    await this.#journal.append(records);
    this.#compactIfLarge();
  }

  #compactIfLarge(): void {
    const live = this.schedules.size + this.groups.size;
    if (this.#journal.linesSinceCompaction > this.#compactionSlack + 2 * live) {
      this.#journal
        .compact(() => this.snapshot())
        .catch((error: unknown) => this.#onError('journal compaction failed', error));
    }
  }

  /** Rebuilds the state from journal records (start-up); returns the schedules that failed to parse. */
  replay(records: readonly JournalRecord[]): BrokenSchedule[] {
    for (const record of records) this.#apply(record);
    this.#replayedBatches.clear();
    const broken: BrokenSchedule[] = [];
    for (const live of this.schedules.values()) {
      try {
        live.schedule = parseExpression(live.record.expression, live.record.timezone);
      } catch (error) {
        live.schedule = undefined;
        broken.push({ schedule: live.key, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return broken;
  }

  /** The journal content that reproduces the current state. */
  snapshot(): JournalRecord[] {
    const records: JournalRecord[] = [];
    for (const group of this.groups.values()) records.push({ op: 'putGroup', group });
    for (const live of this.schedules.values()) {
      records.push({ op: 'putSchedule', schedule: live.record });
      const { groupName, name } = live.record;
      if (live.lastFiredSlot !== undefined)
        records.push({ op: 'fired', groupName, name, slot: live.lastFiredSlot });
      // After the `fired` line, which would otherwise end them.
      for (const slot of live.handingOver ?? []) records.push({ op: 'firing', groupName, name, slot });
      for (const retry of live.retries?.values() ?? []) records.push({ op: 'retryPending', retry });
    }
    // After every schedule's `fired` line, for the same reason.
    for (const [batch, id] of this.handingOverBatches) {
      const bySlot = new Map<number, string[]>();
      for (const { live, slot } of batch) {
        if (this.schedules.get(live.key) !== live) continue;
        if (id === undefined) {
          records.push({ op: 'firing', groupName: live.record.groupName, name: live.record.name, slot });
          continue;
        }
        const keys = bySlot.get(slot);
        if (keys === undefined) bySlot.set(slot, [live.key]);
        else keys.push(live.key);
      }
      if (id === undefined) continue;
      for (const [slot, keys] of bySlot)
        records.push({ op: 'firingBatch', batch: id, slot, schedules: keys });
    }
    return records;
  }

  /** Replay: every record sets state, so applying one twice is harmless. */
  #apply(record: JournalRecord): void {
    switch (record.op) {
      case 'putGroup':
        this.groups.set(record.group.name, record.group);
        return;
      case 'deleteGroup':
        this.groups.delete(record.name);
        for (const [key, live] of this.schedules) {
          if (live.record.groupName === record.name) this.schedules.delete(key);
        }
        return;
      case 'putSchedule': {
        const stored = compactRecord(record.schedule);
        const key = scheduleKey(stored.groupName, stored.name);
        const existing = this.schedules.get(key);
        if (existing !== undefined) {
          setRecord(existing, stored);
          return;
        }
        this.schedules.set(key, newLiveSchedule(this, key, stored, undefined));
        return;
      }
      case 'deleteSchedule':
        this.schedules.delete(scheduleKey(record.groupName, record.name));
        return;
      case 'firing':
      case 'fired': {
        const live = this.schedules.get(scheduleKey(record.groupName, record.name));
        if (live === undefined) return;
        if (record.op === 'firing') startHandingOver(live, record.slot);
        else {
          live.lastFiredSlot = Math.max(live.lastFiredSlot ?? record.slot, record.slot);
          endHandingOver(live, record.slot);
        }
        return;
      }
      case 'firingBatch': {
        for (const key of record.schedules) {
          const live = this.schedules.get(key);
          if (live !== undefined) startHandingOver(live, record.slot);
        }
        const lines = this.#replayedBatches.get(record.batch);
        const line = { slot: record.slot, keys: record.schedules };
        if (lines === undefined) this.#replayedBatches.set(record.batch, [line]);
        else lines.push(line);
        return;
      }
      case 'batchHandedOver': {
        for (const { slot, keys } of this.#replayedBatches.get(record.batch) ?? []) {
          for (const key of keys) {
            const live = this.schedules.get(key);
            if (live !== undefined) endHandingOver(live, slot);
          }
        }
        this.#replayedBatches.delete(record.batch);
        return;
      }
      case 'retryPending': {
        const { retry } = record;
        const live = this.schedules.get(scheduleKey(retry.groupName, retry.name));
        if (live === undefined) return;
        const snapshot = retry.record ?? live.retries?.get(retry.slot)?.record;
        // A line without its snapshot and no earlier one to take it from cannot be retried faithfully.
        if (snapshot === undefined) return;
        live.retries ??= new Map();
        live.retries.set(retry.slot, { ...retry, record: compactRecord(snapshot) });
        return;
      }
      case 'retryDone': {
        const live = this.schedules.get(scheduleKey(record.groupName, record.name));
        live?.retries?.delete(record.slot);
        if (live?.retries?.size === 0) live.retries = undefined;
        return;
      }
    }
  }
}

/** A schedule as the state first holds it: nothing fired, nothing queued. */
export function newLiveSchedule(
  state: SchedulerState,
  key: string,
  record: ScheduleRecord,
  schedule: Schedule | undefined,
): LiveSchedule {
  return {
    key,
    arn: scheduleArn(state.arn, record.groupName, record.name),
    record,
    input: compileInput(record.target.input),
    schedule,
    version: state.nextVersion(),
    lastFiredSlot: undefined,
    handingOver: undefined,
    queued: false,
    retries: undefined,
  };
}

/** A new record for the schedule (an update, or a later line at replay), with its input compiled. */
export function setRecord(live: LiveSchedule, record: ScheduleRecord): void {
  live.record = record;
  live.input = compileInput(record.target.input);
}

/** Replay: the slot fired, and its first attempt may not have ended. */
function startHandingOver(live: LiveSchedule, slot: number): void {
  live.lastFiredSlot = Math.max(live.lastFiredSlot ?? slot, slot);
  live.handingOver ??= new Set();
  live.handingOver.add(slot);
}

/** The slot's first attempt ended: nothing of it is left to deliver again. */
export function endHandingOver(live: LiveSchedule, slot: number): void {
  if (live.handingOver?.delete(slot) === true && live.handingOver.size === 0) live.handingOver = undefined;
}
