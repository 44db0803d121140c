/**
 * `tickwork completion bash|zsh|fish`: a shell completion script generated from the commands' own
 * definitions (each command's commander tree, read by starting it with `--help` and stopping it before it
 * parses: ../command-line.ts commandTree), so a new command or option completes without an edit here.
 * Values complete from what the option says it takes: `<a|b>` its choices, `<KIND>` the kinds, `<STATUS>`
 * the run statuses, `<JOB>` and `<name>`/`<job>` arguments the job names, listed when completing by
 * `tickwork jobs list --all --output jsonl` (so they are the target's jobs, found as every command finds it).
 */
import type { Command } from 'commander';
import { RUN_STATUSES } from '../../shared/jobs/model.ts';
import { JOB_KINDS } from '../../shared/kinds/registry.ts';
import type { CommandModule } from '../api-command.ts';
import { act, type CliCommand, commandTree, type Parsed, parseCommandLine } from '../command-line.ts';
import { EXIT } from '../exit-codes.ts';
import { COMMANDS, type CommandName } from '../summaries.ts';
import { UsageError } from '../usage-error.ts';
import { bashScript, fishScript, zshScript } from './completion-scripts.ts';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What a value of an option or argument completes to: fixed words, or the job names. */
export type Values = { readonly words: readonly string[] } | 'jobs' | undefined;

export interface OptionSpec {
  readonly flag: string;
  /** Undefined for a switch; else what its value completes to (undefined values: anything). */
  readonly value?: { readonly values: Values };
}

/** One command path (`jobs pause`) with what completes after it. */
export interface CommandSpec {
  readonly path: string;
  readonly summary: string;
  readonly subcommands: readonly string[];
  readonly options: readonly OptionSpec[];
  /** What its positional arguments complete to (job names or nothing). */
  readonly args: Values;
}

const PLACEHOLDER_VALUES: Readonly<Record<string, Values>> = {
  KIND: { words: JOB_KINDS },
  STATUS: { words: RUN_STATUSES },
  JOB: 'jobs',
};

function valuesOf(placeholder: string): Values {
  if (placeholder.includes('|')) return { words: placeholder.split('|') };
  return PLACEHOLDER_VALUES[placeholder];
}

/** The specs of `command` and its subcommands, depth first. */
function specsOf(command: Command, path: string): CommandSpec[] {
  const subcommands = command.commands.filter((sub) => sub.name() !== 'help');
  const options = command.options
    .filter((option) => !option.hidden && option.long !== undefined)
    .map((option): OptionSpec => {
      const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1];
      return placeholder === undefined
        ? { flag: option.long as string }
        : { flag: option.long as string, value: { values: valuesOf(placeholder) } };
    });
  const named = command.registeredArguments.map((arg) => arg.name());
  return [
    {
      path,
      summary: command.summary(),
      subcommands: subcommands.map((sub) => sub.name()),
      // Once each: a command may declare its own --help (`local` does).
      options: [...new Map([...options, { flag: '--help' }].map((option) => [option.flag, option])).values()],
      args: named.some((name) => name === 'name' || name === 'job') ? 'jobs' : undefined,
    },
    ...subcommands.flatMap((sub) => specsOf(sub, `${path} ${sub.name()}`)),
  ];
}

/** Every command path's spec, read from the commands themselves (`load` gives a command's module). */
export async function commandSpecs(
  load: (name: CommandName) => Promise<CommandModule>,
): Promise<CommandSpec[]> {
  const specs: CommandSpec[] = [];
  for (const name of Object.keys(COMMANDS) as CommandName[]) {
    const module = await load(name);
    const root = await commandTree((args) => module.run(args));
    const command = root?.commands.find((each) => each.name() === name);
    specs.push(
      ...(command === undefined
        ? [
            {
              path: name,
              summary: COMMANDS[name].summary,
              subcommands: [],
              options: [{ flag: '--help' }],
              args: undefined,
            },
          ]
        : specsOf(command, name)),
    );
  }
  return specs;
}

export function completionScript(shell: Shell, specs: readonly CommandSpec[]): string {
  switch (shell) {
    case 'bash':
      return bashScript(specs);
    case 'zsh':
      return zshScript(specs);
    case 'fish':
      return fishScript(specs);
  }
}

export function parseCompletionArgs(args: readonly string[]): Parsed<Shell> {
  return parseCommandLine<Shell>(['completion', ...args], (root, done) => {
    const completion = root
      .command('completion <shell>')
      .summary(COMMANDS.completion.summary)
      .description(
        'Print a completion script for bash, zsh or fish. Load it with, e.g.:\n' +
          '  source <(tickwork completion bash)          # bash, this shell\n' +
          '  tickwork completion fish > ~/.config/fish/completions/tickwork.fish',
      );
    act<Record<string, never>, Shell>(completion, done, ([shell]) => {
      if (!(SHELLS as readonly string[]).includes(shell ?? '')) {
        throw new UsageError(`<shell> must be one of ${SHELLS.join(', ')}, got "${shell}"`);
      }
      return shell as Shell;
    });
  }) as Parsed<Shell>;
}

/** The command, given the dispatcher's loaders (passed in: this module is one of them). */
export function completionCommand(load: (name: CommandName) => Promise<CommandModule>): CommandModule {
  return {
    summary: COMMANDS.completion.summary,
    async run(args) {
      const parsed = parseCompletionArgs(args);
      if (typeof parsed === 'object') {
        process.stdout.write(parsed.help);
        return EXIT.success;
      }
      process.stdout.write(completionScript(parsed, await commandSpecs(load)));
      return EXIT.success;
    },
  };
}

export type { CliCommand };
