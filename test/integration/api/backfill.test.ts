/**
 * Backfill through the real local stack (API front, API function, Lambda runtime, the prompt function,
 * webhook receivers): every slot of [from, to) runs, also slots before the job existed, as runs with
 * trigger `backfill` due at their slot, one lane at a time under overlap `skip`, `concurrency` lanes
 * under `allow`, a failed slot not stopping the next; bad requests are refused with the field and the
 * rule, starting nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { backfillRunSlot, continueBackfill } from '../../../shared/runs/backfill.ts';
import { type Receiver, startReceiver } from '../prompt/receiver.ts';
import { localRunDeps } from './run-deps.ts';
import { type ApiAnswer, type ApiHarness, promptJob, startApiHarness, until } from './support.ts';

/** Lambda's two retries, shortened: a failing run is `failed` for good after its third attempt. */
const RETRY_DELAYS_MS = [200, 200];
const SECRET = 'backfill-hook';
const HOURLY = 'cron(0 * * * ? *)';

let api: ApiHarness;
let ok: Receiver;
let failing: Receiver;

beforeAll(async () => {
  api = await startApiHarness({ asyncRetryDelaysMs: RETRY_DELAYS_MS });
  await api.writeSecrets({ [SECRET]: 'backfill-secret' });
  ok = await startReceiver();
  failing = await startReceiver();
  failing.answer = { status: 500, body: 'down for maintenance' };
});

afterAll(async () => {
  await ok?.close();
  await failing?.close();
  await api?.close();
});

async function givenJob(
  name: string,
  receiver: Receiver,
  fields: Record<string, unknown> = {},
): Promise<void> {
  const answer = await api.call('PUT', `/jobs/${name}`, {
    body: promptJob(name, {
      schedule: HOURLY,
      config: {
        prompt: `Work of ${name}`,
        target: { type: 'webhook', url: receiver.url, signingSecret: SECRET },
      },
      ...fields,
    }),
  });
  expect([200, 201], answer.text).toContain(answer.status);
}

interface RunView {
  readonly runId: string;
  readonly status: string;
  readonly trigger: string;
  readonly scheduledFor: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly backfill?: { id: string; lanes: number };
}

const isEnded = (run: RunView) => !['pending', 'running', 'retrying'].includes(run.status);

/** The job's runs, oldest slot first, once `count` of them ended (or the wait ran out). */
async function endedRuns(job: string, count: number): Promise<RunView[]> {
  const answer = await until(
    () => api.call('GET', `/jobs/${job}/runs`),
    (listed: ApiAnswer) => (listed.json?.runs ?? []).filter(isEnded).length >= count,
    60_000,
  );
  return [...(answer.json.runs as RunView[])].sort((a, b) => a.scheduledFor.localeCompare(b.scheduledFor));
}

async function backfill(job: string, body: unknown): Promise<ApiAnswer> {
  return api.call('POST', `/jobs/${job}/backfill`, { body });
}

describe('POST /jobs/{name}/backfill', () => {
  it('Given an hourly job created today, When three past hours are backfilled, Then each slot runs once, in order, one after the other, due at its slot', async () => {
    await givenJob('hourly-report', ok);
    const before = ok.received.length;

    const answer = await backfill('hourly-report', {
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-01T03:00:00Z',
    });

    expect(answer.status, answer.text).toBe(202);
    expect(answer.json.backfill).toMatchObject({
      job: 'hourly-report',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-01T03:00:00.000Z',
      lanes: 1,
      slots: 3,
      firstSlot: '2026-01-01T00:00:00.000Z',
      lastSlot: '2026-01-01T02:00:00.000Z',
    });
    expect(answer.json.runs).toHaveLength(1);
    expect(answer.json.runs[0]).toMatchObject({
      trigger: 'backfill',
      scheduledFor: '2026-01-01T00:00:00.000Z',
    });

    const runs = await endedRuns('hourly-report', 3);
    expect(runs.map((run) => [run.scheduledFor, run.trigger, run.status])).toEqual([
      ['2026-01-01T00:00:00.000Z', 'backfill', 'succeeded'],
      ['2026-01-01T01:00:00.000Z', 'backfill', 'succeeded'],
      ['2026-01-01T02:00:00.000Z', 'backfill', 'succeeded'],
    ]);
    expect(new Set(runs.map((run) => run.backfill?.id))).toEqual(new Set([answer.json.backfill.id]));
    // One lane: each run started after the one before it finished.
    for (const [earlier, later] of [
      [runs[0], runs[1]],
      [runs[1], runs[2]],
    ] as const) {
      expect(Date.parse(later?.startedAt ?? '')).toBeGreaterThanOrEqual(
        Date.parse(earlier?.finishedAt ?? ''),
      );
    }
    // The deliveries say the slot they stand for.
    const slots = ok.received.slice(before).map((request) => JSON.parse(request.rawBody).scheduledFor);
    expect(slots.sort()).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
    ]);
  });

  it('Given a backfill that ran, When its first run is delivered again and its follower runs twice more, Then no slot runs a second time', async () => {
    // Given
    await givenJob('repeated-report', ok);
    const answer = await backfill('repeated-report', {
      from: '2026-01-02T00:00:00Z',
      to: '2026-01-02T02:00:00Z',
    });
    expect(answer.status, answer.text).toBe(202);
    await endedRuns('repeated-report', 2);
    const { deps, close } = localRunDeps(api);
    try {
      const job = (await deps.jobs.get('repeated-report')) as Job;
      const first = (await deps.runs.get(
        'repeated-report',
        backfillRunSlot('2026-01-02T00:00:00.000Z', answer.json.backfill.id),
      )) as Run;
      const delivered = ok.received.length;
      // When
      await Promise.all([
        continueBackfill(deps, job, first, silentLogger),
        continueBackfill(deps, job, first, silentLogger),
      ]);
      // Then
      const runs = (await api.call('GET', '/jobs/repeated-report/runs')).json.runs as RunView[];
      expect(runs.map((run) => [run.scheduledFor, run.status]).sort()).toEqual([
        ['2026-01-02T00:00:00.000Z', 'succeeded'],
        ['2026-01-02T01:00:00.000Z', 'succeeded'],
      ]);
      expect(ok.received.length).toBe(delivered);
    } finally {
      close();
    }
  });

  it('Given a job whose overlap is allow, When four hours are backfilled two at a time, Then every slot runs once, in two lanes', async () => {
    await givenJob('parallel-report', ok, { overlap: 'allow' });

    const answer = await backfill('parallel-report', {
      from: '2026-02-01T10:00:00+01:00',
      to: '2026-02-01T14:00:00+01:00',
      concurrency: 2,
    });

    expect(answer.status, answer.text).toBe(202);
    expect(answer.json.backfill).toMatchObject({ lanes: 2, slots: 4 });
    expect(answer.json.runs.map((run: RunView) => run.scheduledFor)).toEqual([
      '2026-02-01T09:00:00.000Z',
      '2026-02-01T10:00:00.000Z',
    ]);
    const runs = await endedRuns('parallel-report', 4);
    expect(runs.map((run) => [run.scheduledFor, run.status, run.backfill?.lanes])).toEqual([
      ['2026-02-01T09:00:00.000Z', 'succeeded', 2],
      ['2026-02-01T10:00:00.000Z', 'succeeded', 2],
      ['2026-02-01T11:00:00.000Z', 'succeeded', 2],
      ['2026-02-01T12:00:00.000Z', 'succeeded', 2],
    ]);
  });

  it('Given a job whose deliveries fail, When two hours are backfilled, Then the second slot still runs after the first failed for good', async () => {
    await givenJob('broken-report', failing);

    const answer = await backfill('broken-report', {
      from: '2026-01-05T06:00:00Z',
      to: '2026-01-05T08:00:00Z',
    });

    expect(answer.status, answer.text).toBe(202);
    const runs = await endedRuns('broken-report', 2);
    expect(runs.map((run) => [run.scheduledFor, run.status])).toEqual([
      ['2026-01-05T06:00:00.000Z', 'failed'],
      ['2026-01-05T07:00:00.000Z', 'failed'],
    ]);
  });

  it.each([
    [{ from: '2026-01-01T03:00:00Z', to: '2026-01-01T00:00:00Z' }, 'to', 'to must be after from'],
    [{ from: '2026-01-01T00:00:00Z', to: '2099-01-01T00:00:00Z' }, 'to', 'to must not be after now'],
    [{ from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'to', 'more than 1,000 slots'],
    [{ from: '2026-01-01T00:10:00Z', to: '2026-01-01T00:50:00Z' }, 'from', 'holds no slot'],
    [
      { from: '2026-01-01T00:00:00Z', to: '2026-01-01T03:00:00Z', concurrency: 2 },
      'concurrency',
      'overlap is skip',
    ],
    [
      { from: '2026-01-01T00:00:00Z', to: '2026-01-01T03:00:00Z', concurrency: 0 },
      'concurrency',
      'at least 1',
    ],
    [{ from: '2026-01-01', to: '2026-01-01T03:00:00Z' }, 'from', 'ISO-8601 instant'],
    [{ from: '2026-01-01T00:00:00Z', to: '2026-01-01T03:00:00Z', dryRun: true }, 'dryRun', ''],
    [{ to: '2026-01-01T03:00:00Z' }, 'from', ''],
  ])(
    'Given a bad request %j, When it is sent, Then 400 names %s and no run starts',
    async (body, field, rule) => {
      await givenJob('refused-report', ok);

      const answer = await backfill('refused-report', body);

      expect(answer.status, answer.text).toBe(400);
      expect(answer.json.error.details.map((problem: { field: string }) => problem.field)).toContain(field);
      expect(answer.json.error.message).toContain(rule);
      expect((await api.call('GET', '/jobs/refused-report/runs')).json.runs).toEqual([]);
    },
  );

  it('Given no job of the name, When it is backfilled, Then 404 and nothing is written', async () => {
    const answer = await backfill('no-such-report', {
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-01T03:00:00Z',
    });
    expect(answer.status, answer.text).toBe(404);
    expect((await api.call('GET', '/runs?job=no-such-report')).json.runs).toEqual([]);
  });
});
