/**
 * `tickwork status`: every job's health, next run and last run (GET /status).
 */
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
import { expectPositionals, type FlagSpecs, helpText, parseArgs } from '../args.ts';
import { statusView } from '../render.ts';

const FLAGS = {
  limit: { kind: 'integer', value: 'N', min: 1, max: 100, help: 'jobs per page (1-100)' },
  cursor: { kind: 'string', value: 'CURSOR', help: 'continue from a previous page' },
  ...TARGET_FLAGS,
} as const satisfies FlagSpecs;

const USAGE = 'tickwork status [--limit N] [--cursor CURSOR]';
const SUMMARY = 'What ran, what is running and what runs next, per job (GET /status).';

export function parseStatusArgs(args: readonly string[], env: Env = {}): Parsed<ApiInvocation> {
  const parsed = parseArgs(args, FLAGS);
  if (parsed.help) return { help: helpText(USAGE, SUMMARY, FLAGS) };
  expectPositionals(parsed.positionals, []);
  const { flags } = parsed;
  const query = { limit: flags.limit === undefined ? undefined : String(flags.limit), cursor: flags.cursor };
  return {
    request: { method: 'GET', path: '/status', query },
    target: targetOptions(flags, env),
    json: flags.json === true,
  };
}

export const statusCommand = defineCommand({
  summary: 'show every job: health, next run, last run',
  label: 'status',
  parse: parseStatusArgs,
  execute: (invocation) =>
    sendAndShow(invocation, (body) => statusView(body) + nextPageHint(body, 'tickwork status')),
});
