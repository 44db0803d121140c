/**
 * `tickwork local --function <name>=<module>` and `--event-bus <name>`: each checked before the stack
 * starts, a bad value a usage error naming the flag, the value and the rule.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLocalOptions } from '../../../cli/commands/local.ts';
import { USER_FUNCTION_TIMEOUT_SECONDS } from '../../../cli/commands/local-functions.ts';
import { UsageError } from '../../../cli/usage-error.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = 'examples/task-function/handler.ts';

describe('tickwork local --function and --event-bus', () => {
  it('Given functions and buses, Then each function is its module by name, and the buses are kept once', () => {
    const options = parseLocalOptions(
      [
        '--function',
        `reminders=${EXAMPLE}`,
        '--function',
        `other=${join(root, EXAMPLE)}`,
        '--event-bus',
        'orders',
        '--event-bus',
        'orders',
      ],
      {},
    );
    expect(options.functions).toEqual({
      reminders: {
        entry: join(root, EXAMPLE),
        timeoutSeconds: USER_FUNCTION_TIMEOUT_SECONDS,
        memorySize: 128,
      },
      other: { entry: join(root, EXAMPLE), timeoutSeconds: USER_FUNCTION_TIMEOUT_SECONDS, memorySize: 128 },
    });
    expect(options.eventBuses).toEqual(['orders']);
  });

  it('Given neither, Then the options have neither', () => {
    const options = parseLocalOptions([], {});
    expect(options.functions).toBeUndefined();
    expect(options.eventBuses).toBeUndefined();
  });

  it.each([
    ['no "="', ['--function', EXAMPLE], '--function must be <name>=<path to a module exporting handler>'],
    ['an empty path', ['--function', 'reminders='], '--function must be <name>=<path'],
    [
      'a name Lambda refuses',
      ['--function', `my.fn=${EXAMPLE}`],
      `--function name must be 1-64 of A-Z a-z 0-9 _ - (Lambda's rule); got "my.fn"`,
    ],
    [
      'a name of the stack',
      ['--function', `tickwork-local-api=${EXAMPLE}`],
      "is one of the stack's own functions",
    ],
    [
      'a name twice',
      ['--function', `a=${EXAMPLE}`, '--function', `a=${EXAMPLE}`],
      '--function name "a" is given more than once',
    ],
    [
      'a missing file',
      ['--function', 'a=examples/nope.ts'],
      `--function a: no file at ${join(root, 'examples/nope.ts')}`,
    ],
    ['a directory', ['--function', 'a=examples'], '--function a: no file at'],
    [
      'a file that is no module',
      ['--function', 'a=README.md'],
      'must be a module (.ts, .mts, .cts, .js, .mjs, .cjs) exporting handler',
    ],
    ['a bus name with a space', ['--event-bus', 'my bus'], '--event-bus must be an event bus name'],
  ])('Given %s, Then a usage error says what is wrong', (_case, args, message) => {
    expect(() => parseLocalOptions(args, {})).toThrow(UsageError);
    expect(() => parseLocalOptions(args, {})).toThrow(message);
  });
});
