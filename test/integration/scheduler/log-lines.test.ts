/**
 * The emulator's lines as an operator reads them in `tickwork local`: the shared logger's text
 * format, component `scheduler`, one `fire` line per attempt with its outcome.
 */
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/clock.ts';
import { type SchedulerEmulator, startSchedulerEmulator } from '../../../local/scheduler/index.ts';
import { createLogger, type LogLevel } from '../../../shared/logger.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';
import { FUNCTION_ARN, newDataDir, RecordingInvoker, removeDataDir, scheduleInput } from './helpers.ts';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const BROKEN_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:broken';

let running: { emulator: SchedulerEmulator; client: SchedulerClient; dataDir: string } | undefined;

afterEach(async () => {
  if (running === undefined) return;
  running.client.destroy();
  await running.emulator.close();
  await removeDataDir(running.dataDir);
  running = undefined;
});

/** An emulator on a manual clock whose lines are rendered as text at `level`. */
async function emulatorLoggingText(level: LogLevel) {
  const clock = new ManualClock(new Date('2026-03-02T08:00:00Z'));
  const lines: string[] = [];
  const invoker = new RecordingInvoker();
  invoker.failWith = undefined;
  const dataDir = await newDataDir();
  const emulator = await startSchedulerEmulator({
    dataDir,
    port: 0,
    credentials: TEST_CREDENTIALS,
    clock,
    invoker: {
      invoke: async (target, meta) => {
        if (target.arn === BROKEN_ARN) throw new Error('function "broken" does not exist');
        await invoker.invoke(target, meta);
      },
    },
    log: createLogger({ level, format: 'text', now: () => clock.now(), write: (line) => lines.push(line) }),
  });
  const client = new SchedulerClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
  });
  running = { emulator, client, dataDir };
  const schedule = async (name: string, arn: string) =>
    client.send(
      new CreateScheduleCommand(
        scheduleInput(name, {
          ScheduleExpression: 'at(2026-03-02T08:30:00)',
          Target: { Arn: arn, RoleArn: 'arn:aws:iam::000000000000:role/tickwork-scheduler' },
        }),
      ),
    );
  const advance = (ms: number) => clock.advance(ms, () => emulator.idle());
  return { lines, schedule, advance };
}

describe('the emulator log lines in text format', () => {
  it('Given debug, When one schedule fires and another fails, Then a fire line each, the failure at warn with what happens next', async () => {
    const { lines, schedule, advance } = await emulatorLoggingText('debug');
    await schedule('nightly', FUNCTION_ARN);
    await schedule('broken', BROKEN_ARN);

    await advance(30 * 60_000);

    const fires = lines.filter((line) => / scheduler fire /.test(line));
    expect(fires).toHaveLength(2);
    expect(fires).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^08:30:00\\.000 debug scheduler fire schedule=default/nightly scheduledTime=2026-03-02T08:30:00Z attempt=1 executionId=${UUID} lagMs=0 durationMs=0 outcome=succeeded$`,
        ),
      ),
    );
    expect(fires).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^08:30:00\\.000 warn  scheduler fire schedule=default/broken scheduledTime=2026-03-02T08:30:00Z attempt=1 executionId=${UUID} lagMs=0 durationMs=0 outcome=retrying error="function \\\\"broken\\\\" does not exist" retryAt=2026-03-02T08:30:01.000Z$`,
        ),
      ),
    );
  });

  it('Given info (the default of tickwork local), When a schedule fires, Then its success adds no line, a failure does', async () => {
    const { lines, schedule, advance } = await emulatorLoggingText('info');
    await schedule('nightly', FUNCTION_ARN);
    await schedule('broken', BROKEN_ARN);

    await advance(30 * 60_000);

    const fires = lines.filter((line) => / scheduler fire /.test(line));
    expect(fires).toEqual([expect.stringContaining('schedule=default/broken')]);
    expect(fires[0]).toContain(' warn  scheduler fire ');
  });
});
