/**
 * The Scheduler emulator driven by the AWS CLI (`aws scheduler ... --endpoint-url`), the other client
 * users point at it besides the SDK: errors must surface by name, timestamps as the CLI expects.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCredentials } from '../../../local/credentials.ts';
import { type SchedulerEmulator, startSchedulerEmulator } from '../../../local/scheduler/index.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { OTHER_CREDENTIALS, TEST_CREDENTIALS } from '../../support/sigv4.ts';

const run = promisify(execFile);

let dataDir: string;
let emulator: SchedulerEmulator;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-aws-cli-'));
  emulator = await startSchedulerEmulator({
    dataDir,
    port: 0,
    credentials: TEST_CREDENTIALS,
    invoker: { invoke: async () => undefined },
    log: silentLogger,
  });
});

afterAll(async () => {
  await emulator.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function aws(...args: string[]): Promise<CliResult> {
  return awsWith(TEST_CREDENTIALS, ...args);
}

/** The AWS CLI with these credentials in its environment, as a user passes endpoints.json's. */
async function awsWith(credentials: LocalCredentials, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(
      'aws',
      [
        'scheduler',
        ...args,
        '--endpoint-url',
        emulator.endpoint,
        '--region',
        'us-east-1',
        '--output',
        'json',
      ],
      {
        env: {
          ...process.env,
          AWS_PAGER: '',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const target =
  'Arn=arn:aws:lambda:us-east-1:000000000000:function:tickwork-local-prompt,RoleArn=arn:aws:iam::000000000000:role/tickwork-local-scheduler';

describe('aws scheduler against the emulator', () => {
  it('creates, reads and lists a schedule', async () => {
    // Given / When
    const created = await aws(
      'create-schedule',
      '--name',
      'cli-nightly',
      '--schedule-expression',
      'cron(0 9 ? * MON-FRI *)',
      '--schedule-expression-timezone',
      'Europe/Berlin',
      '--flexible-time-window',
      'Mode=OFF',
      '--target',
      target,
    );
    // Then
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout).ScheduleArn).toBe(
      'arn:aws:scheduler:us-east-1:000000000000:schedule/default/cli-nightly',
    );
    const got = JSON.parse((await aws('get-schedule', '--name', 'cli-nightly')).stdout);
    expect(got).toMatchObject({
      Name: 'cli-nightly',
      GroupName: 'default',
      ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
    });
    // Timestamps travel as epoch seconds, which the CLI prints as they came
    expect(Math.abs(got.CreationDate - Date.now() / 1000)).toBeLessThan(600);
    const listed = JSON.parse((await aws('list-schedules')).stdout);
    expect(listed.Schedules.map((s: { Name: string }) => s.Name)).toContain('cli-nightly');
  });

  it.each([
    [
      'a duplicate name',
      ['--name', 'cli-nightly', '--schedule-expression', 'rate(5 minutes)'],
      'ConflictException',
    ],
    [
      'an EventBridge-invalid cron',
      ['--name', 'cli-bad-cron', '--schedule-expression', 'cron(0 25 * * ? *)'],
      'ValidationException',
    ],
    [
      'a rate under a minute',
      ['--name', 'cli-bad-rate', '--schedule-expression', 'rate(30 seconds)'],
      'ValidationException',
    ],
  ])('surfaces %s by its error name', async (_what, args, errorName) => {
    // Given the schedule above
    // When
    const result = await aws(
      'create-schedule',
      ...args,
      '--flexible-time-window',
      'Mode=OFF',
      '--target',
      target,
    );
    // Then the CLI exits non-zero and names the error
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`(${errorName})`);
  });

  it('Given other credentials than the emulator was started with, Then the CLI names UnrecognizedClientException', async () => {
    const result = await awsWith(OTHER_CREDENTIALS, 'list-schedules');

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('(UnrecognizedClientException)');
  });

  it('reports a missing schedule as ResourceNotFoundException', async () => {
    const result = await aws('get-schedule', '--name', 'no-such-schedule');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('(ResourceNotFoundException)');
  });
});
