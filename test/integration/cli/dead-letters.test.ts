/**
 * `tickwork dead-letters` reading a store the scheduler emulator wrote: schedules created through
 * the real `@aws-sdk/client-scheduler`, fired on a manual clock at a Lambda target the in-process
 * runtime does not know, retried, then dead-lettered.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaRuntime } from '../../../local/lambda/runtime.ts';
import { type DeadLetter, ManualClock, startSchedulerEmulator } from '../../../local/scheduler/index.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { runCli as cli } from '../../support/cli.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';

const MISSING_FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-local-missing';

describe('tickwork dead-letters', () => {
  let dataDir: string;
  let stored: DeadLetter[];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tickwork-dead-letters-'));
    const clock = new ManualClock(new Date('2026-01-31T08:59:00Z'));
    const runtime = new LambdaRuntime({ asyncRetryDelaysMs: [] });
    const emulator = await startSchedulerEmulator({
      dataDir,
      credentials: TEST_CREDENTIALS,
      invoker: runtime.asTargetInvoker(),
      clock,
      log: silentLogger,
    });
    const client = new SchedulerClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    for (const [name, at] of [
      ['morning', '2026-01-31T09:00:00'],
      ['later', '2026-01-31T09:02:00'],
    ] as const) {
      await client.send(
        new CreateScheduleCommand({
          Name: name,
          ScheduleExpression: `at(${at})`,
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: {
            Arn: MISSING_FUNCTION,
            RoleArn: 'arn:aws:iam::000000000000:role/tickwork-scheduler',
            Input: `{"job":"${name}","scheduledTime":"<aws.scheduler.scheduled-time>","attempt":"<aws.scheduler.attempt-number>"}`,
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:tickwork-dlq' },
          },
        }),
      );
    }
    await clock.advance(60 * 60 * 1000);
    await emulator.idle();
    stored = await emulator.listDeadLetters();
    client.destroy();
    await emulator.close();
    await runtime.close();
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('Given two undeliverable events, When listed, Then both show newest first with attempts, error, target and input', async () => {
    expect(stored.map((letter) => letter.scheduleName)).toEqual(['morning', 'later']);

    const result = await cli(['dead-letters', '--data-dir', dataDir]);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const [header, first, second, ...rest] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SCHEDULED TIME\s+SCHEDULE\s+ATTEMPTS\s+LAST ERROR\s+TARGET\s+INPUT$/);
    expect(first).toMatch(
      /^2026-01-31 09:02:00Z\s+default\/later\s+3\s+UnknownFunctionError: .*tickwork-local-missing.*\s+tickwork-local-missing\s+\{"job":"later","scheduledTime":"2026-01-31T09:02:00Z","attempt":"3"\}$/,
    );
    expect(second).toMatch(/^2026-01-31 09:00:00Z\s+default\/morning\s+3\s+UnknownFunctionError/);
    expect(rest).toEqual([]);
  });

  it('Given --limit 1 --json, When listed, Then the newest letter is printed as the emulator stored it', async () => {
    const result = await cli(['dead-letters', '--data-dir', dataDir, '--limit', '1', '--json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ deadLetters: [stored[1]] });
  });

  it('Given --output jsonl, When listed, Then one stored letter a line, newest first', async () => {
    const result = await cli(['dead-letters', '--data-dir', dataDir, '--output', 'jsonl']);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${JSON.stringify(stored[1])}\n${JSON.stringify(stored[0])}\n`);
  });

  it('Given --output wide, When listed, Then each input is whole, with its execution', async () => {
    const result = await cli(['dead-letters', '--data-dir', dataDir, '--output', 'wide']);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(/\sINPUT\s+EXECUTION\s+DEAD-LETTERED$/);
    expect(result.stdout).toContain(stored[0]?.executionId);
  });

  it('Given --limit 1 without --json, When listed, Then it says how many more there are', async () => {
    const result = await cli(['dead-letters', '--data-dir', dataDir, '--limit', '1']);

    expect(result.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^SCHEDULED TIME/),
      expect.stringMatching(/default\/later/),
      `showing the newest 1 of 2 in ${join(dataDir, 'dead-letters.jsonl')}`,
    ]);
  });

  it('Given a data directory without dead letters, When listed, Then it says so', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'tickwork-dead-letters-'));

    const result = await cli(['dead-letters', '--data-dir', empty]);

    expect(result).toEqual({
      code: 0,
      stdout: `no dead letters in ${join(empty, 'dead-letters.jsonl')}\n`,
      stderr: '',
    });
    await rm(empty, { recursive: true, force: true });
  });

  it('Given a damaged store, When listed, Then exit 1 with one line naming the file and line', async () => {
    const damaged = await mkdtemp(join(tmpdir(), 'tickwork-dead-letters-'));
    await writeFile(join(damaged, 'dead-letters.jsonl'), `not json\n${JSON.stringify(stored[0])}\n`);

    const result = await cli(['dead-letters', '--data-dir', damaged]);

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `tickwork dead-letters: dead-letter store ${join(damaged, 'dead-letters.jsonl')} is unreadable at line 1\n`,
    });
    await rm(damaged, { recursive: true, force: true });
  });
});
