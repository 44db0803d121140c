import { describe, expect, it } from 'vitest';
import { demoPlatformCommand, parseDemoPlatformArgs } from '../../../cli/commands/demo-platform.ts';
import { UsageError } from '../../../cli/usage-error.ts';

describe('tickwork demo-platform: options', () => {
  it('Given no options, Then the defaults: port 8789, no latency, no failures, 5 prompts, 10 rows a minute, the default secret names', () => {
    expect(parseDemoPlatformArgs([])).toEqual({
      port: 8789,
      modelLatencyMs: 0,
      failRate: 0,
      prompts: 5,
      rowsPerMinute: 10,
      tokenSecret: 'demo-platform-token',
      signingSecret: 'demo-ingest',
    });
  });

  it('Given every option, Then each is read; TICKWORK_DATA_DIR stands in for --data-dir', () => {
    expect(
      parseDemoPlatformArgs([
        '--port=0',
        '--model-latency-ms',
        '50',
        '--fail-rate',
        '0.1',
        '--prompts',
        '200',
        '--rows-per-minute',
        '600',
        '--token-secret',
        'demo/token',
        '--signing-secret',
        'demo/ingest',
        '--data-dir',
        'd',
      ]),
    ).toEqual({
      port: 0,
      modelLatencyMs: 50,
      failRate: 0.1,
      prompts: 200,
      rowsPerMinute: 600,
      tokenSecret: 'demo/token',
      signingSecret: 'demo/ingest',
      dataDir: 'd',
    });
    expect(parseDemoPlatformArgs(['--fail-rate', '1'], { TICKWORK_DATA_DIR: '/x' })).toMatchObject({
      failRate: 1,
      dataDir: '/x',
    });
  });

  it.each([
    [['--port', 'abc'], '--port must be a whole number from 0 to 65535; got "abc"'],
    [['--port', '70000'], '--port must be a whole number from 0 to 65535; got "70000"'],
    [['--model-latency-ms', '-5'], '--model-latency-ms must be a whole number from 0 to 600000'],
    [['--model-latency-ms', '1.5'], '--model-latency-ms must be a whole number'],
    [
      ['--model-latency-ms', '600001'],
      '--model-latency-ms must be a whole number from 0 to 600000; got "600001"',
    ],
    [['--fail-rate', '1.5'], '--fail-rate must be a number from 0 to 1 (e.g. 0.1); got "1.5"'],
    [['--fail-rate', '-0.1'], '--fail-rate must be a number from 0 to 1'],
    [['--fail-rate', 'half'], '--fail-rate must be a number from 0 to 1'],
    [['--fail-rate', '1e-1'], '--fail-rate must be a number from 0 to 1'],
    [['--prompts', '0'], '--prompts must be a whole number from 1 to 100000'],
    [['--prompts', '100001'], '--prompts must be a whole number from 1 to 100000'],
    [['--rows-per-minute', '0'], '--rows-per-minute must be a whole number from 1 to 60000'],
    [['--rows-per-minute', '60001'], '--rows-per-minute must be a whole number from 1 to 60000'],
    [['--token-secret', 'bad name'], '--token-secret must be a secret name'],
    [['--signing-secret', ''], '--signing-secret'],
    [['--data-dir', ''], '--data-dir must not be empty'],
    [['--port', '1', '--port', '2'], '--port is given more than once'],
    [['--bogus'], 'unknown option --bogus'],
    [['stray'], 'stray'],
  ])('Given %j, Then a one-line usage error naming the option', async (args, message) => {
    const error = await demoPlatformCommand.run(args).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
