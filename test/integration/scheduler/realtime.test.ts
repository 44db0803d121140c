/**
 * One test on the real clock: an at() schedule a few seconds ahead invokes its target through the
 * emulator's real timers. Everything else about timing is tested with a manual clock.
 */
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { afterAll, describe, expect, it } from 'vitest';
import { systemTimerClock } from '../../../local/scheduler/index.ts';
import {
  fireLogs,
  type Harness,
  RecordingInvoker,
  scheduleInput,
  startHarness,
  stopHarness,
} from './helpers.ts';

let harness: Harness | undefined;

afterAll(async () => {
  if (harness !== undefined) await stopHarness(harness);
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
}

describe('real time', () => {
  it('fires an at() schedule a few seconds ahead', async () => {
    // Given an at() schedule 3 seconds from now, in UTC (at() has whole seconds)
    const invoker = new RecordingInvoker();
    harness = await startHarness({ invoker, clock: systemTimerClock });
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 3000);
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput('soon', {
          ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
          Target: {
            Arn: 'arn:aws:lambda:us-east-1:000000000000:function:rt',
            RoleArn: 'arn:aws:iam::000000000000:role/r',
            Input: '<aws.scheduler.scheduled-time>',
          },
        }),
      ),
    );

    // When we wait (at most 15 s)
    const fired = await waitFor(() => invoker.calls.length > 0, 15_000);

    // Then it fired for that slot, not before it, and logged a non-negative lag
    expect(fired).toBe(true);
    expect(invoker.calls[0]?.target.input).toBe(`${at.toISOString().slice(0, 19)}Z`);
    expect(invoker.calls[0]?.at.getTime()).toBeGreaterThanOrEqual(at.getTime());
    const log = fireLogs(harness.logs)[0];
    expect(log?.outcome).toBe('succeeded');
    expect(log?.lagMs).toBeGreaterThanOrEqual(0);
  });
});
