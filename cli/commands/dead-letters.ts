/**
 * `tickwork dead-letters`: the events that could not be delivered, newest first.
 *
 * - Locally (the default): what the scheduler emulator gave up on (retries or event age used up), kept in
 *   its dead-letter store under the data directory; read through the emulator's own reader, so it works
 *   whether or not the stack runs.
 * - A deployment (`--url`, `--stage` or `--queue-url`): its Scheduler dead-letter queue and its job
 *   functions' on-failure queue, read with the caller's AWS credentials without consuming them, each
 *   entry explained (job, slot, attempts, last error); `--redrive <id|all>` delivers entries again
 *   (../dead-letters/aws.ts). The queues are the stage's by name (--stage), else the only Tickwork
 *   deployment's the credentials can list, or the ones named (--queue-url); `--url` gives the Region.
 */
import { existsSync } from 'node:fs';
import { deadLettersPath, listDeadLetters } from '../../local/scheduler/dead-letters.ts';
import type { DeadLetter } from '../../local/scheduler/model.ts';
import { regionFromApiUrl } from '../api-client.ts';
import { CLI_ENV, defineCommand, type Env, namedDataDir, write } from '../api-command.ts';
import {
  act,
  type CliCommand,
  listOption,
  type Parsed,
  parseCommandLine,
  valueOption,
  wholeNumber,
} from '../command-line.ts';
import { localDataDir } from '../data-dir.ts';
import { type AwsDeadLettersInvocation, executeAws } from '../dead-letters/aws.ts';
import { EXIT } from '../exit-codes.ts';
import { instant, json, oneLine, table } from '../output.ts';
import { COMMANDS } from '../summaries.ts';
import {
  addOutputOption,
  jsonLines,
  type OutputFlags,
  type OutputFormat,
  outputFormat,
} from '../terminal.ts';
import { UsageError } from '../usage-error.ts';

export interface LocalDeadLettersInvocation {
  /** Named by --data-dir or TICKWORK_DATA_DIR; otherwise found from the current directory up. */
  readonly dataDir?: string;
  readonly limit?: number;
  readonly output: OutputFormat;
}

export type DeadLettersInvocation = LocalDeadLettersInvocation | { readonly aws: AwsDeadLettersInvocation };

interface DeadLettersFlags extends OutputFlags {
  readonly dataDir?: string;
  readonly limit?: number;
  readonly url?: string;
  readonly region?: string;
  readonly stage?: string;
  readonly queueUrl?: string[];
  readonly redrive?: string;
}

/** The stack's stage rule (infra/context.ts): a lower-case letter, then up to 19 letters, digits or hyphens. */
const STAGE = /^[a-z][a-z0-9-]{0,19}$/;
/** SQS message ids are UUIDs; anything else cannot name one. */
const MESSAGE_ID = /^[A-Za-z0-9-]{1,100}$/;

function checkStage(text: string): string {
  if (!STAGE.test(text)) {
    throw new UsageError(
      `--stage must be a stage name (a lower-case letter, then up to 19 lower-case letters, digits or hyphens), got "${text}"`,
    );
  }
  return text;
}

function checkHttpUrl(flag: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} must be an http(s) URL, got "${text}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${flag} must be an http(s) URL, got "${text}"`);
  }
  return url;
}

function checkRedrive(text: string): string {
  if (text !== 'all' && !MESSAGE_ID.test(text)) {
    throw new UsageError(`--redrive takes a dead letter's ID (from the listing) or "all", got "${text}"`);
  }
  return text;
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
      'List the events that could not be delivered, newest first. Locally: what the scheduler emulator\n' +
        'gave up on (works whether or not the stack is running). With --url, --stage or --queue-url: the\n' +
        "deployment's Scheduler dead-letter queue and its job functions' on-failure queue, read with your\n" +
        'AWS credentials without consuming them; --redrive delivers entries again and then deletes them.',
    );
  valueOption(
    command,
    '--data-dir <DIR>',
    `local stack data directory (or ${CLI_ENV.dataDir}; default: the running stack's, else the project's .tickwork)`,
  );
  valueOption(command, '--limit <N>', 'only the newest N', wholeNumber(1));
  valueOption(
    command,
    '--url <URL>',
    `deployed API base URL (or ${CLI_ENV.apiUrl}): read that deployment's queues (its Region by default)`,
  );
  valueOption(
    command,
    '--region <REGION>',
    `AWS Region of the deployment (default: ${CLI_ENV.region} or the URL)`,
  );
  valueOption(
    command,
    '--stage <STAGE>',
    "the deployment's stage: its queues tickwork-<STAGE>-scheduler-dlq and -job-failures (default: the only one)",
    checkStage,
  );
  listOption(
    command,
    '--queue-url <URL>',
    'read this queue instead (repeatable; e.g. the stack outputs *QueueUrl)',
  );
  valueOption(
    command,
    '--redrive <ID|all>',
    'deliver this entry (or all) again to its job function, then delete it from the queue',
    checkRedrive,
  );
  addOutputOption(command);
  command.option('--json', 'print the dead letters as JSON (--output json)');
  act<DeadLettersFlags, DeadLettersInvocation>(command, done, (_, flags) => {
    const output = outputFormat(flags);
    const aws = awsInvocation(flags, env, output);
    if (aws !== undefined) return { aws };
    const dataDir = namedDataDir(flags.dataDir, env);
    return {
      output,
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(flags.limit === undefined ? {} : { limit: flags.limit }),
    };
  });
}

const AWS_ONLY = ['region', 'redrive'] as const;

/** The deployment the flags name, or undefined for the local store. */
function awsInvocation(
  flags: DeadLettersFlags,
  env: Env,
  output: OutputFormat,
): AwsDeadLettersInvocation | undefined {
  const envUrl = env[CLI_ENV.apiUrl]?.trim() === '' ? undefined : env[CLI_ENV.apiUrl];
  const named = flags.url !== undefined || flags.stage !== undefined || flags.queueUrl !== undefined;
  // The environment's API URL picks the deployment only when no --data-dir says "the local store".
  if (!named && (envUrl === undefined || flags.dataDir !== undefined)) {
    const awsOnly = AWS_ONLY.find((flag) => flags[flag] !== undefined);
    if (awsOnly !== undefined) {
      throw new UsageError(
        `--${awsOnly} applies to a deployment's queues: add --url, --stage or --queue-url`,
      );
    }
    return undefined;
  }
  if (flags.dataDir !== undefined) {
    throw new UsageError(
      '--data-dir reads the local store; it cannot be combined with --url, --stage or --queue-url',
    );
  }
  if (flags.queueUrl !== undefined && flags.stage !== undefined) {
    throw new UsageError('--queue-url names the queues itself; it cannot be combined with --stage');
  }
  if (flags.redrive !== undefined) {
    if (flags.limit !== undefined) throw new UsageError('--limit applies to the listing, not to --redrive');
    if (flags.output !== undefined || flags.json === true) {
      throw new UsageError('--output applies to the listing, not to --redrive');
    }
  }
  const url = flags.url ?? envUrl;
  const apiUrl = url === undefined ? undefined : checkHttpUrl('--url', url);
  const queueUrls = (flags.queueUrl ?? []).map((text) => checkHttpUrl('--queue-url', text).href);
  const region =
    flags.region ??
    (env[CLI_ENV.region]?.trim() || undefined) ??
    (env[CLI_ENV.defaultRegion]?.trim() || undefined) ??
    (apiUrl === undefined ? undefined : regionFromApiUrl(apiUrl)) ??
    queueUrls
      .map((text) => /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(new URL(text).hostname)?.[1])
      .find(Boolean);
  if (region === undefined) {
    throw new UsageError('cannot tell the AWS Region of the deployment; pass --region or set AWS_REGION');
  }
  return {
    region,
    queueUrls,
    output,
    ...(flags.stage === undefined ? {} : { stage: flags.stage }),
    ...(flags.limit === undefined ? {} : { limit: flags.limit }),
    ...(flags.redrive === undefined ? {} : { redrive: flags.redrive }),
  };
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

/** `wide` shows each input whole and adds the execution and when it was given up on. */
export function deadLettersTable(letters: readonly DeadLetter[], wide = false): string {
  const rows = letters.map((letter) => {
    const input = letter.input === undefined ? undefined : oneLine(letter.input);
    const row = [
      instant(letter.scheduledTime),
      `${letter.groupName}/${letter.scheduleName}`,
      String(letter.attempts),
      oneLine(`${letter.errorCode}: ${letter.errorMessage}`),
      targetName(letter.targetArn),
      !wide && input !== undefined && input.length > INPUT_WIDTH
        ? `${input.slice(0, INPUT_WIDTH - 1)}…`
        : input,
    ];
    return wide ? [...row, letter.executionId, instant(letter.deadLetteredAt)] : row;
  });
  const headers = ['SCHEDULED TIME', 'SCHEDULE', 'ATTEMPTS', 'LAST ERROR', 'TARGET', 'INPUT'];
  return table(wide ? [...headers, 'EXECUTION', 'DEAD-LETTERED'] : headers, rows);
}

function execute(invocation: DeadLettersInvocation): Promise<number> {
  return 'aws' in invocation ? executeAws(invocation.aws) : executeLocal(invocation);
}

async function executeLocal(invocation: LocalDeadLettersInvocation): Promise<number> {
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
  if (invocation.output === 'json') {
    write(json({ deadLetters: shown }));
    return EXIT.success;
  }
  if (invocation.output === 'jsonl') {
    process.stdout.write(jsonLines(shown));
    return EXIT.success;
  }
  if (letters.length === 0) {
    const where = existsSync(dataDir) ? path : `${dataDir} (no such directory)`;
    write(`no dead letters in ${where}`);
    return EXIT.success;
  }
  write(deadLettersTable(shown, invocation.output === 'wide'));
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
