/**
 * `tickwork run <job> [--params JSON | --params-file PATH] [--wait [--timeout S]]`: starts a run now
 * (the API answers with the pending run); with --wait, follows it until its outcome is final and exits
 * 0 only if it succeeded. A run whose attempt failed and that Lambda will retry is `retrying`, not
 * final: the wait goes on through the retries, showing each attempt, its error and the next attempt.
 */

import type { Run } from '../../client/index.ts';
import { type Clock, systemClock } from '../../shared/clock.ts';
import { FINAL_RUN_STATUSES, type RunStatus } from '../../shared/jobs/model.ts';
import { isRecord } from '../api-client.ts';
import {
  addTargetOptions,
  type ClientInvocation,
  clientFor,
  defineCommand,
  type Env,
  printWarnings,
  type TargetFlags,
  targetOptions,
  write,
} from '../api-command.ts';
import {
  act,
  type CliCommand,
  type Parsed,
  parseCommandLine,
  valueOption,
  wholeNumber,
} from '../command-line.ts';
import { EXIT } from '../exit-codes.ts';
import { jsonObjectOption } from '../json-input.ts';
import { checkJobName } from '../names.ts';
import { duration, instant, json, oneLine } from '../output.ts';
import { runDetails } from '../render.ts';
import { COMMANDS } from '../summaries.ts';
import { UsageError } from '../usage-error.ts';

/**
 * Long enough for Lambda's two asynchronous retries (one and two minutes after a failed attempt) of
 * a function that runs up to its timeout, so a default wait sees the final outcome of a retried run.
 */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 600;

interface RunFlags extends TargetFlags {
  readonly wait?: boolean;
  readonly timeout?: number;
  readonly params?: string;
  readonly paramsFile?: string;
}

export interface RunInvocation extends ClientInvocation<Run> {
  /** Absent without --wait. */
  readonly waitTimeoutMs?: number;
}

export function defineRun(root: CliCommand, env: Env, done: (invocation: RunInvocation) => void): void {
  const run = root
    .command(`run ${COMMANDS.run.args}`)
    .summary(COMMANDS.run.summary)
    .description(
      'Run a job now. --params passes parameters to this run (checked by the API against the job\n' +
        "kind's schema). With --wait, follow the run through Lambda's retries to its final outcome.",
    );
  valueOption(run, '--params <JSON>', 'parameters for this run, as a JSON object');
  valueOption(run, '--params-file <PATH>', 'read the --params JSON object from a file');
  run.option('--wait', 'wait for the final outcome; exit 0 only if the run succeeded');
  valueOption(
    run,
    '--timeout <S>',
    `with --wait: give up after this many seconds, exit 5 (default ${DEFAULT_WAIT_TIMEOUT_SECONDS})`,
    wholeNumber(1),
  );
  addTargetOptions(run);
  act<RunFlags, RunInvocation>(run, done, ([given = ''], flags) => {
    const job = checkJobName(given);
    if (flags.timeout !== undefined && flags.wait !== true) {
      throw new UsageError('--timeout only applies with --wait');
    }
    const params = jsonObjectOption('--params', flags.params, flags.paramsFile);
    return {
      command: 'run',
      job,
      fromFlags: true,
      call: (client) => client.runs.trigger(job, params),
      target: targetOptions(flags, env),
      json: flags.json === true,
      ...(flags.wait === true
        ? { waitTimeoutMs: (flags.timeout ?? DEFAULT_WAIT_TIMEOUT_SECONDS) * 1000 }
        : {}),
    };
  });
}

export function parseRunArgs(args: readonly string[], env: Env = {}): Parsed<RunInvocation> {
  return parseCommandLine(['run', ...args], (root, done) => defineRun(root, env, done));
}

/** Waits between polls: quick at first (most runs are short), then every 2 s. */
export function pollDelayMs(poll: number): number {
  return Math.min(250 * 2 ** poll, 2000);
}

export type WaitOutcome =
  | { readonly final: true; readonly run: Record<string, unknown> }
  | { readonly final: false; readonly run: Record<string, unknown> };

export function isFinal(run: Record<string, unknown>): boolean {
  return FINAL_RUN_STATUSES.includes(run.status as RunStatus);
}

/**
 * Reads the run until its status is final or `timeoutMs` of the clock's time has passed (then one
 * last read at the deadline). `onRead` sees every read with the time waited so far. `retrying` is
 * not final: the run's next attempt may still succeed.
 */
export async function waitForRun(
  read: () => Promise<Record<string, unknown>>,
  timeoutMs: number,
  clock: Clock = systemClock,
  onRead: (run: Record<string, unknown>, elapsedMs: number) => void = () => {},
): Promise<WaitOutcome> {
  const start = clock.now().getTime();
  const deadline = start + timeoutMs;
  for (let poll = 0; ; poll++) {
    const run = await read();
    onRead(run, clock.now().getTime() - start);
    if (isFinal(run)) return { final: true, run };
    const left = deadline - clock.now().getTime();
    if (left <= 0) return { final: false, run };
    await clock.sleep(Math.min(pollDelayMs(poll), left));
  }
}

function seconds(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  return total < 60 ? `${total} s` : `${Math.floor(total / 60)}m ${String(total % 60).padStart(2, '0')}s`;
}

function errorSummary(value: unknown): string | undefined {
  if (!isRecord(value) || typeof value.message !== 'string') return undefined;
  return oneLine(typeof value.type === 'string' ? `${value.type}: ${value.message}` : value.message);
}

/**
 * One line on a run being waited for: its status, attempt and the time waited; for a `retrying` run
 * also the failed attempt's error and when the next attempt is expected (`nextAttemptAt`, an estimate).
 */
export function progressLine(run: Record<string, unknown>, elapsedMs: number, now: Date): string {
  const status = typeof run.status === 'string' ? run.status : 'unknown';
  // A pending run has made no attempt yet (attempt 0).
  const attempt = typeof run.attempt === 'number' && run.attempt > 0 ? run.attempt : undefined;
  const head = `run ${String(run.runId)}`;
  const waited = `waited ${seconds(elapsedMs)}`;
  if (status !== 'retrying') {
    return `${head} ${status}${attempt === undefined ? '' : ` (attempt ${attempt})`}, ${waited}`;
  }
  const failed = attempt === undefined ? 'an attempt failed' : `attempt ${attempt} failed`;
  const error = errorSummary(run.error);
  const nextAt = typeof run.nextAttemptAt === 'string' ? new Date(run.nextAttemptAt) : undefined;
  const next =
    nextAt === undefined || Number.isNaN(nextAt.getTime())
      ? 'next attempt soon'
      : nextAt.getTime() > now.getTime()
        ? `next attempt around ${instant(run.nextAttemptAt)} (in ${seconds(nextAt.getTime() - now.getTime())})`
        : `next attempt due since ${instant(run.nextAttemptAt)}`;
  return `${head} retrying: ${failed}${error === undefined ? '' : ` (${error})`}; ${next}, ${waited}`;
}

/** What changes a non-TTY progress line: a new line is printed only when this does. */
function progressKey(run: Record<string, unknown>): string {
  return JSON.stringify([run.status, run.attempt, run.nextAttemptAt, errorSummary(run.error)]);
}

/** Where progress goes: a terminal gets one line updated in place, anything else a line per change. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressPrinter {
  show(run: Record<string, unknown>, elapsedMs: number): void;
  /** Clears the updating line, so what follows starts on a clean line. */
  end(): void;
}

export function progressPrinter(stream: ProgressStream, clock: Clock = systemClock): ProgressPrinter {
  let lastKey: string | undefined;
  let shown = false;
  return {
    show(run, elapsedMs) {
      const line = progressLine(run, elapsedMs, clock.now());
      if (stream.isTTY === true) {
        // A line wider than the terminal wraps, and `\r` would then rewrite only its last row.
        const width = Math.max(20, (stream.columns ?? 80) - 1);
        stream.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
        shown = true;
        return;
      }
      const key = progressKey(run);
      if (key !== lastKey) stream.write(`${line}\n`);
      lastKey = key;
    },
    end() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/**
 * Follows a started run to its outcome and prints it: the run on stdout (`write`), progress on
 * `progress`. The exit code: 0 succeeded, 1 any other final status, 5 still going at the timeout.
 */
export async function followRun(options: {
  readonly runId: string;
  readonly read: () => Promise<Record<string, unknown>>;
  readonly timeoutMs: number;
  readonly json: boolean;
  readonly write: (text: string) => void;
  readonly progress: ProgressStream;
  readonly clock?: Clock;
}): Promise<number> {
  const clock = options.clock ?? systemClock;
  const printer = progressPrinter(options.progress, clock);
  const outcome = await waitForRun(options.read, options.timeoutMs, clock, printer.show);
  printer.end();
  const { run } = outcome;
  const status = String(run.status);
  if (options.json) {
    options.write(json(run));
  } else if (!outcome.final) {
    options.write(runDetails(run));
  } else {
    const took = duration(run.durationMs);
    const attempts =
      typeof run.attempt === 'number' && run.attempt > 1 ? ` after ${run.attempt} attempts` : '';
    options.write(
      `run ${options.runId} ${status}${took === undefined ? '' : ` in ${took}`}${attempts}\n${runDetails(run)}`,
    );
  }
  if (!outcome.final) {
    options.progress.write(
      `tickwork run: run ${options.runId} is still ${status} after ${options.timeoutMs / 1000} s; follow it with \`tickwork runs ${options.runId}\`\n`,
    );
    return EXIT.timedOut;
  }
  return status === 'succeeded' ? EXIT.success : EXIT.failed;
}

async function execute(invocation: RunInvocation): Promise<number> {
  const client = clientFor(invocation.target);
  const run = await invocation.call(client);
  printWarnings(run);
  if (invocation.waitTimeoutMs === undefined) {
    write(
      invocation.json
        ? json(run)
        : `started run ${String(run.runId)} of job ${String(run.job)} (${String(run.status)})`,
    );
    return EXIT.success;
  }
  if (!invocation.json) write(`started run ${run.runId} of job ${run.job}; waiting for its outcome`);
  return followRun({
    runId: run.runId,
    read: () => client.runs.get(run.runId),
    timeoutMs: invocation.waitTimeoutMs,
    json: invocation.json,
    write,
    progress: process.stderr,
  });
}

export const runCommand = defineCommand({
  name: 'run',
  summary: COMMANDS.run.summary,
  parse: parseRunArgs,
  execute,
  context: (invocation) => invocation,
});
