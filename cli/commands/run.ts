/**
 * `tickwork run <job> [--wait] [--timeout S]`: starts a run now (POST /jobs/{name}/runs → 202 with
 * the pending run); with --wait, follows it (GET /runs/{runId}) with backoff until it is final and
 * exits 0 only if it succeeded.
 */
import { type Clock, systemClock } from '../../shared/clock.ts';
import { FINAL_RUN_STATUSES, type RunStatus } from '../../shared/jobs/model.ts';
import { isRecord, routePath } from '../api-client.ts';
import {
  type ApiInvocation,
  connect,
  defineCommand,
  type Env,
  type Parsed,
  TARGET_FLAGS,
  targetOptions,
  write,
} from '../api-command.ts';
import { expectPositionals, type FlagSpecs, helpText, parseArgs } from '../args.ts';
import { duration, json } from '../output.ts';
import { runDetails } from '../render.ts';
import { UsageError } from '../usage-error.ts';
import { checkJobName } from './jobs.ts';

export const DEFAULT_WAIT_TIMEOUT_SECONDS = 120;

const FLAGS = {
  wait: { kind: 'boolean', help: 'wait for the run to finish; exit 0 only if it succeeded' },
  timeout: {
    kind: 'integer',
    value: 'S',
    min: 1,
    help: `with --wait: give up after this many seconds (default ${DEFAULT_WAIT_TIMEOUT_SECONDS})`,
  },
  ...TARGET_FLAGS,
} as const satisfies FlagSpecs;

const USAGE = 'tickwork run <job> [--wait] [--timeout S]';
const SUMMARY = 'Run a job now (POST /jobs/{name}/runs).';

export interface RunInvocation extends ApiInvocation {
  /** Absent without --wait. */
  readonly waitTimeoutMs?: number;
}

export function parseRunArgs(args: readonly string[], env: Env = {}): Parsed<RunInvocation> {
  const parsed = parseArgs(args, FLAGS);
  if (parsed.help) return { help: helpText(USAGE, SUMMARY, FLAGS) };
  const [job] = expectPositionals(parsed.positionals, ['job']) as [string];
  const { flags } = parsed;
  if (flags.timeout !== undefined && flags.wait !== true)
    throw new UsageError('--timeout only applies with --wait');
  return {
    request: { method: 'POST', path: routePath('/jobs/{name}/runs', { name: checkJobName(job) }) },
    target: targetOptions(flags, env),
    json: flags.json === true,
    ...(flags.wait === true ? { waitTimeoutMs: (flags.timeout ?? DEFAULT_WAIT_TIMEOUT_SECONDS) * 1000 } : {}),
  };
}

/** Waits between polls: quick at first (most runs are short), then every 2 s. */
export function pollDelayMs(poll: number): number {
  return Math.min(250 * 2 ** poll, 2000);
}

export type WaitOutcome =
  | { readonly final: true; readonly run: Record<string, unknown> }
  | { readonly final: false; readonly run: Record<string, unknown> };

/**
 * Reads the run until its status is final or `timeoutMs` of the clock's time has passed (then one
 * last read at the deadline).
 */
export async function waitForRun(
  read: () => Promise<Record<string, unknown>>,
  timeoutMs: number,
  clock: Clock = systemClock,
): Promise<WaitOutcome> {
  const deadline = clock.now().getTime() + timeoutMs;
  for (let poll = 0; ; poll++) {
    const run = await read();
    if (FINAL_RUN_STATUSES.includes(run.status as RunStatus)) return { final: true, run };
    const left = deadline - clock.now().getTime();
    if (left <= 0) return { final: false, run };
    await clock.sleep(Math.min(pollDelayMs(poll), left));
  }
}

async function execute(invocation: RunInvocation): Promise<number> {
  const client = await connect(invocation.target);
  const started = await client.request(invocation.request);
  const run = isRecord(started.body) ? started.body : {};
  if (invocation.waitTimeoutMs === undefined) {
    write(
      invocation.json
        ? json(run)
        : `started run ${String(run.runId)} of job ${String(run.job)} (${String(run.status)})`,
    );
    return 0;
  }
  if (typeof run.runId !== 'string') {
    throw new Error(`the API answered the run request without a runId: ${JSON.stringify(run)}`);
  }
  const path = routePath('/runs/{runId}', { runId: run.runId });
  if (!invocation.json) write(`started run ${run.runId} of job ${String(run.job)}; waiting for it to finish`);
  const outcome = await waitForRun(async () => {
    const answer = await client.request({ method: 'GET', path });
    return isRecord(answer.body) ? answer.body : {};
  }, invocation.waitTimeoutMs);
  const status = String(outcome.run.status);
  if (invocation.json) {
    write(json(outcome.run));
  } else if (!outcome.final) {
    write(runDetails(outcome.run));
  } else {
    const took = duration(outcome.run.durationMs);
    write(`run ${run.runId} ${status}${took === undefined ? '' : ` in ${took}`}\n${runDetails(outcome.run)}`);
  }
  if (!outcome.final) {
    process.stderr.write(
      `tickwork run: run ${run.runId} is still ${status} after ${invocation.waitTimeoutMs / 1000} s; follow it with \`tickwork runs ${run.runId}\`\n`,
    );
  }
  return outcome.final && status === 'succeeded' ? 0 : 1;
}

export const runCommand = defineCommand({
  summary: 'run a job now, optionally waiting for the outcome',
  label: 'run',
  parse: parseRunArgs,
  execute,
});
