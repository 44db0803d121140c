/**
 * The in-process Lambda runtime of `tickwork local`: maps a function ARN or name to the handler
 * module the stack deploys for it (registry.ts) and calls `handler(event, context)` the way the
 * nodejs24.x runtime does: JSON in, JSON out, a Lambda context, the configured timeout
 * (invocation.ts), and for asynchronous (Event) invocations Lambda's own retries of a failed
 * invocation (async-retries.ts).
 */
import { randomUUID } from 'node:crypto';
import { type Logger, silentLogger } from '../../shared/logger.ts';
import { systemTimerClock, type TimerClock } from '../clock.ts';
import type { TargetInvoker } from '../scheduler/target-invoker.ts';
import { AsyncRetries, DEFAULT_ASYNC_RETRY_DELAYS_MS, type RetriedEvent } from './async-retries.ts';
import {
  describeError,
  InvalidPayloadError,
  ResponseSerializationError,
  RuntimeClosedError,
} from './errors.ts';
import { HandlerLoader } from './handler-loader.ts';
import { FunctionState, invokeHandler } from './invocation.ts';
import { type FunctionEntry, FunctionRegistry, type LocalFunction } from './registry.ts';

export type { FunctionEntry, LocalFunction } from './registry.ts';
export { repositoryRoot } from './registry.ts';

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
}

export class LambdaRuntime {
  readonly #registry: FunctionRegistry;
  readonly #loader: HandlerLoader;
  readonly #clock: TimerClock;
  readonly #log: Logger;
  readonly #retries: AsyncRetries;
  /** Per-function state of running invocations: log names and the timeout watchdog. */
  readonly #states = new Map<string, FunctionState>();
  /** Invocations in progress (a counter, not a set of promises: 10,000 concurrent ones are common). */
  #running = 0;
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
    this.#retries = new AsyncRetries(
      options.asyncRetryDelaysMs ?? DEFAULT_ASYNC_RETRY_DELAYS_MS,
      this.#clock,
    );
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
   * accepted and runs the handler in the background; a failed invocation is retried per
   * `asyncRetryDelaysMs`, then logged and dropped. Rejects only when the event cannot be accepted
   * (unknown function, payload not JSON, runtime closing), which is what Scheduler sees as a failure.
   */
  async invokeAsync(
    reference: string,
    payload: string | undefined,
    origin?: string,
  ): Promise<{ awsRequestId: string }> {
    return { awsRequestId: this.#accept(reference, payload, origin) };
  }

  /** invokeAsync without its promise: throws when the event is refused, returns the request id. */
  #accept(reference: string, payload: string | undefined, origin: string | undefined): string {
    const fn = this.resolve(reference);
    if (this.#closed) throw new RuntimeClosedError(fn.name);
    // Parsed here so a payload that is not JSON is refused at acceptance, as Lambda does; each attempt
    // gets its own parse, so a handler that mutates its event cannot change what a retry receives.
    const event = parsePayload(fn, payload);
    // Lambda keeps one request id across the retries of an asynchronous event.
    const awsRequestId = randomUUID();
    void this.#attempt(fn, event, payload, awsRequestId, origin, 1);
    return awsRequestId;
  }

  /**
   * The port the scheduler emulator invokes Lambda targets through. As with the service, the
   * invocation succeeds once Lambda accepts the event; the handler's own failures are Lambda's
   * to retry and never reach the schedule's RetryPolicy or dead-letter queue.
   */
  asTargetInvoker(): TargetInvoker {
    return {
      invoke: (target, meta) => {
        try {
          this.#accept(target.arn, target.input, `${meta.groupName}/${meta.scheduleName}`);
        } catch (error) {
          return Promise.reject(error);
        }
        return accepted;
      },
    };
  }

  /**
   * Stops accepting invocations, drops pending retries, and waits up to `graceMs` for running
   * handlers. Resolves with the number still running when the grace period ended.
   */
  async close(graceMs = 10_000): Promise<number> {
    this.#closed = true;
    for (const dropped of this.#retries.dropAll()) {
      this.#log.warn('retry dropped, the runtime is shutting down', eventFields(dropped));
    }
    if (this.#running > 0) {
      // A wall-clock bound on shutdown: it must end even on a manual clock nobody advances any more.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#idleWaiters.push(resolve)),
        new Promise((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    return this.#running;
  }

  /** One attempt of an asynchronous event; a failure arms the next attempt while retries are left. */
  async #attempt(
    fn: LocalFunction,
    event: unknown,
    payload: string | undefined,
    awsRequestId: string,
    origin: string | undefined,
    attempt: number,
  ): Promise<void> {
    const started = this.#clock.now().getTime();
    try {
      // The result of an asynchronous invocation goes nowhere, so it is not serialized.
      await this.#track(this.#invoke(fn, event, awsRequestId, false));
      // Checked first: with debug off, a burst of 10,000 events builds no fields at all.
      if (this.#log.enabled('debug')) {
        // One object, no spreads: at debug, a burst allocates this 10,000 times at once.
        this.#log.debug('invoke', {
          function: fn.name,
          requestId: awsRequestId,
          origin,
          invocationType: 'Event',
          attempt,
          outcome: 'succeeded',
          durationMs: this.#clock.now().getTime() - started,
        });
      }
    } catch (error) {
      const retried: RetriedEvent = { functionName: fn.name, awsRequestId, origin };
      const delay = this.#closed ? undefined : this.#retries.delayAfter(attempt);
      this.#log.warn('invoke', {
        ...eventFields(retried),
        invocationType: 'Event',
        attempt,
        attempts: this.#retries.attempts,
        // Dropped as Lambda drops an event out of retries without an on-failure destination.
        outcome: delay === undefined ? 'dropped' : 'retrying',
        durationMs: this.#clock.now().getTime() - started,
        ...(delay === undefined ? {} : { retryInMs: delay }),
        error: describeError(error),
      });
      if (delay === undefined) return;
      this.#retries.arm(retried, delay, () => {
        void this.#attempt(fn, parsePayload(fn, payload), payload, awsRequestId, origin, attempt + 1);
      });
    }
  }

  async #invoke(
    fn: LocalFunction,
    event: unknown,
    awsRequestId: string,
    returnsResult = true,
  ): Promise<unknown> {
    // Loading the module is the cold start; like Lambda's init phase it is outside the timeout.
    const handler = await this.#loader.handler(fn);
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

function parsePayload(fn: LocalFunction, payload: string | undefined): unknown {
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
function eventFields(event: RetriedEvent): Record<string, string | undefined> {
  return { function: event.functionName, requestId: event.awsRequestId, origin: event.origin };
}

/** The accepted-event answer of the target invoker: one settled promise serves every invocation. */
const accepted: Promise<void> = Promise.resolve();
