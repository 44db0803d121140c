/**
 * How one slot's event is delivered: an attempt invokes the target through the TargetInvoker port; a
 * failure is retried with exponential backoff under the schedule's RetryPolicy, and an event that
 * runs out of attempts or age goes to the dead-letter store (when the schedule has a
 * DeadLetterConfig, as in the service). ActionAfterCompletion DELETE removes the schedule once its
 * last slot has been handled.
 *
 * A retry waiting for its time is persisted (with the schedule as it was when the slot fired) and
 * cleared once the event is handled, so a stop does not lose it: the next start re-arms it, or
 * dead-letters (or drops) it when its event age ran out meanwhile.
 */
import type { Logger, LogLevel } from '../../shared/logger.ts';
import type { TimerClock } from '../clock.ts';
import { AttemptMeta } from './attempt-meta.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import type { PendingRetry, ScheduleRecord } from './model.ts';
import { RetryTimers, retryAllowed, retryDelayMs } from './retries.ts';
import type { LiveSchedule, SchedulerStore } from './store.ts';
import {
  type CompiledInput,
  compileInput,
  formatScheduledTime,
  type InvocationMeta,
  renderInput,
  type TargetInvoker,
} from './target-invoker.ts';

/** What became of one attempt of a slot's event: the `outcome` of its `fire` line. */
export type FireOutcome =
  /** The invoker accepted the event. */
  | 'succeeded'
  /** The attempt failed and another is scheduled. */
  | 'retrying'
  /** The last allowed attempt failed; the event went to the dead-letter store. */
  | 'dead-lettered'
  /** The last allowed attempt failed and the schedule has no DeadLetterConfig: the event is dropped. */
  | 'dropped'
  /** The attempt failed after its schedule was deleted: no retry and no dead letter, as in the service. */
  | 'cancelled';

/**
 * A success is routine and comes by the thousand in a burst, so it is a debug line; a failure says
 * what happens next at info (the schedule is gone) or warn (retried, dead-lettered, dropped).
 */
const FIRE_LEVEL: Readonly<Record<FireOutcome, LogLevel>> = {
  succeeded: 'debug',
  retrying: 'warn',
  'dead-lettered': 'warn',
  dropped: 'warn',
  cancelled: 'info',
};

/** One slot of one schedule on its way to the target, across its attempts. */
export interface Delivery {
  readonly live: LiveSchedule;
  readonly record: ScheduleRecord;
  /** The record's Target.Input, compiled (`LiveSchedule.input` when the record is the live one). */
  readonly input: CompiledInput | undefined;
  readonly version: number;
  readonly slot: number;
  /** No slot follows this one: ActionAfterCompletion applies after it. */
  readonly last: boolean;
  /** The slot as `<aws.scheduler.scheduled-time>` shows it (formatted once, not per attempt and log line). */
  readonly scheduledTimeText: string;
  /** Start of the first attempt: MaximumEventAgeInSeconds counts from here. */
  firstAttemptAt: number;
}

export interface DeliveriesOptions {
  readonly store: SchedulerStore;
  readonly clock: TimerClock;
  readonly invoker: TargetInvoker;
  /** The emulator's logger (component `scheduler`). */
  readonly log: Logger;
  readonly deadLetters: DeadLetterStore;
  /** Runs work the dispatcher counts as in flight (its `idle()` and `stop()` wait for it). */
  readonly track: (work: () => Promise<void>) => void;
  /** Whether the dispatcher stopped: retries are then persisted but not armed. */
  readonly stopped: () => boolean;
}

export class Deliveries {
  readonly #store: SchedulerStore;
  readonly #clock: TimerClock;
  readonly #invoker: TargetInvoker;
  readonly #log: Logger;
  readonly #deadLetters: DeadLetterStore;
  readonly #track: (work: () => Promise<void>) => void;
  readonly #stopped: () => boolean;
  readonly #retryTimers: RetryTimers;

  constructor(options: DeliveriesOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#invoker = options.invoker;
    this.#log = options.log;
    this.#deadLetters = options.deadLetters;
    this.#track = options.track;
    this.#stopped = options.stopped;
    this.#retryTimers = new RetryTimers(options.clock);
  }

  /** A deleted schedule's armed retries will not run: the service stops invoking it. Returns how many. */
  cancelRetries(key: string): number {
    return this.#retryTimers.cancel(key);
  }

  /** A stop: the armed retries stay persisted for the next start; only their timers go. */
  cancelAllRetries(): void {
    this.#retryTimers.cancelAll();
  }

  /**
   * `launched`: part of a batch whose launch began before any stop, so it is invoked regardless.
   * `started`: when the attempt starts, if the caller read the clock already (a slice of a burst).
   */
  async attempt(
    delivery: Delivery,
    attemptNumber: number,
    launched = false,
    started = this.#clock.now().getTime(),
  ): Promise<void> {
    if (this.#stopped() && !launched) return;
    const { live, record } = delivery;
    // Deleted meanwhile: the service no longer invokes it (its retries were cancelled at the delete).
    if (this.#store.get(live.key) !== live) return;
    const meta = new AttemptMeta(delivery, attemptNumber);
    const input =
      delivery.input === undefined
        ? undefined
        : renderInput(delivery.input, meta, delivery.scheduledTimeText);
    if (attemptNumber === 1) delivery.firstAttemptAt = started;
    try {
      await this.#invoker.invoke({ arn: record.target.arn, input }, meta);
    } catch (error) {
      await this.#failed(delivery, meta, input, started, error);
      return;
    }
    // Checked first: with debug off, a burst of 10,000 fires builds no fields at all.
    if (this.#log.enabled(FIRE_LEVEL.succeeded)) {
      this.#log[FIRE_LEVEL.succeeded]('fire', {
        schedule: live.key,
        scheduledTime: delivery.scheduledTimeText,
        attempt: attemptNumber,
        executionId: meta.executionId,
        lagMs: started - delivery.slot,
        durationMs: this.#clock.now().getTime() - started,
        outcome: 'succeeded',
      });
    }
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
    const canRetry = !deleted && retryAllowed(policy, attemptNumber + 1, retryAt, delivery.firstAttemptAt);
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
      if (!this.#stopped()) {
        this.#armRetry(delivery, attemptNumber + 1, Math.max(0, retryAt - this.#clock.now().getTime()));
      }
    } else if (deleted) {
      outcome = 'cancelled';
    } else {
      outcome = record.target.deadLetterArn === undefined ? 'dropped' : 'dead-lettered';
    }
    this.#log[FIRE_LEVEL[outcome]]('fire', {
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
    this.#retryTimers.arm(delivery.live.key, delayMs, () => {
      this.#track(() => this.attempt(delivery, attemptNumber));
    });
  }

  async #persistRetry(delivery: Delivery, retry: PendingRetry): Promise<void> {
    try {
      await this.#store.firing.savePendingRetry(delivery.live, retry, retry.attempt === 2);
    } catch (error) {
      this.#log.error('pending retry not persisted (a restart before it runs loses it)', {
        schedule: delivery.live.key,
        scheduledTime: delivery.scheduledTimeText,
        error: text(error),
      });
    }
  }

  async #clearRetry(delivery: Delivery): Promise<void> {
    try {
      await this.#store.firing.clearPendingRetry(delivery.live, delivery.slot);
    } catch (error) {
      this.#log.error('handled retry not cleared (a restart may attempt it again)', {
        schedule: delivery.live.key,
        scheduledTime: delivery.scheduledTimeText,
        error: text(error),
      });
    }
  }

  /**
   * A persisted retry at start-up: armed for its time (at once if that passed while the emulator
   * was down), or, when its event age or attempts ran out meanwhile, dead-lettered or dropped.
   */
  restoreRetry(live: LiveSchedule, retry: PendingRetry, now: number): void {
    const record = retry.record;
    const delivery: Delivery = {
      live,
      record,
      input: compileInput(record.target.input),
      // ActionAfterCompletion still applies if the schedule was not changed since the slot fired.
      version: record.lastModificationDate === live.record.lastModificationDate ? live.version : -1,
      slot: retry.slot,
      last: retry.last,
      scheduledTimeText: formatScheduledTime(new Date(retry.slot)),
      firstAttemptAt: retry.firstAttemptAt,
    };
    const policy = record.target.retryPolicy;
    const at = Math.max(now, retry.retryAt);
    if (!retryAllowed(policy, retry.attempt, at, retry.firstAttemptAt)) {
      this.#track(() => this.#expire(delivery, retry));
      return;
    }
    this.#log.info('retry-restored', {
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
      const input =
        delivery.input === undefined
          ? undefined
          : renderInput(delivery.input, meta, delivery.scheduledTimeText);
      const error = Object.assign(new Error(retry.errorMessage), { name: retry.errorCode });
      await this.#deadLetter(delivery, meta, input, error);
    }
    this.#log.warn('retry-expired', {
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
      this.#log.error('dead letter not stored', {
        schedule: delivery.live.key,
        scheduledTime: delivery.scheduledTimeText,
        error: text(writeError),
      });
    }
  }

  /** ActionAfterCompletion DELETE, once the last slot has been handled. */
  async #complete(delivery: Delivery): Promise<void> {
    try {
      if (await this.#store.firing.deleteAfterCompletion(delivery.live.key, delivery.version)) {
        // Follows every last fire of a one-time schedule: routine, like the fire itself.
        this.#log.debug('deleted-after-completion', { schedule: delivery.live.key });
      }
    } catch (error) {
      this.#log.error('delete after completion failed', { schedule: delivery.live.key, error: text(error) });
    }
  }
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
