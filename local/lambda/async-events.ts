/**
 * The runtime's asynchronous (Event) invocations, as Lambda handles them: accepted into a durable
 * queue (the journal, async-journal.ts) before the invoker gets its answer, then run; a failed attempt
 * is retried per the retry delays with the same request id, and dropped after the last one.
 *
 * After a crash the journal says where each unfinished event stood, and `recover` takes it up there:
 * - accepted, no attempt started: it runs now;
 * - an attempt was running when the process died: that attempt failed, as Lambda counts a crashed
 *   runtime, and the next one is armed per the retry delays, but not before the crashed attempt's
 *   deadline has passed. The run it belonged to may still read `running` until then, and the run
 *   lifecycle takes a slot over only from an attempt past its deadline (shared/runs/lifecycle.ts,
 *   `resume`); a retry that came earlier would be suppressed as a duplicate, and the slot lost;
 * - a retry was pending: it is armed for its time.
 */
import { randomUUID } from 'node:crypto';
import { ASYNC_MAX_EVENT_AGE_SECONDS } from '../../shared/config.ts';
import type { Logger } from '../../shared/logger.ts';
import type { TimerClock } from '../clock.ts';
import type { AsyncEventLog, UnfinishedEvent } from './async-journal.ts';
import type { AsyncRetries } from './async-retries.ts';
import { describeError, InvalidPayloadError } from './errors.ts';
import type { LocalFunction } from './registry.ts';

/** The stack's maximum event age of the job functions (Lambda's `maxEventAge`). */
const MAX_EVENT_AGE_MS = ASYNC_MAX_EVENT_AGE_SECONDS * 1000;

/**
 * How long after a crashed attempt's deadline its retry may come. The run record's deadline is taken
 * by the handler a moment after the runtime recorded the attempt's start (the lifecycle reads the clock
 * once it runs), so a retry exactly at the runtime's deadline could still find the record in time.
 */
export const CRASHED_ATTEMPT_MARGIN_MS = 1_000;

/** What `recover` did with the events a previous process left unfinished. */
export interface RecoverySummary {
  /** Accepted events no attempt had started for: run now. */
  readonly replayed: number;
  /** Attempts the process died during: retried once their deadline passed. */
  readonly crashedAttempts: number;
  /** Pending retries armed again. */
  readonly retriesRestored: number;
  /** Events out of attempts, or whose function no longer exists. */
  readonly dropped: number;
}

export interface AsyncEventsOptions {
  readonly clock: TimerClock;
  /** Component `lambda`. */
  readonly log: Logger;
  readonly retries: AsyncRetries;
  readonly journal: AsyncEventLog;
  /**
   * Runs one attempt, counted as running by the runtime: loads the handler, awaits `starting` with the
   * attempt's deadline (epoch ms), then runs the handler against the function's timeout.
   */
  readonly run: (
    fn: LocalFunction,
    event: unknown,
    awsRequestId: string,
    starting: (deadline: number) => Promise<void>,
  ) => Promise<unknown>;
  readonly resolve: (reference: string) => LocalFunction;
  /** Whether the runtime is closing: no attempt starts and no retry is armed then; the journal keeps them. */
  readonly closed: () => boolean;
}

export class AsyncEvents {
  readonly #clock: TimerClock;
  readonly #log: Logger;
  readonly #retries: AsyncRetries;
  readonly #journal: AsyncEventLog;
  readonly #run: AsyncEventsOptions['run'];
  readonly #resolve: (reference: string) => LocalFunction;
  readonly #closed: () => boolean;

  constructor(options: AsyncEventsOptions) {
    this.#clock = options.clock;
    this.#log = options.log;
    this.#retries = options.retries;
    this.#journal = options.journal;
    this.#run = options.run;
    this.#resolve = options.resolve;
    this.#closed = options.closed;
  }

  /**
   * Accepts an event: resolves with its request id once the journal holds it; rejects when the
   * payload is not JSON or the journal cannot be written (the caller sees a failed invocation).
   */
  async accept(fn: LocalFunction, payload: string | undefined, origin: string | undefined): Promise<string> {
    // Parsed here so a payload that is not JSON is refused at acceptance, as Lambda does; each attempt
    // gets its own parse, so a handler that mutates its event cannot change what a retry receives.
    const parsed = parsePayload(fn, payload);
    const event: UnfinishedEvent = {
      // Lambda keeps one request id across the retries of an asynchronous event.
      id: randomUUID(),
      functionName: fn.name,
      payload,
      origin,
      acceptedAt: this.#clock.now().getTime(),
      progress: { step: 'accepted' },
    };
    await this.#journal.accepted(event);
    void this.#attempt(fn, event, 1, parsed);
    return event.id;
  }

  /** Takes up the events the journal had unfinished when it was opened (see the module comment). */
  async recover(): Promise<RecoverySummary> {
    const now = this.#clock.now().getTime();
    let replayed = 0;
    let crashedAttempts = 0;
    let retriesRestored = 0;
    let dropped = 0;
    const armed: Promise<void>[] = [];
    for (const event of this.#journal.recovered) {
      let fn: LocalFunction;
      try {
        fn = this.#resolve(event.functionName);
      } catch (error) {
        dropped++;
        this.#log.error('event dropped, its function does not exist any more', {
          ...eventFields(event),
          error: describeError(error),
        });
        this.#record(this.#journal.done(event.id, 'dropped'));
        continue;
      }
      if (now - event.acceptedAt > MAX_EVENT_AGE_MS) {
        // As Lambda discards an event older than the functions' maximum event age, however it stood.
        dropped++;
        this.#log.warn('event dropped, older than the maximum event age', {
          ...eventFields(event),
          acceptedAt: new Date(event.acceptedAt).toISOString(),
          maxEventAgeSeconds: ASYNC_MAX_EVENT_AGE_SECONDS,
        });
        this.#record(this.#journal.done(event.id, 'dropped'));
        continue;
      }
      const { progress } = event;
      if (progress.step === 'accepted') {
        replayed++;
        this.#log.debug('event replayed', eventFields(event));
        void this.#attempt(fn, event, 1, undefined);
      } else if (progress.step === 'retry') {
        retriesRestored++;
        this.#arm(fn, event, progress.attempt, Math.max(now, progress.due));
      } else {
        const delay = this.#retries.delayAfter(progress.attempt);
        const due =
          delay === undefined
            ? undefined
            : Math.max(now + delay, progress.deadline + CRASHED_ATTEMPT_MARGIN_MS);
        this.#log.warn('invoke', {
          ...eventFields(event),
          invocationType: 'Event',
          attempt: progress.attempt,
          attempts: this.#retries.attempts,
          outcome: due === undefined ? 'dropped' : 'retrying',
          error: 'the runtime stopped while the attempt ran (the process ended)',
          ...(due === undefined ? {} : { retryAt: new Date(due).toISOString() }),
        });
        if (due === undefined) {
          dropped++;
          this.#record(this.#journal.done(event.id, 'dropped'));
          continue;
        }
        crashedAttempts++;
        armed.push(this.#retryLater(fn, event, progress.attempt + 1, due));
      }
    }
    await Promise.all(armed);
    const summary = { replayed, crashedAttempts, retriesRestored, dropped };
    if (this.#journal.recovered.length > 0) this.#log.info('events recovered', { ...summary });
    return summary;
  }

  /** Cancels the armed retries' timers; the retries stay in the journal. Returns how many. */
  cancelRetries(): number {
    return this.#retries.cancelAll();
  }

  /** One attempt; a failure arms the next attempt while retries are left. `parsed`: the payload, if parsed already. */
  async #attempt(fn: LocalFunction, event: UnfinishedEvent, attempt: number, parsed: unknown): Promise<void> {
    // An attempt that has not begun when the runtime closes stays in the journal for the next start.
    if (this.#closed()) return;
    const started = this.#clock.now().getTime();
    try {
      const input = parsed === undefined ? parsePayload(fn, event.payload) : parsed;
      // The result of an asynchronous invocation goes nowhere, so it is not serialized.
      await this.#run(fn, input, event.id, (deadline) =>
        this.#journal.started(event.id, attempt, deadline).catch((error: unknown) => {
          this.#log.error('attempt start not journaled (a crash now would replay the event)', {
            ...eventFields(event),
            error: describeError(error),
          });
        }),
      );
      // Checked first: with debug off, a burst of 10,000 events builds no fields at all.
      if (this.#log.enabled('debug')) {
        this.#log.debug('invoke', {
          function: fn.name,
          requestId: event.id,
          origin: event.origin,
          invocationType: 'Event',
          attempt,
          outcome: 'succeeded',
          durationMs: this.#clock.now().getTime() - started,
        });
      }
      this.#record(this.#journal.done(event.id, 'succeeded'));
    } catch (error) {
      const ended = this.#clock.now().getTime();
      const delay = this.#retries.delayAfter(attempt);
      this.#log.warn('invoke', {
        ...eventFields(event),
        invocationType: 'Event',
        attempt,
        attempts: this.#retries.attempts,
        // Dropped as Lambda drops an event out of retries without an on-failure destination.
        outcome: delay === undefined ? 'dropped' : 'retrying',
        durationMs: ended - started,
        ...(delay === undefined ? {} : { retryInMs: delay }),
        error: describeError(error),
      });
      if (delay === undefined) {
        this.#record(this.#journal.done(event.id, 'dropped'));
        return;
      }
      await this.#retryLater(fn, event, attempt + 1, ended + delay);
    }
  }

  /** Journals the retry, then arms it, unless the runtime is closing: then the journal keeps it for the next start. */
  async #retryLater(fn: LocalFunction, event: UnfinishedEvent, attempt: number, due: number): Promise<void> {
    try {
      await this.#journal.retry(event.id, attempt, due);
    } catch (error) {
      this.#log.error('retry not journaled (a restart before it runs loses it)', {
        ...eventFields(event),
        error: describeError(error),
      });
    }
    if (!this.#closed()) this.#arm(fn, event, attempt, due);
  }

  #arm(fn: LocalFunction, event: UnfinishedEvent, attempt: number, due: number): void {
    this.#retries.arm(event.id, due, () => {
      void this.#attempt(fn, event, attempt, undefined);
    });
  }

  /** A journal line nothing waits for; a failure is logged (the next start may see the event again). */
  #record(write: Promise<void>): void {
    write.catch((error: unknown) =>
      this.#log.error('event journal write failed', { error: describeError(error) }),
    );
  }
}

export function parsePayload(fn: LocalFunction, payload: string | undefined): unknown {
  // An event without a payload arrives as an empty object, as with `aws lambda invoke` and no payload.
  if (payload === undefined || payload === '') return {};
  try {
    return JSON.parse(payload);
  } catch (error) {
    throw new InvalidPayloadError(fn.name, error instanceof Error ? error.message : String(error));
  }
}

/**
 * The fields naming an asynchronous event in a line: the function, the request id, and who sent it
 * (undefined for a direct Invoke; both line formats leave an undefined field out).
 */
function eventFields(event: UnfinishedEvent): Record<string, string | undefined> {
  return { function: event.functionName, requestId: event.id, origin: event.origin };
}
