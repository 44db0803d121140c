/**
 * `tickwork runs [<runId>] [--job J] [--status S] [--limit N] [--cursor C]`: run history, newest
 * first, or one run; `--follow` watches it (runs-follow.ts). An empty history of a job the API does not know says so: the API keeps listing
 * the runs of a deleted job until they expire, so only an empty listing asks whether the job exists.
 */

import type { TickworkClient } from '../../client/index.ts';
import { RUN_STATUSES, type RunStatus } from '../../shared/jobs/model.ts';
import { isRecord } from '../api-client.ts';
import {
  addTargetOptions,
  type ClientInvocation,
  clientFor,
  defineCommand,
  type Env,
  nextPageHint,
  printWarnings,
  type TargetFlags,
  targetArgs,
  targetOptions,
  write,
} from '../api-command.ts';
import {
  act,
  type CliCommand,
  oneOf,
  type Parsed,
  parseCommandLine,
  valueOption,
  wholeNumber,
} from '../command-line.ts';
import { EXIT } from '../exit-codes.ts';
import { checkCursor, checkJobName, checkRunId } from '../names.ts';
import { json } from '../output.ts';
import { runDetails, runsTable } from '../render.ts';
import { COMMANDS } from '../summaries.ts';
import {
  addOutputOption,
  jsonLines,
  type OutputFlags,
  type OutputFormat,
  outputFormat,
  stdoutTerminal,
} from '../terminal.ts';
import { UsageError } from '../usage-error.ts';
import { DEFAULT_INTERVAL_MS, parseInterval } from '../watch.ts';
import { executeFollow, type FollowInvocation } from './runs-follow.ts';

interface RunsFlags extends TargetFlags, OutputFlags {
  readonly follow?: boolean;
  readonly interval?: number;
  readonly children?: boolean;
  readonly job?: string;
  readonly status?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

/** A listing or one run: one typed-client call; `--follow`: a watch loop of its own (no single call). */
export interface RunsInvocation extends Omit<ClientInvocation, 'call'> {
  readonly call?: ClientInvocation['call'];
  /** One run rather than a page. */
  readonly single: boolean;
  readonly output: OutputFormat;
  /** `--follow`: watch instead of listing. */
  readonly follow?: FollowInvocation;
}

export function defineRuns(root: CliCommand, env: Env, done: (invocation: RunsInvocation) => void): void {
  const runs = root
    .command(`runs ${COMMANDS.runs.args}`)
    .summary(COMMANDS.runs.summary)
    .description(
      'List runs newest first, or show one run. `--status running` shows what is executing now;\n' +
        'a `retrying` run failed an attempt and will be tried again (see its next attempt).',
    );
  valueOption(runs, '--job <JOB>', 'only runs of this job', (text) => checkJobName(text));
  valueOption(
    runs,
    '--status <STATUS>',
    `only runs in this status: ${RUN_STATUSES.join(', ')}`,
    oneOf(RUN_STATUSES),
  );
  valueOption(runs, '--limit <N>', 'runs per page (1-100)', wholeNumber(1, 100));
  valueOption(
    runs,
    '--cursor <CURSOR>',
    'continue from a previous page (the cursor of a "more:" line)',
    checkCursor,
  );
  runs.option('--children', "with a run id: list that fan-out parent's children (pages: --limit, --cursor)");
  runs.option(
    '--follow',
    'print new runs and status changes as they happen (with --job, --status: only those), until Ctrl-C',
  );
  valueOption(
    runs,
    '--interval <SECONDS>',
    `with --follow: seconds between two looks (default ${DEFAULT_INTERVAL_MS / 1000})`,
    parseInterval,
  );
  addOutputOption(runs);
  addTargetOptions(runs);
  act<RunsFlags, RunsInvocation>(runs, done, ([given], flags) => {
    const output = outputFormat(flags);
    const common = { command: 'runs', target: targetOptions(flags, env), json: output === 'json', output };
    if (flags.follow === true) return followInvocation(given, flags, common);
    if (flags.interval !== undefined) throw new UsageError('--interval applies to --follow');
    if (flags.children === true) {
      if (given === undefined)
        throw new UsageError('--children lists the children of one run: give its run id');
      const filter = (['job', 'status'] as const).find((flag) => flags[flag] !== undefined);
      if (filter !== undefined) throw new UsageError(`--${filter} does not apply to --children`);
      const runId = checkRunId(given);
      return {
        ...common,
        single: false,
        runId,
        call: (client) =>
          client.runs.childrenPage(runId, {
            ...(flags.limit === undefined ? {} : { pageSize: flags.limit }),
            ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
          }),
        more: ['tickwork', 'runs', runId, '--children', ...targetArgs(flags)],
      };
    }
    if (given !== undefined) {
      const filter = (['job', 'status', 'limit', 'cursor'] as const).find(
        (flag) => flags[flag] !== undefined,
      );
      if (filter !== undefined) {
        throw new UsageError(`--${filter} filters a list; it does not apply to one run (${given})`);
      }
      const runId = checkRunId(given);
      return {
        ...common,
        single: true,
        runId,
        call: (client) => client.runs.get(runId),
      };
    }
    const query = {
      ...(flags.job === undefined ? {} : { job: flags.job }),
      ...(flags.status === undefined ? {} : { status: flags.status as RunStatus }),
      ...(flags.limit === undefined ? {} : { pageSize: flags.limit }),
      ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
    };
    const filters = [
      ...(flags.job === undefined ? [] : ['--job', flags.job]),
      ...(flags.status === undefined ? [] : ['--status', flags.status]),
      ...(flags.limit === undefined ? [] : ['--limit', String(flags.limit)]),
    ];
    return {
      ...common,
      single: false,
      ...(flags.job === undefined ? {} : { job: flags.job }),
      call: (client) => client.runs.page(query),
      more: ['tickwork', 'runs', ...filters, ...targetArgs(flags)],
    };
  });
}

function followInvocation(
  given: string | undefined,
  flags: RunsFlags,
  common: Pick<RunsInvocation, 'command' | 'target' | 'json' | 'output'>,
): RunsInvocation {
  if (given !== undefined)
    throw new UsageError(`--follow watches runs as they come; it takes no run id (${given})`);
  const other = (['children', 'limit', 'cursor'] as const).find((flag) => flags[flag] !== undefined);
  if (other !== undefined) throw new UsageError(`--${other} does not apply to --follow`);
  return {
    ...common,
    single: false,
    ...(flags.job === undefined ? {} : { job: flags.job }),
    follow: {
      target: common.target,
      intervalMs: flags.interval ?? DEFAULT_INTERVAL_MS,
      output: common.output,
      ...(flags.job === undefined ? {} : { job: flags.job }),
      ...(flags.status === undefined ? {} : { status: flags.status as RunStatus }),
    },
  };
}

export function parseRunsArgs(args: readonly string[], env: Env = {}): Parsed<RunsInvocation> {
  return parseCommandLine(['runs', ...args], (root, done) => defineRuns(root, env, done));
}

/** Throws the API's 404 (JobNotFound) when the job does not exist. */
async function requireJob(client: TickworkClient, job: string): Promise<void> {
  await client.jobs.get(job);
}

async function execute(invocation: RunsInvocation): Promise<number> {
  if (invocation.follow !== undefined) return executeFollow(invocation.follow);
  if (invocation.call === undefined) throw new Error('tickwork runs: a listing without its call');
  const client = clientFor(invocation.target);
  const answer = await invocation.call(client);
  const body = isRecord(answer) ? answer : {};
  if (!invocation.single && invocation.job !== undefined) {
    const runs = Array.isArray(body.runs) ? body.runs : [];
    if (runs.length === 0) await requireJob(client, invocation.job);
  }
  printWarnings(answer);
  const hint = nextPageHint(body, invocation.more);
  if (invocation.output === 'json') {
    write(json(answer));
  } else if (invocation.output === 'jsonl') {
    const items = invocation.single ? [body] : Array.isArray(body.runs) ? body.runs : [];
    process.stdout.write(jsonLines(items));
    // The "more:" hint goes to stderr so stdout stays one run a line.
    if (hint !== '') process.stderr.write(`${hint.slice(1)}\n`);
  } else if (invocation.single) {
    write(runDetails(body));
  } else {
    const style = { wide: invocation.output === 'wide', terminal: stdoutTerminal() };
    write(runsTable(body.runs, style) + hint);
  }
  return EXIT.success;
}

export const runsCommand = defineCommand({
  name: 'runs',
  summary: COMMANDS.runs.summary,
  parse: parseRunsArgs,
  execute,
  context: (invocation) => invocation,
});
