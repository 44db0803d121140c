/**
 * Capacity units and cost per scheduled run (run: `npm run bench:capacity`; `-- --strict` exits 1 when a
 * goal is not met). Method and figures: bench/README-capacity.md.
 *
 * 1. Write and read units per run on DynamoDB Local (the official engine; dynalite reports no capacity),
 *    every request asking for `ReturnConsumedCapacity: INDEXES` (bench/support/capacity-meter.ts), for each
 *    path of the real lifecycle (`executeRun` with the real DynamoDB adapters, wired as the job function's
 *    composition root wires them) and a job config of about 0.5, 4 and 32 KB. Setup writes (creating jobs,
 *    the runs a duplicate repeats) are not counted. Goal: at most 3 write and 1 read units per run,
 *    whatever the size of the config.
 * 2. The duration of a run (no-op work, and the prompt kind's signed POST to a local receiver), timed
 *    apart after a warm-up, median of interleaved rounds.
 * 3. Cost per million runs from those units and durations (billed per 1 ms at the function's memory and
 *    architecture), the bytes a run logs at the level the function runs at in AWS, and the list prices of
 *    bench/support/prices.ts. Goal: at most $3.50.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ensureTables } from '../local/dynamodb/tables.ts';
import { createDocumentClient } from '../shared/adapters/dynamodb/client.ts';
import { DynamoJobStore } from '../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../shared/adapters/dynamodb/run-ledger.ts';
import { SafeHttpClient } from '../shared/adapters/http/client.ts';
import { LocalSecretSource } from '../shared/adapters/secrets/local.ts';
import { ASYNC_RETRY_DELAYS_SECONDS, ENV, loadJobFunctionConfig } from '../shared/config.ts';
import { functionDefinitions } from '../shared/functions.ts';
import { buildJob, definitionFields } from '../shared/jobs/definition.ts';
import type { Job } from '../shared/jobs/model.ts';
import type { JobEvent } from '../shared/jobs/ports.ts';
import { promptKind } from '../shared/kinds/prompt/definition.ts';
import { promptWork } from '../shared/kinds/prompt/work.ts';
import { kindWork } from '../shared/kinds/work.ts';
import { createLogger } from '../shared/logger.ts';
import { executeRun, type RunDeps, type RunOutcome, type RunWork } from '../shared/runs/lifecycle.ts';
import { tableDefinitions, tableName } from '../shared/tables.ts';
import { scheduledEvent } from '../test/support/scheduled-event.ts';
import { unusedJobInvoker } from '../test/support/unused-invoker.ts';
import { BenchClock } from './support/bench-clock.ts';
import { CapacityMeter, type Consumption } from './support/capacity-meter.ts';
import { summarize, units } from './support/capacity-report.ts';
import { startDynamoDbLocal } from './support/dynamodb-local.ts';
import { itemBytes } from './support/item-size.ts';
import {
  type CostBreakdown,
  costPerMillionRuns,
  deployedArchitecture,
  lambdaPlatformLogBytes,
  PRICES,
} from './support/prices.ts';
import { promptConfig } from './support/prompt-config.ts';
import { median } from './support/stats.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const STRICT = process.argv.includes('--strict');
const RUNS = 20;
const GOAL = { writeUnits: 3, readUnits: 1, dollarsPerMillionRuns: 3.5 } as const;
const STAGE = 'bench';
const region = 'us-east-1';
// DynamoDB Local refuses access keys that are not alphanumeric.
const credentials = { accessKeyId: 'BENCHCAPACITY01', secretAccessKey: 'benchcapacitybenchcapacitybench01' };

const dataDir = await mkdtemp(join(tmpdir(), 'tickwork-bench-capacity-'));
const engine = await startDynamoDbLocal(credentials, region);
const probe = new DynamoDBClient({ endpoint: engine.endpoint, region, credentials });
await ensureTables(probe, { stage: STAGE });
const tables = { jobs: tableName(STAGE, 'jobs'), runs: tableName(STAGE, 'runs') };
const meter = new CapacityMeter(
  Object.values(tableDefinitions).map((definition) => ({
    tableName: tableName(STAGE, definition.id),
    label: definition.id,
    keys: [definition.partitionKey.name, ...('sortKey' in definition ? [definition.sortKey.name] : [])],
  })),
  probe,
);
const doc = createDocumentClient({ endpoint: engine.endpoint, region, clientConfig: { credentials } });
meter.install(doc);

// The job function's composition root (functions/commons/job-handler.ts), with the environment the
// stack gives it: the log level and format are the ones the function runs with in AWS.
const config = loadJobFunctionConfig(
  {
    [ENV.stage]: STAGE,
    [ENV.mode]: 'aws',
    [ENV.jobsTable]: tables.jobs,
    [ENV.runsTable]: tables.runs,
    [ENV.jobFunctionArns]: JSON.stringify({
      prompt: `arn:aws:lambda:us-east-1:000000000000:function:${STAGE}-prompt`,
    }),
    [ENV.asyncRetryDelaysMs]: ASYNC_RETRY_DELAYS_SECONDS.map((seconds) => seconds * 1000).join(','),
  },
  promptKind.function,
);
// Near the real time: DynamoDB Local deletes items whose TTL attribute (`expiresAt`, run retention) is
// past by the wall clock, so a bench clock months behind would see its runs vanish mid-run.
const clock = new BenchClock(Math.ceil(Date.now() / 60_000) * 60_000);
let logged: string[] = [];
const log = createLogger({
  level: config.logLevel,
  format: config.logFormat,
  now: () => clock.now(),
  write: (line) => logged.push(line),
});
const deps: RunDeps = {
  jobs: new DynamoJobStore(doc, tables.jobs, clock),
  runs: new DynamoRunLedger(doc, tables.runs, clock),
  clock,
  log: log.child({ kind: promptKind.id }),
  retentionDays: config.runRetentionDays,
  leaseSeconds: config.timeoutSeconds,
  invoker: unusedJobInvoker(),
  retryPolicy: config.retryPolicy,
};

const receiver = createServer((request, response) => {
  request.resume();
  request.on('end', () => response.end('ok'));
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/tickwork`;
await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ bench: 'bench-secret' }));
const prompt = kindWork(promptKind, promptWork, {
  secrets: new LocalSecretSource({ file: join(dataDir, 'secrets.json'), env: {} }),
  http: new SafeHttpClient({ mode: 'local', allowedHosts: [] }, { userAgent: 'tickwork/bench' }),
});
const noop: RunWork = async () => ({ ok: true });

// --- jobs of each config size ---------------------------------------------------------------------
const SIZES = [
  { label: '0.5 KB', configBytes: 512 },
  { label: '4 KB', configBytes: 4 * 1024 },
  { label: '32 KB', configBytes: 32 * 1024 },
] as const;
type Size = (typeof SIZES)[number];

let jobCount = 0;
/** Creates a prompt job through the real definition path (validation, normalization, bookkeeping). */
async function addJob(size: Size, fields: Record<string, unknown> = {}): Promise<string> {
  jobCount++;
  const name = `bench-${jobCount}`;
  const body = {
    name,
    kind: 'prompt',
    schedule: 'rate(5 minutes)',
    config: promptConfig(size.configBytes, receiverUrl),
    ...fields,
  };
  const job = buildJob(definitionFields(body, { now: clock.now(), mode: 'local' }), clock.now());
  await deps.jobs.create(job);
  created.set(name, job);
  return name;
}

/** Each job as created: what its schedule's Target.Input carries. */
const created = new Map<string, Job>();

/**
 * The event Scheduler sends for slot `scheduledTime` of job `name`: its schedule's Target.Input (the
 * job's copy included) with the context attributes substituted, parsed as the job function parses it.
 */
function slotEvent(name: string, scheduledTime: string): JobEvent {
  const job = created.get(name);
  if (job === undefined) throw new Error(`no job ${name}`);
  return scheduledEvent(job, scheduledTime, `bench-${scheduledTime}`);
}

const nextSlot = (stepMs: number) => {
  clock.advance(stepMs);
  return clock.now().toISOString();
};

// --- 1. units per run ------------------------------------------------------------------------------
interface PathResult {
  readonly path: string;
  readonly size: Size;
  readonly samples: readonly Consumption[];
  /** CloudWatch Logs bytes the run logged, per run (its lines and their newlines). */
  readonly logBytes: number;
}
const results: PathResult[] = [];
const loggedBytes = () => logged.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);

/** Runs `iterate` RUNS times; only what its `run` call does is measured (the rest is setup). */
async function measure(
  path: string,
  size: Size,
  expected: RunOutcome['outcome'],
  iterate: (run: (event: JobEvent, work: RunWork) => Promise<void>, i: number) => Promise<void>,
): Promise<void> {
  const samples: Consumption[] = [];
  let logBytes = 0;
  const run = async (event: JobEvent, work: RunWork) => {
    meter.reset();
    logged = [];
    await expectOutcome(`${path} (${size.label})`, expected, executeRun(deps, event, work));
    samples.push(meter.take());
    logBytes += loggedBytes();
  };
  for (let i = 0; i < RUNS; i++) await iterate(run, i);
  results.push({ path, size, samples, logBytes: logBytes / RUNS });
}

/** A path that silently took another turn would measure something else: it stops the bench. */
async function expectOutcome(what: string, expected: RunOutcome['outcome'], running: Promise<RunOutcome>) {
  const outcome = await running;
  if (outcome.outcome !== expected)
    throw new Error(`${what}: expected ${expected}, got ${JSON.stringify(outcome)}`);
}

const PATHS = {
  skip: 'success, overlap skip, steady state (previous lease expired)',
  allow: 'success, overlap allow',
  once: 'success, one-time job (adds the executed mark)',
  prompt: 'prompt kind end to end (signed delivery), overlap skip',
  duplicate: 'duplicate delivery of a finished slot',
  paused: 'paused job (skipped run recorded)',
} as const;

const jobItemBytes = new Map<Size, number>();
for (const size of SIZES) {
  const skip = await addJob(size);
  const item = await probe.send(new GetItemCommand({ TableName: tables.jobs, Key: { name: { S: skip } } }));
  jobItemBytes.set(size, item.Item === undefined ? 0 : itemBytes(item.Item));
  // The first run of a job takes a lease that none held; every later one replaces an expired lease.
  await executeRun(deps, slotEvent(skip, nextSlot(300_000)), noop);
  await measure(PATHS.skip, size, 'succeeded', (run) => run(slotEvent(skip, nextSlot(300_000)), noop));

  const allow = await addJob(size, { overlap: 'allow' });
  await measure(PATHS.allow, size, 'succeeded', (run) => run(slotEvent(allow, nextSlot(300_000)), noop));

  await measure(PATHS.once, size, 'succeeded', async (run) => {
    const slot = new Date(clock.now().getTime() + 60_000);
    const once = await addJob(size, { schedule: `at(${slot.toISOString().slice(0, 19)})` });
    clock.advance(60_000);
    await run(slotEvent(once, slot.toISOString()), noop);
  });

  const promptJob = await addJob(size);
  await executeRun(deps, slotEvent(promptJob, nextSlot(300_000)), prompt);
  await measure(PATHS.prompt, size, 'succeeded', (run) =>
    run(slotEvent(promptJob, nextSlot(300_000)), prompt),
  );

  const delivered: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    delivered.push(nextSlot(300_000));
    await executeRun(deps, slotEvent(skip, delivered[i] ?? ''), noop);
  }
  await measure(PATHS.duplicate, size, 'duplicate', (run, i) =>
    run(slotEvent(skip, delivered[i] ?? ''), noop),
  );

  const paused = await addJob(size, { enabled: false });
  await measure(PATHS.paused, size, 'skipped', (run) => run(slotEvent(paused, nextSlot(300_000)), noop));
}

// --- 2. duration of a run ---------------------------------------------------------------------------
// Timed apart from the units, after a warm-up: DynamoDB Local's JVM answers its first thousand requests
// several times slower. Rounds interleave the paths and sizes, so a change in machine load hits all.
const TIMING_ROUNDS = 10;
const PER_ROUND = 5;
const durations = new Map<string, number[]>();
const timedJobs: { path: string; size: Size; job: string; work: RunWork }[] = [];
for (const size of SIZES) {
  for (const [path, work] of [
    [PATHS.skip, noop],
    [PATHS.prompt, prompt],
  ] as const) {
    const job = await addJob(size);
    await executeRun(deps, slotEvent(job, nextSlot(300_000)), work);
    timedJobs.push({ path, size, job, work });
  }
}
for (let round = -2; round < TIMING_ROUNDS; round++) {
  for (const { path, size, job, work } of timedJobs) {
    for (let i = 0; i < PER_ROUND; i++) {
      const event = slotEvent(job, nextSlot(300_000));
      const start = process.hrtime.bigint();
      await expectOutcome(`timing ${path}`, 'succeeded', executeRun(deps, event, work));
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      // Rounds below zero warm up.
      if (round >= 0)
        durations.set(`${path}|${size.label}`, [...(durations.get(`${path}|${size.label}`) ?? []), ms]);
    }
  }
}

// --- report: units -----------------------------------------------------------------------------------
const summaries = new Map(results.map((result) => [result, summarize(result.samples)]));
const misses: string[] = [];
console.log(
  `\nCapacity units per run (DynamoDB Local, ReturnConsumedCapacity INDEXES; ${RUNS} runs per row)\n`,
);
// What the engine was given: the projections test/infra/stateful-stack.test.ts holds the stack to.
const projections: string[] = [];
for (const name of Object.values(tables)) {
  const table = (await probe.send(new DescribeTableCommand({ TableName: name }))).Table;
  for (const index of table?.GlobalSecondaryIndexes ?? []) {
    const extra = index.Projection?.NonKeyAttributes;
    projections.push(
      `${index.IndexName} ${index.Projection?.ProjectionType}${extra ? `(${extra.join(', ')})` : ''}`,
    );
  }
}
console.log(`Index projections: ${projections.sort().join(', ')}`);
console.log(
  `Job items as stored: ${SIZES.map((size) => `${size.label} config → ${((jobItemBytes.get(size) ?? 0) / 1024).toFixed(2)} KB item`).join('; ')}\n`,
);
console.log('| path | config | WCU/run | RCU/run | goal ≤ 3 W, ≤ 1 R | per table/index | requests/run |');
console.log('|---|---|---:|---:|---|---|---|');
for (const [result, summary] of summaries) {
  const met = summary.write <= GOAL.writeUnits && summary.read <= GOAL.readUnits;
  if (!met)
    misses.push(`${result.path} (${result.size.label}): ${units(summary.write)} W, ${units(summary.read)} R`);
  console.log(
    `| ${result.path} | ${result.size.label} | ${units(summary.write)} | ${units(summary.read)} | ${met ? 'met' : 'NOT MET'} | ${summary.breakdown} | ${summary.requests} |`,
  );
}
console.log(
  '\n(est.: a failed conditional write, which DynamoDB Local reports no capacity for, at the size of the item that refused it.)',
);

// --- 3. cost per million runs --------------------------------------------------------------------------
const architecture = await deployedArchitecture();
const memoryMb = functionDefinitions.prompt.memorySize;
const platformBytes = lambdaPlatformLogBytes(memoryMb);

console.log(
  `\nCost per million runs (us-east-1 list prices read ${PRICES.readOn}; ${memoryMb} MB ${architecture} from the function catalog and infra; logs at level "${config.logLevel}", ${config.logFormat})\n`,
);
console.log(
  '| path | config | Scheduler | Lambda requests | Lambda compute (median ms) | DynamoDB writes | DynamoDB reads | Logs (bytes/run) | total | goal ≤ $3.50 |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
const dollars = (n: number) => `$${n.toFixed(n < 0.1 ? 3 : 2)}`;
const costs: { path: string; size: Size; cost: CostBreakdown }[] = [];
for (const [result, summary] of summaries) {
  if (result.path !== PATHS.skip && result.path !== PATHS.prompt) continue;
  const logBytes = result.logBytes + platformBytes;
  const durationMs = median(durations.get(`${result.path}|${result.size.label}`) ?? []);
  const cost = costPerMillionRuns({
    writeUnits: summary.write,
    readUnits: summary.read,
    durationMs,
    memoryMb,
    architecture,
    logBytes,
  });
  costs.push({ path: result.path, size: result.size, cost });
  const met = cost.total <= GOAL.dollarsPerMillionRuns;
  if (!met) misses.push(`${result.path} (${result.size.label}): ${dollars(cost.total)} per million runs`);
  console.log(
    `| ${result.path} | ${result.size.label} | ${dollars(cost.scheduler)} | ${dollars(cost.lambdaRequests)} | ${dollars(cost.lambdaCompute)} (${durationMs.toFixed(1)}) | ${dollars(cost.dynamodbWrites)} | ${dollars(cost.dynamodbReads)} | ${dollars(cost.logs)} (${Math.round(logBytes)}) | **${dollars(cost.total)}** | ${met ? 'met' : 'NOT MET'} |`,
  );
}
const smallPrompt = costs.find((c) => c.path === PATHS.prompt && c.size === SIZES[0])?.cost;
if (smallPrompt !== undefined) {
  const dynamo = smallPrompt.dynamodbWrites + smallPrompt.dynamodbReads;
  console.log(
    `\nDynamoDB is ${((100 * dynamo) / smallPrompt.total).toFixed(0)} % of the prompt run at ${SIZES[0].label}.`,
  );
}
console.log(
  `Not in the totals: Secrets Manager GetSecretValue (${dollars(PRICES.secretsManager.perTenThousandCalls * 100)} per million calls; cached 5 min per warm container, so 0 to one call per run), X-Ray traces (${dollars(PRICES.xray.perMillionTracesRecorded)} per million recorded; default sampling 1 a second + 5 %), cold-start INIT duration, storage, PITR, data transfer. Logs include ${platformBytes} bytes of Lambda's START/END/REPORT lines.`,
);
console.log(
  `Prices: ${Object.entries(PRICES)
    .flatMap(([name, price]) =>
      typeof price === 'object' && 'source' in price ? [`${name}: ${price.source}`] : [],
    )
    .join('; ')}.`,
);

if (misses.length > 0) {
  console.log(`\nGoals not met:\n- ${misses.join('\n- ')}`);
  if (STRICT) process.exitCode = 1;
} else {
  console.log('\nEvery goal is met.');
}

receiver.close();
doc.destroy();
probe.destroy();
await engine.close();
await rm(dataDir, { recursive: true, force: true });
