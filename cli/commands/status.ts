/**
 * `tickwork status`: every job's health, next run and last run.
 */
import {
  type ApiInvocation,
  addTargetOptions,
  defineCommand,
  type Env,
  nextPageHint,
  sendAndShow,
  type TargetFlags,
  targetArgs,
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
import { checkCursor } from '../names.ts';
import { statusView } from '../render.ts';
import { COMMANDS } from '../summaries.ts';

interface StatusFlags extends TargetFlags {
  readonly limit?: number;
  readonly cursor?: string;
}

export function defineStatus(root: CliCommand, env: Env, done: (invocation: ApiInvocation) => void): void {
  const status = root
    .command('status')
    .summary(COMMANDS.status.summary)
    .description('What ran, what is running and what runs next, per job.');
  valueOption(status, '--limit <N>', 'jobs per page (1-100)', wholeNumber(1, 100));
  valueOption(
    status,
    '--cursor <CURSOR>',
    'continue from a previous page (the cursor of a "more:" line)',
    checkCursor,
  );
  addTargetOptions(status);
  act<StatusFlags, ApiInvocation>(status, done, (_, flags) => ({
    command: 'status',
    request: {
      method: 'GET',
      path: '/status',
      query: { limit: flags.limit === undefined ? undefined : String(flags.limit), cursor: flags.cursor },
    },
    target: targetOptions(flags, env),
    json: flags.json === true,
    more: [
      'tickwork',
      'status',
      ...(flags.limit === undefined ? [] : ['--limit', String(flags.limit)]),
      ...targetArgs(flags),
    ],
  }));
}

export function parseStatusArgs(args: readonly string[], env: Env = {}): Parsed<ApiInvocation> {
  return parseCommandLine(['status', ...args], (root, done) => defineStatus(root, env, done));
}

export const statusCommand = defineCommand({
  name: 'status',
  summary: COMMANDS.status.summary,
  parse: parseStatusArgs,
  execute: (invocation) =>
    sendAndShow(invocation, (body) => statusView(body) + nextPageHint(body, invocation.more)),
  context: (invocation) => invocation,
});
