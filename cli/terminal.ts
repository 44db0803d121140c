/**
 * Where the CLI's output goes and how it may look there: the listing commands' `--output` (with `--json`
 * its alias), the terminal's width (tables fit it; a pipe or file gets every character) and colour (on a
 * terminal only, never with NO_COLOR, https://no-color.org; FORCE_COLOR turns it on elsewhere, e.g. for
 * tests and `less -R`).
 */
import type { Command } from 'commander';
import { oneOf, valueOption } from './command-line.ts';
import type { TableLayout } from './output.ts';
import { UsageError } from './usage-error.ts';

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'jsonl'] as const;
/** `table` the readable summary, `wide` with more columns, `json` the API's answer, `jsonl` one item a line. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface OutputFlags {
  readonly output?: OutputFormat;
  readonly json?: boolean;
}

/** Adds `--output` to a listing command (which has `--json` from its target options). */
export function addOutputOption(command: Command): void {
  valueOption(
    command,
    `--output <${OUTPUT_FORMATS.join('|')}>`,
    `table (default), wide (more columns), json (the API's answer) or jsonl (one item a line)`,
    oneOf(OUTPUT_FORMATS),
  );
}

/** The format the flags ask for: `--json` is `--output json`, and contradicting it is a usage error. */
export function outputFormat(flags: OutputFlags): OutputFormat {
  if (flags.json === true) {
    if (flags.output !== undefined && flags.output !== 'json') {
      throw new UsageError(`--json is --output json; it cannot be combined with --output ${flags.output}`);
    }
    return 'json';
  }
  return flags.output ?? 'table';
}

export type Env = Readonly<Record<string, string | undefined>>;

/** What the CLI knows about its standard output. */
export interface Terminal {
  /** Columns to fit tables to; undefined when stdout is not a terminal (nothing is cut). */
  readonly width: number | undefined;
  readonly colour: boolean;
}

/** The terminal of `stream` (process.stdout) under `env`'s NO_COLOR and FORCE_COLOR. */
export function terminalOf(
  stream: { readonly isTTY?: boolean; readonly columns?: number },
  env: Env,
): Terminal {
  const tty = stream.isTTY === true;
  // no-color.org: set and not empty disables colour, whatever else asks for it.
  const noColour = (env.NO_COLOR ?? '') !== '';
  const force = env.FORCE_COLOR !== undefined && !['', '0', 'false'].includes(env.FORCE_COLOR);
  const columns = stream.columns;
  return {
    width: tty && typeof columns === 'number' && columns > 0 ? columns : undefined,
    colour: !noColour && (tty || force),
  };
}

/** The terminal this process writes to. */
export function stdoutTerminal(): Terminal {
  return terminalOf(process.stdout, process.env);
}

/** A table's look: the readable or the wide columns, for a terminal. */
export interface TableStyle {
  readonly wide: boolean;
  readonly terminal: Terminal;
}

/** A plain table, as tests and pipes see it. */
export const PLAIN: TableStyle = { wide: false, terminal: { width: undefined, colour: false } };

const SGR = {
  green: '\u001b[32m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
  dim: '\u001b[2m',
  reset: '\u001b[0m',
} as const;

/** Run statuses and health words, by what an operator should make of them. */
const WORD_COLOURS: Readonly<Record<string, keyof typeof SGR>> = {
  succeeded: 'green',
  ok: 'green',
  yes: 'green',
  failed: 'red',
  timed_out: 'red',
  failing: 'red',
  missed: 'red',
  late: 'yellow',
  retrying: 'yellow',
  running: 'cyan',
  pending: 'cyan',
  waiting: 'cyan',
  cancelled: 'dim',
  skipped: 'dim',
  paused: 'dim',
  no: 'dim',
};

/** A status word (the first word of `text`) in its colour; other text as it is. */
export function colourStatus(text: string): string {
  const word = /^[a-z_]+/.exec(text)?.[0];
  const colour = word === undefined ? undefined : WORD_COLOURS[word];
  return colour === undefined ? text : `${SGR[colour]}${text}${SGR.reset}`;
}

/**
 * The layout of a table under `style`: fitted to the terminal's width by cutting `flexible` columns, the
 * `status` columns coloured when the terminal takes colour.
 */
export function layoutFor(
  style: TableStyle,
  columns: { readonly flexible: readonly number[]; readonly status: readonly number[] },
): TableLayout {
  return {
    width: style.terminal.width,
    flexible: columns.flexible,
    ...(style.terminal.colour
      ? {
          paint: (cell: string, column: number) =>
            columns.status.includes(column) ? colourStatus(cell) : cell,
        }
      : {}),
  };
}

/** Items as JSON Lines: one compact object a line. */
export function jsonLines(items: readonly unknown[]): string {
  return items.map((item) => `${JSON.stringify(item)}\n`).join('');
}
