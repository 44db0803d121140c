/**
 * `tickwork backfill <job> --from <instant> --to <instant> [--concurrency N]`: runs every slot of the
 * job's schedule in [from, to) (POST /jobs/{name}/backfill), the slots of each lane one after the other;
 * prints the backfill and the runs it started, and how to follow the rest.
 */
import type { BackfillStarted } from '../../client/index.ts';
import {
  addTargetOptions,
  type ClientInvocation,
  callAndShow,
  defineCommand,
  type Env,
  shellWord,
  type TargetFlags,
  targetOptions,
} from '../api-command.ts';
import {
  act,
  type CliCommand,
  type Parsed,
  parseCommandLine,
  valueOption,
  wholeNumber,
} from '../command-line.ts';
import { parseInstant } from '../instant.ts';
import { checkJobName } from '../names.ts';
import { runsTable } from '../render.ts';
import { COMMANDS } from '../summaries.ts';
import { UsageError } from '../usage-error.ts';

interface BackfillFlags extends TargetFlags {
  readonly from?: string;
  readonly to?: string;
  readonly concurrency?: number;
}

/** An ISO-8601 instant with a zone, as the API takes it. */
function instant(text: string, flag: string): string {
  const parsed = parseInstant(text);
  if (parsed === undefined) {
    throw new UsageError(
      `${flag} must be an ISO-8601 instant with a zone, e.g. 2026-01-31T09:00:00Z; got ${JSON.stringify(text)}`,
    );
  }
  return parsed.toISOString();
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined)
    throw new UsageError(`${flag} is required (an ISO-8601 instant, e.g. 2026-01-31T09:00:00Z)`);
  return value;
}

export type BackfillInvocation = ClientInvocation<BackfillStarted>;

export function defineBackfill(
  root: CliCommand,
  env: Env,
  done: (invocation: BackfillInvocation) => void,
): void {
  const backfill = root
    .command(`backfill ${COMMANDS.backfill.args}`)
    .summary(COMMANDS.backfill.summary)
    .description(
      "Run every slot of the job's schedule from --from (included) to --to (excluded), at most 1,000,\n" +
        'slots before the job existed too, as runs with trigger `backfill`, due at their slot. Each lane\n' +
        'runs its slots one after the other; --concurrency (default 1) lanes at once, only for a job whose\n' +
        'overlap is allow. Cancel a backfill run to stop its lane.',
    );
  valueOption(backfill, '--from <INSTANT>', 'the first instant of the range (ISO-8601 with a zone)', instant);
  valueOption(backfill, '--to <INSTANT>', 'the end of the range, excluded; not after now', instant);
  valueOption(
    backfill,
    '--concurrency <N>',
    'runs at once (1-10; more than 1 needs overlap allow)',
    wholeNumber(1, 10),
  );
  addTargetOptions(backfill);
  act<BackfillFlags, BackfillInvocation>(backfill, done, ([given = ''], flags) => {
    const job = checkJobName(given);
    const { concurrency } = flags;
    const request = {
      from: required(flags.from, '--from'),
      to: required(flags.to, '--to'),
      ...(concurrency === undefined ? {} : { concurrency }),
    };
    return {
      command: 'backfill',
      job,
      call: (client) => client.jobs.backfill(job, request),
      target: targetOptions(flags, env),
      json: flags.json === true,
    };
  });
}

export function parseBackfillArgs(args: readonly string[], env: Env = {}): Parsed<BackfillInvocation> {
  return parseCommandLine(['backfill', ...args], (root, done) => defineBackfill(root, env, done));
}

function backfillView({ backfill, runs }: BackfillStarted): string {
  return (
    `backfill ${backfill.id} of job ${backfill.job}: ${backfill.slots} slot(s) from ${backfill.firstSlot} to ${backfill.lastSlot}, ${backfill.lanes} at a time\n` +
    `started:\n${runsTable(runs)}\n` +
    `follow: tickwork runs --job ${shellWord(backfill.job)}\n`
  );
}

export const backfillCommand = defineCommand({
  name: 'backfill',
  summary: COMMANDS.backfill.summary,
  parse: parseBackfillArgs,
  execute: (invocation) => callAndShow(invocation, backfillView),
  context: (invocation) => invocation,
});
