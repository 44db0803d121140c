/**
 * The in-process Lambda runtime of `tickwork local`: maps a function ARN or name to the handler
 * module the stack deploys for it (shared/functions.ts) and calls `handler(event, context)` the way
 * the nodejs24.x runtime does: JSON in, JSON out, a Lambda context, the configured timeout, and for
 * asynchronous (Event) invocations Lambda's own retries of a failed run.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { type Clock, systemClock } from '../../shared/clock.ts';
import { ASYNC_RETRY_DELAYS_SECONDS } from '../../shared/config.ts';
import { functionDefinitions, functionName, functionNameFromArn } from '../../shared/functions.ts';
import type { TargetInvoker } from '../scheduler/target-invoker.ts';
import {
  EnvironmentConflictError,
  FunctionTimeoutError,
  HandlerModuleError,
  InvalidPayloadError,
  ResponseSerializationError,
  RuntimeClosedError,
  UnknownFunctionError,
} from './errors.ts';

/** The repository root, where `entry` paths of shared/functions.ts start. */
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** How a function is run: its handler module and the limits the stack gives it. */
export interface FunctionEntry {
  /** Handler module exporting `handler`; a relative path starts at the repository root. */
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
}

export interface LocalFunction extends FunctionEntry {
  readonly name: string;
  readonly arn: string;
  /** Absolute path of the handler module. */
  readonly modulePath: string;
}

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
  readonly clock?: Clock;
  readonly log?: (line: string) => void;
  /**
   * Waits before Lambda's retries of a failed asynchronous invocation; the length is the number of
   * retries. @default [60_000, 120_000] (Lambda: two retries, one and two minutes apart)
   */
  readonly asyncRetryDelaysMs?: readonly number[];
}

type Handler = (event: unknown, context: Context) => unknown;

/**
 * ES modules cannot be unloaded, so a process keeps the first instance of each handler module. This
 * records the environment each was loaded under, to refuse a second stack with other endpoints
 * instead of silently talking to the first stack's engines.
 */
const loadedModules = new Map<string, Readonly<Record<string, string>>>();

export class LambdaRuntime {
  readonly #functions = new Map<string, LocalFunction>();
  readonly #handlers = new Map<string, Promise<Handler>>();
  readonly #region: string;
  readonly #accountId: string;
  readonly #environment: Readonly<Record<string, string>>;
  readonly #clock: Clock;
  readonly #log: (line: string) => void;
  readonly #retryDelaysMs: readonly number[];
  /** Runs in progress (a counter, not a set of promises: 10,000 concurrent runs are common). */
  #running = 0;
  /** Resolvers waiting for `#running` to reach zero (close). */
  #idleWaiters: Array<() => void> = [];
  /** Resolved ARNs and names: a schedule invokes the same ARN over and over. */
  readonly #resolved = new Map<string, LocalFunction>();
  /** Per-function state of running invocations: log names and the timeout watchdog. */
  readonly #states = new Map<string, FunctionState>();
  readonly #pendingRetries = new Map<string, () => void>();
  #closed = false;

  constructor(options: LambdaRuntimeOptions = {}) {
    const stage = options.stage ?? 'local';
    this.#region = options.region ?? 'us-east-1';
    this.#accountId = options.accountId ?? '000000000000';
    this.#environment = options.environment ?? {};
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? (() => {});
    this.#retryDelaysMs =
      options.asyncRetryDelaysMs ?? ASYNC_RETRY_DELAYS_SECONDS.map((seconds) => seconds * 1000);
    for (const definition of Object.values(functionDefinitions)) {
      this.#add(functionName(stage, definition.id), definition);
    }
    for (const [name, entry] of Object.entries(options.functions ?? {})) this.#add(name, entry);
  }

  /** The function an ARN (any qualifier) or a plain function name refers to. */
  resolve(reference: string): LocalFunction {
    const cached = this.#resolved.get(reference);
    if (cached !== undefined) return cached;
    const name = reference.startsWith('arn:') ? this.#nameFromArn(reference) : reference;
    const fn = name === undefined ? undefined : this.#functions.get(name);
    if (fn === undefined) throw new UnknownFunctionError(reference, [...this.#functions.keys()]);
    this.#resolved.set(reference, fn);
    return fn;
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
      throw new InvalidPayloadError(fn.name, describe(error));
    }
    return this.#track(this.#run(fn, parsePayload(fn, payload), randomUUID()));
  }

  /**
   * An asynchronous (Event) invocation, as EventBridge Scheduler makes: resolves once the event is
   * accepted and runs the handler in the background; a failed run is retried per
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
    for (const [what, cancel] of this.#pendingRetries) {
      cancel();
      this.#log(`lambda ${what}: retry dropped, the runtime is shutting down`);
    }
    this.#pendingRetries.clear();
    if (this.#running > 0) {
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

  async #attempt(
    fn: LocalFunction,
    event: unknown,
    payload: string | undefined,
    awsRequestId: string,
    origin: string | undefined,
    attempt: number,
  ): Promise<void> {
    const attempts = this.#retryDelaysMs.length + 1;
    const started = this.#clock.now().getTime();
    try {
      // The result of an asynchronous invocation goes nowhere, so it is not serialized.
      await this.#track(this.#run(fn, event, awsRequestId, false));
      this.#log(
        `lambda ${fn.name} ${awsRequestId}${origin === undefined ? '' : ` (${origin})`}: succeeded in ${this.#clock.now().getTime() - started} ms`,
      );
    } catch (error) {
      const what = `${fn.name} ${awsRequestId}${origin === undefined ? '' : ` (${origin})`}`;
      const delay = this.#retryDelaysMs[attempt - 1];
      if (delay === undefined || this.#closed) {
        this.#log(
          `lambda ${what}: failed (attempt ${attempt} of ${attempts}), giving up: ${describe(error)}`,
        );
        return;
      }
      this.#log(
        `lambda ${what}: failed (attempt ${attempt} of ${attempts}), retrying in ${Math.round(delay / 1000)} s: ${describe(error)}`,
      );
      const timer = setTimeout(() => {
        this.#pendingRetries.delete(what);
        void this.#attempt(fn, parsePayload(fn, payload), payload, awsRequestId, origin, attempt + 1);
      }, delay);
      this.#pendingRetries.set(what, () => clearTimeout(timer));
    }
  }

  async #run(
    fn: LocalFunction,
    event: unknown,
    awsRequestId: string,
    returnsResult = true,
  ): Promise<unknown> {
    // Loading the module is the cold start; like Lambda's init phase it is outside the timeout.
    const handler = await this.#handler(fn);
    const state = this.#state(fn);
    const deadline = this.#clock.now().getTime() + fn.timeoutSeconds * 1000;
    const context = new LambdaContext(state, awsRequestId, deadline, this.#clock);
    const run = new Run(state.watchdog, awsRequestId);
    // A timed-out handler cannot be stopped in-process; its result is ignored, as Lambda would
    // have frozen it. Run also keeps its late rejection from going unhandled.
    const result = await run.start(handler, event, context);
    if (!returnsResult) return undefined;
    let body: string | undefined;
    try {
      body = JSON.stringify(result ?? null);
    } catch (error) {
      throw new ResponseSerializationError(fn.name, describe(error));
    }
    return JSON.parse(body ?? 'null');
  }

  #state(fn: LocalFunction): FunctionState {
    let state = this.#states.get(fn.name);
    if (state === undefined) {
      // Lambda names one log stream per execution environment, not per invocation.
      const today = this.#clock.now().toISOString().slice(0, 10).replaceAll('-', '/');
      state = {
        fn,
        memoryLimitInMB: String(fn.memorySize),
        logGroupName: `/aws/lambda/${fn.name}`,
        logStreamName: `${today}/[$LATEST]${randomBytes(16).toString('hex')}`,
        watchdog: new Watchdog(fn),
      };
      this.#states.set(fn.name, state);
    }
    return state;
  }

  #handler(fn: LocalFunction): Promise<Handler> {
    let loading = this.#handlers.get(fn.name);
    if (loading === undefined) {
      loading = this.#load(fn);
      this.#handlers.set(fn.name, loading);
      // A failed load is tried again on the next invocation, as Lambda retries a failed init.
      loading.catch(() => this.#handlers.delete(fn.name));
    }
    return loading;
  }

  async #load(fn: LocalFunction): Promise<Handler> {
    const loadedWith = loadedModules.get(fn.modulePath);
    if (loadedWith !== undefined) {
      for (const [variable, value] of Object.entries(this.#environment)) {
        if (loadedWith[variable] !== value) {
          throw new EnvironmentConflictError(fn.entry, variable, loadedWith[variable], value);
        }
      }
    }
    Object.assign(process.env, this.#environment);
    let module: Record<string, unknown>;
    try {
      module = await import(pathToFileURL(fn.modulePath).href);
    } catch (error) {
      throw new HandlerModuleError(fn.name, fn.entry, `failed to load: ${describe(error)}`, { cause: error });
    }
    loadedModules.set(fn.modulePath, loadedWith ?? { ...this.#environment });
    const handler = module.handler;
    if (typeof handler !== 'function') {
      throw new HandlerModuleError(fn.name, fn.entry, 'does not export a function named "handler"');
    }
    // nodejs24.x no longer supports callback-style handlers; fail the same way here.
    if (handler.length >= 3) {
      throw new HandlerModuleError(
        fn.name,
        fn.entry,
        'exports a callback-style handler; nodejs24.x needs an async one',
      );
    }
    return handler as Handler;
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

  #add(name: string, entry: FunctionEntry): void {
    this.#functions.set(name, {
      name,
      arn: `arn:aws:lambda:${this.#region}:${this.#accountId}:function:${name}`,
      entry: entry.entry,
      modulePath: isAbsolute(entry.entry) ? entry.entry : resolve(repositoryRoot, entry.entry),
      timeoutSeconds: entry.timeoutSeconds,
      memorySize: entry.memorySize,
    });
  }

  #nameFromArn(arn: string): string | undefined {
    const name = functionNameFromArn(arn);
    // A function in another Region or account is not one of ours, whatever its name.
    const prefix = `:lambda:${this.#region}:${this.#accountId}:function:`;
    return name !== undefined && arn.includes(prefix) ? name : undefined;
  }
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

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The accepted-event answer of the target invoker: one settled promise serves every invocation. */
const accepted: Promise<void> = Promise.resolve();

interface FunctionState {
  readonly fn: LocalFunction;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly watchdog: Watchdog;
}

function unsupported(name: string): never {
  throw new Error(
    `context.${name}() is not supported by the nodejs24.x runtime; return or throw from the handler`,
  );
}

/** The Lambda context of one run; its methods live on the prototype, not in per-run closures. */
class LambdaContext implements Context {
  callbackWaitsForEmptyEventLoop = true;
  readonly functionName: string;
  readonly functionVersion = '$LATEST';
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly #deadline: number;
  readonly #clock: Clock;

  constructor(state: FunctionState, awsRequestId: string, deadline: number, clock: Clock) {
    this.functionName = state.fn.name;
    this.invokedFunctionArn = state.fn.arn;
    this.memoryLimitInMB = state.memoryLimitInMB;
    this.awsRequestId = awsRequestId;
    this.logGroupName = state.logGroupName;
    this.logStreamName = state.logStreamName;
    this.#deadline = deadline;
    this.#clock = clock;
  }

  getRemainingTimeInMillis(): number {
    return Math.max(0, this.#deadline - this.#clock.now().getTime());
  }

  done(): void {
    unsupported('done');
  }

  fail(): void {
    unsupported('fail');
  }

  succeed(): void {
    unsupported('succeed');
  }
}

/**
 * One handler run racing its function's timeout. The first of the handler's settlement and the
 * watchdog's expiry settles it; the other is ignored (and so never goes unhandled).
 */
class Run {
  /** When the run times out, by the wall clock (the watchdog's timer is a real one). */
  readonly deadline: number;
  readonly awsRequestId: string;
  settled = false;
  #resolve: (value: unknown) => void = noop;
  #reject: (error: unknown) => void = noop;
  readonly #watchdog: Watchdog;

  constructor(watchdog: Watchdog, awsRequestId: string) {
    this.#watchdog = watchdog;
    this.awsRequestId = awsRequestId;
    this.deadline = Date.now() + watchdog.timeoutMs;
  }

  start(handler: Handler, event: unknown, context: Context): Promise<unknown> {
    const settledBy = new Promise<unknown>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#watchdog.add(this);
    let result: unknown;
    try {
      result = handler(event, context);
    } catch (error) {
      this.fail(error);
      return settledBy;
    }
    if (!isThenable(result)) {
      this.succeed(result);
      return settledBy;
    }
    try {
      result.then(this.#succeeded, this.#failed);
    } catch (error) {
      this.fail(error);
    }
    return settledBy;
  }

  succeed(result: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.#watchdog.done();
    this.#resolve(result);
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.#watchdog.done();
    this.#reject(error);
  }

  // Prototype methods bound once per run would be closures again; these arrows are the two the
  // handler's promise needs.
  readonly #succeeded = (result: unknown): void => this.succeed(result);
  readonly #failed = (error: unknown): void => this.fail(error);
}

/**
 * The timeout of every run of one function. Runs start in order and share one timeout, so their
 * deadlines arrive in increasing order: a FIFO queue with one timer for its head replaces a timer
 * (and a race) per run.
 */
class Watchdog {
  readonly timeoutMs: number;
  readonly #fn: LocalFunction;
  #queue: Run[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Number.POSITIVE_INFINITY;

  constructor(fn: LocalFunction) {
    this.#fn = fn;
    this.timeoutMs = fn.timeoutSeconds * 1000;
  }

  add(run: Run): void {
    this.#queue.push(run);
    if (this.#timer === undefined) this.#arm();
  }

  /** A run settled: drop settled runs from the head, and the timer when nothing is left. */
  done(): void {
    this.#dropSettled();
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
      if (this.#timer !== undefined) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#armedFor = Number.POSITIVE_INFINITY;
      }
    }
  }

  #dropSettled(): void {
    while (this.#head < this.#queue.length && (this.#queue[this.#head] as Run).settled) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #arm(): void {
    const head = this.#queue[this.#head];
    if (head === undefined) return;
    if (this.#timer !== undefined && this.#armedFor === head.deadline) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedFor = head.deadline;
    this.#timer = setTimeout(this.#expire, Math.max(0, head.deadline - Date.now()));
  }

  readonly #expire = (): void => {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (;;) {
      this.#dropSettled();
      const head = this.#queue[this.#head];
      if (head === undefined || head.deadline > now) break;
      this.#head++;
      head.fail(new FunctionTimeoutError(this.#fn.name, this.#fn.timeoutSeconds, head.awsRequestId));
    }
    this.#arm();
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function noop(): void {}
