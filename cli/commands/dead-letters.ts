/**
 * `tickwork dead-letters`: the events the local scheduler emulator could not deliver (retries or
 * event age used up) and kept in its dead-letter store under the data directory, newest first.
 * Reads the store through the emulator's own reader, so it works whether or not the stack runs.
 */
import { existsSync } from 'node:fs';
import { deadLettersPath, listDeadLetters } from '../../local/scheduler/dead-letters.ts';
import type { DeadLetter } from '../../local/scheduler/model.ts';
import { CLI_ENV, DEFAULT_DATA_DIR, defineCommand, type Env, type Parsed, write } from '../api-command.ts';
import { expectPositionals, type FlagSpecs, helpText, parseArgs } from '../args.ts';
import { instant, json, oneLine, table } from '../output.ts';

const FLAGS = {
  'data-dir': {
    kind: 'string',
    value: 'DIR',
    help: `local stack data directory (or ${CLI_ENV.dataDir}; default ${DEFAULT_DATA_DIR})`,
  },
  limit: { kind: 'integer', value: 'N', min: 1, help: 'only the newest N' },
  json: { kind: 'boolean', help: 'print the dead letters as JSON' },
} as const satisfies FlagSpecs;

const USAGE = 'tickwork dead-letters [--data-dir DIR] [--limit N] [--json]';
const SUMMARY =
  'List the events the local scheduler emulator could not deliver (its stand-in for a dead-letter queue), newest first.';

export interface DeadLettersInvocation {
  readonly dataDir: string;
  readonly limit?: number;
  readonly json: boolean;
}

export function parseDeadLettersArgs(args: readonly string[], env: Env = {}): Parsed<DeadLettersInvocation> {
  const parsed = parseArgs(args, FLAGS);
  if (parsed.help) return { help: helpText(USAGE, SUMMARY, FLAGS) };
  expectPositionals(parsed.positionals, []);
  const { flags } = parsed;
  const fromEnv = env[CLI_ENV.dataDir];
  return {
    dataDir:
      flags['data-dir'] ?? (fromEnv === undefined || fromEnv.trim() === '' ? DEFAULT_DATA_DIR : fromEnv),
    json: flags.json === true,
    ...(flags.limit === undefined ? {} : { limit: flags.limit }),
  };
}

/** Newest first, at most `limit`. */
export function newestFirst(letters: readonly DeadLetter[], limit?: number): DeadLetter[] {
  const ordered = [...letters].reverse();
  return limit === undefined ? ordered : ordered.slice(0, limit);
}

const INPUT_WIDTH = 80;

/** The target as a short name: the function name of a Lambda ARN, otherwise the ARN. */
function targetName(arn: string): string {
  return /:function:([^:]+)/.exec(arn)?.[1] ?? arn;
}

export function deadLettersTable(letters: readonly DeadLetter[]): string {
  const rows = letters.map((letter) => {
    const input = letter.input === undefined ? undefined : oneLine(letter.input);
    return [
      instant(letter.scheduledTime),
      `${letter.groupName}/${letter.scheduleName}`,
      String(letter.attempts),
      oneLine(`${letter.errorCode}: ${letter.errorMessage}`),
      targetName(letter.targetArn),
      input !== undefined && input.length > INPUT_WIDTH ? `${input.slice(0, INPUT_WIDTH - 1)}…` : input,
    ];
  });
  return table(['SCHEDULED TIME', 'SCHEDULE', 'ATTEMPTS', 'LAST ERROR', 'TARGET', 'INPUT'], rows);
}

async function execute(invocation: DeadLettersInvocation): Promise<number> {
  const path = deadLettersPath(invocation.dataDir);
  let letters: DeadLetter[];
  try {
    letters = await listDeadLetters(invocation.dataDir);
  } catch (error) {
    process.stderr.write(`tickwork dead-letters: ${oneLine((error as Error).message)}\n`);
    return 1;
  }
  const shown = newestFirst(letters, invocation.limit);
  if (invocation.json) {
    write(json({ deadLetters: shown }));
    return 0;
  }
  if (letters.length === 0) {
    const where = existsSync(invocation.dataDir) ? path : `${invocation.dataDir} (no such directory)`;
    write(`no dead letters in ${where}`);
    return 0;
  }
  write(deadLettersTable(shown));
  if (shown.length < letters.length)
    write(`showing the newest ${shown.length} of ${letters.length} in ${path}`);
  return 0;
}

export const deadLettersCommand = defineCommand({
  summary: 'list events the local scheduler could not deliver',
  label: 'dead-letters',
  parse: parseDeadLettersArgs,
  execute,
});
