/**
 * Persistence across restarts: stop the emulator and start a new one on the same data directory.
 * Schedules, groups and tags survive; a slot fired before the stop never fires again; slots that
 * passed while it was down are logged as missed and not fired.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { JOURNAL_FILE, ManualClock } from '../../../local/scheduler/index.ts';
import {
  advance,
  errorOf,
  type Harness,
  newDataDir,
  RecordingInvoker,
  scheduleInput,
  startHarness,
  stopHarness,
  useHarnessCleanup,
} from './helpers.ts';

const { dataDirs, running } = useHarnessCleanup();

async function start(dataDir: string, at: string): Promise<{ harness: Harness; invoker: RecordingInvoker }> {
  const invoker = new RecordingInvoker();
  const clock = new ManualClock(new Date(at));
  invoker.useClock(clock);
  const harness = await startHarness({ invoker, clock, dataDir });
  running.push(harness);
  return { harness, invoker };
}

async function stop(harness: Harness): Promise<void> {
  running.splice(running.indexOf(harness), 1);
  await stopHarness(harness, true);
}

function slots(invoker: RecordingInvoker, name: string): string[] {
  return invoker.callsFor(name).map((call) => call.meta.scheduledTime.toISOString());
}

describe('restart on the same data directory', () => {
  it('keeps schedules, groups and tags, and deleted schedules stay deleted', async () => {
    // Given a group with tags, two schedules, and a third created then deleted
    const dataDir = await newDataDir();
    dataDirs.push(dataDir);
    const first = await start(dataDir, '2026-03-02T08:00:00Z');
    const client = first.harness.client;
    await client.send(
      new CreateScheduleGroupCommand({ Name: 'jobs', Tags: [{ Key: 'team', Value: 'ops' }] }),
    );
    await client.send(
      new CreateScheduleCommand(
        scheduleInput('nightly', {
          GroupName: 'jobs',
          ScheduleExpression: 'cron(0 2 * * ? *)',
          ScheduleExpressionTimezone: 'Europe/Paris',
          Description: 'keeps its members',
          StartDate: new Date('2026-03-02T08:00:00.250Z'),
        }),
      ),
    );
    await client.send(new CreateScheduleCommand(scheduleInput('paused', { State: 'DISABLED' })));
    await client.send(new CreateScheduleCommand(scheduleInput('removed')));
    await client.send(new DeleteScheduleCommand({ Name: 'removed' }));
    const before = await client.send(new GetScheduleCommand({ Name: 'nightly', GroupName: 'jobs' }));

    // When the emulator is stopped and started again
    await stop(first.harness);
    const second = await start(dataDir, '2026-03-02T08:05:00Z');
    const again = second.harness.client;

    // Then everything reads back the same
    const after = await again.send(new GetScheduleCommand({ Name: 'nightly', GroupName: 'jobs' }));
    const { $metadata: _a, ...beforeMembers } = before;
    const { $metadata: _b, ...afterMembers } = after;
    expect(afterMembers).toEqual(beforeMembers);
    const paused = await again.send(new GetScheduleCommand({ Name: 'paused' }));
    expect(paused.State).toBe('DISABLED');
    const removed = await errorOf(again.send(new GetScheduleCommand({ Name: 'removed' })));
    expect(removed.name).toBe('ResourceNotFoundException');
    const tags = await again.send(
      new ListTagsForResourceCommand({
        ResourceArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule-group/jobs',
      }),
    );
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'ops' }]);
  });

  it('never fires a slot twice, and logs but does not fire slots missed while down', async () => {
    // Given a 10-minute rate (fires at creation) and an hourly cron (its 08:00 slot is the creation
    // instant, so it fires too), run for 25 minutes
    const dataDir = await newDataDir();
    dataDirs.push(dataDir);
    const first = await start(dataDir, '2026-03-02T08:00:00Z');
    await first.harness.client.send(
      new CreateScheduleCommand(scheduleInput('every10', { ScheduleExpression: 'rate(10 minutes)' })),
    );
    await first.harness.client.send(
      new CreateScheduleCommand(scheduleInput('hourly', { ScheduleExpression: 'cron(0 * * * ? *)' })),
    );
    await advance(first.harness, 25 * 60_000);
    await stop(first.harness);

    // When it restarts at once and runs 10 minutes
    const second = await start(dataDir, '2026-03-02T08:25:00Z');
    await advance(second.harness, 10 * 60_000);
    await stop(second.harness);

    // And it restarts after being down from 08:35 to 10:02, then runs 10 minutes
    const third = await start(dataDir, '2026-03-02T10:02:00Z');
    const firedAtStart = third.invoker.calls.length;
    await advance(third.harness, 10 * 60_000);

    // Then each slot fired exactly once, in the run that was up at the time
    expect(slots(first.invoker, 'every10')).toEqual([
      '2026-03-02T08:00:00.000Z',
      '2026-03-02T08:10:00.000Z',
      '2026-03-02T08:20:00.000Z',
    ]);
    expect(slots(second.invoker, 'every10')).toEqual(['2026-03-02T08:30:00.000Z']);
    expect(slots(third.invoker, 'every10')).toEqual(['2026-03-02T10:10:00.000Z']);
    expect(slots(first.invoker, 'hourly')).toEqual(['2026-03-02T08:00:00.000Z']);
    expect(slots(second.invoker, 'hourly')).toEqual([]);
    expect(slots(third.invoker, 'hourly')).toEqual([]);
    expect(firedAtStart).toBe(0);

    // And the third start logged what it missed: 08:40 ... 10:00 (9 slots), and 09:00 and 10:00
    expect(third.harness.logs).toContainEqual({
      level: 'info',
      component: 'scheduler',
      message: 'missed',
      schedule: 'default/every10',
      count: 9,
      truncated: false,
      first: '2026-03-02T08:40:00Z',
      last: '2026-03-02T10:00:00Z',
    });
    expect(third.harness.logs).toContainEqual({
      level: 'info',
      component: 'scheduler',
      message: 'missed',
      schedule: 'default/hourly',
      count: 2,
      truncated: false,
      first: '2026-03-02T09:00:00Z',
      last: '2026-03-02T10:00:00Z',
    });
    expect(second.harness.logs.filter((entry) => entry.message === 'missed')).toEqual([]);
  });

  it('persists the fired slot before the target is invoked', async () => {
    // Given an invoker that reads the journal at the moment it is called
    const dataDir = await newDataDir();
    dataDirs.push(dataDir);
    const journalLines: string[][] = [];
    const clock = new ManualClock(new Date('2026-03-02T08:00:00Z'));
    const harness = await startHarness({
      clock,
      dataDir,
      invoker: {
        invoke: async () => {
          journalLines.push((await readFile(join(dataDir, JOURNAL_FILE), 'utf8')).trim().split('\n'));
        },
      },
    });
    running.push(harness);

    // When an at() schedule fires
    await harness.client.send(
      new CreateScheduleCommand(scheduleInput('marked', { ScheduleExpression: 'at(2026-03-02T08:30:00)' })),
    );
    await advance(harness, 60 * 60_000);

    // Then the journal already held the firing mark for that slot (its batch not handed over yet)
    expect(journalLines).toHaveLength(1);
    const records = journalLines[0]?.map((line) => JSON.parse(line)) ?? [];
    expect(records).toContainEqual({
      op: 'firingBatch',
      batch: expect.any(String),
      slot: Date.parse('2026-03-02T08:30:00Z'),
      schedules: ['default/marked'],
    });
    expect(records.map((record) => record.op)).not.toContain('batchHandedOver');
  });

  it('compacts a journal with much more history than state at start', async () => {
    // Given a schedule deleted and created again 60 times
    const dataDir = await newDataDir();
    dataDirs.push(dataDir);
    const first = await start(dataDir, '2026-03-02T08:00:00Z');
    await first.harness.client.send(new CreateScheduleCommand(scheduleInput('churn')));
    for (let index = 0; index < 60; index++) {
      await first.harness.client.send(new DeleteScheduleCommand({ Name: 'churn' }));
      await first.harness.client.send(
        new CreateScheduleCommand(scheduleInput('churn', { Description: `v${index}` })),
      );
    }
    await advance(first.harness, 1000);
    const linesBefore = (await readFile(join(dataDir, JOURNAL_FILE), 'utf8')).trim().split('\n').length;
    await stop(first.harness);

    // When the emulator starts again (and is stopped, which waits for a background compaction)
    const second = await start(dataDir, '2026-03-02T08:01:00Z');
    const listed = await second.harness.client.send(new ListSchedulesCommand({}));
    const got = await second.harness.client.send(new GetScheduleCommand({ Name: 'churn' }));
    await stop(second.harness);
    const linesAfter = (await readFile(join(dataDir, JOURNAL_FILE), 'utf8')).trim().split('\n');

    // Then the journal holds the default group, the schedule and its fired mark, and the state is intact
    expect(linesBefore).toBeGreaterThan(120);
    expect(linesAfter.map((line) => (JSON.parse(line) as { op: string }).op)).toEqual([
      'putGroup',
      'putSchedule',
      'fired',
    ]);
    expect(listed.Schedules?.map((schedule) => schedule.Name)).toEqual(['churn']);
    expect(got.Description).toBe('v59');
  });

  it('recovers from a torn last journal line (a crash mid-write) and keeps appending cleanly', async () => {
    // Given a journal whose last line was cut off by a crash
    const dataDir = await newDataDir();
    dataDirs.push(dataDir);
    const first = await start(dataDir, '2026-03-02T08:00:00Z');
    await first.harness.client.send(new CreateScheduleCommand(scheduleInput('before-crash')));
    await stop(first.harness);
    await appendFile(join(dataDir, JOURNAL_FILE), '{"op":"putSchedule","schedule":{"groupNa');

    // When the emulator starts, takes a new schedule, and restarts again
    const second = await start(dataDir, '2026-03-02T08:01:00Z');
    await second.harness.client.send(new CreateScheduleCommand(scheduleInput('after-crash')));
    await stop(second.harness);
    const third = await start(dataDir, '2026-03-02T08:02:00Z');

    // Then both schedules are there and the torn line was reported once
    const listed = await third.harness.client.send(new ListSchedulesCommand({}));
    expect(listed.Schedules?.map((schedule) => schedule.Name)).toEqual(['after-crash', 'before-crash']);
    expect(second.harness.logs).toContainEqual({
      level: 'warn',
      component: 'scheduler',
      message: 'ignored a torn last line of the journal (the emulator stopped mid-write)',
      path: join(dataDir, JOURNAL_FILE),
    });
    expect(third.harness.logs.filter((entry) => entry.level === 'warn' || entry.level === 'error')).toEqual(
      [],
    );
  });
});
