/**
 * Fires schedules on time. Pending fires sit in a binary heap keyed on due time; one timer is armed
 * for the root. A change to a schedule bumps its version, so its queued entry becomes stale and is
 * dropped when it reaches the root (lazy invalidation; the heap is rebuilt when stale entries pile
 * up). Slots are computed only by the shared schedule engine.
 *
 * Due slots are persisted as fired in one journal write, then each is handed to the deliveries
 * (delivery.ts: attempts, retries, dead letters), and once every first attempt of the batch ended, one
 * more write marks them handed over. A slot fired but not handed over when the emulator stopped (a
 * crash between the two writes) is delivered again at the next start: at least once, as the service
 * delivers; the run lifecycle's claim of (job, slot) makes a repeat harmless. Deleting a schedule
 * cancels its pending retries: the service stops invoking a deleted schedule.
 */
import type { Logger } from '../../shared/logger.ts';
import type { CancelTimer, TimerClock } from '../clock.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import { Deliveries, type Delivery } from './delivery.ts';
import { MinHeap } from './heap.ts';
import { logMissed, nextSlot, redeliveries } from './restart.ts';
import type { FiredSlot } from './state.ts';
import type { LiveSchedule, ScheduleListener, SchedulerStore } from './store.ts';
import { formatScheduledTime, type TargetInvoker } from './target-invoker.ts';

/** Rebuild the heap when this many entries (and more than half of it) are stale. */
const STALE_REBUILD_MIN = 1000;
/** Deliveries of one batch started per event-loop turn (see #launch); the fire-lag bench's baseline uses it too. */
export const LAUNCH_SLICE = 256;

interface QueueEntry {
  /** When to fire: the slot plus any flexible-window delay (epoch ms). */
  readonly due: number;
  /** The scheduled time (epoch ms). */
  readonly slot: number;
  readonly key: string;
  readonly version: number;
}

export interface DispatcherOptions {
  readonly store: SchedulerStore;
  readonly clock: TimerClock;
  readonly invoker: TargetInvoker;
  /** Uniform in [0, 1): picks the moment inside a flexible time window. */
  readonly random: () => number;
  /** The emulator's logger (component `scheduler`). */
  readonly log: Logger;
  readonly deadLetters: DeadLetterStore;
}

export class Dispatcher implements ScheduleListener {
  readonly #store: SchedulerStore;
  readonly #clock: TimerClock;
  readonly #random: () => number;
  readonly #log: Logger;
  readonly #deliveries: Deliveries;
  readonly #queue = new MinHeap<QueueEntry>((a, b) => a.due < b.due || (a.due === b.due && a.slot < b.slot));
  #stale = 0;
  #armedFor: number | undefined;
  #cancelArmed: CancelTimer | undefined;
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];
  #stopped = false;

  constructor(options: DispatcherOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#random = options.random;
    this.#log = options.log;
    this.#deliveries = new Deliveries({
      store: options.store,
      clock: options.clock,
      invoker: options.invoker,
      log: options.log,
      deadLetters: options.deadLetters,
      track: (work) => this.#track(work),
      stopped: () => this.#stopped,
    });
  }

  /** Pending fires in the queue, stale entries included. */
  get queueSize(): number {
    return this.#queue.size;
  }

  /**
   * Start-up: delivers again the slots fired but not handed over before the stop, logs the slots each
   * schedule missed while the emulator was down (they are not fired, as the service has no catch-up)
   * and queues the next one; re-arms the persisted retries.
   */
  restore(now: number): void {
    const again: Delivery[] = [];
    const settled: FiredSlot[] = [];
    for (const live of this.#store.liveSchedules()) {
      if (live.retries !== undefined) {
        for (const retry of [...live.retries.values()]) this.#deliveries.restoreRetry(live, retry, now);
      }
      if (live.handingOver !== undefined) {
        const found = redeliveries(live, now, this.#log);
        again.push(...found.deliveries);
        settled.push(...found.settled);
      }
      const from = live.lastFiredSlot ?? live.record.lastModificationDate - 1;
      const first = nextSlot(live, from);
      if (first === undefined) continue;
      if (first > now) {
        this.#enqueue(live, first);
        continue;
      }
      logMissed(this.#log, live, first, now);
      this.#plan(live, now);
    }
    if (settled.length > 0) {
      this.#store.firing.takeOverHandingOver(settled);
      this.#track(() => this.#markSettled(settled));
    }
    if (again.length > 0) {
      this.#log.info('redelivering', {
        count: again.length,
        reason: 'fired before the emulator stopped, not known to be taken by the target',
      });
      this.#store.firing.takeOverHandingOver(again);
      this.#track(() => this.#launch(again, false));
    }
    this.#arm();
  }

  /** Slots not handed over that need no new delivery (retried, or missed): a later start leaves them alone. */
  async #markSettled(slots: readonly FiredSlot[]): Promise<void> {
    try {
      await this.#store.firing.markHandedOver(slots);
    } catch (error) {
      this.#log.error('slots not marked handed over (the next start looks at them again)', {
        error: text(error),
      });
    }
  }

  scheduleChanged(live: LiveSchedule, now: number): void {
    this.#invalidate(live);
    // `now - 1`: a slot at this very millisecond (a rate schedule's first, at creation) is due.
    this.#plan(live, Math.max(live.lastFiredSlot ?? Number.NEGATIVE_INFINITY, now - 1));
    this.#rebuildIfStale();
    this.#arm();
  }

  scheduleDeleted(live: LiveSchedule): void {
    this.#invalidate(live);
    this.#rebuildIfStale();
    const count = this.#deliveries.cancelRetries(live.key);
    if (count > 0) this.#log.info('retries-cancelled', { schedule: live.key, count });
  }

  /** Resolves when no fire is being persisted or invoked (pending retry timers do not count). */
  idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops firing: cancels the timer and the retry timers (the retries stay persisted for the next
   * start), then waits for invocations in flight up to `graceMs`. Returns how many were still
   * running when the wait ended.
   */
  async stop(graceMs: number): Promise<number> {
    this.#stopped = true;
    this.#cancelArmed?.();
    this.#cancelArmed = undefined;
    this.#deliveries.cancelAllRetries();
    if (this.#inFlight === 0) return 0;
    // A wall-clock bound on shutdown, not a scheduling decision: it must end even when the
    // injected clock is a manual one that nobody advances any more.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([this.idle(), timeout]);
    clearTimeout(timer);
    return this.#inFlight;
  }

  /** Queues the slot after `after`; returns whether there is one. */
  #plan(live: LiveSchedule, after: number): boolean {
    const slot = nextSlot(live, after);
    if (slot === undefined) return false;
    this.#enqueue(live, slot);
    return true;
  }

  #enqueue(live: LiveSchedule, slot: number): void {
    const window = live.record.flexibleTimeWindow;
    const delay =
      window.mode === 'FLEXIBLE' && window.maximumWindowInMinutes !== undefined
        ? Math.floor(this.#random() * window.maximumWindowInMinutes * 60_000)
        : 0;
    this.#queue.push({ due: slot + delay, slot, key: live.key, version: live.version });
    live.queued = true;
  }

  /** The schedule's queued entry (if any) belongs to an older version now. */
  #invalidate(live: LiveSchedule): void {
    if (live.queued) this.#stale++;
    live.queued = false;
  }

  #rebuildIfStale(): void {
    if (this.#stale < STALE_REBUILD_MIN || this.#stale * 2 < this.#queue.size) return;
    this.#queue.retain((entry) => this.#store.get(entry.key)?.version === entry.version);
    this.#stale = 0;
  }

  #arm(): void {
    if (this.#stopped) return;
    const top = this.#queue.peek();
    if (top === undefined) return;
    if (this.#armedFor !== undefined && this.#armedFor <= top.due) return;
    this.#cancelArmed?.();
    this.#armedFor = top.due;
    this.#cancelArmed = this.#clock.setTimer(top.due - this.#clock.now().getTime(), () => {
      this.#armedFor = undefined;
      this.#cancelArmed = undefined;
      this.#onTimer();
    });
  }

  #onTimer(): void {
    if (this.#stopped) return;
    const now = this.#clock.now().getTime();
    const batch: Delivery[] = [];
    // Schedules due together mostly share a slot: format each distinct slot once.
    let textSlot = Number.NaN;
    let slotText = '';
    for (;;) {
      const top = this.#queue.peek();
      // A timer clamped to 2^31-1 ms (or woken a little early) finds nothing due and re-arms.
      if (top === undefined || top.due > now) break;
      this.#queue.pop();
      const live = this.#store.get(top.key);
      if (live === undefined || live.version !== top.version) {
        if (this.#stale > 0) this.#stale--;
        continue;
      }
      live.queued = false;
      if (top.slot !== textSlot) {
        textSlot = top.slot;
        slotText = formatScheduledTime(new Date(top.slot));
      }
      batch.push({
        live,
        scheduledTimeText: slotText,
        record: live.record,
        input: live.input,
        version: live.version,
        slot: top.slot,
        // An at() schedule has one slot: no need to ask the engine for the next one.
        last: live.schedule?.type === 'at' || !this.#plan(live, top.slot),
        firstAttemptAt: now,
      });
    }
    this.#arm();
    if (batch.length > 0) this.#track(() => this.#launch(batch, true));
  }

  /**
   * Fires every slot that fell due together: one journal write marks them all fired (many schedules
   * due in the same second cost one write, not one each), then the targets are invoked, and once
   * every first attempt ended one more write marks them handed over. `markFired`: false for slots
   * delivered again at start, whose firing the journal already holds.
   */
  async #launch(batch: readonly Delivery[], markFired: boolean): Promise<void> {
    try {
      if (markFired) await this.#store.firing.markFired(batch);
    } catch (error) {
      // Without the fired mark a restart could fire these slots again; skip them rather than risk that.
      for (const delivery of batch) {
        this.#log.error('slot not fired, journal write failed', {
          schedule: delivery.live.key,
          scheduledTime: delivery.scheduledTimeText,
          error: text(error),
        });
      }
      return;
    }
    // A countdown, not an array of promises: a batch of 10,000 keeps no promise per slot alive, and
    // the attempts share these two callbacks instead of a closure each.
    let unfinished = batch.length;
    let allEnded: () => void = () => {};
    const ended = new Promise<void>((resolve) => {
      allEnded = resolve;
    });
    const attemptEnded = () => {
      this.#settled();
      unfinished--;
      if (unfinished === 0) allEnded();
    };
    const attemptFailed = (error: unknown) => {
      this.#log.error('fire failed', { error: text(error) });
      attemptEnded();
    };
    // Started in slices, yielding to the event loop between them: a handler that completes at once
    // then finishes before the next slice starts, instead of every invocation of a large batch being
    // alive (and promoted by the garbage collector) until the whole batch has been started.
    for (let start = 0; start < batch.length; start += LAUNCH_SLICE) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const end = Math.min(batch.length, start + LAUNCH_SLICE);
      // One clock read per slice: its attempts start together.
      const started = this.#clock.now().getTime();
      for (let index = start; index < end; index++) {
        // Counted in flight like any tracked work (stop() reports the attempts it abandoned).
        this.#inFlight++;
        this.#deliveries
          .attempt(batch[index] as Delivery, 1, true, started)
          .then(attemptEnded, attemptFailed);
      }
    }
    await ended;
    try {
      await this.#store.firing.markHandedOver(batch);
    } catch (error) {
      this.#log.error('slots not marked handed over, a restart delivers them again', {
        count: batch.length,
        error: text(error),
      });
    }
  }

  #track(work: () => Promise<void>): void {
    this.#inFlight++;
    work().then(this.#settled, (error: unknown) => {
      this.#log.error('fire failed', { error: text(error) });
      this.#settled();
    });
  }

  readonly #settled = (): void => {
    this.#inFlight--;
    if (this.#inFlight === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
