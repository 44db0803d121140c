/**
 * `tickwork import loom <file> [-o out.yaml] [--event-bus name] [--source s]`: a YAML timer-loop
 * actor's scheduler config as a jobs file (stdout without -o) of task jobs that put each dispatch on
 * an event bus. What cannot convert is listed on stderr and as comments at the top of the output.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { importLoom } from '../../shared/jobs/file/loom.ts';
import { defineCommand, reportError, write } from '../api-command.ts';
import { act, type CliCommand, type Parsed, parseCommandLine, valueOption } from '../command-line.ts';
import { EXIT } from '../exit-codes.ts';
import { COMMANDS } from '../summaries.ts';

export interface ImportInvocation {
  readonly command: 'import loom';
  readonly file: string;
  readonly output?: string;
  readonly eventBusName?: string;
  readonly source?: string;
}

interface ImportFlags {
  readonly output?: string;
  readonly eventBus?: string;
  readonly source?: string;
}

function defineImport(root: CliCommand, done: (invocation: ImportInvocation) => void): void {
  const group = root.command('import').summary(COMMANDS.import.summary);
  const loom = group
    .command('loom <file>')
    .summary('convert a loom scheduler config (schedules: cron|interval_seconds, dispatch_type goal|task)')
    .description(
      'Convert a loom scheduler config into a jobs file of task jobs that put each dispatch on an\n' +
        'EventBridge bus (detail type loom.goal or loom.task), with a fan-out where it used expand_from.\n' +
        'What cannot convert is listed on stderr and as comments at the top of the output.',
    );
  valueOption(loom, '-o, --output <FILE>', 'write the jobs file here instead of to stdout');
  valueOption(
    loom,
    '--event-bus <NAME>',
    'the bus to dispatch to (default: the config\'s event_bus, else "default")',
  );
  valueOption(
    loom,
    '--source <SOURCE>',
    'the events\' source (default: the config\'s source, else "loom.scheduler")',
  );
  act<ImportFlags, ImportInvocation>(loom, done, ([file], flags) => ({
    command: 'import loom',
    file: file as string,
    ...(flags.output === undefined ? {} : { output: flags.output }),
    ...(flags.eventBus === undefined ? {} : { eventBusName: flags.eventBus }),
    ...(flags.source === undefined ? {} : { source: flags.source }),
  }));
}

export function parseImportArgs(args: readonly string[]): Parsed<ImportInvocation> {
  return parseCommandLine(['import', ...args], (root, done) => defineImport(root, done));
}

async function execute(invocation: ImportInvocation): Promise<number> {
  let text: string;
  try {
    text = await readFile(invocation.file, 'utf8');
  } catch (error) {
    reportError(invocation.command, [
      `${invocation.file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    ]);
    return EXIT.usage;
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    reportError(
      invocation.command,
      document.errors.map((error) => {
        const at = lineCounter.linePos(error.pos[0]);
        return `${invocation.file}:${at.line}:${at.col}: is not valid YAML: ${error.message.split('\n')[0]}`;
      }),
    );
    return EXIT.usage;
  }
  const converted = importLoom(document.toJS({ maxAliasCount: 100 }), invocation.file, {
    ...(invocation.eventBusName === undefined ? {} : { eventBusName: invocation.eventBusName }),
    ...(invocation.source === undefined ? {} : { source: invocation.source }),
  });
  for (const item of converted.notConverted)
    process.stderr.write(`not converted: ${item.what}: ${item.reason}\n`);
  if (invocation.output === undefined) write(converted.text);
  else {
    await writeFile(invocation.output, converted.text);
    process.stderr.write(`wrote ${converted.jobs.length} job(s) to ${invocation.output}\n`);
  }
  return EXIT.success;
}

export const importCommand = defineCommand({
  name: 'import',
  summary: COMMANDS.import.summary,
  parse: (args) => parseImportArgs(args),
  execute,
});
