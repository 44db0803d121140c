/**
 * Shutdown: close() stops accepting requests and waits for invocations in flight before it
 * resolves, so a restart cannot overlap with a target that is still running.
 */
import { CreateScheduleCommand, ListSchedulesCommand } from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/scheduler/index.ts';
import { advance, errorOf, type Harness, removeDataDir, scheduleInput, startHarness } from './helpers.ts';

let harness: Harness | undefined;

afterEach(async () => {
  if (harness !== undefined) await removeDataDir(harness.dataDir);
  harness = undefined;
});

describe('close()', () => {
  it('waits for an invocation in flight, then refuses requests', async () => {
    // Given an invocation that is still running
    let release: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    harness = await startHarness({
      clock: new ManualClock(new Date('2026-03-02T08:00:00Z')),
      invoker: {
        invoke: async () => {
          started = true;
          await running;
        },
      },
    });
    await harness.client.send(
      new CreateScheduleCommand(scheduleInput('slow', { ScheduleExpression: 'rate(1 hour)' })),
    );
    const clock = harness.clock as ManualClock;
    await clock.advance(0);

    // When close() is called, and the invocation finishes a little later
    let closed = false;
    const closing = harness.emulator.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closedWhileRunning = closed;
    release();
    await closing;

    // Then close() waited for it, reported nothing abandoned, and the endpoint is gone
    expect(started).toBe(true);
    expect(closedWhileRunning).toBe(false);
    expect(harness.logs).toContainEqual({
      level: 'info',
      component: 'scheduler',
      message: 'stopped',
      abandonedInvocations: 0,
      pendingRetries: 0,
    });
    const refused = await errorOf(harness.client.send(new ListSchedulesCommand({})));
    expect(refused.message).toMatch(/ECONNREFUSED|socket hang up|connect/i);
    harness.client.destroy();
  });

  it('stops firing once closed', async () => {
    const calls: string[] = [];
    harness = await startHarness({
      clock: new ManualClock(new Date('2026-03-02T08:00:30Z')),
      invoker: {
        invoke: async (_target, meta) => {
          calls.push(meta.scheduledTime.toISOString());
        },
      },
    });
    await harness.client.send(
      new CreateScheduleCommand(scheduleInput('ticking', { ScheduleExpression: 'cron(* * * * ? *)' })),
    );
    await advance(harness, 2 * 60_000);
    harness.client.destroy();
    await harness.emulator.close();
    const clock = harness.clock as ManualClock;
    await clock.advance(10 * 60_000);

    expect(calls).toEqual(['2026-03-02T08:01:00.000Z', '2026-03-02T08:02:00.000Z']);
    expect(clock.nextTimerAt()).toBeUndefined();
  });
});
