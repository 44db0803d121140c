/**
 * The task kind's lambda target: the user's function invoked synchronously by the unmodified Lambda
 * client through the local Invoke endpoint (local/lambda-api/, the wire protocol and SigV4 check the
 * local stack serves), through the real lifecycle on dynalite.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LambdaApi, startLambdaApi } from '../../../local/lambda-api/server.ts';
import { createLogger } from '../../../shared/logger.ts';
import { executeRun } from '../../../shared/runs/lifecycle.ts';
import { newManualRun } from '../../../shared/runs/manual.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';
import { givenTaskJob, runOf, scheduled, setup, taskEvent, useTaskWorld } from './support.ts';

const world = useTaskWorld();
const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:reminders';

let lambda: LambdaApi;
let received: unknown[];
let userFunction: (event: Record<string, unknown>) => Promise<unknown>;

beforeEach(async () => {
  received = [];
  userFunction = async (event) => ({ ok: true, runId: event.runId });
  lambda = await startLambdaApi({
    credentials: TEST_CREDENTIALS,
    hasFunction: (name) => name === ARN,
    invoke: async (_name, payload) => {
      received.push(payload);
      return userFunction(payload as Record<string, unknown>);
    },
    log: createLogger({ write: () => {} }),
  });
});
afterEach(async () => {
  await lambda.close();
});

const lambdaJob = { target: { type: 'lambda', functionArn: ARN }, payload: { invoiceIds: ['A-1'] } };

describe('a task job with a lambda target', () => {
  it("invokes the function with the run's TaskEvent and keeps what it returns as the run's result", async () => {
    const { deps, work } = setup(world, { lambda: lambda.endpoint });
    const job = await givenTaskJob(deps, lambdaJob);
    userFunction = async (event) => ({ reminded: 1, echoed: event.payload });

    await executeRun(deps, scheduled(job), work);

    const run = await runOf(deps, job);
    expect(received).toEqual([taskEvent(job, run, { invoiceIds: ['A-1'] })]);
    expect(run.status).toBe('succeeded');
    expect(run.result).toEqual({ reminded: 1, echoed: { invoiceIds: ['A-1'] } });
  });

  it.each([
    ['a string', 'done', { value: 'done' }],
    ['a list', [1, 2], { value: [1, 2] }],
    ['nothing', undefined, { value: null }],
  ])('wraps %s returned as {value}', async (_what, returned, result) => {
    const { deps, work } = setup(world, { lambda: lambda.endpoint });
    const job = await givenTaskJob(deps, lambdaJob);
    userFunction = async () => returned;
    await executeRun(deps, scheduled(job), work);
    expect((await runOf(deps, job)).result).toEqual(result);
  });

  it("fails the run with the function's own error type and message, and leaves it to Lambda's retries", async () => {
    const { deps, work } = setup(world, { lambda: lambda.endpoint });
    const job = await givenTaskJob(deps, lambdaJob);
    userFunction = async () => {
      const error = new Error('invoice A-1 does not exist');
      error.name = 'InvoiceNotFound';
      throw error;
    };
    await expect(executeRun(deps, scheduled(job), work)).rejects.toThrow('invoice A-1 does not exist');
    const run = await runOf(deps, job);
    expect(run.status).toBe('failed');
    expect(run.error).toEqual({ type: 'InvoiceNotFound', message: 'invoice A-1 does not exist' });
  });

  it('fails the run for good when the answer is larger than 64 KB, without a retry', async () => {
    const { deps, work } = setup(world, { lambda: lambda.endpoint });
    const job = await givenTaskJob(deps, lambdaJob);
    userFunction = async () => ({ blob: 'x'.repeat(70_000) });
    // A final failure is recorded and returned, not thrown: Lambda must not call the function again.
    const outcome = await executeRun(deps, scheduled(job), work);
    expect(outcome.outcome).toBe('failed');
    const run = await runOf(deps, job);
    expect(run.error?.type).toBe('TaskTargetError');
    expect(run.error?.message).toMatch(/answered \d+ bytes, more than the 65536 bytes accepted/);
    expect(received).toHaveLength(1);
  });

  it('fails the run for good when the function does not exist', async () => {
    const { deps, work } = setup(world, { lambda: lambda.endpoint });
    const job = await givenTaskJob(deps, {
      target: { type: 'lambda', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:gone' },
    });
    const outcome = await executeRun(deps, scheduled(job), work);
    expect(outcome.outcome).toBe('failed');
    expect((await runOf(deps, job)).error).toMatchObject({
      type: 'TaskTargetError',
      message: expect.stringContaining('ResourceNotFoundException'),
    });
  });

  it("merges a fan-out child's context and a manual run's payload into the payload, and passes a chained run's upstream", async () => {
    const { deps, work, clock } = setup(world, { lambda: lambda.endpoint });
    const job = await givenTaskJob(deps, {
      ...lambdaJob,
      payload: { invoiceIds: ['A-1'], channel: 'email', region: 'eu' },
    });
    const upstream = {
      job: 'nightly-billing',
      runId: 'run-up',
      status: 'succeeded' as const,
      result: { n: 3 },
    };
    const chained = newManualRun(job, clock.now(), {
      retentionDays: 30,
      trigger: 'chain',
      upstream,
      context: { key: 'acme', region: 'us' },
      params: { payload: { channel: 'sms' } },
    });
    await deps.runs.claim(chained.run);

    await executeRun(deps, chained.event, work);

    expect(received[0]).toMatchObject({
      trigger: 'chain',
      params: { payload: { channel: 'sms' } },
      payload: { invoiceIds: ['A-1'], key: 'acme', region: 'us', channel: 'sms' },
      upstream,
    });
  });
});
