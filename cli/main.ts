/**
 * The `tickwork` CLI: one dispatcher, one module per command. Each command parses its own
 * arguments and returns an exit code; usage errors exit 2 with a one-line message, no stack trace.
 */
import { UsageError } from './usage-error.ts';

export interface Command {
  readonly summary: string;
  run(args: string[]): Promise<number>;
}

// Loaded on demand so `tickwork preview` does not pay for the AWS SDK.
const commands: Record<string, () => Promise<Command>> = {
  preview: async () => (await import('./commands/preview.ts')).previewCommand,
  local: async () => (await import('./commands/local.ts')).localCommand,
  jobs: async () => (await import('./commands/jobs.ts')).jobsCommand,
  run: async () => (await import('./commands/run.ts')).runCommand,
  runs: async () => (await import('./commands/runs.ts')).runsCommand,
  status: async () => (await import('./commands/status.ts')).statusCommand,
  cancel: async () => (await import('./commands/cancel.ts')).cancelCommand,
  reconcile: async () => (await import('./commands/reconcile.ts')).reconcileCommand,
  'dead-letters': async () => (await import('./commands/dead-letters.ts')).deadLettersCommand,
  'webhook-receiver': async () => (await import('./commands/webhook-receiver.ts')).webhookReceiverCommand,
};

function usage(): string {
  return [
    'usage: tickwork <command> [options]',
    '',
    'commands:',
    ...Object.keys(commands).map((name) => `  ${name}`),
    '',
    'Run `tickwork <command> --help` for the options of a command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (load === undefined) {
    process.stderr.write(
      `tickwork: unknown command "${name}"; expected one of: ${Object.keys(commands).join(', ')}\n`,
    );
    return 2;
  }
  try {
    const command = await load();
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`tickwork ${name}: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`tickwork ${name}: unexpected error: ${message}\n`);
    return 1;
  }
}
