/**
 * Chained jobs through the real local stack (API front, API function, Lambda runtime with Lambda's
 * retries shortened, the prompt function, webhook receivers): a run's end starts the jobs its `then`
 * names, as runs with trigger `chain` that record their upstream; the API refuses chains to missing
 * jobs and cycles, and a delete of a job others chain to, writing nothing; `?unlinkChains=true` removes
 * the links (and the schedule's copy of each job follows) before the delete.
 */
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../prompt/receiver.ts';
import { type ApiAnswer, type ApiHarness, promptJob, startApiHarness, until } from './support.ts';

/** Lambda's two retries, shortened: a failing run is `failed` for good after its third attempt. */
const RETRY_DELAYS_MS = [300, 300];
const SECRET = 'chain-hook';

let api: ApiHarness;
/** Answers 200: the deliveries of the jobs that succeed. */
let ok: Receiver;
/** Answers 500: the deliveries of the jobs that fail. */
let failing: Receiver;

beforeAll(async () => {
  api = await startApiHarness({ asyncRetryDelaysMs: RETRY_DELAYS_MS });
  await api.writeSecrets({ [SECRET]: 'chains-secret' });
  ok = await startReceiver();
  failing = await startReceiver();
  failing.answer = { status: 500, body: 'down for maintenance' };
});

afterAll(async () => {
  await ok?.close();
  await failing?.close();
  await api?.close();
});

/** A prompt job delivering to `receiver`, with `then` when given. */
async function givenJob(name: string, receiver: Receiver, then?: Record<string, unknown>): Promise<void> {
  const answer = await api.call('PUT', `/jobs/${name}`, { body: definition(name, receiver, then) });
  expect([200, 201], answer.text).toContain(answer.status);
}

function definition(name: string, receiver: Receiver, then?: Record<string, unknown>) {
  return promptJob(name, {
    config: {
      prompt: `Work of ${name}`,
      target: { type: 'webhook', url: receiver.url, signingSecret: SECRET },
    },
    ...(then === undefined ? {} : { then }),
  });
}

/** A PATCH body that replaces `then`. */
function thenPatch(then: Record<string, unknown>) {
  return { then };
}

const ended = (answer: ApiAnswer) => !['pending', 'running', 'retrying'].includes(answer.json?.status);

async function runToEnd(job: string): Promise<ApiAnswer> {
  const started = await api.call('POST', `/jobs/${job}/runs`);
  expect(started.status, started.text).toBe(202);
  return until(() => api.call('GET', `/runs/${started.json.runId}`), ended, 30_000);
}

/** The runs of `job` once `count` of them ended (or the wait ran out). */
async function endedRuns(job: string, count: number): Promise<ApiAnswer> {
  return until(
    () => api.call('GET', `/jobs/${job}/runs`),
    (answer) =>
      (answer.json?.runs ?? []).filter((run: { status: string }) => ended({ json: run } as ApiAnswer))
        .length >= count,
    30_000,
  );
}

describe('a run’s end starts its chained jobs', () => {
  it('Given report then {onSuccess: [notify], onFailure: [page]}, When report succeeds, Then notify runs as a chain of it and page does not', async () => {
    await givenJob('notify', ok);
    await givenJob('page', ok);
    await givenJob('report', ok, { onSuccess: ['notify'], onFailure: ['page'] });

    const upstream = await runToEnd('report');
    expect(upstream.json.status).toBe('succeeded');

    const chained = await endedRuns('notify', 1);
    expect(chained.json.runs).toHaveLength(1);
    expect(chained.json.runs[0]).toMatchObject({
      job: 'notify',
      trigger: 'chain',
      status: 'succeeded',
      scheduledFor: upstream.json.finishedAt,
      upstream: {
        job: 'report',
        runId: upstream.json.runId,
        status: 'succeeded',
        result: upstream.json.result,
        depth: 1,
      },
    });
    // The chained run, read by its id, says the same.
    const byId = await api.call('GET', `/runs/${chained.json.runs[0].runId}`);
    expect(byId.json.upstream.runId).toBe(upstream.json.runId);
    const delivered = ok.received.map((request) => JSON.parse(request.rawBody).job);
    expect(delivered).toContain('notify');
    expect((await api.call('GET', '/jobs/page/runs')).json.runs).toEqual([]);
  });

  it('Given flaky then {onFailure: [triage]}, When every attempt of flaky fails, Then triage runs once, after the last attempt, with the failed run as upstream', async () => {
    await givenJob('triage', ok);
    await givenJob('flaky', failing, { onFailure: ['triage'] });

    const upstream = await runToEnd('flaky');
    expect(upstream.json).toMatchObject({ status: 'failed', attempt: 3 });

    const chained = await endedRuns('triage', 1);
    expect(chained.json.runs).toHaveLength(1);
    expect(chained.json.runs[0]).toMatchObject({
      trigger: 'chain',
      status: 'succeeded',
      upstream: { job: 'flaky', runId: upstream.json.runId, status: 'failed', depth: 1 },
    });
    // Started by the run's end, not by an attempt that Lambda retried.
    expect(Date.parse(chained.json.runs[0].startedAt)).toBeGreaterThanOrEqual(
      Date.parse(upstream.json.finishedAt),
    );
  });

  it('Given a chain of three, When the first succeeds, Then each chained run names the one before it and counts its depth', async () => {
    await givenJob('step-3', ok);
    await givenJob('step-2', ok, { onSuccess: ['step-3'] });
    await givenJob('step-1', ok, { onSuccess: ['step-2'] });

    const first = await runToEnd('step-1');
    const second = (await endedRuns('step-2', 1)).json.runs[0];
    const third = (await endedRuns('step-3', 1)).json.runs[0];
    expect(second.upstream).toMatchObject({ job: 'step-1', runId: first.json.runId, depth: 1 });
    expect(third.upstream).toMatchObject({ job: 'step-2', runId: second.runId, depth: 2 });
  });
});

describe('chains the API refuses, writing nothing', () => {
  it('Given cyc-a then cyc-b, When cyc-b is given then cyc-a (by PUT or PATCH), Then 400 shows the cycle', async () => {
    await givenJob('cyc-b', ok);
    await givenJob('cyc-a', ok, { onSuccess: ['cyc-b'] });
    const before = await api.snapshot();
    const versionBefore = (await api.call('GET', '/jobs/cyc-b')).json.version;

    const put = await api.call('PUT', '/jobs/cyc-b', {
      body: definition('cyc-b', ok, { onSuccess: ['cyc-a'] }),
    });
    expect(put.status, put.text).toBe(400);
    expect(put.json.error.details).toEqual([
      {
        field: 'then.onSuccess.0',
        message: expect.stringContaining('would form a cycle: cyc-b → cyc-a → cyc-b'),
      },
    ]);

    const patch = await api.call('PATCH', '/jobs/cyc-b', { body: thenPatch({ onFailure: ['cyc-a'] }) });
    expect(patch.status, patch.text).toBe(400);
    expect(patch.json.error.details[0]).toMatchObject({ field: 'then.onFailure.0' });
    expect(patch.json.error.message).toContain('cyc-b → cyc-a → cyc-b');

    expect(await api.snapshot()).toEqual(before);
    const after = (await api.call('GET', '/jobs/cyc-b')).json;
    expect(after.then).toBeUndefined();
    expect(after.version).toBe(versionBefore);
  });

  it('Given x → y → z, When z is given then x, Then 400 shows the three-job cycle', async () => {
    await givenJob('cyc-z', ok);
    await givenJob('cyc-y', ok, { onFailure: ['cyc-z'] });
    await givenJob('cyc-x', ok, { onSuccess: ['cyc-y'] });

    const patch = await api.call('PATCH', '/jobs/cyc-z', { body: thenPatch({ onSuccess: ['cyc-x'] }) });
    expect(patch.status, patch.text).toBe(400);
    expect(patch.json.error.message).toContain('cyc-z → cyc-x → cyc-y → cyc-z');
  });

  it('When a job names itself, Then 400 names the field and the cycle, and no job is created', async () => {
    const before = await api.snapshot();
    const created = await api.call('POST', '/jobs', {
      body: definition('selfish', ok, { onFailure: ['selfish'] }),
    });
    expect(created.status, created.text).toBe(400);
    expect(created.json.error.details).toEqual([
      { field: 'then.onFailure.0', message: expect.stringContaining('selfish → selfish') },
    ]);
    expect(await api.snapshot()).toEqual(before);
  });

  it('When a job names a job that does not exist, Then 400 names the field and the job, and no job is created', async () => {
    await givenJob('exists', ok);
    const before = await api.snapshot();
    const created = await api.call('POST', '/jobs', {
      body: definition('dangling', ok, { onSuccess: ['exists', 'ghost'] }),
    });
    expect(created.status, created.text).toBe(400);
    expect(created.json.error.details).toEqual([
      { field: 'then.onSuccess.1', message: expect.stringContaining('job "ghost", which does not exist') },
    ]);
    expect(await api.snapshot()).toEqual(before);
  });

  it.each([
    ['an empty then', {}, 'then'],
    ['an empty list', { onSuccess: [] }, 'then.onSuccess'],
    ['a name twice', { onSuccess: ['exists', 'exists'] }, 'then.onSuccess.1'],
    ['an invalid name', { onFailure: ['no spaces'] }, 'then.onFailure.0'],
    ['an unknown list', { onCancel: ['exists'] }, 'then.onCancel'],
  ])('When then has %s, Then 400 names %s and nothing is written', async (_case, then, field) => {
    const before = await api.snapshot();
    const created = await api.call('POST', '/jobs', { body: definition('bad-then', ok, then) });
    expect(created.status, created.text).toBe(400);
    expect(created.json.error.details.map((problem: { field: string }) => problem.field)).toContain(field);
    expect(await api.snapshot()).toEqual(before);
  });
});

describe('deleting a job that others chain to', () => {
  it('Given two jobs chain to target, When it is deleted, Then 409 names them and nothing changes; with ?unlinkChains=true the links go, then the job', async () => {
    await givenJob('target', ok);
    await givenJob('other', ok);
    await givenJob('ref-1', ok, { onSuccess: ['target'], onFailure: ['other'] });
    await givenJob('ref-2', ok, { onFailure: ['target'] });
    const before = await api.snapshot();

    const refused = await api.call('DELETE', '/jobs/target');
    expect(refused.status, refused.text).toBe(409);
    expect(refused.json.error.type).toBe('JobChainedTo');
    expect(refused.json.error.message).toContain('"ref-1", "ref-2"');
    expect(refused.json.error.message).toContain('?unlinkChains=true');
    expect(await api.snapshot()).toEqual(before);

    const badOption = await api.call('DELETE', '/jobs/target?unlinkChains=yes');
    expect(badOption.status, badOption.text).toBe(400);
    expect(await api.snapshot()).toEqual(before);

    const deleted = await api.call('DELETE', '/jobs/target?unlinkChains=true');
    expect(deleted.status, deleted.text).toBe(204);
    expect((await api.call('GET', '/jobs/target')).status).toBe(404);
    const ref1 = (await api.call('GET', '/jobs/ref-1')).json;
    expect(ref1.then).toEqual({ onFailure: ['other'] });
    const ref2 = (await api.call('GET', '/jobs/ref-2')).json;
    expect(ref2.then).toBeUndefined();
    // The schedule's copy of each job (what its scheduled runs work from) followed the rewrite.
    for (const [name, then] of [
      ['ref-1', { onFailure: ['other'] }],
      ['ref-2', undefined],
    ] as const) {
      const schedule = await api.scheduler.send(
        new GetScheduleCommand({ Name: name, GroupName: api.stack.endpoints.scheduleGroups.prompt }),
      );
      expect(JSON.parse(schedule.Target?.Input ?? '{}').definition.then).toEqual(then);
    }
  });
});
