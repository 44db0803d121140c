import { describe, expect, it } from 'vitest';
import {
  act,
  type CliCommand,
  listOption,
  oneOf,
  type Parsed,
  parseCommandLine,
  valueOption,
  wholeNumber,
} from '../../../cli/command-line.ts';
import { UsageError } from '../../../cli/usage-error.ts';

interface Flags {
  readonly name?: string;
  readonly mode?: string;
  readonly limit?: number;
  readonly tag?: string[];
  readonly wait?: boolean;
}

interface Invocation {
  readonly command: string;
  readonly args: string[];
  readonly flags: Flags;
}

/** `tool` with a leaf command `one <item>` and a group `group` with subcommands `alpha` and `beta`. */
function define(root: CliCommand, done: (invocation: Invocation) => void): void {
  const one = root.command('one <item> [more]').summary('the leaf');
  valueOption(one, '--name <TEXT>', 'a name');
  valueOption(one, '--mode <MODE>', 'a choice', oneOf(['skip', 'allow']));
  valueOption(one, '--limit <N>', 'a number', wholeNumber(1, 100));
  listOption(one, '--tag <KEY=VALUE>', 'repeatable');
  one.option('--wait', 'a switch');
  act<Flags, Invocation>(one, done, (args, flags) => ({ command: 'one', args, flags }));
  const group = root.command('group').summary('a group');
  for (const name of ['alpha', 'beta']) {
    act<Flags, Invocation>(group.command(name).summary(`the ${name} one`), done, (args, flags) => ({
      command: name,
      args,
      flags,
    }));
  }
}

function parse(...argv: string[]): Parsed<Invocation> {
  return parseCommandLine(argv, define);
}

function failure(argv: string[]): UsageError {
  try {
    parse(...argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`);
}

describe('the CLI argument parser (commander, in the CLI wording)', () => {
  it.each<[string, string[], Flags, string[]]>([
    ['a value after the flag', ['one', 'x', '--name', 'n'], { name: 'n' }, ['x', undefined as never]],
    ['a value after =', ['one', 'x', '--name=a=b'], { name: 'a=b' }, ['x', undefined as never]],
    [
      'a value that starts with one dash',
      ['one', 'x', '--name', '-n'],
      { name: '-n' },
      ['x', undefined as never],
    ],
    ['an empty value after =', ['one', 'x', '--name='], { name: '' }, ['x', undefined as never]],
    ['a choice', ['one', 'x', '--mode', 'allow'], { mode: 'allow' }, ['x', undefined as never]],
    ['a number at the bound', ['one', 'x', '--limit=100'], { limit: 100 }, ['x', undefined as never]],
    [
      'a repeated list flag',
      ['one', 'x', '--tag', 'a=1', '--tag=b=2'],
      { tag: ['a=1', 'b=2'] },
      ['x', undefined as never],
    ],
    ['a switch', ['one', 'x', '--wait'], { wait: true }, ['x', undefined as never]],
    ['a switch set false', ['one', 'x', '--wait=false'], { wait: false }, ['x', undefined as never]],
    ['a switch set true', ['one', 'x', '--wait=true'], { wait: true }, ['x', undefined as never]],
    ['options before the arguments', ['one', '--wait', 'x', 'y'], { wait: true }, ['x', 'y']],
    [
      '-- ending the options',
      ['one', '--wait', '--', '--name'],
      { wait: true },
      ['--name', undefined as never],
    ],
  ])('Given %s, When parsed, Then the options and arguments are read', (_, argv, flags, args) => {
    expect(parse(...argv)).toEqual({ command: 'one', args, flags });
  });

  it.each<[string, string[], string, string]>([
    [
      'an unknown option',
      ['one', 'x', '--zzzz'],
      'one',
      'unknown option --zzzz; the options are --name, --mode, --limit, --tag, --wait, --help',
    ],
    [
      'a misspelled option',
      ['one', 'x', '--limt', '3'],
      'one',
      'unknown option --limt; did you mean --limit?',
    ],
    ['a single-dash option', ['one', 'x', '-n'], 'one', 'unknown option -n; the options are'],
    ['a missing value at the end', ['one', 'x', '--name'], 'one', '--name needs a value (TEXT)'],
    [
      'an option where the value should be',
      ['one', 'x', '--name', '--wait'],
      'one',
      '--name needs a value (TEXT)',
    ],
    [
      'a value outside the choices',
      ['one', 'x', '--mode', 'never'],
      'one',
      '--mode must be one of skip, allow, got "never"',
    ],
    [
      'a number that is not one',
      ['one', 'x', '--limit', 'ten'],
      'one',
      '--limit must be a whole number from 1 to 100, got "ten"',
    ],
    [
      'a negative number',
      ['one', 'x', '--limit=-1'],
      'one',
      '--limit must be a whole number from 1 to 100, got "-1"',
    ],
    [
      'a fraction',
      ['one', 'x', '--limit', '1.5'],
      'one',
      '--limit must be a whole number from 1 to 100, got "1.5"',
    ],
    [
      'a switch with a value',
      ['one', 'x', '--wait=yes'],
      'one',
      '--wait takes no value (or =true, =false); got "--wait=yes"',
    ],
    [
      'an option given twice',
      ['one', 'x', '--name', 'a', '--name', 'b'],
      'one',
      '--name is given more than once',
    ],
    ['a missing argument', ['one'], 'one', 'missing <item>'],
    ['an extra argument', ['one', 'x', 'y', 'z'], 'one', 'unexpected argument "z"; expected <item> [more]'],
    ['no command', [], '', 'missing command; expected one of one, group'],
    ['an unknown command', ['zzz'], '', 'unknown command "zzz"; expected one of one, group'],
    ['a misspelled command', ['gruop'], '', 'unknown command "gruop"; did you mean group?'],
    ['no subcommand', ['group'], 'group', 'missing subcommand; expected one of alpha, beta'],
    [
      'a misspelled subcommand',
      ['group', 'alpah'],
      'group',
      'unknown subcommand "alpah"; did you mean alpha?',
    ],
    [
      'an extra argument of a subcommand',
      ['group', 'beta', 'x'],
      'group beta',
      'unexpected argument "x"; expected none',
    ],
  ])(
    'Given %s, When parsed, Then a one-line UsageError names it and its command',
    (_, argv, command, message) => {
      const error = failure(argv);

      expect(error.message.startsWith(message)).toBe(true);
      expect(error.message).not.toContain('\n');
      expect(error.command).toBe(command);
    },
  );

  it.each([[['one', '--help']], [['one', 'x', '--nope', '-h']], [['group', 'help', 'alpha']]])(
    'Given help asked with %j, When parsed, Then the help text comes back and nothing else is checked',
    (argv) => {
      const parsed = parse(...argv);

      expect(parsed).toEqual({ help: expect.stringMatching(/^usage: tickwork (one|group alpha) /) });
    },
  );

  it('Given a command with options, When its help is read, Then each option has its placeholder and description', () => {
    const parsed = parse('one', '--help') as { help: string };

    expect(parsed.help).toContain('usage: tickwork one [options] <item> [more]');
    expect(parsed.help).toMatch(/\n {2}--limit <N> +a number\n/);
    expect(parsed.help).toMatch(/\n {2}-h, --help +show this help\n/);
  });

  it('Given a group, When its help is read, Then it lists its subcommands with their summaries', () => {
    const parsed = parse('group', '--help') as { help: string };

    expect(parsed.help).toMatch(/\n {2}alpha +the alpha one\n {2}beta +the beta one\n/);
  });
});
