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
  readonly #logStreams = new Map<string, string>();
  readonly #region: string;
  readonly #accountId: string;
  readonly #environment: Readonly<Record<string, string>>;
  readonly #clock: Clock;
  readonly #log: (line: string) => void;
  readonly #retryDelaysMs: readonly number[];
  readonly #running = new Set<Promise<unknown>>();
  readonly #pendingRetries = new Map<string, () => void>();
  #closed = false;

  constructor(options: LambdaRuntimeOptions = {}) {
    const stage = options.stage ?? 'local';
    this.#region = options.region ?? 'us-east-1';
    this.#accountId = options.accountId ?? '000000000000';
    this.#environment = options.environment ?? {};
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? (() => {});
    this.#retryDelaysMs = options.asyncRetryDelaysMs ?? [60_000, 120_000];
    for (const definition of Object.values(functionDefinitions)) {
      this.#add(functionName(stage, definition.id), definition);
    }
    for (const [name, entry] of Object.entries(options.functions ?? {})) this.#add(name, entry);
  }

  /** The function an ARN (any qualifier) or a plain function name refers to. */
  resolve(reference: string): LocalFunction {
    const name = reference.startsWith('arn:') ? this.#nameFromArn(reference) : reference;
    const fn = name === undefined ? undefined : this.#functions.get(name);
    if (fn === undefined) throw new UnknownFunctionError(reference, [...this.#functions.keys()]);
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
    const fn = this.resolve(reference);
    if (this.#closed) throw new RuntimeClosedError(fn.name);
    // Parsed here so a payload that is not JSON is refused at acceptance, as Lambda does; each attempt
    // gets its own parse, so a handler that mutates its event cannot change what a retry receives.
    const event = parsePayload(fn, payload);
    // Lambda keeps one request id across the retries of an asynchronous event.
    const awsRequestId = randomUUID();
    void this.#attempt(fn, event, payload, awsRequestId, origin, 1);
    return { awsRequestId };
  }

  /**
   * The port the scheduler emulator invokes Lambda targets through. As with the service, the
   * invocation succeeds once Lambda accepts the event; the handler's own failures are Lambda's
   * to retry and never reach the schedule's RetryPolicy or dead-letter queue.
   */
  asTargetInvoker(): TargetInvoker {
    return {
      invoke: async (target, meta) => {
        await this.invokeAsync(target.arn, target.input, `${meta.groupName}/${meta.scheduleName}`);
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
    if (this.#running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.#running]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    return this.#running.size;
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
    const what = `${fn.name} ${awsRequestId}${origin === undefined ? '' : ` (${origin})`}`;
    try {
      // The result of an asynchronous invocation goes nowhere, so it is not serialized.
      await this.#track(this.#run(fn, event, awsRequestId, false));
      this.#log(`lambda ${what}: succeeded in ${this.#clock.now().getTime() - started} ms`);
    } catch (error) {
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
    const timeoutMs = fn.timeoutSeconds * 1000;
    const deadline = this.#clock.now().getTime() + timeoutMs;
    const context = this.#context(fn, awsRequestId, deadline);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new FunctionTimeoutError(fn.name, fn.timeoutSeconds, awsRequestId)),
        timeoutMs,
      );
    });
    let result: unknown;
    try {
      // A timed-out handler cannot be stopped in-process; its result is ignored, as Lambda would
      // have frozen it. Promise.race also keeps its late rejection from going unhandled.
      result = await Promise.race([Promise.resolve().then(() => handler(event, context)), timedOut]);
    } finally {
      clearTimeout(timer);
    }
    if (!returnsResult) return undefined;
    let body: string | undefined;
    try {
      body = JSON.stringify(result ?? null);
    } catch (error) {
      throw new ResponseSerializationError(fn.name, describe(error));
    }
    return JSON.parse(body ?? 'null');
  }

  #context(fn: LocalFunction, awsRequestId: string, deadline: number): Context {
    const unsupported = (name: string) => () => {
      throw new Error(
        `context.${name}() is not supported by the nodejs24.x runtime; return or throw from the handler`,
      );
    };
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: String(fn.memorySize),
      awsRequestId,
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: this.#logStreamName(fn),
      getRemainingTimeInMillis: () => Math.max(0, deadline - this.#clock.now().getTime()),
      done: unsupported('done'),
      fail: unsupported('fail'),
      succeed: unsupported('succeed'),
    };
  }

  /** Lambda names one log stream per execution environment, not per invocation. */
  #logStreamName(fn: LocalFunction): string {
    let name = this.#logStreams.get(fn.name);
    if (name === undefined) {
      const today = this.#clock.now().toISOString().slice(0, 10).replaceAll('-', '/');
      name = `${today}/[$LATEST]${randomBytes(16).toString('hex')}`;
      this.#logStreams.set(fn.name, name);
    }
    return name;
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
    this.#running.add(work);
    const done = () => this.#running.delete(work);
    work.then(done, done);
    return work;
  }

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
