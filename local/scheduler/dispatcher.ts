/**
 * Fires schedules on time. Pending fires sit in a binary heap keyed on due time; one timer is armed
 * for the root. A change to a schedule bumps its version, so its queued entry becomes stale and is
 * dropped when it reaches the root (lazy invalidation; the heap is rebuilt when stale entries pile
 * up). Slots are computed only by the shared schedule engine.
 *
 * Per slot: the slot is persisted as fired, then the target is invoked through the TargetInvoker
 * port; a failure is retried with exponential backoff under the schedule's RetryPolicy, and an
 * event that runs out of attempts or age goes to the dead-letter store (when the schedule has a
 * DeadLetterConfig, as in the service). ActionAfterCompletion DELETE removes the schedule once its
 * last slot has been handled.
 *
 * A retry waiting for its time is persisted (with the schedule as it was when the slot fired) and
 * cleared once the event is handled, so a stop does not lose it: the next start re-arms it, or
 * dead-letters (or drops) it when its event age ran out meanwhile. Deleting a schedule cancels its
 * pending retries: the service stops invoking a deleted schedule.
 */
import { randomUUID } from 'node:crypto';
import { nextFireTime } from '../../shared/schedule/index.ts';
import type { CancelTimer, TimerClock } from '../clock.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import { MinHeap } from './heap.ts';
import type { FireOutcome, SchedulerLogger } from './log.ts';
import type { PendingRetry, ScheduleRecord } from './model.ts';
import type { LiveSchedule, ScheduleListener, SchedulerStore } from './store.ts';
import {
  formatScheduledTime,
  type InvocationMeta,
  substituteContextAttributes,
  type TargetInvoker,
} from './target-invoker.ts';

/**
 * Retry backoff: 1 s, 2 s, 4 s, ... capped at 5 minutes. The service documents exponential backoff
 * without numbers; with these, the default 185 attempts span about 15 hours, inside the default
 * 24-hour event age, so both limits matter as they do in the service.
 */
const RETRY_BASE_MS = 1000;
const RETRY_CAP_MS = 5 * 60_000;
/** Missed slots counted per schedule at start-up; beyond this the log says "at least". */
const MISSED_COUNT_LIMIT = 100;
/** Rebuild the heap when this many entries (and more than half of it) are stale. */
const STALE_REBUILD_MIN = 1000;
/** Deliveries of one batch started per event-loop turn (see #launch). */
const LAUNCH_SLICE = 256;

interface QueueEntry {
  /** When to fire: the slot plus any flexible-window delay (epoch ms). */
  readonly due: number;
  /** The scheduled time (epoch ms). */
  readonly slot: number;
  readonly key: string;
  readonly version: number;
}

interface Delivery {
  readonly live: LiveSchedule;
  readonly record: ScheduleRecord;
  readonly version: number;
  readonly slot: number;
  /** No slot follows this one: ActionAfterCompletion applies after it. */
  readonly last: boolean;
  /** The slot as `<aws.scheduler.scheduled-time>` shows it (formatted once, not per attempt and log line). */
  readonly scheduledTimeText: string;
  /** Start of the first attempt: MaximumEventAgeInSeconds counts from here. */
  firstAttemptAt: number;
}

export interface DispatcherOptions {
  readonly store: SchedulerStore;
  readonly clock: TimerClock;
  readonly invoker: TargetInvoker;
  /** Uniform in [0, 1): picks the moment inside a flexible time window. */
  readonly random: () => number;
  readonly log: SchedulerLogger;
  readonly deadLetters: DeadLetterStore;
}

export function retryDelayMs(attemptNumber: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** (attemptNumber - 1), RETRY_CAP_MS);
}

export class Dispatcher implements ScheduleListener {
  readonly #store: SchedulerStore;
  readonly #clock: TimerClock;
  readonly #invoker: TargetInvoker;
  readonly #random: () => number;
  readonly #log: SchedulerLogger;
  readonly #deadLetters: DeadLetterStore;
  readonly #queue = new MinHeap<QueueEntry>((a, b) => a.due < b.due || (a.due === b.due && a.slot < b.slot));
  #stale = 0;
  #armedFor: number | undefined;
  #cancelArmed: CancelTimer | undefined;
  /** Armed retry timers by schedule key, so deleting a schedule can cancel its retries. */
  readonly #retryTimers = new Map<string, Set<CancelTimer>>();
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];
  #stopped = false;

  constructor(options: DispatcherOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#invoker = options.invoker;
    this.#random = options.random;
    this.#log = options.log;
    this.#deadLetters = options.deadLetters;
  }

  /** Pending fires in the queue, stale entries included. */
  get queueSize(): number {
    return this.#queue.size;
  }

  /**
   * Start-up: logs the slots each schedule missed while the emulator was down (they are not fired,
   * as the service has no catch-up) and queues the next one; re-arms the persisted retries.
   */
  restore(now: number): void {
    for (const live of this.#store.liveSchedules()) {
      if (live.retries !== undefined) {
        for (const retry of [...live.retries.values()]) this.#restoreRetry(live, retry, now);
      }
      const from = live.lastFiredSlot ?? live.record.lastModificationDate - 1;
      const first = this.#nextSlot(live, from);
      if (first === undefined) continue;
      if (first > now) {
        this.#enqueue(live, first);
        continue;
      }
      this.#logMissed(live, first, now);
      this.#plan(live, now);
    }
    this.#arm();
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
    const timers = this.#retryTimers.get(live.key);
    if (timers === undefined) return;
    this.#retryTimers.delete(live.key);
    for (const cancel of timers) cancel();
    this.#log({ event: 'retries-cancelled', schedule: live.key, count: timers.size });
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
    for (const timers of this.#retryTimers.values()) for (const cancel of timers) cancel();
    this.#retryTimers.clear();
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

  /** The next slot strictly after `after`, by the engine, or undefined when the schedule is done. */
  #nextSlot(live: LiveSchedule, after: number): number | undefined {
    const schedule = live.schedule;
    const record = live.record;
    if (schedule === undefined || record.state !== 'ENABLED') return undefined;
    let bounds: { startDate?: Date; endDate?: Date } | undefined;
    if (schedule.type !== 'at') {
      // A rate schedule without StartDate starts when it is created: anchoring it there keeps its
      // cadence across restarts and updates (an update does not fire it again at once).
      const start = record.startDate ?? (schedule.type === 'rate' ? record.creationDate : undefined);
      bounds = {
        ...(start === undefined ? {} : { startDate: new Date(start) }),
        ...(record.endDate === undefined ? {} : { endDate: new Date(record.endDate) }),
      };
    }
    return nextFireTime(schedule, new Date(after), bounds)?.getTime();
  }

  /** Queues the slot after `after`; returns whether there is one. */
  #plan(live: LiveSchedule, after: number): boolean {
    const slot = this.#nextSlot(live, after);
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

  /** Logs the slots from `firstMissed` up to `now` (at most MISSED_COUNT_LIMIT are counted). */
  #logMissed(live: LiveSchedule, firstMissed: number, now: number): void {
    let count = 0;
    let first: number | undefined;
    let last: number | undefined;
    let slot: number | undefined = firstMissed;
    while (slot !== undefined && slot <= now && count < MISSED_COUNT_LIMIT) {
      count++;
      first ??= slot;
      last = slot;
      slot = this.#nextSlot(live, slot);
    }
    if (first === undefined || last === undefined) return;
    this.#log({
      event: 'missed',
      schedule: live.key,
      count,
      truncated: slot !== undefined && slot <= now,
      first: formatScheduledTime(new Date(first)),
      last: formatScheduledTime(new Date(last)),
    });
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
        version: live.version,
        slot: top.slot,
        last: !this.#plan(live, top.slot),
        firstAttemptAt: now,
      });
    }
    this.#arm();
    if (batch.length > 0) this.#track(() => this.#launch(batch));
  }

  /**
   * Fires every slot that fell due together: one journal write marks them all fired (many schedules
   * due in the same second cost one write, not one each), then the targets are invoked.
   */
  async #launch(batch: readonly Delivery[]): Promise<void> {
    try {
      await this.#store.firing.markFired(batch);
    } catch (error) {
      // Without the fired mark a restart could fire these slots again; skip them rather than risk that.
      for (const delivery of batch) {
        this.#log({
          event: 'error',
          schedule: delivery.live.key,
          message: `slot ${formatScheduledTime(new Date(delivery.slot))} not fired, journal write failed: ${text(error)}`,
        });
      }
      return;
    }
    // Started in slices, yielding to the event loop between them: a handler that completes at once
    // then finishes before the next slice starts, instead of every invocation of a large batch being
    // alive (and promoted by the garbage collector) until the whole batch has been started.
    for (let start = 0; start < batch.length; start += LAUNCH_SLICE) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const end = Math.min(batch.length, start + LAUNCH_SLICE);
      for (let index = start; index < end; index++) {
        const delivery = batch[index] as Delivery;
        this.#track(() => this.#attempt(delivery, 1, true));
      }
    }
  }

  /** `launched`: part of a batch whose launch began before any stop, so it is invoked regardless. */
  async #attempt(delivery: Delivery, attemptNumber: number, launched = false): Promise<void> {
    if (this.#stopped && !launched) return;
    const { live, record } = delivery;
    // Deleted meanwhile: the service no longer invokes it (its retries were cancelled at the delete).
    if (this.#store.get(live.key) !== live) return;
    const executionId = randomUUID();
    const meta: InvocationMeta = {
      scheduleArn: live.arn,
      groupName: record.groupName,
      scheduleName: record.name,
      roleArn: record.target.roleArn,
      scheduledTime: new Date(delivery.slot),
      executionId,
      attemptNumber,
    };
    const template = record.target.input;
    const input =
      template === undefined
        ? undefined
        : substituteContextAttributes(template, meta, delivery.scheduledTimeText);
    const started = this.#clock.now().getTime();
    if (attemptNumber === 1) delivery.firstAttemptAt = started;
    try {
      await this.#invoker.invoke({ arn: record.target.arn, input }, meta);
    } catch (error) {
      await this.#failed(delivery, meta, input, started, error);
      return;
    }
    this.#log({
      event: 'fire',
      schedule: live.key,
      scheduledTime: delivery.scheduledTimeText,
      attempt: attemptNumber,
      executionId,
      lagMs: started - delivery.slot,
      durationMs: this.#clock.now().getTime() - started,
      outcome: 'succeeded',
    });
    if (attemptNumber > 1) await this.#clearRetry(delivery);
    if (delivery.last && record.actionAfterCompletion === 'DELETE') await this.#complete(delivery);
  }

  /** A failed attempt: schedule the next one, or dead-letter (or drop) the event when none is left. */
  async #failed(
    delivery: Delivery,
    meta: InvocationMeta,
    input: string | undefined,
    started: number,
    error: unknown,
  ): Promise<void> {
    const { live, record } = delivery;
    const attemptNumber = meta.attemptNumber;
    const ended = this.#clock.now().getTime();
    const policy = record.target.retryPolicy;
    const delay = retryDelayMs(attemptNumber);
    const retryAt = ended + delay;
    const deleted = this.#store.get(live.key) !== live;
    // While stopping, a retry is still persisted (the next start re-arms it); only its timer is not armed.
    const canRetry =
      !deleted &&
      attemptNumber - 1 < policy.maximumRetryAttempts &&
      retryAt - delivery.firstAttemptAt <= policy.maximumEventAgeInSeconds * 1000;
    let outcome: FireOutcome;
    if (canRetry) {
      outcome = 'retrying';
      await this.#persistRetry(delivery, {
        groupName: record.groupName,
        name: record.name,
        slot: delivery.slot,
        attempt: attemptNumber + 1,
        firstAttemptAt: delivery.firstAttemptAt,
        retryAt,
        last: delivery.last,
        lastExecutionId: meta.executionId,
        errorCode: error instanceof Error ? error.name : 'Error',
        errorMessage: text(error),
        record,
      });
      if (!this.#stopped) {
        this.#armRetry(delivery, attemptNumber + 1, Math.max(0, retryAt - this.#clock.now().getTime()));
      }
    } else if (deleted) {
      outcome = 'cancelled';
    } else {
      outcome = record.target.deadLetterArn === undefined ? 'dropped' : 'dead-lettered';
    }
    this.#log({
      event: 'fire',
      schedule: delivery.live.key,
      scheduledTime: delivery.scheduledTimeText,
      attempt: attemptNumber,
      executionId: meta.executionId,
      lagMs: started - delivery.slot,
      durationMs: ended - started,
      outcome,
      error: text(error),
      ...(canRetry ? { retryAt: new Date(retryAt).toISOString() } : {}),
    });
    if (canRetry || deleted) return;
    if (record.target.deadLetterArn !== undefined) await this.#deadLetter(delivery, meta, input, error);
    if (attemptNumber > 1) await this.#clearRetry(delivery);
    if (delivery.last && record.actionAfterCompletion === 'DELETE') await this.#complete(delivery);
  }

  #armRetry(delivery: Delivery, attemptNumber: number, delayMs: number): void {
    const key = delivery.live.key;
    let timers = this.#retryTimers.get(key);
    if (timers === undefined) {
      timers = new Set();
      this.#retryTimers.set(key, timers);
    }
    const armed = timers;
    const cancel = this.#clock.setTimer(delayMs, () => {
      armed.delete(cancel);
      if (armed.size === 0 && this.#retryTimers.get(key) === armed) this.#retryTimers.delete(key);
      this.#track(() => this.#attempt(delivery, attemptNumber));
    });
    armed.add(cancel);
  }

  async #persistRetry(delivery: Delivery, retry: PendingRetry): Promise<void> {
    try {
      await this.#store.firing.savePendingRetry(delivery.live, retry, retry.attempt === 2);
    } catch (error) {
      this.#log({
        event: 'error',
        schedule: delivery.live.key,
        message: `pending retry not persisted (a restart before it runs loses it): ${text(error)}`,
      });
    }
  }

  async #clearRetry(delivery: Delivery): Promise<void> {
    try {
      await this.#store.firing.clearPendingRetry(delivery.live, delivery.slot);
    } catch (error) {
      this.#log({
        event: 'error',
        schedule: delivery.live.key,
        message: `handled retry not cleared (a restart may attempt it again): ${text(error)}`,
      });
    }
  }

  /**
   * A persisted retry at start-up: armed for its time (at once if that passed while the emulator
   * was down), or, when its event age or attempts ran out meanwhile, dead-lettered or dropped.
   */
  #restoreRetry(live: LiveSchedule, retry: PendingRetry, now: number): void {
    const record = retry.record;
    const delivery: Delivery = {
      live,
      record,
      // ActionAfterCompletion still applies if the schedule was not changed since the slot fired.
      version: record.lastModificationDate === live.record.lastModificationDate ? live.version : -1,
      slot: retry.slot,
      last: retry.last,
      scheduledTimeText: formatScheduledTime(new Date(retry.slot)),
      firstAttemptAt: retry.firstAttemptAt,
    };
    const policy = record.target.retryPolicy;
    const at = Math.max(now, retry.retryAt);
    if (
      retry.attempt - 1 > policy.maximumRetryAttempts ||
      at - retry.firstAttemptAt > policy.maximumEventAgeInSeconds * 1000
    ) {
      this.#track(() => this.#expire(delivery, retry));
      return;
    }
    this.#log({
      event: 'retry-restored',
      schedule: live.key,
      scheduledTime: delivery.scheduledTimeText,
      attempt: retry.attempt,
      retryAt: new Date(at).toISOString(),
    });
    this.#armRetry(delivery, retry.attempt, at - now);
  }

  /** A persisted retry whose event age ran out while the emulator was down. */
  async #expire(delivery: Delivery, retry: PendingRetry): Promise<void> {
    const { live, record } = delivery;
    const deadLetter = record.target.deadLetterArn !== undefined;
    if (deadLetter) {
      const meta: InvocationMeta = {
        scheduleArn: live.arn,
        groupName: record.groupName,
        scheduleName: record.name,
        roleArn: record.target.roleArn,
        scheduledTime: new Date(delivery.slot),
        executionId: retry.lastExecutionId,
        attemptNumber: retry.attempt - 1,
      };
      const template = record.target.input;
      const input =
        template === undefined
          ? undefined
          : substituteContextAttributes(template, meta, delivery.scheduledTimeText);
      const error = Object.assign(new Error(retry.errorMessage), { name: retry.errorCode });
      await this.#deadLetter(delivery, meta, input, error);
    }
    this.#log({
      event: 'retry-expired',
      schedule: live.key,
      scheduledTime: delivery.scheduledTimeText,
      attempts: retry.attempt - 1,
      outcome: deadLetter ? 'dead-lettered' : 'dropped',
      error: retry.errorMessage,
    });
    await this.#clearRetry(delivery);
    if (delivery.last && record.actionAfterCompletion === 'DELETE') await this.#complete(delivery);
  }

  async #deadLetter(
    delivery: Delivery,
    meta: InvocationMeta,
    input: string | undefined,
    error: unknown,
  ): Promise<void> {
    const { record } = delivery;
    try {
      await this.#deadLetters.add({
        scheduleArn: meta.scheduleArn,
        groupName: record.groupName,
        scheduleName: record.name,
        targetArn: record.target.arn,
        deadLetterArn: record.target.deadLetterArn ?? '',
        scheduledTime: delivery.scheduledTimeText,
        input,
        attempts: meta.attemptNumber,
        executionId: meta.executionId,
        errorCode: error instanceof Error ? error.name : 'Error',
        errorMessage: text(error),
        deadLetteredAt: this.#clock.now().toISOString(),
      });
    } catch (writeError) {
      this.#log({
        event: 'error',
        schedule: delivery.live.key,
        message: `dead letter not stored: ${text(writeError)}`,
      });
    }
  }

  /** ActionAfterCompletion DELETE, once the last slot has been handled. */
  async #complete(delivery: Delivery): Promise<void> {
    try {
      if (await this.#store.firing.deleteAfterCompletion(delivery.live.key, delivery.version)) {
        this.#log({ event: 'deleted-after-completion', schedule: delivery.live.key });
      }
    } catch (error) {
      this.#log({
        event: 'error',
        schedule: delivery.live.key,
        message: `delete after completion failed: ${text(error)}`,
      });
    }
  }

  #track(work: () => Promise<void>): void {
    this.#inFlight++;
    work().then(this.#settled, (error: unknown) => {
      this.#log({ event: 'error', message: `fire failed: ${text(error)}` });
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
