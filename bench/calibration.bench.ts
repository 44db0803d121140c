/**
 * Calibration throughput: 200 prompts answered by a model with 50 ms latency at concurrency 8, through
 * the real lifecycle (dynalite in process, the outbound guard's HTTP client), against the platform and
 * model of `tickwork demo-platform` on loopback; the ideal is 200 × 50 ms / 8 = 1,250 ms and the goal
 * within 1.3× of it. A baseline in the same run: the same 200 calls made by a bare loop of 8
 * workers with fetch, no lifecycle, no guard, no submit.
 *
 *   npx tsx bench/calibration.bench.ts
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import dynalite from 'dynalite';
import { startDemoPlatform } from '../local/demo-platform/server.ts';
import { ensureTables } from '../local/dynamodb/tables.ts';
import { BedrockConverse } from '../shared/adapters/bedrock/converse.ts';
import { DynamoBudgets } from '../shared/adapters/dynamodb/budgets.ts';
import { createDocumentClient } from '../shared/adapters/dynamodb/client.ts';
import { DynamoJobStore } from '../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../shared/adapters/dynamodb/run-ledger.ts';
import { SafeHttpClient } from '../shared/adapters/http/client.ts';
import { LambdaModelFunctions } from '../shared/adapters/lambda/model-function.ts';
import { LocalSecretSource } from '../shared/adapters/secrets/local.ts';
import { systemClock } from '../shared/clock.ts';
import { calibrationKind } from '../shared/kinds/calibration/definition.ts';
import { calibrationWork } from '../shared/kinds/calibration/work.ts';
import { kindWork } from '../shared/kinds/work.ts';
import { silentLogger } from '../shared/logger.ts';
import { executeRun } from '../shared/runs/lifecycle.ts';
import { tableDefinitions, tableName } from '../shared/tables.ts';
import { UNUSED_AWS_CLIENT } from '../test/support/unused-aws-client.ts';
import { unusedJobInvoker } from '../test/support/unused-invoker.ts';

const PROMPTS = 200;
const LATENCY_MS = 50;
const CONCURRENCY = 8;
const IDEAL_MS = (PROMPTS * LATENCY_MS) / CONCURRENCY;
const ROUNDS = 3;
/** The demo platform's bearer token (its models and prompts need it). */
const TOKEN = 'calibration-bench-token';

async function main(): Promise<void> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // dynalite in process takes any signature; the clients still need credentials to sign with.
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
  await ensureTables(client, { stage: 'bench', definitions: Object.values(tableDefinitions) });
  const doc = createDocumentClient({ endpoint, region: 'us-east-1', clientConfig: { credentials } });
  const dir = await mkdtemp(join(tmpdir(), 'tickwork-calibration-bench-'));
  await writeFile(join(dir, 'secrets.json'), JSON.stringify({ 'demo-platform-token': TOKEN }));
  // The demo platform `tickwork demo-platform` serves: its model answers after LATENCY_MS, and each
  // calibration run it lists holds PROMPTS prompts.
  const platform = await startDemoPlatform({
    port: 0,
    token: TOKEN,
    signingSecret: 'unused-by-the-responses-flow',
    modelLatencyMs: LATENCY_MS,
    prompts: PROMPTS,
  });

  const clock = systemClock;
  const deps = {
    jobs: new DynamoJobStore(doc, tableName('bench', 'jobs'), clock),
    runs: new DynamoRunLedger(doc, tableName('bench', 'runs'), clock),
    clock,
    log: silentLogger,
    retentionDays: 30,
    leaseSeconds: calibrationKind.function.timeoutSeconds,
    invoker: unusedJobInvoker(),
    retryPolicy: { delaysMs: [] },
  };
  const work = kindWork(calibrationKind, calibrationWork, {
    secrets: new LocalSecretSource({ file: join(dir, 'secrets.json'), env: {} }),
    http: new SafeHttpClient({ mode: 'local', allowedHosts: [] }),
    budgets: new DynamoBudgets(doc, tableName('bench', 'jobs'), clock),
    bedrock: new BedrockConverse(new BedrockRuntimeClient(UNUSED_AWS_CLIENT)),
    modelFunctions: new LambdaModelFunctions(new LambdaClient(UNUSED_AWS_CLIENT)),
  });

  const tickwork: number[] = [];
  const baseline: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const name = `calibration-bench-${round}`;
    await deps.jobs.create({
      name,
      kind: calibrationKind.id,
      schedule: {
        input: 'rate(7 days)',
        expression: 'rate(7 days)',
        timezone: 'UTC',
        description: 'weekly',
        type: 'rate',
      },
      enabled: true,
      config: {
        model: { name: 'bench', version: '1', environment: 'bench', purpose: 'bench' },
        provider: {
          type: 'openai-compatible',
          baseUrl: `${platform.url}/v1`,
          model: 'demo',
          apiKeySecret: 'demo-platform-token',
        },
        flows: {
          responses: {
            promptsUrl: `${platform.url}/calibration/prompts`,
            submitUrl: `${platform.url}/calibration/responses`,
            authSecret: 'demo-platform-token',
          },
        },
        concurrency: CONCURRENCY,
      },
      overlap: 'skip',
      tags: {},
      runImmediately: false,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      version: 1,
    });
    const answeredBefore = platform.received().calibration.accepted.length;
    const started = performance.now();
    const outcome = await executeRun(
      deps,
      { job: name, scheduledTime: new Date().toISOString(), executionId: name },
      work,
    );
    tickwork.push(performance.now() - started);
    const answered = platform.received().calibration.accepted.length - answeredBefore;
    if (outcome.outcome !== 'succeeded' || answered !== PROMPTS) {
      throw new Error(`round ${round}: ${outcome.outcome}, ${answered} answered`);
    }

    // The baseline: the same calls from a bare loop of workers.
    let next = 0;
    const bareStarted = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < PROMPTS) {
          const index = next++;
          const response = await fetch(`${platform.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
            body: JSON.stringify({
              model: 'demo',
              messages: [{ role: 'user', content: `bench question ${index}` }],
            }),
          });
          await response.json();
        }
      }),
    );
    baseline.push(performance.now() - bareStarted);
  }

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const run = median(tickwork);
  const bare = median(baseline);
  console.log(`calibration: ${PROMPTS} prompts, ${LATENCY_MS} ms model latency, concurrency ${CONCURRENCY}`);
  console.log(`  ideal                  ${IDEAL_MS.toFixed(0)} ms`);
  console.log(
    `  tickwork run (median)  ${run.toFixed(0)} ms  = ${(run / IDEAL_MS).toFixed(2)}x ideal (goal <= 1.3x)  rounds: ${tickwork.map((ms) => ms.toFixed(0)).join(', ')}`,
  );
  console.log(
    `  bare loop (median)     ${bare.toFixed(0)} ms  = ${(bare / IDEAL_MS).toFixed(2)}x ideal  rounds: ${baseline.map((ms) => ms.toFixed(0)).join(', ')}`,
  );

  await platform.close();
  doc.destroy();
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
}

await main();
