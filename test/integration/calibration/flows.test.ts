/**
 * The calibration kind through the real lifecycle on dynalite, with the OpenAI-compatible provider,
 * against a local platform and model: both flows, 429s, garbage from the world.platform, failure ratios.
 */
import { describe, expect, it } from 'vitest';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import { verifySignature } from '../../../shared/kinds/signature.ts';
import { executeRun, type RunDeps } from '../../../shared/runs/lifecycle.ts';
import { newManualRun } from '../../../shared/runs/manual.ts';
import { modelAnswer } from '../../support/calibration-platform.ts';
import {
  givenCalibrationJob,
  prompts,
  SECRETS,
  START,
  scheduled,
  setup,
  useCalibrationWorld,
} from './support.ts';

const world = useCalibrationWorld();

async function runOf(deps: RunDeps, job: Job, slot = START): Promise<Run> {
  const run = await deps.runs.get(job.name, slot);
  if (run === undefined) throw new Error('no run recorded');
  return run;
}

function submitted(path: string) {
  return world.platform.requests.filter((request) => request.method === 'POST' && request.path === path);
}

describe('calibration with an OpenAI-compatible model', () => {
  it('answers every prompt of the responses flow and submits them with deterministic ids', async () => {
    // Given five prompts on the platform
    const { deps, work } = setup(world.engine, world.secretsDir);
    world.platform.prompts = prompts(5);
    const job = await givenCalibrationJob(deps, world.platform, {
      concurrency: 2,
      pricing: { inputPerMillionTokens: 2, outputPerMillionTokens: 4 },
    });
    // When the scheduled run runs
    const outcome = await executeRun(deps, scheduled(job), work);
    // Then every prompt was answered once and submitted in one POST, with the platform's run id
    expect(outcome.outcome).toBe('succeeded');
    expect(world.platform.modelCalls).toBe(5);
    const [post] = submitted('/calibration/responses');
    expect(submitted('/calibration/responses')).toHaveLength(1);
    const body = JSON.parse(post?.body ?? '{}');
    expect(body.calibrationRunId).toBe('cal-run-1');
    expect(body.model).toEqual({
      name: 'support-bot',
      version: '7',
      environment: 'staging',
      purpose: 'triage',
    });
    expect(body.responses.map((response: { promptId: string }) => response.promptId)).toEqual([
      'p-1',
      'p-2',
      'p-3',
      'p-4',
      'p-5',
    ]);
    expect(body.responses[0]).toEqual({
      promptId: 'p-1',
      responseId: expect.stringMatching(/^resp_[0-9a-f]{32}$/),
      text: modelAnswer('question number 1'),
      usage: { inputTokens: 3, outputTokens: 5 },
    });
    expect(post?.headers.authorization).toBe(`Bearer ${SECRETS['platform/token']}`);
    expect(post?.headers['idempotency-key']).toMatch(/^calibration-[0-9a-f]{40}$/);
    // The model got the API key and the configured model and answer length
    const call = world.platform.requests.find((request) => request.path === '/v1/chat/completions');
    expect(call?.headers.authorization).toBe(`Bearer ${SECRETS['llm/key']}`);
    expect(JSON.parse(call?.body ?? '{}')).toMatchObject({ model: 'demo-model', max_tokens: 20 });
    // And the run records counts, usage and cost
    const run = await runOf(deps, job);
    expect(run.status).toBe('succeeded');
    expect(run.result).toEqual({
      flows: { responses: { prompts: 5, answered: 5, failed: 0, left: 0 } },
      usage: { inputTokens: 15, outputTokens: 25 },
      costUsd: (15 * 2 + 25 * 4) / 1e6,
    });
    // The same slot's ids are the same on another attempt: derived from (job, slot, flow, prompt)
    const ids = body.responses.map((response: { responseId: string }) => response.responseId);
    expect(new Set(ids).size).toBe(5);
  });

  it("answers the registry's prompts for the model and ingests them signed, with an idempotency key", async () => {
    const { deps, work, clock } = setup(world.engine, world.secretsDir);
    world.platform.now = () => clock.now();
    world.platform.registryPrompts = prompts(3, 'reg');
    const job = await givenCalibrationJob(deps, world.platform, {
      flows: {
        registry: {
          promptsUrl: `${world.platform.url}/registry/prompts`,
          ingestUrl: `${world.platform.url}/ingest`,
          signingSecret: 'registry/ingest',
        },
      },
    });
    await executeRun(deps, scheduled(job), work);
    const list = world.platform.requests.find((request) => request.path.startsWith('/registry/prompts'));
    expect(list?.path).toBe('/registry/prompts?model=support-bot&version=7');
    const [ingest] = submitted('/ingest');
    const header = String(ingest?.headers['tickwork-signature']);
    expect(
      verifySignature(header, ingest?.body ?? '', SECRETS['registry/ingest'], { now: clock.now() }).valid,
    ).toBe(true);
    expect(world.platform.ingested.size).toBe(1);
    const body = JSON.parse(ingest?.body ?? '{}');
    expect(body).toMatchObject({ log_type: 'calibration', model: { name: 'support-bot', version: '7' } });
    expect(body.responses).toHaveLength(3);
    expect((await runOf(deps, job)).result).toMatchObject({
      flows: { registry: { prompts: 3, answered: 3, failed: 0, left: 0 } },
    });
  });

  it('a retried attempt ingests the same answers under the same ids and keys, so the registry keeps one', async () => {
    // Given an ingest that fails every try of the first attempt, and a retry left to the run
    const setupped = setup(world.engine, world.secretsDir);
    const { work, clock } = setupped;
    const deps = { ...setupped.deps, retryPolicy: { delaysMs: [60_000] } };
    world.platform.now = () => clock.now();
    world.platform.registryPrompts = prompts(2, 'reg');
    world.platform.script.set(
      '/ingest',
      Array.from({ length: 4 }, () => ({ status: 503, body: 'ingest down' })),
    );
    const job = await givenCalibrationJob(deps, world.platform, {
      flows: {
        registry: {
          promptsUrl: `${world.platform.url}/registry/prompts`,
          ingestUrl: `${world.platform.url}/ingest`,
          signingSecret: 'registry/ingest',
        },
      },
    });
    await expect(executeRun(deps, scheduled(job), work)).rejects.toThrow('answered HTTP 503: ingest down');
    expect((await runOf(deps, job)).status).toBe('retrying');
    // When Lambda retries the slot
    await executeRun(deps, scheduled(job), work);
    // Then every ingest (4 refused tries, 1 accepted) carried the same key and the same response ids
    const ingests = submitted('/ingest');
    expect(ingests).toHaveLength(5);
    expect(new Set(ingests.map((request) => request.headers['idempotency-key'])).size).toBe(1);
    const ids = ingests.map((request) =>
      JSON.parse(request.body)
        .responses.map((response: { responseId: string }) => response.responseId)
        .join(','),
    );
    expect(new Set(ids).size).toBe(1);
    expect(world.platform.ingested.size).toBe(1);
    expect((await runOf(deps, job)).status).toBe('succeeded');
  });

  it('retries a 429 after the Retry-After the model asked for, and a 503 with backoff', async () => {
    const { deps, work, clock } = setup(world.engine, world.secretsDir);
    world.platform.prompts = prompts(1);
    world.platform.script.set('/v1/chat/completions', [
      { status: 429, body: '{"error":"slow down"}', headers: { 'retry-after': '7' } },
      { status: 503, body: 'overloaded' },
    ]);
    const job = await givenCalibrationJob(deps, world.platform, { concurrency: 1 });
    await executeRun(deps, scheduled(job), work);
    expect(world.platform.modelCalls).toBe(3);
    // 7 s as asked, then the first backoff step
    expect(clock.waits).toEqual([7_000, 1_000]);
    expect((await runOf(deps, job)).status).toBe('succeeded');
    expect(world.platform.answered.size).toBe(1);
  });

  it('does not wait for a Retry-After longer than a run waits, and counts the prompt failed', async () => {
    const { deps, work } = setup(world.engine, world.secretsDir);
    world.platform.prompts = prompts(2);
    world.platform.script.set('/v1/chat/completions', [
      { status: 429, body: 'come back in an hour', headers: { 'retry-after': '3600' } },
    ]);
    const job = await givenCalibrationJob(deps, world.platform, { concurrency: 1, maxFailureRatio: 0.5 });
    await executeRun(deps, scheduled(job), work);
    const run = await runOf(deps, job);
    expect(run.status).toBe('succeeded');
    expect(run.result).toMatchObject({
      flows: {
        responses: {
          prompts: 2,
          answered: 1,
          failed: 1,
          failures: [{ promptId: 'p-1', error: expect.stringContaining('answered HTTP 429') }],
        },
      },
    });
  });

  it('fails the run when more prompts fail than maxFailureRatio allows, after submitting the rest', async () => {
    const { deps, work } = setup(world.engine, world.secretsDir);
    world.platform.prompts = prompts(3);
    world.platform.script.set('/v1/chat/completions', [
      { status: 400, body: '{"error":"context too long"}' },
    ]);
    const job = await givenCalibrationJob(deps, world.platform, { concurrency: 1 });
    await expect(executeRun(deps, scheduled(job), work)).rejects.toThrow('1 of 3 prompts failed');
    const run = await runOf(deps, job);
    expect(run.error).toEqual({
      type: 'CalibrationFailuresError',
      message: expect.stringContaining('more than maxFailureRatio 0 allows; first: p-1:'),
    });
    // A 400 is not retried
    expect(world.platform.modelCalls).toBe(3);
    expect(world.platform.answered.size).toBe(2);
  });

  it('answers only maxPrompts prompts in a manual run with that parameter', async () => {
    const { deps, work, clock } = setup(world.engine, world.secretsDir);
    world.platform.prompts = prompts(4);
    const job = await givenCalibrationJob(deps, world.platform);
    const manual = newManualRun(job, clock.now(), { retentionDays: 30, params: { maxPrompts: 2 } });
    await deps.runs.claim(manual.run);
    await executeRun(deps, manual.event, work);
    expect(world.platform.modelCalls).toBe(2);
    expect((await deps.runs.get(job.name, manual.run.slot))?.result).toMatchObject({
      flows: { responses: { prompts: 4, answered: 2, left: 2 } },
    });
  });
});

describe('a platform answering garbage fails the run with what was wrong', () => {
  const tooMany = JSON.stringify({ calibrationRunId: 'r', prompts: prompts(100_000) });
  const huge = JSON.stringify({
    calibrationRunId: 'r',
    prompts: [{ promptId: 'p', text: 'x'.repeat(10_000_000) }],
  });
  it.each([
    ['non-JSON', { status: 200, body: '<html>maintenance</html>' }, 'is not JSON: <html>maintenance</html>'],
    [
      'a wrong shape',
      { status: 200, body: JSON.stringify({ calibrationRunId: 'r', prompts: [{ id: 1 }] }) },
      'has the wrong shape: prompts.0.promptId is required (a string); prompts.0.text is required (a string)',
    ],
    ['no run id', { status: 200, body: JSON.stringify({ prompts: [] }) }, 'calibrationRunId'],
    ['a 10 MB prompt', { status: 200, body: huge }, 'is larger than 8388608 bytes'],
    ['100,000 prompts', { status: 200, body: tooMany }, 'lists 100000 prompts; a run takes at most 1000'],
    [
      'the same prompt twice',
      {
        status: 200,
        body: JSON.stringify({ calibrationRunId: 'r', prompts: [...prompts(1), ...prompts(1)] }),
      },
      'lists promptId "p-1" twice',
    ],
    ['a 404', { status: 404, body: 'no such page' }, 'answered HTTP 404: no such page'],
  ])('%s', async (_case, answer, rule) => {
    const { deps, work } = setup(world.engine, world.secretsDir);
    world.platform.script.set('/calibration/prompts', [answer]);
    const job = await givenCalibrationJob(deps, world.platform);
    await expect(executeRun(deps, scheduled(job), work)).rejects.toThrow(rule);
    const run = await runOf(deps, job);
    expect(run.status).toBe('failed');
    expect(run.error?.type).toBe('PlatformAnswerError');
    expect(run.error?.message).toContain('flow responses: ');
    expect(world.platform.modelCalls).toBe(0);
  });
});
