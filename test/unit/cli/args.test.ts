import { describe, expect, it } from 'vitest';
import { expectPositionals, type FlagSpecs, helpText, parseArgs } from '../../../cli/args.ts';
import { UsageError } from '../../../cli/usage-error.ts';

const SPECS = {
  name: { kind: 'string', value: 'TEXT', help: 'a name' },
  mode: { kind: 'string', choices: ['skip', 'allow'], help: 'a choice' },
  limit: { kind: 'integer', min: 1, max: 100, help: 'a number' },
  window: { kind: 'integer', help: 'a number without upper bound' },
  tag: { kind: 'list', help: 'repeatable' },
  wait: { kind: 'boolean', help: 'a switch' },
} as const satisfies FlagSpecs;

describe('parseArgs', () => {
  it.each<[string, string[], unknown, string[]]>([
    ['a value after the flag', ['--name', 'x'], { name: 'x' }, []],
    ['a value after =', ['--name=a=b'], { name: 'a=b' }, []],
    ['a value that starts with one dash', ['--name', '-x'], { name: '-x' }, []],
    ['an empty value after =', ['--name='], { name: '' }, []],
    ['a choice', ['--mode', 'allow'], { mode: 'allow' }, []],
    ['an integer at the bounds', ['--limit', '100', '--window=1'], { limit: 100, window: 1 }, []],
    ['a repeated list flag', ['--tag', 'a=1', '--tag=b=2'], { tag: ['a=1', 'b=2'] }, []],
    ['a switch', ['--wait'], { wait: true }, []],
    ['a switch set false', ['--wait=false'], { wait: false }, []],
    ['positionals around flags', ['one', '--wait', 'two'], { wait: true }, ['one', 'two']],
    ['-- ending the flags', ['--wait', '--', '--name'], { wait: true }, ['--name']],
  ])('Given %s, When parsed, Then the flags and positionals are read', (_, args, flags, positionals) => {
    const parsed = parseArgs(args, SPECS);

    expect(parsed.flags).toEqual(flags);
    expect(parsed.positionals).toEqual(positionals);
    expect(parsed.help).toBe(false);
  });

  it.each<[string, string[], string]>([
    [
      'an unknown flag',
      ['--nope'],
      'unknown option --nope; expected one of --name, --mode, --limit, --window, --tag, --wait',
    ],
    [
      'a single-dash flag',
      ['-n'],
      'unknown option -n; options are spelled with two dashes: --name, --mode, --limit, --window, --tag, --wait',
    ],
    ['a missing value at the end', ['--name'], '--name needs a value (TEXT)'],
    ['a flag where the value should be', ['--name', '--wait'], '--name needs a value (TEXT)'],
    ['a value outside the choices', ['--mode', 'never'], '--mode must be one of skip, allow, got "never"'],
    [
      'a number that is not one',
      ['--limit', 'ten'],
      '--limit must be a whole number from 1 to 100, got "ten"',
    ],
    ['a negative number', ['--limit=-1'], '--limit must be a whole number from 1 to 100, got "-1"'],
    ['a fraction', ['--limit', '1.5'], '--limit must be a whole number from 1 to 100, got "1.5"'],
    [
      'a number over the maximum',
      ['--limit', '101'],
      '--limit must be a whole number from 1 to 100, got "101"',
    ],
    ['zero without an upper bound', ['--window', '0'], '--window must be a whole number 1 or more, got "0"'],
    ['a switch with a value', ['--wait=yes'], '--wait takes no value or =true/=false, got "yes"'],
    ['a flag given twice', ['--name', 'a', '--name', 'b'], '--name is given more than once'],
  ])('Given %s, When parsed, Then a UsageError says what is wrong', (_, args, message) => {
    expect(() => parseArgs(args, SPECS)).toThrow(new UsageError(message));
  });

  it.each([['--help'], ['-h']])(
    'Given %s anywhere, When parsed, Then help is asked for and nothing else is checked',
    (flag) => {
      expect(parseArgs(['--nope', flag], SPECS)).toEqual({ positionals: [], flags: {}, help: true });
    },
  );
});

describe('expectPositionals', () => {
  it.each<[string[], string[], string]>([
    [[], ['name'], 'missing <name>'],
    [['a'], ['job', 'run'], 'missing <run>'],
    [['a', 'b'], ['name'], 'unexpected argument "b"; expected <name>'],
    [['a'], [], 'unexpected argument "a"; expected none'],
  ])('Given %j for %j, When checked, Then %s', (positionals, names, message) => {
    expect(() => expectPositionals(positionals, names)).toThrow(new UsageError(message));
  });

  it('Given the right count, When checked, Then the values come back', () => {
    expect(expectPositionals(['a', 'b'], ['x', 'y'])).toEqual(['a', 'b']);
  });
});

describe('helpText', () => {
  it('Given specs, When rendered, Then each flag has an aligned line with its placeholder', () => {
    const text = helpText('tool [options]', 'Does things.', {
      name: { kind: 'string', value: 'TEXT', help: 'a name' },
      wait: { kind: 'boolean', help: 'a switch' },
    });

    expect(text).toBe(
      [
        'usage: tool [options]',
        '',
        'Does things.',
        '',
        'options:',
        '  --name TEXT  a name',
        '  --wait       a switch',
        '',
      ].join('\n'),
    );
  });
});
