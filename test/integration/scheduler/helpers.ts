/**
 * Shared set-up for the scheduler emulator's integration tests: a real emulator on a temporary data
 * directory, the real `@aws-sdk/client-scheduler` pointed at it, a recording invoker (the
 * TargetInvoker port is the emulator's own), and a manual clock to drive firing without sleeping.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CreateScheduleCommandInput, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterEach } from 'vitest';
import {
  type InvocationMeta,
  ManualClock,
  type SchedulerEmulator,
  startSchedulerEmulator,
  type TargetInvoker,
  type TargetRef,
  type TimerClock,
} from '../../../local/scheduler/index.ts';
import { createLogger } from '../../../shared/logger.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';

export const ROLE_ARN = 'arn:aws:iam::000000000000:role/tickwork-scheduler';
export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-test-prompt';
export const DLQ_ARN = 'arn:aws:sqs:us-east-1:000000000000:tickwork-test-dlq';

export interface RecordedCall {
  readonly target: TargetRef;
  readonly meta: InvocationMeta;
  /** The emulator clock's time when the invoker was called. */
  readonly at: Date;
}

/** Records every invocation; `failWith` makes it reject (an invocation failure). */
export class RecordingInvoker implements TargetInvoker {
  readonly calls: RecordedCall[] = [];
  failWith: Error | undefined;
  #clock: TimerClock | undefined;

  useClock(clock: TimerClock): void {
    this.#clock = clock;
  }

  async invoke(target: TargetRef, meta: InvocationMeta): Promise<void> {
    this.calls.push({ target, meta, at: this.#clock?.now() ?? new Date() });
    if (this.failWith !== undefined) throw this.failWith;
  }

  callsFor(scheduleName: string): RecordedCall[] {
    return this.calls.filter((call) => call.meta.scheduleName === scheduleName);
  }
}

/** A line the emulator logged, without its time: `{level, component, message, ...fields}`. */
/**
 * Invocations a "killed" emulator is still waiting for, as when the process dies while the Lambda
 * runtime journals the event: each `hold()` never settles until `release()` (after the test, so the
 * emulator can be closed).
 */
export class HeldInvocations {
  readonly #waiting: Array<() => void> = [];

  hold(): Promise<void> {
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    for (const answer of this.#waiting.splice(0)) answer();
  }
}

export type LogEntry = Record<string, unknown>;

export interface Harness {
  readonly emulator: SchedulerEmulator;
  readonly client: SchedulerClient;
  readonly dataDir: string;
  /** Every line the emulator logged, debug included. */
  readonly logs: LogEntry[];
  readonly clock: TimerClock;
}

export interface HarnessOptions {
  readonly dataDir?: string;
  readonly clock?: TimerClock;
  readonly invoker: TargetInvoker;
  readonly random?: () => number;
}

export async function newDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'tickwork-scheduler-'));
}

export async function removeDataDir(dataDir: string): Promise<void> {
  await rm(dataDir, { recursive: true, force: true });
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const dataDir = options.dataDir ?? (await newDataDir());
  const logs: LogEntry[] = [];
  const clock = options.clock ?? new ManualClock(new Date('2026-03-02T08:00:00Z'));
  // The real logger, its lines parsed back; the time is left out so entries compare whole.
  const log = createLogger({
    level: 'debug',
    write: (line) => {
      const { time: _time, ...entry } = JSON.parse(line) as LogEntry;
      logs.push(entry);
    },
  });
  const emulator = await startSchedulerEmulator({
    dataDir,
    port: 0,
    credentials: TEST_CREDENTIALS,
    invoker: options.invoker,
    clock,
    log,
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  const client = new SchedulerClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
  });
  return { emulator, client, dataDir, logs, clock };
}

export async function stopHarness(harness: Harness, keepData = false): Promise<void> {
  harness.client.destroy();
  await harness.emulator.close();
  if (!keepData) await removeDataDir(harness.dataDir);
}

/** Advances the manual clock, letting each fire finish (persist + invoke) before the next timer. */
export async function advance(harness: Harness, ms: number): Promise<void> {
  const clock = harness.clock;
  if (!(clock instanceof ManualClock)) throw new Error('advance needs a ManualClock');
  await clock.advance(ms, () => harness.emulator.idle());
}

export async function advanceTo(harness: Harness, at: string): Promise<void> {
  const clock = harness.clock;
  if (!(clock instanceof ManualClock)) throw new Error('advanceTo needs a ManualClock');
  await clock.advanceTo(new Date(at), () => harness.emulator.idle());
}

/** A valid CreateSchedule input; `overrides` replace members. */
export function scheduleInput(
  name: string,
  overrides: Partial<CreateScheduleCommandInput> = {},
): CreateScheduleCommandInput {
  return {
    Name: name,
    ScheduleExpression: 'rate(1 hour)',
    Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN },
    FlexibleTimeWindow: { Mode: 'OFF' },
    ...overrides,
  };
}

/** Calls `send` and returns the error it throws (fails the test if it does not throw). */
export async function errorOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`expected an Error, got ${String(error)}`);
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export function fireLogs(logs: readonly LogEntry[]): LogEntry[] {
  return logs.filter((entry) => entry.message === 'fire');
}

/** What a test file starts and must stop after each test: its harnesses, data directories, held invocations. */
export interface HarnessCleanup {
  readonly dataDirs: string[];
  readonly running: Harness[];
  readonly unanswered: HeldInvocations;
}

/**
 * Registers the cleanup after each test: held invocations answered, harnesses stopped (their data
 * kept: a test may restart on it), then the data directories removed. Push what a test starts.
 */
export function useHarnessCleanup(): HarnessCleanup {
  const cleanup: HarnessCleanup = { dataDirs: [], running: [], unanswered: new HeldInvocations() };
  afterEach(async () => {
    cleanup.unanswered.release();
    for (const harness of cleanup.running.splice(0)) await stopHarness(harness, true);
    for (const dir of cleanup.dataDirs.splice(0)) await removeDataDir(dir);
  });
  return cleanup;
}
