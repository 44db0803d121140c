/**
 * One invocation of a handler against its function's timeout, with a Lambda context, as the
 * nodejs24.x runtime runs it. Time comes from the runtime's TimerClock, so a test can run a
 * function's timeout out on a ManualClock without sleeping.
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { CancelTimer, TimerClock } from '../clock.ts';
import { FunctionTimeoutError } from './errors.ts';
import type { Handler } from './handler-loader.ts';
import type { LocalFunction } from './registry.ts';

/** What the invocations of one function share: its log names and its timeout watchdog. */
export class FunctionState {
  readonly fn: LocalFunction;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly watchdog: Watchdog;

  constructor(fn: LocalFunction, clock: TimerClock) {
    this.fn = fn;
    this.memoryLimitInMB = String(fn.memorySize);
    this.logGroupName = `/aws/lambda/${fn.name}`;
    // Lambda names one log stream per execution environment, not per invocation.
    const today = clock.now().toISOString().slice(0, 10).replaceAll('-', '/');
    this.logStreamName = `${today}/[$LATEST]${randomBytes(16).toString('hex')}`;
    this.watchdog = new Watchdog(fn, clock);
  }
}

/**
 * Runs the handler with `event` until it settles or the function's timeout passes, whichever is
 * first. A timed-out handler cannot be stopped in-process; its result is ignored, as Lambda would
 * have frozen it (and its late rejection does not go unhandled).
 */
export function invokeHandler(
  state: FunctionState,
  handler: Handler,
  event: unknown,
  awsRequestId: string,
  clock: TimerClock,
): Promise<unknown> {
  const deadline = clock.now().getTime() + state.watchdog.timeoutMs;
  const context = new LambdaContext(state, awsRequestId, deadline, clock);
  return new Invocation(state.watchdog, awsRequestId, deadline).start(handler, event, context);
}

function unsupported(name: string): never {
  throw new Error(
    `context.${name}() is not supported by the nodejs24.x runtime; return or throw from the handler`,
  );
}

/** The Lambda context of one invocation; its methods live on the prototype, not in per-invocation closures. */
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
  readonly #clock: TimerClock;

  constructor(state: FunctionState, awsRequestId: string, deadline: number, clock: TimerClock) {
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
 * One handler invocation racing its function's timeout. The first of the handler's settlement and
 * the watchdog's expiry settles it; the other is ignored (and so never goes unhandled).
 */
class Invocation {
  /** When the invocation times out (epoch ms, by the runtime's clock). */
  readonly deadline: number;
  readonly awsRequestId: string;
  settled = false;
  #resolve: (value: unknown) => void = noop;
  #reject: (error: unknown) => void = noop;
  readonly #watchdog: Watchdog;

  constructor(watchdog: Watchdog, awsRequestId: string, deadline: number) {
    this.#watchdog = watchdog;
    this.awsRequestId = awsRequestId;
    this.deadline = deadline;
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

  // Prototype methods bound once per invocation would be closures again; these arrows are the two
  // the handler's promise needs.
  readonly #succeeded = (result: unknown): void => this.succeed(result);
  readonly #failed = (error: unknown): void => this.fail(error);
}

/**
 * The timeout of every invocation of one function. Invocations start in order and share one
 * timeout, so their deadlines arrive in increasing order: a FIFO queue with one timer for its head
 * replaces a timer (and a race) per invocation.
 */
class Watchdog {
  readonly timeoutMs: number;
  readonly #fn: LocalFunction;
  readonly #clock: TimerClock;
  #queue: Invocation[] = [];
  #head = 0;
  #cancelTimer: CancelTimer | undefined;
  #armedFor = Number.POSITIVE_INFINITY;

  constructor(fn: LocalFunction, clock: TimerClock) {
    this.#fn = fn;
    this.#clock = clock;
    this.timeoutMs = fn.timeoutSeconds * 1000;
  }

  add(invocation: Invocation): void {
    this.#queue.push(invocation);
    if (this.#cancelTimer === undefined) this.#arm();
  }

  /** An invocation settled: drop settled ones from the head, and the timer when nothing is left. */
  done(): void {
    this.#dropSettled();
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
      if (this.#cancelTimer !== undefined) {
        this.#cancelTimer();
        this.#cancelTimer = undefined;
        this.#armedFor = Number.POSITIVE_INFINITY;
      }
    }
  }

  #dropSettled(): void {
    while (this.#head < this.#queue.length && (this.#queue[this.#head] as Invocation).settled) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #arm(): void {
    const head = this.#queue[this.#head];
    if (head === undefined) return;
    if (this.#cancelTimer !== undefined && this.#armedFor === head.deadline) return;
    this.#cancelTimer?.();
    this.#armedFor = head.deadline;
    this.#cancelTimer = this.#clock.setTimer(head.deadline - this.#clock.now().getTime(), this.#expire);
  }

  readonly #expire = (): void => {
    this.#cancelTimer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = this.#clock.now().getTime();
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
