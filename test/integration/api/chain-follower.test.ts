/**
 * The chain follower (shared/runs/chain.ts) on the real engines of the local stack: DynamoDB (dynalite)
 * through the unmodified SDK, and the real Lambda invoker against the local Invoke endpoint, whose prompt
 * function runs the chained runs. What a crash or a repeated delivery leaves behind:
 * - the follower run twice for the same upstream run (at once) starts one chained run;
 * - a chained run left `pending` (a start that stopped between the claim and the invoke) is invoked again;
 * - a repeated delivery of a run that ended, whose followers never ran, runs them (lifecycle.ts).
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFunctionArn } from '../../../local/lambda/environment.ts';
import {
  createDocumentClient,
  DynamoJobStore,
  DynamoRunLedger,
} from '../../../shared/adapters/dynamodb/index.ts';
import { createLambdaJobInvoker } from '../../../shared/adapters/lambda/job-invoker.ts';
import { systemClock } from '../../../shared/clock.ts';
import { functionName } from '../../../shared/functions.ts';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { chainSlot, startChainedRuns, upstreamOf } from '../../../shared/runs/chain.ts';
import { manualSlot } from '../../../shared/runs/event.ts';
import type { RunDeps } from '../../../shared/runs/lifecycle.ts';
import { newManualRun, retentionExpiresAt, runEvent } from '../../../shared/runs/manual.ts';
import { newRunId } from '../../../shared/runs/run-id.ts';
import { tableName } from '../../../shared/tables.ts';
import { type Receiver, startReceiver } from '../prompt/receiver.ts';
import { type ApiAnswer, type ApiHarness, promptJob, startApiHarness, until } from './support.ts';

const SECRET = 'follower-hook';

let api: ApiHarness;
let receiver: Receiver;
let doc: DynamoDBDocumentClient;
let lambda: LambdaClient;
let deps: RunDeps;

beforeAll(async () => {
  api = await startApiHarness();
  await api.writeSecrets({ [SECRET]: 'follower-secret' });
  receiver = await startReceiver();
  const { dynamodbEndpoint, lambdaEndpoint, credentials } = api.stack.endpoints;
  doc = createDocumentClient({
    endpoint: dynamodbEndpoint,
    region: credentials.region,
    clientConfig: { credentials },
  });
  lambda = new LambdaClient({ endpoint: lambdaEndpoint, region: credentials.region, credentials });
  deps = {
    jobs: new DynamoJobStore(doc, tableName('local', 'jobs'), systemClock),
    runs: new DynamoRunLedger(doc, tableName('local', 'runs'), systemClock),
    clock: systemClock,
    log: silentLogger,
    retentionDays: 30,
    leaseSeconds: 60,
    retryPolicy: { delaysMs: [] },
    invoker: createLambdaJobInvoker({
      client: lambda,
      functionArns: { prompt: localFunctionArn(functionName('local', 'prompt')) },
    }),
  };
});

afterAll(async () => {
  doc?.destroy();
  lambda?.destroy();
  await receiver?.close();
  await api?.close();
});

/** `upstream` (then onSuccess: [downstream]) and `downstream`, created through the API; the upstream job as stored. */
async function givenChain(upstream: string, downstream: string): Promise<Job> {
  for (const [name, then] of [
    [downstream, undefined],
    [upstream, { onSuccess: [downstream] }],
  ] as const) {
    const answer = await api.call('PUT', `/jobs/${name}`, {
      body: promptJob(name, {
        config: {
          prompt: `Work of ${name}`,
          target: { type: 'webhook', url: receiver.url, signingSecret: SECRET },
        },
        ...(then === undefined ? {} : { then }),
      }),
    });
    expect(answer.status, answer.text).toBe(201);
  }
  const job = await deps.jobs.get(upstream);
  if (job === undefined) throw new Error(`job ${upstream} was not stored`);
  return job;
}

/** A manual run of `job` recorded `succeeded`, as a delivery that ended it leaves it. */
async function givenSucceededRun(job: Job): Promise<Run> {
  const now = new Date();
  const runId = newRunId(now);
  const scheduledFor = now.toISOString();
  const run: Run = {
    runId,
    job: job.name,
    slot: manualSlot(scheduledFor, runId),
    trigger: 'manual',
    status: 'succeeded',
    scheduledFor,
    startedAt: scheduledFor,
    finishedAt: new Date(now.getTime() + 5).toISOString(),
    durationMs: 5,
    attempt: 1,
    duplicatesSuppressed: 0,
    result: { delivered: true },
    expiresAt: retentionExpiresAt(now, 30),
  };
  const claim = await deps.runs.claim(run);
  expect(claim.claimed).toBe(true);
  return run;
}

/** The runs of `job` started by `upstream`, once `count` of them ended (or the wait ran out). */
async function chainedRuns(
  job: string,
  upstream: Run,
  count: number,
): Promise<{ runId: string; status: string }[]> {
  const of = (answer: ApiAnswer) =>
    (answer.json?.runs ?? []).filter(
      (run: { upstream?: { runId: string } }) => run.upstream?.runId === upstream.runId,
    );
  const answer = await until(
    () => api.call('GET', `/jobs/${job}/runs`),
    (read) => of(read).filter((run: { status: string }) => run.status === 'succeeded').length >= count,
    30_000,
  );
  return of(answer);
}

describe('the chain follower, started again for the same run', () => {
  it('Given an ended run, When its follower runs twice at once, Then one chained run is started', async () => {
    const job = await givenChain('twice-up', 'twice-down');
    const run = await givenSucceededRun(job);

    await Promise.all([
      startChainedRuns(deps, job, run, silentLogger),
      startChainedRuns(deps, job, run, silentLogger),
    ]);
    await startChainedRuns(deps, job, run, silentLogger);

    const runs = await chainedRuns('twice-down', run, 1);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'chain', status: 'succeeded', upstream: upstreamOf(run) });
  });

  it('Given a chained run left pending (no invoke after its claim), When the follower runs again, Then it invokes that run', async () => {
    const job = await givenChain('pending-up', 'pending-down');
    const run = await givenSucceededRun(job);
    const downstream = await deps.jobs.get('pending-down');
    if (downstream === undefined) throw new Error('pending-down was not stored');
    const { run: pending } = newManualRun(downstream, new Date(), {
      retentionDays: 30,
      trigger: 'chain',
      slot: chainSlot(run),
      scheduledFor: run.finishedAt,
      upstream: upstreamOf(run),
    });
    expect((await deps.runs.claim(pending)).claimed).toBe(true);

    await startChainedRuns(deps, job, run, silentLogger);

    const runs = await chainedRuns('pending-down', run, 1);
    expect(runs).toEqual([expect.objectContaining({ runId: pending.runId, status: 'succeeded' })]);
  });

  it('Given an ended run whose followers never ran, When its event is delivered again, Then the duplicate starts its chained run', async () => {
    const job = await givenChain('redelivered-up', 'redelivered-down');
    const run = await givenSucceededRun(job);

    await deps.invoker.invoke('prompt', runEvent(run));

    const runs = await chainedRuns('redelivered-down', run, 1);
    expect(runs).toHaveLength(1);
    const upstream = await api.call('GET', `/runs/${run.runId}`);
    expect(upstream.json).toMatchObject({ status: 'succeeded', duplicatesSuppressed: 1 });
  });
});
