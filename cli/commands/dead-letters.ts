/**
 * `tickwork dead-letters`: the events the local scheduler emulator could not deliver (retries or
 * event age used up) and kept in its dead-letter store under the data directory, newest first.
 * Reads the store through the emulator's own reader, so it works whether or not the stack runs.
 */
import { existsSync } from 'node:fs';
import { deadLettersPath, listDeadLetters } from '../../local/scheduler/dead-letters.ts';
import type { DeadLetter } from '../../local/scheduler/model.ts';
import { CLI_ENV, defineCommand, type Env, namedDataDir, write } from '../api-command.ts';
import {
  act,
  type CliCommand,
  type Parsed,
  parseCommandLine,
  valueOption,
  wholeNumber,
} from '../command-line.ts';
import { localDataDir } from '../data-dir.ts';
import { EXIT } from '../exit-codes.ts';
import { instant, json, oneLine, table } from '../output.ts';
import { COMMANDS } from '../summaries.ts';

export interface DeadLettersInvocation {
  /** Named by --data-dir or TICKWORK_DATA_DIR; otherwise found from the current directory up. */
  readonly dataDir?: string;
  readonly limit?: number;
  readonly json: boolean;
}

interface DeadLettersFlags {
  readonly dataDir?: string;
  readonly limit?: number;
  readonly json?: boolean;
}

export function defineDeadLetters(
  root: CliCommand,
  env: Env,
  done: (invocation: DeadLettersInvocation) => void,
): void {
  const command = root
    .command('dead-letters')
    .summary(COMMANDS['dead-letters'].summary)
    .description(
      'List the events the local scheduler emulator could not deliver (its stand-in for a dead-letter\n' +
        'queue), newest first. Works whether or not the stack is running.',
    );
  valueOption(
    command,
    '--data-dir <DIR>',
    `local stack data directory (or ${CLI_ENV.dataDir}; default: the running stack's, else the project's .tickwork)`,
  );
  valueOption(command, '--limit <N>', 'only the newest N', wholeNumber(1));
  command.option('--json', 'print the dead letters as JSON');
  act<DeadLettersFlags, DeadLettersInvocation>(command, done, (_, flags) => {
    const dataDir = namedDataDir(flags.dataDir, env);
    return {
      json: flags.json === true,
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(flags.limit === undefined ? {} : { limit: flags.limit }),
    };
  });
}

export function parseDeadLettersArgs(args: readonly string[], env: Env = {}): Parsed<DeadLettersInvocation> {
  return parseCommandLine(['dead-letters', ...args], (root, done) => defineDeadLetters(root, env, done));
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
  const dataDir = invocation.dataDir ?? localDataDir(process.cwd());
  const path = deadLettersPath(dataDir);
  let letters: DeadLetter[];
  try {
    letters = await listDeadLetters(dataDir);
  } catch (error) {
    process.stderr.write(`tickwork dead-letters: ${oneLine((error as Error).message)}\n`);
    return EXIT.failed;
  }
  const shown = newestFirst(letters, invocation.limit);
  if (invocation.json) {
    write(json({ deadLetters: shown }));
    return EXIT.success;
  }
  if (letters.length === 0) {
    const where = existsSync(dataDir) ? path : `${dataDir} (no such directory)`;
    write(`no dead letters in ${where}`);
    return EXIT.success;
  }
  write(deadLettersTable(shown));
  if (shown.length < letters.length)
    write(`showing the newest ${shown.length} of ${letters.length} in ${path}`);
  return EXIT.success;
}

export const deadLettersCommand = defineCommand({
  name: 'dead-letters',
  summary: COMMANDS['dead-letters'].summary,
  parse: parseDeadLettersArgs,
  execute,
});
