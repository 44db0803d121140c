/**
 * The emulator's state and the operations on it, by concern: `schedules` and `groups` are the API
 * operations (the HTTP adapter only routes to them and maps their errors), `firing` is what the
 * dispatcher records as it fires. All of them change one SchedulerState, which applies each change in
 * memory, tells the dispatcher and writes the journal before the operation resolves.
 */
import { FiringRecords } from './firing-records.ts';
import { GroupOperations } from './groups.ts';
import type { JournalRecord } from './journal.ts';
import { ScheduleOperations } from './schedules.ts';
import {
  type BrokenSchedule,
  type LiveSchedule,
  type ScheduleListener,
  SchedulerState,
  type SchedulerStateOptions,
} from './state.ts';

export type { Page } from './paging.ts';
export type { ListSchedulesFilter, ScheduleSummary } from './schedules.ts';
export type { BrokenSchedule, LiveSchedule, ScheduleListener } from './state.ts';

export type SchedulerStoreOptions = SchedulerStateOptions;

export class SchedulerStore {
  readonly schedules: ScheduleOperations;
  readonly groups: GroupOperations;
  readonly firing: FiringRecords;
  readonly #state: SchedulerState;

  constructor(options: SchedulerStoreOptions) {
    this.#state = new SchedulerState(options);
    this.schedules = new ScheduleOperations(this.#state);
    this.groups = new GroupOperations(this.#state);
    this.firing = new FiringRecords(this.#state);
  }

  get scheduleCount(): number {
    return this.#state.schedules.size;
  }

  get groupCount(): number {
    return this.#state.groups.size;
  }

  /** Retries persisted and not yet handled, over all schedules. */
  get pendingRetryCount(): number {
    let count = 0;
    for (const live of this.#state.schedules.values()) count += live.retries?.size ?? 0;
    return count;
  }

  /** Rebuilds the state from journal records (start-up); returns schedules that failed to parse. */
  replay(records: readonly JournalRecord[]): BrokenSchedule[] {
    return this.#state.replay(records);
  }

  /** The `default` group always exists; on a new data directory it is created (and persisted) here. */
  ensureDefaultGroup(): Promise<void> {
    return this.groups.ensureDefault();
  }

  /** The journal content that reproduces the current state. */
  snapshot(): JournalRecord[] {
    return this.#state.snapshot();
  }

  /** Attaches the dispatcher: it is told of every schedule change from now on. */
  attach(listener: ScheduleListener): void {
    this.#state.listener = listener;
  }

  liveSchedules(): IterableIterator<LiveSchedule> {
    return this.#state.schedules.values();
  }

  get(key: string): LiveSchedule | undefined {
    return this.#state.schedules.get(key);
  }
}
