/**
 * A burst: many schedules due in the same second. The emulator journals the slots of the batch as
 * firing in one line before any target is invoked, and their handover in one more line once every first
 * attempt ended (not two lines per slot), without giving up what the journal promises: a batch not handed
 * over when the emulator died is delivered again at the next start, once.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { describe, expect, it, vi } from 'vitest';
import { JOURNAL_FILE, ManualClock, type TargetInvoker } from '../../../local/scheduler/index.ts';
import {
  advance,
  type Harness,
  newDataDir,
  RecordingInvoker,
  scheduleInput,
  startHarness,
  stopHarness,
  useHarnessCleanup,
} from './helpers.ts';

const { dataDirs, running, unanswered } = useHarnessCleanup();

const SLOT = '2026-03-02T08:30:00Z';

async function journalLines(dataDir: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(join(dataDir, JOURNAL_FILE), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** `count` at() schedules `s-0`… due at SLOT, created through the SDK, 50 at a time. */
async function createBurst(harness: Harness, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, index) => `s-${index}`);
  for (let start = 0; start < count; start += 50) {
    await Promise.all(
      names.slice(start, start + 50).map((name) =>
        harness.client.send(
          new CreateScheduleCommand(
            scheduleInput(name, {
              ScheduleExpression: `at(${SLOT.slice(0, 19)})`,
              Target: {
                Arn: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-test-prompt',
                RoleArn: 'arn:aws:iam::000000000000:role/tickwork-scheduler',
                Input: '{"slot":"<aws.scheduler.scheduled-time>"}',
              },
            }),
          ),
        ),
      ),
    );
  }
  return names;
}

describe('a burst of schedules due in the same second', () => {
  it('Given 300 at() schedules due at 08:30, When they fire, Then the journal gains one line marking the batch firing before any target is invoked and one marking it handed over after', async () => {
    // Given 300 schedules due together, and an invoker that reads the journal at its first call
    const dataDir = await newDataDir();
    dataDirs.push(dataDir);
    const recording = new RecordingInvoker();
    let atFirstCall: Array<Record<string, unknown>> | undefined;
    const invoker: TargetInvoker = {
      invoke: async (target, meta) => {
        atFirstCall ??= await journalLines(dataDir);
        await recording.invoke(target, meta);
      },
    };
    const harness = await startHarness({ invoker, dataDir });
    running.push(harness);
    const names = await createBurst(harness, 300);
    const before = (await journalLines(dataDir)).length;

    // When the slot passes
    await advance(harness, 60 * 60_000);

    // Then every schedule was invoked once, with the slot in its input
    expect(recording.calls.map((call) => call.meta.scheduleName).sort()).toEqual([...names].sort());
    expect(new Set(recording.calls.map((call) => call.target.input))).toEqual(
      new Set(['{"slot":"2026-03-02T08:30:00Z"}']),
    );
    // And the journal gained two lines: the batch firing, already there at the first invocation, then
    // its handover
    const added = (await journalLines(dataDir)).slice(before);
    const [firing, handedOver] = added;
    expect(added).toHaveLength(2);
    expect(firing).toMatchObject({ op: 'firingBatch', batch: expect.any(String), slot: Date.parse(SLOT) });
    expect([...((firing?.schedules ?? []) as string[])].sort()).toEqual(
      names.map((name) => `default/${name}`).sort(),
    );
    expect(handedOver).toEqual({ op: 'batchHandedOver', batch: firing?.batch });
    expect(atFirstCall?.slice(before)).toEqual([firing]);
  });

  it('Given the emulator died while the targets of a burst had not answered, When it starts again, Then every slot of the batch is delivered again, once', async () => {
    // Given a burst of 60 slots whose invocations never answered before the emulator "died"
    const dataDir = await newDataDir();
    dataDirs.push(dataDir);
    const held: string[] = [];
    const invoker: TargetInvoker = {
      invoke: (_target, meta) => {
        held.push(meta.scheduleName);
        return unanswered.hold();
      },
    };
    const clock = new ManualClock(new Date('2026-03-02T08:00:00Z'));
    const first = await startHarness({ invoker, clock, dataDir });
    running.push(first);
    const names = await createBurst(first, 60);
    // Not the harness's advance: it waits for the invocations, and they never end.
    await clock.advanceTo(new Date(SLOT));
    await vi.waitFor(() => expect(held).toHaveLength(60));

    // When it starts again at 08:32
    const again = new RecordingInvoker();
    const secondClock = new ManualClock(new Date('2026-03-02T08:32:00Z'));
    again.useClock(secondClock);
    const second = await startHarness({ invoker: again, clock: secondClock, dataDir });
    running.push(second);
    await advance(second, 1_000);

    // Then each slot of the batch is delivered again, once, as a first attempt
    expect(again.calls.map((call) => call.meta.scheduleName).sort()).toEqual([...names].sort());
    expect(
      new Set(
        again.calls.map((call) => `${call.meta.scheduledTime.toISOString()} ${call.meta.attemptNumber}`),
      ),
    ).toEqual(new Set(['2026-03-02T08:30:00.000Z 1']));

    // And a later start delivers nothing again
    await stopHarness(second, true);
    running.splice(running.indexOf(second), 1);
    const last = new RecordingInvoker();
    const third = await startHarness({
      invoker: last,
      clock: new ManualClock(new Date('2026-03-02T08:40:00Z')),
      dataDir,
    });
    running.push(third);
    await advance(third, 60_000);
    expect(last.calls).toEqual([]);
  });
});
