/**
 * `tickwork events`: the events the local EventBridge endpoint's buses received (a task job's
 * eventbridge target), newest first. Reads the endpoint's file in the data directory, so it works
 * whether or not the stack runs. `--output table|wide|json|jsonl` as the other listings (`--json` its
 * alias): `wide` shows each detail whole, `jsonl` one stored event a line.
 */
import { existsSync } from 'node:fs';
import { eventsPath, listEvents, type StoredEvent } from '../../local/eventbridge/event-store.ts';
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
import { addOutputOption, jsonLines, type OutputFormat, outputFormat } from '../terminal.ts';

export interface EventsInvocation {
  /** Named by --data-dir or TICKWORK_DATA_DIR; otherwise found from the current directory up. */
  readonly dataDir?: string;
  readonly bus?: string;
  readonly limit?: number;
  readonly output: OutputFormat;
}

interface EventsFlags {
  readonly dataDir?: string;
  readonly bus?: string;
  readonly limit?: number;
  readonly json?: boolean;
  readonly output?: OutputFormat;
}

export function defineEvents(root: CliCommand, env: Env, done: (invocation: EventsInvocation) => void): void {
  const command = root
    .command('events')
    .summary(COMMANDS.events.summary)
    .description(
      "List the events the local EventBridge endpoint's buses received, newest first. Works whether\n" +
        'or not the stack is running.',
    );
  valueOption(
    command,
    '--data-dir <DIR>',
    `local stack data directory (or ${CLI_ENV.dataDir}; default: the running stack's, else the project's .tickwork)`,
  );
  valueOption(command, '--bus <NAME>', 'only the events of this bus');
  valueOption(command, '--limit <N>', 'only the newest N', wholeNumber(1));
  addOutputOption(command);
  command.option('--json', 'print the events as JSON (--output json)');
  act<EventsFlags, EventsInvocation>(command, done, (_, flags) => {
    const dataDir = namedDataDir(flags.dataDir, env);
    return {
      output: outputFormat(flags),
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(flags.bus === undefined ? {} : { bus: flags.bus }),
      ...(flags.limit === undefined ? {} : { limit: flags.limit }),
    };
  });
}

export function parseEventsArgs(args: readonly string[], env: Env = {}): Parsed<EventsInvocation> {
  return parseCommandLine(['events', ...args], (root, done) => defineEvents(root, env, done));
}

/** The events of `bus` (every bus when undefined), newest first, at most `limit`. */
export function selectEvents(events: readonly StoredEvent[], bus?: string, limit?: number): StoredEvent[] {
  const ordered = events.filter((event) => bus === undefined || event.bus === bus).reverse();
  return limit === undefined ? ordered : ordered.slice(0, limit);
}

const DETAIL_WIDTH = 80;

/** `wide` shows each detail whole; the readable table cuts it to DETAIL_WIDTH. */
export function eventsTable(events: readonly StoredEvent[], wide = false): string {
  const rows = events.map((event) => {
    const detail = oneLine(JSON.stringify(event.detail));
    return [
      instant(event.receivedAt),
      event.bus,
      event.source,
      event.detailType,
      event.id,
      !wide && detail.length > DETAIL_WIDTH ? `${detail.slice(0, DETAIL_WIDTH - 1)}…` : detail,
    ];
  });
  return table(['RECEIVED', 'BUS', 'SOURCE', 'DETAIL TYPE', 'EVENT ID', 'DETAIL'], rows);
}

async function execute(invocation: EventsInvocation): Promise<number> {
  const dataDir = invocation.dataDir ?? localDataDir(process.cwd());
  let events: StoredEvent[];
  try {
    events = await listEvents(dataDir);
  } catch (error) {
    process.stderr.write(`tickwork events: ${oneLine((error as Error).message)}\n`);
    return EXIT.failed;
  }
  const matching = selectEvents(events, invocation.bus);
  const shown = invocation.limit === undefined ? matching : matching.slice(0, invocation.limit);
  if (invocation.output === 'json') {
    write(json({ events: shown }));
    return EXIT.success;
  }
  if (invocation.output === 'jsonl') {
    process.stdout.write(jsonLines(shown));
    return EXIT.success;
  }
  if (matching.length === 0) {
    const where = existsSync(dataDir) ? eventsPath(dataDir) : `${dataDir} (no such directory)`;
    write(`no events${invocation.bus === undefined ? '' : ` on bus ${invocation.bus}`} in ${where}`);
    return EXIT.success;
  }
  write(eventsTable(shown, invocation.output === 'wide'));
  if (shown.length < matching.length) write(`showing the newest ${shown.length} of ${matching.length}`);
  return EXIT.success;
}

export const eventsCommand = defineCommand({
  name: 'events',
  summary: COMMANDS.events.summary,
  parse: parseEventsArgs,
  execute,
});
