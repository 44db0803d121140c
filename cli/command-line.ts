/**
 * The CLI's one argument parser: commander 14, configured once here. Every command and subcommand is
 * a {@link CliCommand}, so every parse problem becomes a one-line {@link UsageError} in one wording
 * (with commander's "did you mean" suggestions), help text is captured instead of printed, and the
 * mapping from arguments to an invocation stays a function the tests call without any I/O.
 */
import { Command, CommanderError, type HelpContext, type Option, type ParseOptionsResult } from 'commander';
import { UsageError } from './usage-error.ts';

/** What parsing a command line gives: what to do, or the help text to print. */
export type Parsed<I> = I | { readonly help: string };

export function isHelp<I>(parsed: Parsed<I>): parsed is { readonly help: string } {
  return (
    typeof parsed === 'object' && parsed !== null && typeof (parsed as { help?: unknown }).help === 'string'
  );
}

/** `jobs add` for the `add` subcommand of `jobs`: the words between `tickwork` and the options. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent) {
    names.unshift(current.name());
  }
  return names.join(' ');
}

function longFlag(option: Option): string {
  return option.long ?? option.flags;
}

function isSwitch(option: Option): boolean {
  return !option.required && !option.optional;
}

/**
 * A commander Command whose errors are UsageErrors in the CLI's wording. Commander reports each
 * problem through `error()` (unknown option or command, missing or extra argument, missing value)
 * and a missing subcommand through `help({ error: true })`; both are overridden here, so no command
 * ever prints commander's multi-line messages or calls `process.exit`.
 */
export class CliCommand extends Command {
  override createCommand(name?: string): CliCommand {
    return new CliCommand(name);
  }

  override error(message: string, errorOptions?: { code?: string; exitCode?: number }): never {
    throw new UsageError(describeCommanderError(this, message, errorOptions?.code), {
      command: commandPath(this),
    });
  }

  override help(context?: HelpContext | ((text: string) => string)): never {
    if (typeof context === 'object' && context.error) {
      // Commander shows the help on stderr when a command that needs a subcommand gets none.
      throw new UsageError(
        `missing ${this.parent === null ? 'command' : 'subcommand'}; expected one of ${subcommandNames(this)}`,
        { command: commandPath(this) },
      );
    }
    return super.help(context as HelpContext);
  }

  /**
   * Two rules commander does not have, kept from the CLI's earlier parser: a switch also takes
   * `=true`/`=false` (`--enabled=false`), and an option that needs a value does not swallow the next
   * `--flag` as its value (`--description --json` is a missing value; `--description=--x` is fine).
   */
  override parseOptions(argv: string[]): ParseOptionsResult {
    const args: string[] = [];
    for (let index = 0; index < argv.length; index++) {
      const arg = argv[index] as string;
      if (arg === '--') {
        args.push(...argv.slice(index));
        break;
      }
      const assigned = /^(--[^=]+)=(.*)$/.exec(arg);
      const option = this.options.find((candidate) => candidate.long === (assigned?.[1] ?? arg));
      if (option !== undefined && assigned !== null && isSwitch(option)) {
        if (assigned[2] === 'true') args.push(longFlag(option));
        else if (assigned[2] === 'false') this.setOptionValueWithSource(option.attributeName(), false, 'cli');
        else {
          throw new UsageError(`${longFlag(option)} takes no value (or =true, =false); got "${arg}"`, {
            command: commandPath(this),
          });
        }
        continue;
      }
      if (option !== undefined && assigned === null && option.required) {
        const value = argv[index + 1];
        if (value === undefined || value.startsWith('--')) {
          throw new UsageError(`${longFlag(option)} needs a value${placeholder(option)}`, {
            command: commandPath(this),
          });
        }
        args.push(arg, value);
        index++;
        continue;
      }
      args.push(arg);
    }
    try {
      return super.parseOptions(args);
    } catch (error) {
      // Option values are checked while they are read (see valueOption): name the command they belong to.
      throw withCommand(error, this);
    }
  }
}

function withCommand(error: unknown, command: Command): unknown {
  if (error instanceof UsageError && error.command === undefined) {
    return new UsageError(error.message, { cause: error.cause, command: commandPath(command) });
  }
  return error;
}

function placeholder(option: Option): string {
  const value = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1];
  return value === undefined ? '' : ` (${value})`;
}

function subcommandNames(command: Command): string {
  return command.commands
    .filter((sub) => sub.name() !== 'help')
    .map((sub) => sub.name())
    .join(', ');
}

function optionList(command: Command): string {
  const flags = command.options.filter((option) => !option.hidden).map(longFlag);
  return [...new Set([...flags, '--help'])].join(', ');
}

/** Commander's message (`error: unknown option '--x'\n(Did you mean --y?)`) in the CLI's wording. */
function describeCommanderError(command: Command, message: string, code: string | undefined): string {
  const text = message.replace(/^error: /, '');
  const quoted = /'([^']*)'/.exec(text)?.[1] ?? '';
  const suggestion = /\(Did you mean (.+)\?\)/.exec(text)?.[1];
  switch (code) {
    case 'commander.unknownOption':
      return suggestion === undefined
        ? `unknown option ${quoted}; the options are ${optionList(command)}`
        : `unknown option ${quoted}; did you mean ${suggestion}?`;
    case 'commander.unknownCommand': {
      const what = command.parent === null ? 'command' : 'subcommand';
      return suggestion === undefined
        ? `unknown ${what} "${quoted}"; expected one of ${subcommandNames(command)}`
        : `unknown ${what} "${quoted}"; did you mean ${suggestion}?`;
    }
    case 'commander.missingArgument':
      return `missing <${quoted}>`;
    case 'commander.optionMissingArgument': {
      const option = command.options.find((candidate) => candidate.flags === quoted);
      return option === undefined ? text : `${longFlag(option)} needs a value${placeholder(option)}`;
    }
    case 'commander.excessArguments': {
      const expected = command.registeredArguments;
      const names =
        expected.length === 0
          ? 'none'
          : expected.map((arg) => (arg.required ? `<${arg.name()}>` : `[${arg.name()}]`)).join(' ');
      return `unexpected argument "${command.args[expected.length] ?? ''}"; expected ${names}`;
    }
    default:
      return text.split('\n').join('; ');
  }
}

/** The root `tickwork` command; what commander would print (help, version) goes to `write`. */
export function newProgram(write: (text: string) => void): CliCommand {
  const root = new CliCommand('tickwork');
  // Configured before any subcommand is added: `.command()` copies these settings to each child.
  root
    .configureOutput({ writeOut: write, writeErr: write, outputError: () => {} })
    .configureHelp({ styleTitle: (title) => title.toLowerCase(), helpWidth: 100 })
    .helpOption('-h, --help', 'show this help')
    .showSuggestionAfterError(true)
    .exitOverride();
  return root;
}

/** Set while `tickwork completion` reads a command's tree (see {@link commandTree}). */
let treeReader: ((root: CliCommand) => void) | undefined;

/** Thrown by parseCommandLine once a tree reader has the tree: nothing is parsed, run or printed. */
class TreeReadSignal extends Error {
  constructor() {
    super('the command tree was read; nothing ran');
    this.name = 'TreeReadSignal';
  }
}

/**
 * The commander tree a command builds, read by starting it (`run(['--help'])`) and stopping it as soon as
 * parseCommandLine has defined its commands: the command's own definitions are the source, so
 * `tickwork completion` is generated, never written per command. Undefined for a command that builds no tree.
 */
export async function commandTree(
  run: (args: string[]) => Promise<unknown>,
): Promise<CliCommand | undefined> {
  let tree: CliCommand | undefined;
  treeReader = (root) => {
    tree = root;
  };
  try {
    await run(['--help']);
  } catch (error) {
    if (!(error instanceof TreeReadSignal)) throw error;
  } finally {
    treeReader = undefined;
  }
  return tree;
}

/**
 * Parses `argv` (starting with the command name) with the commands `define` adds to a fresh root.
 * Actions registered with {@link act} hand their invocation to `done`; help and `--version` come
 * back as `{ help }`. Throws UsageError for anything the command line gets wrong.
 */
export function parseCommandLine<I>(
  argv: readonly string[],
  define: (root: CliCommand, done: (invocation: I) => void) => void,
): Parsed<I> {
  let printed = '';
  const root = newProgram((text) => {
    printed += text;
  });
  let result: { readonly invocation: I } | undefined;
  define(root, (invocation) => {
    result = { invocation };
  });
  if (treeReader !== undefined) {
    treeReader(root);
    throw new TreeReadSignal();
  }
  try {
    root.parse([...argv], { from: 'user' });
  } catch (error) {
    if (
      error instanceof CommanderError &&
      error.exitCode === 0 &&
      ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code)
    ) {
      return { help: printed };
    }
    throw error;
  }
  if (result === undefined) throw new Error(`no action ran for \`tickwork ${argv.join(' ')}\``);
  return result.invocation;
}

/**
 * Registers `map` as the command's action: it turns the arguments and options into an invocation.
 * A UsageError it throws is reported for this command (`tickwork jobs add: …`).
 */
export function act<O, I>(
  command: Command,
  done: (invocation: I) => void,
  map: (args: string[], options: O, command: Command) => I,
): void {
  // Commander calls an action with the arguments, the options and, last, the command itself.
  command.action((...params: unknown[]) => {
    const self = params[params.length - 1] as Command;
    try {
      done(map(self.processedArgs as string[], self.opts() as O, self));
    } catch (error) {
      throw withCommand(error, self);
    }
  });
}

/**
 * Adds an option that takes a value, checked as it is read: `parse` turns the text into the value or
 * throws UsageError; giving the option twice is an error rather than a silent "last one wins".
 */
export function valueOption<T>(
  command: Command,
  flags: string,
  description: string,
  parse: (text: string, flag: string) => T = (text) => text as T,
): void {
  const flag = /--[\w-]+/.exec(flags)?.[0] ?? flags;
  command.option(flags, description, (text: string, previous: T | undefined) => {
    if (previous !== undefined) throw new UsageError(`${flag} is given more than once`);
    return parse(text, flag);
  });
}

/** Adds a repeatable option; its value is the list of texts in the order given. */
export function listOption(command: Command, flags: string, description: string): void {
  command.option(flags, description, (text: string, previous: string[] | undefined) => [
    ...(previous ?? []),
    text,
  ]);
}

/** A parser for whole numbers from `min` to `max` (inclusive). */
export function wholeNumber(min: number, max?: number): (text: string, flag: string) => number {
  return (text, flag) => {
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
      const range = max === undefined ? `${min} or more` : `from ${min} to ${max}`;
      throw new UsageError(`${flag} must be a whole number ${range}, got "${text}"`);
    }
    return value;
  };
}

/** A parser accepting only `choices`. */
export function oneOf<C extends string>(choices: readonly C[]): (text: string, flag: string) => C {
  return (text, flag) => {
    if (!(choices as readonly string[]).includes(text)) {
      throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got "${text}"`);
    }
    return text as C;
  };
}
