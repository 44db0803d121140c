/**
 * A restart of the local stack that missed slots: slots that passed while it was down are recorded
 * `missed` and caught up by the same rules at the next start (the sweeper's index persists in the data
 * directory's DynamoDB and it sweeps once at start). A real stop and start of the local runtime on one
 * data directory, each with a ManualClock: the second starts 30 minutes after the first.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../local/clock.ts';
import { type LocalStack, startLocalStack } from '../../../local/runtime.ts';
import { promptJob } from '../api/support.ts';
import { type Receiver, startReceiver } from '../prompt/receiver.ts';
import { isEnded, type RunView, SECRET } from './support.ts';

let dataDir: string;
let receiver: Receiver;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-health-restart-'));
  await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ [SECRET]: 'restart-secret' }), {
    mode: 0o600,
  });
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function call(stack: LocalStack, method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack.endpoints.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.endpoints.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function runsOf(
  stack: LocalStack,
  job: string,
  done: (runs: RunView[]) => boolean,
): Promise<RunView[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const runs = (await call(stack, 'GET', `/jobs/${job}/runs?limit=100`)).json.runs as RunView[];
    if (done(runs) || Date.now() > deadline)
      return [...runs].sort((a, b) => a.scheduledFor.localeCompare(b.scheduledFor));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a restart of the local stack', () => {
  it('Given a job every 5 minutes, When the stack is down for 30 minutes, Then at the next start its missed slots are recorded and the latest is caught up', async () => {
    // Given a job every 5 minutes, on a stack whose clock reads now
    const down = Date.now();
    const first = await startLocalStack({
      dataDir,
      clock: new ManualClock(new Date(down)),
      asyncRetryDelaysMs: [],
    });
    const created = await call(
      first,
      'PUT',
      '/jobs/while-down',
      promptJob('while-down', {
        schedule: 'cron(0/5 * * * ? *)',
        catchup: { policy: 'latest', windowSeconds: 3600 },
        config: { prompt: 'Catch up', target: { type: 'webhook', url: receiver.url, signingSecret: SECRET } },
      }),
    );
    expect(created.status).toBe(201);
    const firstSlot = Date.parse(String(created.json.nextRun));
    // When the stack stops, and starts again 30 minutes later
    await first.close();
    const back = down + 30 * 60_000;
    const second = await startLocalStack({
      dataDir,
      clock: new ManualClock(new Date(back)),
      asyncRetryDelaysMs: [],
    });
    try {
      // (The stack swept once as it started; the runs below are that sweep's.)
      // Then every slot whose starting deadline (300 s) passed while it was down is recorded missed
      const runs = await runsOf(second, 'while-down', (listed) =>
        listed.some((run) => run.trigger === 'catch-up' && isEnded(run)),
      );
      const expectedMissed: string[] = [];
      for (let slot = firstSlot; slot + 300_000 <= back; slot += 300_000)
        expectedMissed.push(new Date(slot).toISOString());
      expect(expectedMissed.length).toBeGreaterThanOrEqual(4);
      expect(runs.filter((run) => run.status === 'missed').map((run) => run.scheduledFor)).toEqual(
        expectedMissed,
      );
      // And the latest of them ran again as a catch-up, once
      expect(
        runs.filter((run) => run.trigger === 'catch-up').map((run) => [run.status, run.scheduledFor]),
      ).toEqual([['succeeded', expectedMissed.at(-1)]]);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('Given a job every 5 minutes that ran its first slot, When the stack is down for 30 minutes, Then the first sweep at start moves past the slot that ran, records the missed ones and catches up the latest', async () => {
    // Given a job every 5 minutes whose first slot ran
    const up = Date.now();
    const firstClock = new ManualClock(new Date(up));
    const first = await startLocalStack({ dataDir, clock: firstClock, asyncRetryDelaysMs: [] });
    const created = await call(
      first,
      'PUT',
      '/jobs/ran-then-down',
      promptJob('ran-then-down', {
        schedule: 'cron(0/5 * * * ? *)',
        catchup: { policy: 'latest', windowSeconds: 3600 },
        config: {
          prompt: 'Ran, then down',
          target: { type: 'webhook', url: receiver.url, signingSecret: SECRET },
        },
      }),
    );
    expect(created.status).toBe(201);
    const firstSlot = Date.parse(String(created.json.nextRun));
    await firstClock.advanceTo(new Date(firstSlot + 1_000));
    const ran = await runsOf(first, 'ran-then-down', (listed) =>
      listed.some((run) => run.status === 'succeeded'),
    );
    expect(ran.map((run) => [run.trigger, run.status])).toEqual([['schedule', 'succeeded']]);
    // When the stack stops, and starts again 30 minutes after that slot
    await first.close();
    const back = firstSlot + 30 * 60_000;
    const second = await startLocalStack({
      dataDir,
      clock: new ManualClock(new Date(back)),
      asyncRetryDelaysMs: [],
    });
    try {
      // Then the sweep at start (the clock does not move: it is the only one) records the later slots
      const runs = await runsOf(second, 'ran-then-down', (listed) =>
        listed.some((run) => run.trigger === 'catch-up' && isEnded(run)),
      );
      const expectedMissed: string[] = [];
      for (let slot = firstSlot + 300_000; slot + 300_000 <= back; slot += 300_000) {
        expectedMissed.push(new Date(slot).toISOString());
      }
      expect(runs.filter((run) => run.status === 'missed').map((run) => run.scheduledFor)).toEqual(
        expectedMissed,
      );
      // And catches up the latest, once
      expect(
        runs.filter((run) => run.trigger === 'catch-up').map((run) => [run.status, run.scheduledFor]),
      ).toEqual([['succeeded', expectedMissed.at(-1)]]);
      expect(receiver.received.filter((request) => request.rawBody.includes('ran-then-down'))).toHaveLength(
        2,
      );
    } finally {
      await second.close();
    }
  });
});
