/**
 * Late jobs, missed slots and their catch-up through the real local stack, with a ManualClock driving
 * the Scheduler emulator and the sweeper: a job whose slots Scheduler never delivers (its schedule is
 * gone, as in an outage) turns `late` at slot + grace and `missed` at slot + starting deadline, where a
 * `missed` run is recorded and the catch-up policy decides what runs (trigger `catch-up`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/clock.ts';
import { verifySignature } from '../../../shared/kinds/signature.ts';
import { type ApiHarness, startApiHarness } from '../api/support.ts';
import { type Receiver, startReceiver } from '../prompt/receiver.ts';
import {
  dueIndex,
  givenJob,
  healthBecomes,
  isEnded,
  runsOf,
  SECRET,
  scheduleLost,
  statusOf,
} from './support.ts';

let api: ApiHarness;
let receiver: Receiver;
const clock = new ManualClock(new Date());

beforeAll(async () => {
  api = await startApiHarness({ clock });
  await api.writeSecrets({ [SECRET]: 'health-secret' });
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await api?.close();
});

/** Moves the stack's clock to `at` (never back), then runs a sweep there and answers its report. */
async function sweepAt(at: number) {
  if (at > clock.now().getTime()) await clock.advanceTo(new Date(at));
  return api.stack.sweeper.sweepNow();
}

const seconds = (s: number) => s * 1000;

// The API's functions read the system clock and the emulator and sweeper the stack's ManualClock, which
// only moves forward: the jobs here use cron schedules (a rate's StartDate is checked against the
// emulator's clock), and a sweep asked for at an instant the clock has passed runs at the clock's now.

describe('the sweeper', () => {
  it('Given a job whose slot is never delivered, When grace and then the starting deadline pass, Then it turns late, then missed with a missed run, and catch-up latest runs the slot', async () => {
    // Given a job every 5 minutes (grace 60 s, starting deadline 300 s by default) whose slots never come
    const view = await givenJob(api, 'lost-latest', receiver, { schedule: 'cron(0/5 * * * ? *)' });
    await scheduleLost(api, 'lost-latest');
    const slot = Date.parse(String(view.nextRun));
    expect((await dueIndex(api)).get('lost-latest')).toMatchObject({
      slot: new Date(slot).toISOString(),
      stage: 'late',
    });
    // When the grace has passed
    const late = await sweepAt(slot + seconds(61));
    // Then the job is late, and the index waits for the slot's deadline
    expect(late.late).toBeGreaterThanOrEqual(1);
    expect(await statusOf(api, 'lost-latest')).toMatchObject({ health: 'late' });
    expect((await dueIndex(api)).get('lost-latest')).toMatchObject({ stage: 'missed' });
    // When the starting deadline has passed too
    await sweepAt(slot + seconds(301));
    // Then the slot is recorded missed, and caught up once (trigger catch-up), which succeeds
    const runs = await runsOf(api, 'lost-latest', (listed) => listed.length === 2 && listed.every(isEnded));
    expect(runs.map((run) => [run.trigger, run.status, run.scheduledFor])).toEqual(
      expect.arrayContaining([
        ['schedule', 'missed', new Date(slot).toISOString()],
        ['catch-up', 'succeeded', new Date(slot).toISOString()],
      ]),
    );
    expect(runs.find((run) => run.status === 'missed')?.reason).toMatch(/starting deadline \(300 s/);
    // And the catch-up's success brought the job back to ok (recovery threshold 1)
    expect(await healthBecomes(api, 'lost-latest', 'ok')).toMatchObject({ health: 'ok' });
    // And the index moved on to the next slot
    expect((await dueIndex(api)).get('lost-latest')?.slot).toBe(new Date(slot + seconds(300)).toISOString());
  });

  it('Given catch-up skip, When a slot is missed, Then it is recorded and nothing runs', async () => {
    const view = await givenJob(api, 'lost-skip', receiver, {
      schedule: 'cron(0/5 * * * ? *)',
      catchup: { policy: 'skip' },
    });
    await scheduleLost(api, 'lost-skip');
    const slot = Date.parse(String(view.nextRun));
    // (The first sweep records the slot already when the clock is past its deadline: see above.)
    const first = await sweepAt(slot + seconds(61));
    const second = await sweepAt(slot + seconds(301));
    expect(first.missed + second.missed).toBe(1);
    const runs = await runsOf(api, 'lost-skip');
    expect(runs.map((run) => [run.trigger, run.status])).toEqual([['schedule', 'missed']]);
    expect(await statusOf(api, 'lost-skip')).toMatchObject({ health: 'missed' });
  });

  it('Given catch-up all with max 2, When several slots were missed, Then the two most recent run in order, one at a time', async () => {
    // Given a job every minute whose slots stopped coming; its window reaches back an hour
    const view = await givenJob(api, 'lost-all', receiver, {
      schedule: 'cron(* * * * ? *)',
      catchup: { policy: 'all', windowSeconds: 3600, max: 2 },
    });
    await scheduleLost(api, 'lost-all');
    const first = Date.parse(String(view.nextRun));
    // When the sweeper first looks at it 4 minutes after its first slot (deadline 60 s)
    await sweepAt(first + seconds(61));
    await sweepAt(first + seconds(4 * 60 + 1));
    // Then every slot past its deadline is recorded missed, and the last two are caught up in order
    const runs = await runsOf(
      api,
      'lost-all',
      (listed) => listed.filter((run) => run.trigger === 'catch-up' && isEnded(run)).length === 2,
    );
    const missed = runs.filter((run) => run.status === 'missed').map((run) => run.scheduledFor);
    expect(missed.length).toBeGreaterThanOrEqual(3);
    const caughtUp = runs.filter((run) => run.trigger === 'catch-up');
    expect(caughtUp.map((run) => [run.status, run.scheduledFor])).toEqual(
      missed.slice(-2).map((slot) => ['succeeded', slot]),
    );
  });
});

describe('failure and recovery thresholds', () => {
  it('Given failureThreshold 2 and recoveryThreshold 2, When runs fail and then succeed, Then failing comes at the second failure and ok at the second success, each alerted once to the signed webhook', async () => {
    const failing = await startReceiver();
    const alerted = await startReceiver();
    try {
      failing.answer = { status: 500, body: 'down' };
      await givenJob(api, 'thresholds', failing, {
        schedule: 'cron(0 9 ? * MON-FRI *)',
        failureThreshold: 2,
        recoveryThreshold: 2,
        alerts: { url: alerted.url, signingSecret: SECRET },
      });
      const runOnce = async (expected: string) => {
        const started = await api.call('POST', '/jobs/thresholds/runs');
        expect(started.status, started.text).toBe(202);
        const runId = String(started.json.runId);
        const runs = await runsOf(api, 'thresholds', (listed) =>
          listed.some((run) => run.runId === runId && isEnded(run)),
        );
        expect(runs.find((run) => run.runId === runId)?.status).toBe(expected);
      };
      await runOnce('failed');
      expect(await statusOf(api, 'thresholds')).toMatchObject({ health: 'ok' });
      await runOnce('failed');
      expect(await statusOf(api, 'thresholds')).toMatchObject({ health: 'failing' });
      failing.answer = { status: 200, body: 'ok' };
      await runOnce('succeeded');
      expect(await statusOf(api, 'thresholds')).toMatchObject({ health: 'failing' });
      await runOnce('succeeded');
      expect(await statusOf(api, 'thresholds')).toMatchObject({ health: 'ok' });
      // Each change reached the job's webhook once, from the job function that recorded it, signed.
      const alerts = alerted.received.map((request) => {
        const signature = request.headers['tickwork-signature'];
        expect(verifySignature(String(signature), request.rawBody, 'health-secret').valid).toBe(true);
        return JSON.parse(request.rawBody) as Record<string, unknown>;
      });
      expect(alerts.map((alert) => [alert.job, alert.previous, alert.health])).toEqual([
        ['thresholds', 'ok', 'failing'],
        ['thresholds', 'failing', 'ok'],
      ]);
    } finally {
      await failing.close();
      await alerted.close();
    }
  });
});

describe('the due index follows the job', () => {
  it('Given a job, When it is paused, resumed, rescheduled and deleted, Then its entry leaves, comes back, moves and goes', async () => {
    const view = await givenJob(api, 'indexed', receiver, { schedule: 'cron(0 * * * ? *)' });
    expect((await dueIndex(api)).get('indexed')).toMatchObject({ slot: view.nextRun, stage: 'late' });

    expect((await api.call('POST', '/jobs/indexed/pause')).status).toBe(200);
    expect((await dueIndex(api)).has('indexed')).toBe(false);
    expect(await statusOf(api, 'indexed')).toMatchObject({ health: 'paused' });

    const resumed = await api.call('POST', '/jobs/indexed/resume');
    expect(resumed.status).toBe(200);
    expect((await dueIndex(api)).get('indexed')).toMatchObject({ slot: resumed.json.nextRun });
    expect(await statusOf(api, 'indexed')).toMatchObject({ health: 'ok' });

    const changed = await api.call('PATCH', '/jobs/indexed', { body: { schedule: 'cron(30 * * * ? *)' } });
    expect(changed.status, changed.text).toBe(200);
    expect((await dueIndex(api)).get('indexed')).toMatchObject({ slot: changed.json.nextRun });

    expect((await api.call('DELETE', '/jobs/indexed')).status).toBe(204);
    expect((await dueIndex(api)).has('indexed')).toBe(false);
  });
});
