/**
 * Slots fired but not handed over when the emulator died. A slot is marked fired before its target is
 * invoked and handed over once that first attempt ended; an emulator killed in between (here: left as
 * it is while its invoker has not answered, as when the process is killed while the Lambda runtime
 * journals the event) leaves the slot in between, and the next start delivers it again.
 */
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock, type TargetInvoker } from '../../../local/scheduler/index.ts';
import {
  advance,
  newDataDir,
  RecordingInvoker,
  scheduleInput,
  startHarness,
  stopHarness,
  useHarnessCleanup,
} from './helpers.ts';

const { dataDirs, running, unanswered } = useHarnessCleanup();

/**
 * An emulator whose invoker never answers for schedule `held` and fails for `failing`; after its
 * slots at 08:30 fired it is left as it is, as a killed process would be.
 */
async function killedAfterFiring(dataDir: string, retryPolicy?: { MaximumEventAgeInSeconds: number }) {
  const calls: string[] = [];
  const invoker: TargetInvoker = {
    invoke: (_target, meta) => {
      calls.push(`${meta.scheduleName} ${meta.executionId}`);
      if (meta.scheduleName === 'failing') return Promise.reject(new Error('throttled'));
      return unanswered.hold();
    },
  };
  const clock = new ManualClock(new Date('2026-03-02T08:00:00Z'));
  const harness = await startHarness({ invoker, clock, dataDir });
  running.push(harness);
  for (const name of ['held', 'failing']) {
    await harness.client.send(
      new CreateScheduleCommand(
        scheduleInput(name, {
          ScheduleExpression: 'at(2026-03-02T08:30:00)',
          Target: {
            Arn: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-test-prompt',
            RoleArn: 'arn:aws:iam::000000000000:role/tickwork-scheduler',
            ...(retryPolicy === undefined
              ? {}
              : { RetryPolicy: { MaximumRetryAttempts: 185, ...retryPolicy } }),
          },
        }),
      ),
    );
  }
  // Not the harness's advance: it waits for the invocations, and one never ends.
  await clock.advanceTo(new Date('2026-03-02T08:30:00Z'));
  await vi.waitFor(() => expect(calls).toHaveLength(2));
  await vi.waitFor(() =>
    expect(harness.logs).toContainEqual(
      expect.objectContaining({ schedule: 'default/failing', outcome: 'retrying' }),
    ),
  );
  return { calls };
}

async function startAt(dataDir: string, at: string) {
  const invoker = new RecordingInvoker();
  const clock = new ManualClock(new Date(at));
  invoker.useClock(clock);
  const harness = await startHarness({ invoker, clock, dataDir });
  running.push(harness);
  await harness.emulator.idle();
  return { harness, invoker };
}

describe('slots fired but not handed over', () => {
  it('Given the emulator died while a fired slot’s target had not answered, When it starts again, Then that slot is delivered again, once, and a slot already retried is only retried', async () => {
    // Given two slots fired at 08:30: one its target never answered, one whose attempt failed (its
    // retry persisted) before the emulator died
    const dataDir = await newDataDir();
    dataDirs.push(dataDir);
    const { calls } = await killedAfterFiring(dataDir);

    // When it starts again at 08:32
    const second = await startAt(dataDir, '2026-03-02T08:32:00Z');
    await advance(second.harness, 1_000);

    // Then the unanswered slot is delivered again as a first attempt with a new execution id, and
    // the failed one gets its retry, not a new first attempt
    const held = second.invoker.callsFor('held');
    expect(held.map((call) => [call.meta.scheduledTime.toISOString(), call.meta.attemptNumber])).toEqual([
      ['2026-03-02T08:30:00.000Z', 1],
    ]);
    expect(calls).not.toContain(`held ${held[0]?.meta.executionId}`);
    expect(second.invoker.callsFor('failing').map((call) => call.meta.attemptNumber)).toEqual([2]);
    expect(second.harness.logs).toContainEqual({
      level: 'info',
      component: 'scheduler',
      message: 'redelivering',
      count: 1,
      reason: 'fired before the emulator stopped, not known to be taken by the target',
    });

    // And a later start delivers nothing again
    await stopHarness(second.harness, true);
    running.splice(running.indexOf(second.harness), 1);
    const third = await startAt(dataDir, '2026-03-02T08:40:00Z');
    await advance(third.harness, 60_000);
    expect(third.invoker.calls).toEqual([]);
    expect(third.harness.logs.filter((entry) => entry.message === 'redelivering')).toEqual([]);
  });

  it('Given such a slot older than its event age when the emulator starts again, Then it is logged missed, not delivered, and only once', async () => {
    const dataDir = await newDataDir();
    dataDirs.push(dataDir);
    await killedAfterFiring(dataDir, { MaximumEventAgeInSeconds: 60 });

    const second = await startAt(dataDir, '2026-03-02T08:40:00Z');

    expect(second.invoker.callsFor('held')).toEqual([]);
    expect(second.harness.logs).toContainEqual({
      level: 'info',
      component: 'scheduler',
      message: 'missed',
      schedule: 'default/held',
      count: 1,
      truncated: false,
      first: '2026-03-02T08:30:00Z',
      last: '2026-03-02T08:30:00Z',
      reason: 'fired before the emulator stopped, and older than the event age when it started again',
    });
    await stopHarness(second.harness, true);
    running.splice(running.indexOf(second.harness), 1);
    const third = await startAt(dataDir, '2026-03-02T08:41:00Z');
    expect(third.harness.logs.filter((entry) => entry.message === 'missed')).toEqual([]);
  });
});
