/**
 * The in-process Lambda runtime of `tickwork local`: maps a function ARN or name to the handler
 * module the stack deploys for it (registry.ts) and calls `handler(event, context)` the way the
 * nodejs24.x runtime does: JSON in, JSON out, a Lambda context, the configured timeout
 * (invocation.ts), and for asynchronous (Event) invocations Lambda's durable queue and its retries
 * of a failed invocation (async-events.ts, async-journal.ts).
 */
import { randomUUID } from 'node:crypto';
import { type Logger, silentLogger } from '../../shared/logger.ts';
import { systemTimerClock, type TimerClock } from '../clock.ts';
import type { TargetInvoker } from '../scheduler/target-invoker.ts';
import { AsyncEvents, parsePayload, type RecoverySummary } from './async-events.ts';
import { type AsyncEventLog, inMemoryEventLog } from './async-journal.ts';
import { AsyncRetries, DEFAULT_ASYNC_RETRY_DELAYS_MS } from './async-retries.ts';
import {
  describeError,
  InvalidPayloadError,
  ResponseSerializationError,
  RuntimeClosedError,
} from './errors.ts';
import { HandlerLoader } from './handler-loader.ts';
import { FunctionState, invokeHandler } from './invocation.ts';
import { type FunctionEntry, FunctionRegistry, type LocalFunction } from './registry.ts';

export type { RecoverySummary } from './async-events.ts';
export { ASYNC_JOURNAL_FILE, AsyncEventJournal } from './async-journal.ts';
export type { FunctionEntry, LocalFunction } from './registry.ts';
export { repositoryRoot } from './registry.ts';

/**
 * How long past the latest deadline of the running invocations `close` still waits: an invocation
 * whose handler module is still loading has no deadline yet (the cold start is outside the timeout).
 */
const CLOSE_SLACK_MS = 2_000;

export interface LambdaRuntimeOptions {
  /** @default 'local' */
  readonly stage?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /**
   * Extra or replacing functions by function name, e.g. fixture handlers in tests. Without it the
   * runtime knows exactly the functions of shared/functions.ts.
   */
  readonly functions?: Readonly<Record<string, FunctionEntry>>;
  /**
   * Set on `process.env` before a handler module is first imported: handlers read their
   * configuration once at module load, as in Lambda.
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** Deadlines, timeouts and retry delays run on it. @default the system clock with real timers */
  readonly clock?: TimerClock;
  /**
   * Gets one `invoke` line per finished invocation, as component `lambda`: debug when it succeeded
   * (a burst of thousands is routine) and for synchronous ones (their caller reports a failure);
   * warn when an asynchronous one failed and is retried or dropped. @default silent
   */
  readonly log?: Logger;
  /**
   * Waits before Lambda's retries of a failed asynchronous invocation; the length is the number of
   * retries. @default [60_000, 120_000] (Lambda: two retries, one and two minutes apart)
   */
  readonly asyncRetryDelaysMs?: readonly number[];
  /**
   * Where accepted asynchronous events are kept until done, e.g. an AsyncEventJournal in the data
   * directory; the runtime closes it on `close`. @default memory only: nothing survives the process
   */
  readonly journal?: AsyncEventLog;
}

export class LambdaRuntime {
  readonly #registry: FunctionRegistry;
  readonly #loader: HandlerLoader;
  readonly #clock: TimerClock;
  readonly #log: Logger;
  readonly #events: AsyncEvents;
  readonly #journal: AsyncEventLog;
  /** Per-function state of running invocations: log names and the timeout watchdog. */
  readonly #states = new Map<string, FunctionState>();
  /** Invocations in progress (a counter, not a set of promises: 10,000 concurrent ones are common). */
  #running = 0;
  /** The latest deadline (epoch ms) of any invocation started: no running one ends later. */
  #latestDeadline = Number.NEGATIVE_INFINITY;
  /** Resolvers waiting for `#running` to reach zero (close). */
  #idleWaiters: Array<() => void> = [];
  #closed = false;

  constructor(options: LambdaRuntimeOptions = {}) {
    this.#registry = new FunctionRegistry({
      stage: options.stage ?? 'local',
      region: options.region ?? 'us-east-1',
      accountId: options.accountId ?? '000000000000',
      ...(options.functions === undefined ? {} : { functions: options.functions }),
    });
    this.#loader = new HandlerLoader(options.environment ?? {});
    this.#clock = options.clock ?? systemTimerClock;
    this.#log = (options.log ?? silentLogger).child({ component: 'lambda' });
    this.#journal = options.journal ?? inMemoryEventLog;
    this.#events = new AsyncEvents({
      clock: this.#clock,
      log: this.#log,
      retries: new AsyncRetries(options.asyncRetryDelaysMs ?? DEFAULT_ASYNC_RETRY_DELAYS_MS, this.#clock),
      journal: this.#journal,
      run: (fn, event, awsRequestId, starting) =>
        this.#track(this.#invoke(fn, event, awsRequestId, false, starting)),
      resolve: (reference) => this.resolve(reference),
      closed: () => this.#closed,
    });
  }

  /** The function an ARN (any qualifier) or a plain function name refers to. */
  resolve(reference: string): LocalFunction {
    return this.#registry.resolve(reference);
  }

  /** ARN of a function of this runtime, e.g. to put in a schedule's target. */
  functionArn(name: string): string {
    return this.resolve(name).arn;
  }

  /**
   * A synchronous (RequestResponse) invocation: resolves with the handler's result after a JSON
   * round trip, rejects with what the handler threw, FunctionTimeoutError, or a setup error.
   */
  async invoke(reference: string, event: unknown): Promise<unknown> {
    const fn = this.resolve(reference);
    if (this.#closed) throw new RuntimeClosedError(fn.name);
    let payload: string | undefined;
    try {
      payload = JSON.stringify(event ?? {});
    } catch (error) {
      throw new InvalidPayloadError(fn.name, describeError(error));
    }
    const awsRequestId = randomUUID();
    const started = this.#clock.now().getTime();
    try {
      const result = await this.#track(this.#invoke(fn, parsePayload(fn, payload), awsRequestId));
      this.#logSync(fn, awsRequestId, started);
      return result;
    } catch (error) {
      this.#logSync(fn, awsRequestId, started, error);
      throw error;
    }
  }

  /** A synchronous invocation's line: debug either way, since its caller gets (and reports) the outcome. */
  #logSync(fn: LocalFunction, awsRequestId: string, started: number, error?: unknown): void {
    if (!this.#log.enabled('debug')) return;
    this.#log.debug('invoke', {
      function: fn.name,
      requestId: awsRequestId,
      invocationType: 'RequestResponse',
      outcome: error === undefined ? 'succeeded' : 'failed',
      durationMs: this.#clock.now().getTime() - started,
      ...(error === undefined ? {} : { error: describeError(error) }),
    });
  }

  /**
   * An asynchronous (Event) invocation, as EventBridge Scheduler makes: resolves once the event is
   * accepted, that is written to the journal (Lambda's durable queue), and runs the handler in the
   * background; a failed invocation is retried per `asyncRetryDelaysMs`, then logged and dropped.
   * Rejects only when the event cannot be accepted (unknown function, payload not JSON, runtime
   * closing, journal not writable), which is what Scheduler sees as a failure.
   */
  async invokeAsync(
    reference: string,
    payload: string | undefined,
    origin?: string,
  ): Promise<{ awsRequestId: string }> {
    const fn = this.resolve(reference);
    if (this.#closed) throw new RuntimeClosedError(fn.name);
    return { awsRequestId: await this.#events.accept(fn, payload, origin) };
  }

  /**
   * The port the scheduler emulator invokes Lambda targets through. As with the service, the
   * invocation succeeds once Lambda accepted the event (journaled it); the handler's own failures are
   * Lambda's to retry and never reach the schedule's RetryPolicy or dead-letter queue.
   */
  asTargetInvoker(): TargetInvoker {
    // invokeAsync's own promise, not an async wrapper's: a burst of 10,000 fires comes through here.
    return {
      invoke: (target, meta) =>
        this.invokeAsync(target.arn, target.input, `${meta.groupName}/${meta.scheduleName}`),
    };
  }

  /**
   * Takes up the asynchronous events the journal holds unfinished from an earlier process (replayed,
   * retried after a crashed attempt's deadline, or re-armed; async-events.ts). Call it once, when
   * everything the handlers reach is up.
   */
  recover(): Promise<RecoverySummary> {
    return this.#events.recover();
  }

  /**
   * Stops accepting invocations and waits for the running ones to finish: until the latest deadline
   * among them (each function's timeout stops an invocation by then), so an outcome a handler is about
   * to record is not cut off; or at most `graceMs` when given. Pending retries are not dropped: they
   * stay in the journal for the next start. Closes the journal, and resolves with the number of
   * invocations still running when the wait ended.
   */
  async close(graceMs?: number): Promise<number> {
    this.#closed = true;
    const kept = this.#events.cancelRetries();
    if (kept > 0) this.#log.info('pending retries left for the next start', { count: kept });
    // Waits again while the latest deadline moves: an invocation still loading its module gets its
    // deadline only once loaded. A wall-clock bound on shutdown, as it must end even on a manual
    // clock nobody advances any more.
    let waitedFor = Number.NaN;
    while (this.#running > 0 && this.#latestDeadline !== waitedFor) {
      waitedFor = this.#latestDeadline;
      const boundMs = graceMs ?? Math.max(0, waitedFor - this.#clock.now().getTime()) + CLOSE_SLACK_MS;
      this.#log.info('waiting for running invocations', {
        running: this.#running,
        untilAtMost: new Date(this.#clock.now().getTime() + boundMs).toISOString(),
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#idleWaiters.push(resolve)),
        new Promise((resolve) => {
          timer = setTimeout(resolve, boundMs);
        }),
      ]);
      clearTimeout(timer);
      if (graceMs !== undefined) break;
    }
    try {
      await this.#journal.close();
    } catch (error) {
      this.#log.error('event journal not closed cleanly', { error: describeError(error) });
    }
    return this.#running;
  }

  async #invoke(
    fn: LocalFunction,
    event: unknown,
    awsRequestId: string,
    returnsResult = true,
    starting?: (deadline: number) => Promise<void>,
  ): Promise<unknown> {
    // Loading the module is the cold start; like Lambda's init phase it is outside the timeout.
    const handler = await this.#loader.handler(fn);
    const deadline = this.#clock.now().getTime() + fn.timeoutSeconds * 1000;
    if (deadline > this.#latestDeadline) this.#latestDeadline = deadline;
    await starting?.(deadline);
    const result = await invokeHandler(this.#state(fn), handler, event, awsRequestId, this.#clock);
    if (!returnsResult) return undefined;
    let body: string | undefined;
    try {
      body = JSON.stringify(result ?? null);
    } catch (error) {
      throw new ResponseSerializationError(fn.name, describeError(error));
    }
    return JSON.parse(body ?? 'null');
  }

  #state(fn: LocalFunction): FunctionState {
    let state = this.#states.get(fn.name);
    if (state === undefined) {
      state = new FunctionState(fn, this.#clock);
      this.#states.set(fn.name, state);
    }
    return state;
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#running++;
    work.then(this.#settled, this.#settled);
    return work;
  }

  readonly #settled = (): void => {
    this.#running--;
    if (this.#running === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };
}
