/**
 * `tickwork status [--watch [--interval SECONDS]]`: every job's health, next run and last run; with
 * `--watch`, again every interval until Ctrl-C: redrawn in place on a terminal, appended under a
 * timestamp otherwise (a log of tables, readable in a file).
 */
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
  type Parsed,
  parseCommandLine,
  valueOption,
  wholeNumber,
} from '../command-line.ts';
import { EXIT } from '../exit-codes.ts';
import { checkCursor } from '../names.ts';
import { instant, json } from '../output.ts';
import { statusView } from '../render.ts';
import { COMMANDS } from '../summaries.ts';
import {
  addOutputOption,
  jsonLines,
  type OutputFlags,
  type OutputFormat,
  outputFormat,
  stdoutTerminal,
  type Terminal,
} from '../terminal.ts';
import { UsageError } from '../usage-error.ts';
import { DEFAULT_INTERVAL_MS, interruption, parseInterval, watch } from '../watch.ts';

interface StatusFlags extends TargetFlags, OutputFlags {
  readonly limit?: number;
  readonly cursor?: string;
  readonly watch?: boolean;
  readonly interval?: number;
}

export interface StatusInvocation extends ClientInvocation {
  readonly output: OutputFormat;
  /** `--watch`: the pause between two looks. */
  readonly watchMs?: number;
}

export function defineStatus(root: CliCommand, env: Env, done: (invocation: StatusInvocation) => void): void {
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
  status.option('--watch', 'show it again every --interval until Ctrl-C (redrawn in place on a terminal)');
  valueOption(
    status,
    '--interval <SECONDS>',
    `with --watch: seconds between two looks (default ${DEFAULT_INTERVAL_MS / 1000})`,
    parseInterval,
  );
  addOutputOption(status);
  addTargetOptions(status);
  act<StatusFlags, StatusInvocation>(status, done, (_, flags) => {
    const output = outputFormat(flags);
    if (flags.interval !== undefined && flags.watch !== true) {
      throw new UsageError('--interval applies to --watch');
    }
    return {
      command: 'status',
      call: (client) =>
        client.status({
          ...(flags.limit === undefined ? {} : { limit: flags.limit }),
          ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
        }),
      target: targetOptions(flags, env),
      json: output === 'json',
      output,
      ...(flags.watch === true ? { watchMs: flags.interval ?? DEFAULT_INTERVAL_MS } : {}),
      more: [
        'tickwork',
        'status',
        ...(flags.limit === undefined ? [] : ['--limit', String(flags.limit)]),
        ...targetArgs(flags),
      ],
    };
  });
}

export function parseStatusArgs(args: readonly string[], env: Env = {}): Parsed<StatusInvocation> {
  return parseCommandLine(['status', ...args], (root, done) => defineStatus(root, env, done));
}

/** The answer in the format asked for; JSON is one line when watching (a stream of reports). */
function view(body: unknown, invocation: StatusInvocation, terminal: Terminal): string {
  const report = isRecord(body) ? body : {};
  switch (invocation.output) {
    case 'json':
      return invocation.watchMs === undefined ? json(body) : jsonLines([body]);
    case 'jsonl':
      return jsonLines(Array.isArray(report.jobs) ? report.jobs : []);
    default:
      return `${statusView(body, { wide: invocation.output === 'wide', terminal })}${nextPageHint(body, invocation.more)}\n`;
  }
}

/** Home, clear the screen and the scrollback: the table is drawn again from the top. */
const REDRAW = '\u001b[H\u001b[2J\u001b[3J';

async function execute(invocation: StatusInvocation): Promise<number> {
  const every = invocation.watchMs;
  // Watching: Ctrl-C also ends the request in flight, so the command exits at once.
  const stop = every === undefined ? undefined : interruption();
  const client = clientFor(invocation.target, stop?.signal);
  const terminal = stdoutTerminal();
  const show = async () => {
    const answer = await invocation.call(client);
    printWarnings(answer);
    return view(answer, invocation, terminal);
  };
  if (every === undefined || stop === undefined) {
    const text = await show();
    if (text !== '') write(text);
    return EXIT.success;
  }
  const table = invocation.output === 'table' || invocation.output === 'wide';
  // In place only on a terminal; a pipe or a file gets each table under the time it was taken.
  const inPlace = table && process.stdout.isTTY === true;
  try {
    await watch(
      every,
      async () => {
        const text = await show();
        const header = `${instant(new Date().toISOString())}  every ${every / 1000} s; Ctrl-C to stop`;
        if (inPlace) process.stdout.write(`${REDRAW}${header}\n\n${text}`);
        else if (table) process.stdout.write(`--- ${header}\n${text}\n`);
        else process.stdout.write(text);
      },
      stop.signal,
    );
  } finally {
    stop.release();
  }
  return EXIT.success;
}

export const statusCommand = defineCommand({
  name: 'status',
  summary: COMMANDS.status.summary,
  parse: parseStatusArgs,
  execute,
  context: (invocation) => invocation,
});
