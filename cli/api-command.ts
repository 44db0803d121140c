/**
 * What every API command shares: the target flags (`--url`, `--region`, `--data-dir`), `--json`,
 * warnings and "more:" hints under answers, and the one error boundary that turns failures into
 * stderr lines and an exit code from the table in exit-codes.ts.
 */
import type { Command } from 'commander';
import { TickworkClient } from '../client/index.ts';
import { ApiError, isRecord, problems, type TargetOptions } from './api-client.ts';
import { describeApiError, type ErrorContext } from './api-errors.ts';
import { isHelp, type Parsed, valueOption } from './command-line.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { json, oneLine } from './output.ts';
import { UsageError } from './usage-error.ts';

/** Environment variables the CLI reads, each standing in for a flag. */
export const CLI_ENV = {
  apiUrl: 'TICKWORK_API_URL',
  dataDir: 'TICKWORK_DATA_DIR',
  region: 'AWS_REGION',
  defaultRegion: 'AWS_DEFAULT_REGION',
} as const;

export type Env = Readonly<Record<string, string | undefined>>;

/** The target flags as commander reads them. */
export interface TargetFlags {
  readonly url?: string;
  readonly region?: string;
  readonly dataDir?: string;
  readonly json?: boolean;
}

/** Adds `--url`, `--region`, `--data-dir` and `--json` to an API command. */
export function addTargetOptions(command: Command): void {
  valueOption(
    command,
    '--url <URL>',
    `deployed API base URL (or ${CLI_ENV.apiUrl}); requests are signed with your AWS credentials`,
  );
  valueOption(command, '--region <REGION>', `AWS Region for --url (default: ${CLI_ENV.region} or the URL)`);
  valueOption(
    command,
    '--data-dir <DIR>',
    `local stack data directory (or ${CLI_ENV.dataDir}; default: the nearest .tickwork/endpoints.json from here up)`,
  );
  command.option('--json', 'print the JSON answer instead of a summary');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The local stack's data directory a command names: its --data-dir, else a non-empty TICKWORK_DATA_DIR. */
export function namedDataDir(flag: string | undefined, env: Env): string | undefined {
  return flag ?? nonEmpty(env[CLI_ENV.dataDir]);
}

/** Flags first, then the environment; the data directory is looked for at run time when neither names it. */
export function targetOptions(flags: TargetFlags, env: Env): TargetOptions {
  const url = flags.url ?? nonEmpty(env[CLI_ENV.apiUrl]);
  const region = flags.region ?? nonEmpty(env[CLI_ENV.region]) ?? nonEmpty(env[CLI_ENV.defaultRegion]);
  const dataDir = namedDataDir(flags.dataDir, env);
  return {
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(url === undefined ? {} : { url }),
    ...(region === undefined ? {} : { region }),
  };
}

/**
 * The target flags given on the command line, to repeat them in a printed command (a "more:" hint);
 * the environment still holds what came from it.
 */
export function targetArgs(flags: TargetFlags): string[] {
  return [
    ...(flags.url === undefined ? [] : ['--url', flags.url]),
    ...(flags.region === undefined ? [] : ['--region', flags.region]),
    ...(flags.dataDir === undefined ? [] : ['--data-dir', flags.dataDir]),
  ];
}

/**
 * One call of the typed client (`tickwork/client`) a command line maps to, where it goes, and how to
 * print the answer: the CLI sends its requests through the same methods a program uses.
 */
export interface ClientInvocation<T = unknown> extends ErrorContext {
  readonly call: (client: TickworkClient) => Promise<T>;
  readonly target: TargetOptions;
  readonly json: boolean;
  /** For listings: the command line of the same listing without `--cursor`, for the "more:" hint. */
  readonly more?: readonly string[];
}

/**
 * The typed client for the target flags. It resolves the target on its first call; a badly named one
 * (`--url`, `--region`) is an InvalidTargetError then, which exit-codes.ts maps to a usage error.
 * A watching command passes its Ctrl-C signal, so a request in flight does not keep the process alive.
 */
export function clientFor(options: TargetOptions, signal?: AbortSignal): TickworkClient {
  return new TickworkClient(signal === undefined ? options : { ...options, signal });
}

/** Makes the invocation's call and prints the answer: as JSON with --json, else through `view`. */
export async function callAndShow<T>(
  invocation: ClientInvocation<T>,
  view: (answer: T) => string,
): Promise<number> {
  const answer = await invocation.call(clientFor(invocation.target));
  printWarnings(answer);
  if (invocation.json) {
    if (answer !== undefined) write(json(answer));
  } else {
    write(view(answer));
  }
  return EXIT.success;
}

/** Writes `tickwork <command>: <first line>`, then each further line indented under it, to stderr. */
export function reportError(command: string, lines: readonly string[]): void {
  const [first = '', ...rest] = lines.map(oneLine);
  process.stderr.write(`tickwork ${command}: ${first}\n${rest.map((line) => `  ${line}\n`).join('')}`);
}

/**
 * Runs a command body behind the CLI's error boundary: expected failures are reported in the CLI's
 * terms with their exit code; unexpected errors propagate to the dispatcher, which reports them as such.
 */
export async function withErrorBoundary(context: ErrorContext, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    const code = exitCodeFor(error);
    if (code === undefined) throw error;
    if (error instanceof ApiError) {
      reportError(context.command, describeApiError(error, context));
    } else {
      reportError((error instanceof UsageError ? error.command : undefined) ?? context.command, [
        (error as Error).message,
      ]);
    }
    return code;
  }
}

export function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A command module as the dispatcher runs it. */
export interface CommandModule {
  readonly summary: string;
  run(args: string[]): Promise<number>;
}

/**
 * A command made of a pure parse (arguments and environment to an invocation, or help) and an
 * execute step, run behind the error boundary. `context` names what an API error is about.
 */
export function defineCommand<I>(definition: {
  readonly name: string;
  readonly summary: string;
  readonly parse: (args: readonly string[], env: Env) => Parsed<I>;
  readonly execute: (invocation: I) => Promise<number>;
  readonly context?: (invocation: I) => ErrorContext;
}): CommandModule {
  return {
    summary: definition.summary,
    run: async (args) => {
      let parsed: Parsed<I>;
      try {
        parsed = definition.parse(args, process.env);
      } catch (error) {
        return withErrorBoundary({ command: definition.name }, () => Promise.reject(error));
      }
      if (isHelp(parsed)) {
        write(parsed.help);
        return EXIT.success;
      }
      const invocation = parsed;
      const context = definition.context?.(invocation) ?? { command: definition.name };
      return withErrorBoundary(context, () => definition.execute(invocation));
    },
  };
}

/** Prints each `warnings` entry of an answer (e.g. a signing secret that does not exist yet) to stderr. */
export function printWarnings(body: unknown): void {
  for (const warning of problems(isRecord(body) ? body.warnings : undefined)) {
    process.stderr.write(`warning: ${oneLine(warning.message)}\n`);
  }
}

/** A word as a POSIX shell reads it back: bare when safe, else single-quoted. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The "more:" line under a page whose answer has a `nextCursor`: the same command line with its
 * filters, and the cursor, so copying it continues the same listing.
 */
export function nextPageHint(body: unknown, more: readonly string[] | undefined): string {
  const cursor = isRecord(body) && typeof body.nextCursor === 'string' ? body.nextCursor : undefined;
  if (cursor === undefined || more === undefined) return '';
  return `\nmore: ${[...more, '--cursor', cursor].map(shellWord).join(' ')}`;
}
