/**
 * `GET /status` against a raw Query of the same job items (run: `npm run bench:status`; `-- --strict` exits 1
 * when a goal is not met). Method and figures: bench/README-status.md.
 *
 * dynalite in process, the real DynamoDB adapters, jobs created through the job service (`createJob`) and
 * runs recorded through the run lifecycle (`executeRun`), so the items are the ones the code writes. For
 * sets of 10 and 10,000 prompt jobs (config about 1 KB) with 1 and with 20 runs each, it times, in the same
 * process with the same client, in interleaved rounds:
 * (a) the first page: `getStatus({ limit: 100 })`, `listJobs({ limit: 100 })` (GET /jobs, the bar) and a raw
 *     `QueryCommand` of the jobs-by-name index with `Limit: 100`;
 * (b) the full walk of every page of each.
 * Goal: /status at most 1.5 × the raw Query, whatever the number of jobs and of runs per job. It also prints
 * the DynamoDB requests each status page sends, counted by an SDK middleware.
 */
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { ensureTables } from '../local/dynamodb/tables.ts';
import { createDocumentClient } from '../shared/adapters/dynamodb/client.ts';
import { DynamoJobStore, JOB_LIST_KEY } from '../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../shared/adapters/dynamodb/run-ledger.ts';
import { createLambdaJobInvoker } from '../shared/adapters/lambda/job-invoker.ts';
import { MemorySchedulePort } from '../shared/adapters/memory/schedule-port.ts';
import { LocalSecretSource } from '../shared/adapters/secrets/local.ts';
import type { Page } from '../shared/jobs/ports.ts';
import { createJob, type JobServiceDeps, listJobs } from '../shared/jobs/service.ts';
import { getStatus, type StatusDeps } from '../shared/jobs/status.ts';
import { silentLogger } from '../shared/logger.ts';
import { executeRun, type RunDeps } from '../shared/runs/lifecycle.ts';
import { tableDefinitions, tableName } from '../shared/tables.ts';
import { unusedJobInvoker } from '../test/support/unused-invoker.ts';
import { BenchClock } from './support/bench-clock.ts';
import { promptConfig } from './support/prompt-config.ts';
import { RequestCounter } from './support/request-counter.ts';
import { median, range } from './support/stats.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const STRICT = process.argv.includes('--strict');
const GOAL_RATIO = 1.5;
const PAGE = 100;
const SEED_CONCURRENCY = 16;
/**
 * The bench should end within 3 minutes. The 10,000-job set alone takes most of that to seed (about 70 s on
 * the 2 shared cores this was written on), so the set with 20 runs per job holds as many jobs (up to
 * 10,000) as seed in the time left, keeping DEEP_MEASURE_S to measure them.
 */
const TOTAL_BUDGET_S = 170;
const DEEP_MEASURE_S = 20;
const region = 'us-east-1';
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const started = Date.now();

const server = dynalite({ createTableMs: 0 });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const admin = new DynamoDBClient({ endpoint, region, credentials });
const doc = createDocumentClient({ endpoint, region, clientConfig: { credentials } });
const counter = new RequestCounter();
counter.install(doc);
const clock = new BenchClock(Math.ceil(Date.now() / 60_000) * 60_000);
const byName = tableDefinitions.jobs.globalSecondaryIndexes.find(
  (index) => index.indexName === 'jobs-by-name',
);
if (byName === undefined) throw new Error('shared/tables.ts has no jobs-by-name index to query');

/** One set of jobs in tables of its own (a stage), with the dependencies the API and the job function build. */
interface JobSet {
  readonly label: string;
  readonly jobsTable: string;
  readonly service: JobServiceDeps;
  readonly status: StatusDeps;
  readonly run: RunDeps;
  names: string[];
}

async function openSet(stage: string, label: string): Promise<JobSet> {
  await ensureTables(admin, { stage });
  const jobs = new DynamoJobStore(doc, tableName(stage, 'jobs'), clock);
  const runs = new DynamoRunLedger(doc, tableName(stage, 'runs'), clock);
  const retryPolicy = { delaysMs: [] };
  return {
    label,
    jobsTable: tableName(stage, 'jobs'),
    names: [],
    service: {
      jobs,
      runs,
      schedules: new MemorySchedulePort(clock),
      // The real invoker with no function configured: seeding never triggers a manual run.
      invoker: createLambdaJobInvoker({ client: new LambdaClient({ region }), functionArns: {} }),
      clock,
      deployment: {
        targetArns: { prompt: 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-bench-prompt' },
        roleArn: 'arn:aws:iam::000000000000:role/tickwork-bench-scheduler',
      },
      mode: 'local',
      runRetentionDays: 30,
      retryPolicy,
      secrets: new LocalSecretSource({ env: { TICKWORK_SECRET_BENCH: 'bench-secret' } }),
      log: silentLogger,
    },
    status: {
      jobs,
      runs,
      clock,
      retryPolicy,
      invoker: unusedJobInvoker(),
      runRetentionDays: 30,
      log: silentLogger,
    },
    run: {
      jobs,
      runs,
      clock,
      log: silentLogger,
      retentionDays: 30,
      leaseSeconds: 60,
      invoker: unusedJobInvoker(),
      retryPolicy,
    },
  };
}

async function pool<T>(items: readonly T[], task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
}

async function addJobs(set: JobSet, count: number): Promise<void> {
  const names = Array.from(
    { length: count },
    (_, i) => `job-${String(set.names.length + i).padStart(5, '0')}`,
  );
  await pool(names, (name) =>
    createJob(set.service, {
      name,
      kind: 'prompt',
      schedule: 'rate(5 minutes)',
      config: promptConfig(1024, 'http://127.0.0.1:9/hooks/tickwork'),
    }),
  );
  set.names.push(...names);
}

/** `count` more scheduled runs of every job of the set, one 5-minute slot after another. */
async function addRuns(set: JobSet, count: number): Promise<void> {
  for (let k = 0; k < count; k++) {
    clock.advance(300_000);
    const scheduledTime = clock.now().toISOString();
    await pool(set.names, async (job) => {
      const outcome = await executeRun(set.run, { job, scheduledTime }, async () => ({ ok: true }));
      if (outcome.outcome !== 'succeeded') throw new Error(`seeding ${job}: ${JSON.stringify(outcome)}`);
    });
  }
}

// --- the three ways to read job items -------------------------------------------------------------------
type Reader = (set: JobSet, cursor: unknown) => Promise<{ names: string[]; next: unknown }>;

const raw: Reader = async (set, cursor) => {
  const output = await doc.send(
    new QueryCommand({
      TableName: set.jobsTable,
      IndexName: byName.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': byName.partitionKey.name },
      ExpressionAttributeValues: { ':pk': JOB_LIST_KEY },
      Limit: PAGE,
      ExclusiveStartKey: cursor as Record<string, unknown> | undefined,
    }),
  );
  return { names: (output.Items ?? []).map((item) => String(item.name)), next: output.LastEvaluatedKey };
};
const fromPage = (page: Page<{ name: string }> | { jobs: { name: string }[]; nextCursor?: string }) => ({
  names: ('items' in page ? page.items : page.jobs).map((job) => job.name),
  next: page.nextCursor,
});
const jobsApi: Reader = async (set, cursor) =>
  fromPage(await listJobs(set.service, { limit: PAGE, cursor: cursor as string | undefined }));
const statusApi: Reader = async (set, cursor) =>
  fromPage(await getStatus(set.status, { limit: PAGE, cursor: cursor as string | undefined }));

/** Reads pages until the last one, or `maxPages`. */
async function walk(
  set: JobSet,
  read: Reader,
  maxPages: number,
): Promise<{ names: string[]; pages: number }> {
  const names: string[] = [];
  let cursor: unknown;
  let pages = 0;
  do {
    const page = await read(set, cursor);
    names.push(...page.names);
    cursor = page.next;
    pages++;
  } while (cursor !== undefined && pages < maxPages);
  return { names, pages };
}

// --- measuring ---------------------------------------------------------------------------------------------
interface Row {
  readonly set: string;
  readonly measure: string;
  readonly rounds: number;
  readonly rawMs: number;
  readonly jobsMs: number;
  readonly statusMs: number;
  readonly jobsRatios: number[];
  readonly statusRatios: number[];
  readonly requests: string;
}
const rows: Row[] = [];

/** Reads the same pages `times` times; how long one read took, and what it read (pages, job names). */
async function time(
  set: JobSet,
  read: Reader,
  maxPages: number,
  times: number,
): Promise<{ ms: number; pages: number; names: string }> {
  let last = { names: [] as string[], pages: 0 };
  const start = process.hrtime.bigint();
  for (let i = 0; i < times; i++) last = await walk(set, read, maxPages);
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / times;
  return { ms, pages: last.pages, names: JSON.stringify(last.names) };
}

interface Plan {
  /** 1: the first page; infinity: every page. */
  readonly maxPages: number;
  readonly rounds: number;
  readonly perRound: number;
  /** A round of the first page warms up; a walk comes after those and would spend seconds on it. */
  readonly warmUp: boolean;
  /** No round starts after this long (at least one round is measured). */
  readonly budgetMs: number;
}
const FIRST_PAGE: Plan = { maxPages: 1, rounds: 10, perRound: 3, warmUp: true, budgetMs: 30_000 };
const FULL_WALK: Plan = {
  maxPages: Number.POSITIVE_INFINITY,
  rounds: 3,
  perRound: 1,
  warmUp: false,
  budgetMs: 15_000,
};

/** Rounds of (raw Query, GET /jobs, GET /status) over the same pages; the ratio is taken per round. */
async function compare(set: JobSet, plan: Plan): Promise<void> {
  const measure = plan.maxPages === 1 ? 'first page' : 'full walk';
  const rawMs: number[] = [];
  const jobsMs: number[] = [];
  const statusMs: number[] = [];
  let requests = '';
  const begin = Date.now();
  for (let round = plan.warmUp ? -1 : 0; round < plan.rounds; round++) {
    if (round > 0 && Date.now() - begin > plan.budgetMs) break;
    const r = await time(set, raw, plan.maxPages, plan.perRound);
    const j = await time(set, jobsApi, plan.maxPages, plan.perRound);
    if (round === 0) counter.reset();
    const s = await time(set, statusApi, plan.maxPages, plan.perRound);
    if (round === 0)
      requests = `${counter.describe(s.pages * plan.perRound)} per page${s.pages > 1 ? ` (${s.pages} pages)` : ''}`;
    // The same job items, or the comparison means nothing.
    if (j.names !== r.names || s.names !== r.names) {
      throw new Error(`${set.label}, ${measure}: the API read other job items than the raw Query`);
    }
    if (round < 0) continue;
    rawMs.push(r.ms);
    jobsMs.push(j.ms);
    statusMs.push(s.ms);
  }
  rows.push({
    set: set.label,
    measure,
    rounds: rawMs.length,
    rawMs: median(rawMs),
    jobsMs: median(jobsMs),
    statusMs: median(statusMs),
    jobsRatios: jobsMs.map((ms, i) => ms / (rawMs[i] ?? Number.NaN)),
    statusRatios: statusMs.map((ms, i) => ms / (rawMs[i] ?? Number.NaN)),
    requests,
  });
  console.error(`  measured ${set.label}, ${measure} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

async function measureSet(set: JobSet): Promise<void> {
  await compare(set, FIRST_PAGE);
  if (set.names.length > PAGE) await compare(set, FULL_WALK);
}

// --- the sets ---------------------------------------------------------------------------------------------
const small = await openSet('small', '10 jobs × 1 run');
await addJobs(small, 10);
await addRuns(small, 1);
await measureSet(small);
await addRuns(small, 19);
await measureSet({ ...small, label: '10 jobs × 20 runs' });

const large = await openSet('large', '10,000 jobs × 1 run');
let seedStart = Date.now();
await addJobs(large, 10_000);
const jobsPerSecond = 10_000 / ((Date.now() - seedStart) / 1000);
seedStart = Date.now();
await addRuns(large, 1);
const runsPerSecond = 10_000 / ((Date.now() - seedStart) / 1000);
console.error(
  `  seeded 10,000 jobs (${jobsPerSecond.toFixed(0)}/s) and one run each (${runsPerSecond.toFixed(0)} runs/s)`,
);
await measureSet(large);

// As many jobs with 20 runs each as the time left allows at the seeding rate just measured (whole pages),
// keeping DEEP_MEASURE_S for measuring them.
const seedBudgetS = TOTAL_BUDGET_S - (Date.now() - started) / 1000 - DEEP_MEASURE_S;
const deepCount = Math.max(
  PAGE,
  Math.min(10_000, Math.floor(seedBudgetS / (1 / jobsPerSecond + 20 / runsPerSecond) / PAGE) * PAGE),
);
const deep = await openSet('deep', `${deepCount.toLocaleString('en-US')} jobs × 20 runs`);
await addJobs(deep, deepCount);
await addRuns(deep, 20);
await measureSet(deep);

// --- report ---------------------------------------------------------------------------------------------
const misses: string[] = [];
console.log(
  `\nGET /status and GET /jobs vs a raw Query of the same job items (dynalite in process, ${PAGE} per page; node ${process.version})\n`,
);
console.log(
  '| jobs × runs per job | measure | rounds | raw Query ms | GET /jobs ms (ratio) | GET /status ms | /status ratio: median (range) | goal ≤ 1.5× | DynamoDB requests per /status page |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---|---|');
for (const row of rows) {
  const ratio = median(row.statusRatios);
  const met = ratio <= GOAL_RATIO;
  if (!met) misses.push(`${row.set}, ${row.measure}: ${ratio.toFixed(2)}×`);
  console.log(
    `| ${row.set} | ${row.measure} | ${row.rounds} | ${row.rawMs.toFixed(1)} | ${row.jobsMs.toFixed(1)} (${median(row.jobsRatios).toFixed(2)}×) | ${row.statusMs.toFixed(1)} | **${ratio.toFixed(2)}×** (${range(row.statusRatios)}) | ${met ? 'met' : 'NOT MET'} | ${row.requests} |`,
  );
}
console.log(
  `\n(first page: up to ${FIRST_PAGE.rounds} rounds of ${FIRST_PAGE.perRound} after a warm-up round; full walk: up to ${FULL_WALK.rounds} rounds, none started after ${FULL_WALK.budgetMs / 1000} s; medians of the rounds, ratio per round. The 20-runs set holds ${deepCount.toLocaleString('en-US')} jobs: as many as seed in the ${Math.round(seedBudgetS)} s left at the measured ${jobsPerSecond.toFixed(0)} jobs/s and ${runsPerSecond.toFixed(0)} runs/s. Total ${((Date.now() - started) / 1000).toFixed(0)} s.)`,
);
if (misses.length > 0) {
  console.log(`\nGoal not met: ${misses.join('; ')}`);
  if (STRICT) process.exitCode = 1;
} else {
  console.log('\nEvery goal is met.');
}

doc.destroy();
admin.destroy();
await new Promise<void>((resolve) => server.close(() => resolve()));
