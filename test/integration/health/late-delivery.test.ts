/**
 * A scheduled delivery later than the job's starting deadline after its slot (Scheduler retries for up
 * to 24 h, Lambda's async retries for up to 6 h) is recorded as a `missed` run with the reason, and not
 * run, unless the job's catch-up runs it (trigger `catch-up`). Through the real prompt function of the
 * local stack, invoked as Scheduler invokes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionName } from '../../../shared/functions.ts';
import { type ApiHarness, startApiHarness } from '../api/support.ts';
import { type Receiver, startReceiver } from '../prompt/receiver.ts';
import { givenJob, healthBecomes, runsOf, SECRET } from './support.ts';

let api: ApiHarness;
let receiver: Receiver;

beforeAll(async () => {
  api = await startApiHarness();
  await api.writeSecrets({ [SECRET]: 'health-secret' });
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await api?.close();
});

const HOUR = 3_600_000;
/** An hourly slot two hours ago: past the default starting deadline (one period: 1 h), not the latest slot. */
const twoHoursAgo = () => new Date(Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR).toISOString();

/** Invokes the prompt function as Scheduler does, with the slot `scheduledTime`. */
function deliver(job: string, scheduledTime: string) {
  return api.stack.runtime.invoke(functionName('local', 'prompt'), {
    job,
    scheduledTime,
    executionId: `late-${job}`,
    attempt: '1',
  });
}

describe('a delivery past the starting deadline', () => {
  it('Given an hourly job, When its slot is delivered two hours late, Then a missed run is recorded with the reason, nothing is delivered, and the job is missed', async () => {
    await givenJob(api, 'late-hourly', receiver, { schedule: 'cron(0 * * * ? *)' });
    const slot = twoHoursAgo();
    const before = receiver.received.length;

    const outcome = (await deliver('late-hourly', slot)) as { outcome: string };

    expect(outcome.outcome).toBe('missed');
    const runs = await runsOf(api, 'late-hourly');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'schedule', status: 'missed', scheduledFor: slot });
    expect(runs[0]?.reason).toMatch(/^delivered \d+ s after its slot, past the starting deadline of 3600 s$/);
    expect(receiver.received.length).toBe(before);
    expect(await healthBecomes(api, 'late-hourly', 'missed')).toMatchObject({ health: 'missed' });

    // And a repeat of the same late delivery is a duplicate, not a second record
    expect(((await deliver('late-hourly', slot)) as { outcome: string }).outcome).toBe('duplicate');
  });

  it('Given catch-up all within 3 hours, When a slot is delivered two hours late, Then it runs, as a catch-up', async () => {
    await givenJob(api, 'late-caught-up', receiver, {
      schedule: 'cron(0 * * * ? *)',
      catchup: { policy: 'all', windowSeconds: 10_800 },
    });
    const slot = twoHoursAgo();

    const outcome = (await deliver('late-caught-up', slot)) as { outcome: string };

    expect(outcome.outcome).toBe('succeeded');
    const runs = await runsOf(api, 'late-caught-up');
    expect(runs.map((run) => [run.trigger, run.status, run.scheduledFor])).toEqual([
      ['catch-up', 'succeeded', slot],
    ]);
  });
});
