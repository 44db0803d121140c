import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, parseLocalOptions } from '../../../cli/commands/local.ts';
import { UsageError } from '../../../cli/usage-error.ts';

/** The repository root: the nearest directory with a package.json from where the tests run. */
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('parseLocalOptions', () => {
  it('Given nothing, Then the documented defaults: the data in the project .tickwork', () => {
    expect(process.cwd()).toBe(projectRoot.replace(/\/$/, ''));
    expect(parseLocalOptions([], {})).toEqual({
      help: false,
      dataDir: join(projectRoot, '.tickwork'),
      apiPort: DEFAULT_PORTS.api,
      schedulerPort: DEFAULT_PORTS.scheduler,
      dynamodbPort: DEFAULT_PORTS.dynamodb,
      dynamodb: { kind: 'dynalite' },
      logLevel: 'info',
      logFormat: 'text',
    });
    expect(DEFAULT_PORTS).toEqual({ api: 3000, scheduler: 3001, dynamodb: 3002 });
  });

  it('Given flags, Then they are used', () => {
    const options = parseLocalOptions(
      [
        '--data-dir',
        '/tmp/x',
        '--api-port=0',
        '--scheduler-port',
        '0',
        '--dynamodb-port',
        '8000',
        '--dynamodb',
        'dynamodb-local',
        '--log-level',
        'debug',
        '--log-format=json',
      ],
      {},
    );

    expect(options).toEqual({
      help: false,
      dataDir: '/tmp/x',
      apiPort: 0,
      schedulerPort: 0,
      dynamodbPort: 8000,
      dynamodb: { kind: 'dynamodb-local' },
      logLevel: 'debug',
      logFormat: 'json',
    });
  });

  it('Given environment variables, Then they are used, and a flag wins over its variable', () => {
    const env = {
      TICKWORK_DATA_DIR: '/var/tw',
      TICKWORK_API_PORT: '4000',
      TICKWORK_SCHEDULER_PORT: '4001',
      TICKWORK_DYNAMODB_PORT: '4002',
      TICKWORK_DYNAMODB: 'http://127.0.0.1:8000',
      TICKWORK_LOG_LEVEL: 'warn',
      TICKWORK_LOG_FORMAT: 'json',
    };

    expect(parseLocalOptions([], env)).toEqual({
      help: false,
      dataDir: '/var/tw',
      apiPort: 4000,
      schedulerPort: 4001,
      dynamodbPort: 4002,
      dynamodb: { kind: 'external', endpoint: 'http://127.0.0.1:8000' },
      logLevel: 'warn',
      logFormat: 'json',
    });
    expect(
      parseLocalOptions(
        ['--api-port', '5000', '--dynamodb', 'dynalite', '--log-level', 'error', '--log-format', 'text'],
        env,
      ),
    ).toMatchObject({
      apiPort: 5000,
      dynamodb: { kind: 'dynalite' },
      logLevel: 'error',
      logFormat: 'text',
    });
  });

  it.each([
    [['--help'], true],
    [['-h'], true],
    [[], false],
  ])('Given %j, Then help is %s', (args, help) => {
    expect(parseLocalOptions(args, {}).help).toBe(help);
  });

  it('Given an option twice, Then the last one wins (scripts append overrides)', () => {
    expect(parseLocalOptions(['--api-port', '0', '--api-port', '4000'], {}).apiPort).toBe(4000);
  });

  it('Given an external engine, Then its port option may equal another part port', () => {
    const options = parseLocalOptions(['--dynamodb', 'http://127.0.0.1:9000', '--dynamodb-port', '3000'], {});

    expect(options.apiPort).toBe(3000);
  });

  it.each([
    [
      ['--api-port', '70000'],
      {},
      '--api-port must be a whole number from 0 to 65535 (0 = any free port); got "70000"',
    ],
    [
      ['--scheduler-port', 'abc'],
      {},
      '--scheduler-port must be a whole number from 0 to 65535 (0 = any free port); got "abc"',
    ],
    [
      ['--dynamodb-port=-1'],
      {},
      '--dynamodb-port must be a whole number from 0 to 65535 (0 = any free port); got "-1"',
    ],
    [
      ['--dynamodb-port', '-1'],
      {},
      '--dynamodb-port must be a whole number from 0 to 65535 (0 = any free port); got "-1"',
    ],
    [['--api-port', '--scheduler-port', '0'], {}, '--api-port needs a value'],
    [['--api-prot', '0'], {}, 'unknown option --api-prot; did you mean --api-port?'],
    [
      ['--api-port', '30.5'],
      {},
      '--api-port must be a whole number from 0 to 65535 (0 = any free port); got "30.5"',
    ],
    [
      [],
      { TICKWORK_API_PORT: '3e3' },
      'TICKWORK_API_PORT must be a whole number from 0 to 65535 (0 = any free port); got "3e3"',
    ],
    [['--api-port'], {}, '--api-port needs a value'],
    [['--data-dir', ' '], {}, '--data-dir must name a directory; got an empty value'],
    [
      ['--dynamodb', 'mysql'],
      {},
      '--dynamodb must be "dynalite", "dynamodb-local" or an http(s)://host:port URL; got "mysql" (unknown engine)',
    ],
    [
      [],
      { TICKWORK_DYNAMODB: 'ftp://x' },
      'TICKWORK_DYNAMODB must be "dynalite", "dynamodb-local" or an http(s)://host:port URL; got "ftp://x" (unknown engine)',
    ],
    [
      ['--bogus'],
      {},
      'unknown option --bogus; the options are --data-dir, --api-port, --scheduler-port, --dynamodb-port, --dynamodb, --log-level, --log-format, --jobs-file, --function, --event-bus, --help',
    ],
    [['--log-level', 'verbose'], {}, '--log-level must be one of debug, info, warn, error; got "verbose"'],
    [['--log-level', 'INFO'], {}, '--log-level must be one of debug, info, warn, error; got "INFO"'],
    [
      [],
      { TICKWORK_LOG_LEVEL: 'trace' },
      'TICKWORK_LOG_LEVEL must be one of debug, info, warn, error; got "trace"',
    ],
    [['--log-level'], {}, '--log-level needs a value'],
    [['--log-format', 'yaml'], {}, '--log-format must be one of json, text; got "yaml"'],
    [[], { TICKWORK_LOG_FORMAT: 'pretty' }, 'TICKWORK_LOG_FORMAT must be one of json, text; got "pretty"'],
    [['extra'], {}, 'unexpected argument "extra"; expected none'],
    [
      ['--api-port', '3001'],
      {},
      '--api-port and --scheduler-port are both 3001; each part needs its own port',
    ],
    [
      [],
      { TICKWORK_DYNAMODB_PORT: '3000' },
      '--api-port and --dynamodb-port are both 3000; each part needs its own port',
    ],
  ])('Given %j with %j, Then UsageError: %s', (args, env, message) => {
    expect(() => parseLocalOptions(args, env)).toThrow(UsageError);
    expect(() => parseLocalOptions(args, env)).toThrow(message);
  });
});
