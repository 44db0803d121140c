/**
 * `tickwork runs [<runId>] [--job J] [--status S] [--limit N] [--cursor C]`: run history, newest
 * first (GET /runs), or one run (GET /runs/{runId}).
 */
import { RUN_STATUSES } from '../../shared/jobs/model.ts';
import { isRecord, routePath } from '../api-client.ts';
import {
  type ApiInvocation,
  defineCommand,
  type Env,
  nextPageHint,
  type Parsed,
  sendAndShow,
  TARGET_FLAGS,
  targetOptions,
} from '../api-command.ts';
import { type FlagSpecs, helpText, parseArgs } from '../args.ts';
import { runDetails, runsTable } from '../render.ts';
import { UsageError } from '../usage-error.ts';
import { checkJobName } from './jobs.ts';

const FLAGS = {
  job: { kind: 'string', value: 'JOB', help: 'only runs of this job' },
  status: {
    kind: 'string',
    value: 'STATUS',
    choices: RUN_STATUSES,
    help: `only runs in this status: ${RUN_STATUSES.join(', ')}`,
  },
  limit: { kind: 'integer', value: 'N', min: 1, max: 100, help: 'runs per page (1-100)' },
  cursor: { kind: 'string', value: 'CURSOR', help: 'continue from a previous page' },
  ...TARGET_FLAGS,
} as const satisfies FlagSpecs;

const USAGE = 'tickwork runs [<runId>] [--job JOB] [--status STATUS] [--limit N] [--cursor CURSOR]';
const SUMMARY =
  'List runs newest first (GET /runs), or show one run (GET /runs/{runId}). `--status running` shows what is executing now.';

export interface RunsInvocation extends ApiInvocation {
  /** One run (GET /runs/{runId}) rather than a page. */
  readonly single: boolean;
}

export function parseRunsArgs(args: readonly string[], env: Env = {}): Parsed<RunsInvocation> {
  const parsed = parseArgs(args, FLAGS);
  if (parsed.help) return { help: helpText(USAGE, SUMMARY, FLAGS) };
  const { flags, positionals } = parsed;
  const common = { target: targetOptions(flags, env), json: flags.json === true };
  if (positionals.length > 1) {
    throw new UsageError(`unexpected argument "${positionals[1]}"; expected at most <runId>`);
  }
  const runId = positionals[0];
  if (runId !== undefined) {
    const filter = (['job', 'status', 'limit', 'cursor'] as const).find((flag) => flags[flag] !== undefined);
    if (filter !== undefined) {
      throw new UsageError(`--${filter} filters a list; it does not apply to one run (${runId})`);
    }
    return {
      ...common,
      single: true,
      request: { method: 'GET', path: routePath('/runs/{runId}', { runId }) },
    };
  }
  const query = {
    job: flags.job === undefined ? undefined : checkJobName(flags.job),
    status: flags.status,
    limit: flags.limit === undefined ? undefined : String(flags.limit),
    cursor: flags.cursor,
  };
  return { ...common, single: false, request: { method: 'GET', path: '/runs', query } };
}

export const runsCommand = defineCommand({
  summary: 'list runs (newest first) or show one run',
  label: 'runs',
  parse: parseRunsArgs,
  execute: (invocation) =>
    sendAndShow(invocation, (body) =>
      invocation.single
        ? runDetails(body)
        : runsTable(isRecord(body) ? body.runs : undefined) + nextPageHint(body, 'tickwork runs'),
    ),
});
