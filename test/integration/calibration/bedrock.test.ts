/**
 * The calibration kind with the Bedrock provider: the unmodified Bedrock Runtime client's Converse call
 * against a local server speaking its wire protocol, through the real lifecycle on dynalite.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeRun } from '../../../shared/runs/lifecycle.ts';
import { type BedrockStandIn, bedrockAnswer, startBedrockStandIn } from '../../support/bedrock-converse.ts';
import { givenCalibrationJob, prompts, START, scheduled, setup, useCalibrationWorld } from './support.ts';

const world = useCalibrationWorld();

let bedrock: BedrockStandIn;

beforeEach(async () => {
  bedrock = await startBedrockStandIn();
});
afterEach(async () => {
  await bedrock.close();
});

const MODEL_ID = 'anthropic.claude-3-haiku-20240307-v1:0';
const provider = {
  type: 'bedrock',
  modelId: MODEL_ID,
  inferenceConfig: { maxTokens: 256, temperature: 0.2, topP: 0.9 },
};

describe('calibration with a Bedrock model', () => {
  it('asks Converse per prompt with the inference config and the job and run id as request metadata', async () => {
    const { deps, work } = setup(world.engine, world.secretsDir, { bedrockUrl: bedrock.url });
    world.platform.prompts = prompts(2);
    const job = await givenCalibrationJob(deps, world.platform, {
      provider,
      pricing: { inputPerMillionTokens: 0.25, outputPerMillionTokens: 1.25 },
    });
    await executeRun(deps, scheduled(job), work);
    const run = await deps.runs.get(job.name, START);
    expect(run?.status).toBe('succeeded');
    expect(bedrock.calls).toHaveLength(2);
    const [call] = bedrock.calls;
    expect(call?.modelId).toBe(MODEL_ID);
    expect(call?.body).toEqual({
      messages: [{ role: 'user', content: [{ text: 'question number 1' }] }],
      inferenceConfig: { maxTokens: 256, temperature: 0.2, topP: 0.9 },
      requestMetadata: { job: job.name, runId: run?.runId },
    });
    // Signed by the SDK as any AWS call
    expect(String(call?.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/bedrock\//,
    );
    expect(world.platform.answered.get('p-1')).toMatchObject({
      text: bedrockAnswer('question number 1'),
      usage: { inputTokens: 3, outputTokens: 5 },
    });
    expect(run?.result).toEqual({
      flows: { responses: { prompts: 2, answered: 2, failed: 0, left: 0 } },
      usage: { inputTokens: 6, outputTokens: 10 },
      costUsd: (6 * 0.25 + 10 * 1.25) / 1e6,
    });
  });

  it('retries a ThrottlingException (HTTP 429) with backoff, then answers', async () => {
    const { deps, work, clock } = setup(world.engine, world.secretsDir, { bedrockUrl: bedrock.url });
    world.platform.prompts = prompts(1);
    bedrock.errors.push(
      {
        status: 429,
        type: 'ThrottlingException',
        message: 'Too many requests, please wait before trying again.',
      },
      { status: 503, type: 'ServiceUnavailableException', message: 'Service unavailable' },
    );
    const job = await givenCalibrationJob(deps, world.platform, { provider });
    await executeRun(deps, scheduled(job), work);
    expect(bedrock.calls).toHaveLength(3);
    expect(clock.waits).toEqual([500, 1_000]);
    expect((await deps.runs.get(job.name, START))?.status).toBe('succeeded');
  });

  it('does not retry a ValidationException, and records it as the prompt failure', async () => {
    const { deps, work } = setup(world.engine, world.secretsDir, { bedrockUrl: bedrock.url });
    world.platform.prompts = prompts(1);
    bedrock.errors.push({ status: 400, type: 'ValidationException', message: 'The model is not supported' });
    const job = await givenCalibrationJob(deps, world.platform, { provider });
    await expect(executeRun(deps, scheduled(job), work)).rejects.toThrow(
      `every prompt failed (1); first: p-1: Bedrock model ${MODEL_ID}: ValidationException (HTTP 400): The model is not supported`,
    );
    expect(bedrock.calls).toHaveLength(1);
  });
});
