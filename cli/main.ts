/**
 * The `tickwork` CLI: one dispatcher, one module per command, all parsed with commander (see
 * command-line.ts). The root knows every command's name, arguments and summary (for `--help`,
 * `--version` and "did you mean" on a misspelled command) but loads a command's module only to run
 * it. Usage errors exit 2 with a one-line message, no stack trace.
 */
import { readFileSync } from 'node:fs';
import type { CommandModule } from './api-command.ts';
import { type CliCommand, isHelp, parseCommandLine } from './command-line.ts';
import { EXIT, EXIT_CODE_HELP } from './exit-codes.ts';
import { COMMANDS, type CommandName, isCommandName } from './summaries.ts';
import { UsageError } from './usage-error.ts';

/** A command module as the dispatcher runs it. */
export type Command = CommandModule;

// Loaded on demand so `tickwork preview` does not pay for the AWS SDK or the local runtime.
const LOADERS: Readonly<Record<CommandName, () => Promise<Command>>> = {
  preview: async () => (await import('./commands/preview.ts')).previewCommand,
  local: async () => (await import('./commands/local.ts')).localCommand,
  jobs: async () => (await import('./commands/jobs.ts')).jobsCommand,
  run: async () => (await import('./commands/run.ts')).runCommand,
  runs: async () => (await import('./commands/runs.ts')).runsCommand,
  status: async () => (await import('./commands/status.ts')).statusCommand,
  cancel: async () => (await import('./commands/cancel.ts')).cancelCommand,
  backfill: async () => (await import('./commands/backfill.ts')).backfillCommand,
  sync: async () => (await import('./commands/sync.ts')).syncCommand,
  reconcile: async () => (await import('./commands/reconcile.ts')).reconcileCommand,
  apply: async () => (await import('./commands/apply.ts')).applyCommand,
  export: async () => (await import('./commands/export.ts')).exportCommand,
  import: async () => (await import('./commands/import.ts')).importCommand,
  'dead-letters': async () => (await import('./commands/dead-letters.ts')).deadLettersCommand,
  events: async () => (await import('./commands/events.ts')).eventsCommand,
  'webhook-receiver': async () => (await import('./commands/webhook-receiver.ts')).webhookReceiverCommand,
  'demo-platform': async () => (await import('./commands/demo-platform.ts')).demoPlatformCommand,
  dashboard: async () => (await import('./commands/dashboard.ts')).dashboardCommand,
  completion: async () =>
    (await import('./commands/completion.ts')).completionCommand((name) => LOADERS[name]()),
};

/** The package's version, as `tickwork --version` prints it. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/** The root command: options of its own, and one stand-in per command for help and suggestions. */
function defineRoot(root: CliCommand): void {
  root
    .usage('<command> [options]')
    .description(
      'Tickwork: a serverless job scheduler (EventBridge Scheduler, Lambda, DynamoDB) and its local stack.\n' +
        'The client commands talk to the local stack (found from the current directory up) or, with\n' +
        '--url, to a deployed API.',
    )
    .version(packageVersion(), '-v, --version', 'print the version');
  for (const [name, { args, summary }] of Object.entries(COMMANDS)) {
    root.command(args === '' ? name : `${name} ${args}`).summary(summary);
  }
  root.addHelpText(
    'after',
    `\nRun \`tickwork <command> --help\` for the options of a command.\n\n${EXIT_CODE_HELP}`,
  );
}

/** Root-level arguments (no command, `--help`, `--version`, a misspelled command): what to print. */
function parseRoot(argv: readonly string[]): string {
  const parsed = parseCommandLine<never>(argv, (root) => defineRoot(root));
  if (isHelp(parsed)) return parsed.help;
  throw new Error(`tickwork ${argv.join(' ')} ran no command`);
}

async function runCommand(name: CommandName, args: string[]): Promise<number> {
  try {
    const command = await LOADERS[name]();
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`tickwork ${error.command ?? name}: ${error.message}\n`);
      return EXIT.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`tickwork ${name}: unexpected error: ${message}\n`);
    return EXIT.failed;
  }
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (isCommandName(first)) return runCommand(first, rest);
  // `tickwork help <command> [subcommand]` is `tickwork <command> [subcommand] --help`.
  if (first === 'help' && isCommandName(rest[0])) return runCommand(rest[0], [...rest.slice(1), '--help']);
  try {
    if (first === undefined) {
      process.stdout.write(parseRoot(['--help']));
      return EXIT.usage;
    }
    process.stdout.write(parseRoot(first === 'help' && rest.length > 0 ? rest : argv));
    return EXIT.success;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`tickwork: ${error.message}\n`);
    return EXIT.usage;
  }
}
