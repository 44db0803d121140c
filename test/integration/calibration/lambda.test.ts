/**
 * The calibration kind with the `lambda` provider: the user's model function invoked synchronously by
 * the unmodified Lambda client, through the local Lambda Invoke endpoint (local/lambda-api/, the same
 * wire protocol and SigV4 check the local stack serves), through the real lifecycle on dynalite.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LambdaApi, startLambdaApi } from '../../../local/lambda-api/server.ts';
import { createLogger } from '../../../shared/logger.ts';
import { executeRun } from '../../../shared/runs/lifecycle.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';
import { givenCalibrationJob, prompts, START, scheduled, setup, useCalibrationWorld } from './support.ts';

const world = useCalibrationWorld();

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:my-model';

let lambda: LambdaApi;
/** What the user's function gets, and how it answers. */
let received: unknown[];
let model: (payload: { prompt: string }) => Promise<unknown>;

beforeEach(async () => {
  received = [];
  model = async ({ prompt }) => ({ text: `fn: ${prompt}`, usage: { inputTokens: 2, outputTokens: 4 } });
  lambda = await startLambdaApi({
    credentials: TEST_CREDENTIALS,
    hasFunction: (name) => name === ARN,
    invoke: async (_name, payload) => {
      received.push(payload);
      return model(payload as { prompt: string });
    },
    log: createLogger({ write: () => {} }),
  });
});
afterEach(async () => {
  await lambda.close();
});

describe('calibration with a model function on Lambda', () => {
  it('invokes the function with {prompt, model, maxTokens} and submits its {text, usage}', async () => {
    const { deps, work } = setup(world.engine, world.secretsDir, { lambdaUrl: lambda.endpoint });
    world.platform.prompts = prompts(2);
    const job = await givenCalibrationJob(deps, world.platform, {
      provider: { type: 'lambda', functionArn: ARN },
    });
    await executeRun(deps, scheduled(job), work);
    expect(received[0]).toEqual({
      prompt: 'question number 1',
      model: { name: 'support-bot', version: '7', environment: 'staging', purpose: 'triage' },
      maxTokens: 1024,
    });
    expect(world.platform.answered.get('p-2')).toMatchObject({
      text: 'fn: question number 2',
      usage: { inputTokens: 2, outputTokens: 4 },
    });
    expect((await deps.runs.get(job.name, START))?.result).toMatchObject({
      usage: { inputTokens: 4, outputTokens: 8 },
    });
  });

  it("records the function's own error as the prompt's failure, without a retry", async () => {
    const { deps, work } = setup(world.engine, world.secretsDir, { lambdaUrl: lambda.endpoint });
    world.platform.prompts = prompts(1);
    model = async () => {
      throw new TypeError('model weights not found');
    };
    const job = await givenCalibrationJob(deps, world.platform, {
      provider: { type: 'lambda', functionArn: ARN },
    });
    await expect(executeRun(deps, scheduled(job), work)).rejects.toThrow(
      `every prompt failed (1); first: p-1: model function ${ARN} failed (TypeError): model weights not found`,
    );
    expect(received).toHaveLength(1);
  });

  it('fails the prompt when the function answers without text', async () => {
    const { deps, work } = setup(world.engine, world.secretsDir, { lambdaUrl: lambda.endpoint });
    world.platform.prompts = prompts(1);
    model = async () => ({ answer: 'wrong field' });
    const job = await givenCalibrationJob(deps, world.platform, {
      provider: { type: 'lambda', functionArn: ARN },
    });
    await expect(executeRun(deps, scheduled(job), work)).rejects.toThrow('answered without a string "text"');
  });
});
