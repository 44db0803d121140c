/**
 * What every API command shares: the target flags (`--url`, `--region`, `--data-dir`), `--json`,
 * and the one error boundary that turns failures into a single stderr line and an exit code:
 * 2 for usage errors and 4xx answers, 1 for 5xx answers, unreachable targets and missing stacks.
 */
import {
  ApiClient,
  ApiError,
  type ApiRequest,
  ApiUnreachableError,
  isRecord,
  resolveTarget,
  TargetError,
  type TargetOptions,
} from './api-client.ts';
import type { FlagSpecs, Flags } from './args.ts';
import type { Command } from './main.ts';
import { json } from './output.ts';
import { UsageError } from './usage-error.ts';

/** Environment variables the CLI reads, each standing in for a flag. */
export const CLI_ENV = {
  apiUrl: 'TICKWORK_API_URL',
  dataDir: 'TICKWORK_DATA_DIR',
  region: 'AWS_REGION',
  defaultRegion: 'AWS_DEFAULT_REGION',
} as const;

export const DEFAULT_DATA_DIR = '.tickwork';

export const TARGET_FLAGS = {
  url: {
    kind: 'string',
    value: 'URL',
    help: `deployed API base URL (or ${CLI_ENV.apiUrl}); requests are signed with your AWS credentials`,
  },
  region: {
    kind: 'string',
    value: 'REGION',
    help: `AWS Region for --url (default: ${CLI_ENV.region} or the URL)`,
  },
  'data-dir': {
    kind: 'string',
    value: 'DIR',
    help: `local stack data directory with endpoints.json (or ${CLI_ENV.dataDir}; default ${DEFAULT_DATA_DIR})`,
  },
  json: { kind: 'boolean', help: 'print the JSON answer instead of a summary' },
} as const satisfies FlagSpecs;

export type Env = Readonly<Record<string, string | undefined>>;

/** One API call a command line maps to: the request, where it goes, and whether to print raw JSON. */
export interface ApiInvocation {
  readonly request: ApiRequest;
  readonly target: TargetOptions;
  readonly json: boolean;
}

/** What parsing a command line gives: what to do, or the help text to print. */
export type Parsed<I> = I | { readonly help: string };

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Flags first, then the environment, then defaults. */
export function targetOptions(flags: Flags<typeof TARGET_FLAGS>, env: Env): TargetOptions {
  const url = flags.url ?? nonEmpty(env[CLI_ENV.apiUrl]);
  const region = flags.region ?? nonEmpty(env[CLI_ENV.region]) ?? nonEmpty(env[CLI_ENV.defaultRegion]);
  return {
    dataDir: flags['data-dir'] ?? nonEmpty(env[CLI_ENV.dataDir]) ?? DEFAULT_DATA_DIR,
    ...(url === undefined ? {} : { url }),
    ...(region === undefined ? {} : { region }),
  };
}

export async function connect(options: TargetOptions): Promise<ApiClient> {
  return new ApiClient(await resolveTarget(options));
}

/** Writes one line to stderr: `tickwork <command>: <message>`. */
export function reportError(command: string, message: string): void {
  process.stderr.write(`tickwork ${command}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
}

/** Exit code for a failure the CLI expects; undefined for anything else. */
export function exitCodeFor(error: unknown): number | undefined {
  if (error instanceof UsageError) return 2;
  if (error instanceof ApiError) return error.status < 500 ? 2 : 1;
  if (error instanceof ApiUnreachableError || error instanceof TargetError) return 1;
  return undefined;
}

/**
 * Runs a command body behind the CLI's error boundary. Unexpected errors propagate to the
 * dispatcher, which reports them as such.
 */
export async function withErrorBoundary(command: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    const code = exitCodeFor(error);
    if (code === undefined) throw error;
    reportError(command, (error as Error).message);
    return code;
  }
}

export function write(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * A command made of a pure parse (arguments and environment to an invocation, or help) and an
 * execute step, run behind the error boundary. `label` names the command in error lines.
 */
export function defineCommand<I>(definition: {
  readonly summary: string;
  readonly label: string | ((args: readonly string[]) => string);
  readonly parse: (args: readonly string[], env: Env) => Parsed<I>;
  readonly execute: (invocation: I) => Promise<number>;
}): Command {
  return {
    summary: definition.summary,
    run: (args) => {
      const label = typeof definition.label === 'string' ? definition.label : definition.label(args);
      return withErrorBoundary(label, async () => {
        const parsed = definition.parse(args, process.env);
        if (isRecord(parsed) && typeof parsed.help === 'string') {
          write(parsed.help);
          return 0;
        }
        return definition.execute(parsed as I);
      });
    },
  };
}

/** Sends the request and prints the answer: as JSON with --json, else through `view`. */
export async function sendAndShow(
  invocation: ApiInvocation,
  view: (body: unknown) => string,
): Promise<number> {
  const client = await connect(invocation.target);
  const answer = await client.request(invocation.request);
  if (invocation.json) {
    if (answer.body !== undefined) write(json(answer.body));
  } else {
    write(view(answer.body));
  }
  return 0;
}

/** The "more" line under a page whose answer has a `nextCursor`. */
export function nextPageHint(body: unknown, command: string): string {
  const cursor = isRecord(body) && typeof body.nextCursor === 'string' ? body.nextCursor : undefined;
  return cursor === undefined ? '' : `\nmore: ${command} --cursor ${cursor}`;
}
