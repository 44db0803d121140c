/**
 * The sweeper's cost per sweep (run: `npm run bench:sweeper`; `-- --strict` exits 1 when the goal is not
 * met). Method and figures: bench/README-sweeper.md.
 *
 * dynalite in process, the real DynamoDB adapters and the real sweep (shared/health/sweep.ts). Two sets of
 * hourly prompt jobs in tables of their own: 10,000 jobs and 100 jobs, 10 of each due (their slot's grace
 * has passed with no run), the others due in an hour. Jobs are seeded fast with BatchWriteItem of the
 * items the job store writes (the job item and its run state with its due entry, `newRunStateItem`), not
 * 10,000 API calls. For each set it measures one sweep: DynamoDB requests (an SDK middleware) and read
 * units (the engine's ConsumedCapacity); and, as the cost a sweep without the index would have, one walk
 * over every job (the jobs-by-name Query, all pages) of the 10,000-job set.
 * Goal: a sweep of 10,000 jobs costs at most 1.2 × a sweep of 100 jobs with the same 10 due.
 */
import type { AddressInfo } from 'node:net';
import { BatchWriteItemCommand, DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { ensureTables } from '../local/dynamodb/tables.ts';
import { toAttributeMap } from '../shared/adapters/dynamodb/attribute-values.ts';
import { createDocumentClient } from '../shared/adapters/dynamodb/client.ts';
import { DynamoHealthStore } from '../shared/adapters/dynamodb/health-store.ts';
import { DynamoJobStore, JOB_LIST_KEY } from '../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../shared/adapters/dynamodb/run-ledger.ts';
import { newRunStateItem } from '../shared/adapters/dynamodb/run-state.ts';
import { LoggedHealthAlerts } from '../shared/health/log-alerts.ts';
import { type SweepReport, sweep } from '../shared/health/sweep.ts';
import { buildJob, definitionFields } from '../shared/jobs/definition.ts';
import type { Job } from '../shared/jobs/model.ts';
import { silentLogger } from '../shared/logger.ts';
import { tableName } from '../shared/tables.ts';
import { unusedJobInvoker } from '../test/support/unused-invoker.ts';
import { BenchClock } from './support/bench-clock.ts';
import { CapacityMeter } from './support/capacity-meter.ts';
import { promptConfig } from './support/prompt-config.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const STRICT = process.argv.includes('--strict');
const GOAL_RATIO = 1.2;
const DUE = 10;
const region = 'us-east-1';
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

const server = dynalite({ createTableMs: 0 });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const admin = new DynamoDBClient({ endpoint, region, credentials });
const doc = createDocumentClient({ endpoint, region, clientConfig: { credentials } });
// 10:00:30 on a whole hour: the 10:00 slot's grace (60 s) has passed; the 11:00 slot is an hour away.
const slotMs = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const clock = new BenchClock(slotMs + 90_000);

function hourlyJob(name: string, created: Date): Job {
  const fields = definitionFields(
    {
      name,
      kind: 'prompt',
      schedule: 'cron(0 * * * ? *)',
      config: promptConfig(1024, 'https://hooks.example.com/bench'),
    },
    { now: created, mode: 'local' },
  );
  return buildJob(fields, created);
}

async function seed(stage: string, count: number): Promise<void> {
  await ensureTables(admin, { stage });
  const jobsTable = tableName(stage, 'jobs');
  const created = new Date(slotMs - 3_600_000);
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const job = hourlyJob(`job-${String(i).padStart(5, '0')}`, created);
    const due = i < DUE;
    const slot = new Date(due ? slotMs : slotMs + 3_600_000);
    items.push({ ...job, listKey: JOB_LIST_KEY });
    items.push(
      newRunStateItem(job, undefined, {
        paused: false,
        due: {
          slot: slot.toISOString(),
          stage: 'late',
          dueAt: new Date(slot.getTime() + 60_000).toISOString(),
        },
      }),
    );
  }
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const workers = Array.from({ length: 8 }, async () => {
    for (let batch = batches.shift(); batch !== undefined; batch = batches.shift()) {
      // The items converted as the store converts them (attribute-values.ts), sent by the low-level client.
      let pending: WriteRequest[] = batch.map((item) => ({ PutRequest: { Item: toAttributeMap(item) } }));
      while (pending.length > 0) {
        const output = await admin.send(
          new BatchWriteItemCommand({ RequestItems: { [jobsTable]: pending } }),
        );
        pending = output.UnprocessedItems?.[jobsTable] ?? [];
      }
    }
  });
  await Promise.all(workers);
}

interface Measure {
  readonly label: string;
  readonly requests: number;
  readonly detail: string;
  readonly read: number;
  readonly write: number;
  readonly report?: SweepReport;
}

async function measureSweep(stage: string, label: string): Promise<Measure> {
  const meter = new CapacityMeter(
    [
      { tableName: tableName(stage, 'jobs'), label: 'jobs', keys: ['name'] },
      { tableName: tableName(stage, 'runs'), label: 'runs', keys: ['job', 'slot'] },
    ],
    admin,
  );
  const metered = createDocumentClient({ endpoint, region, clientConfig: { credentials } });
  meter.install(metered);
  const runs = new DynamoRunLedger(metered, tableName(stage, 'runs'), clock);
  const log = silentLogger;
  const report = await sweep({
    jobs: new DynamoJobStore(metered, tableName(stage, 'jobs'), clock),
    runs,
    health: {
      store: new DynamoHealthStore(metered, tableName(stage, 'jobs')),
      alerts: new LoggedHealthAlerts(log),
      clock,
      log,
    },
    pending: { runs, invoker: unusedJobInvoker(), clock, retentionDays: 30 },
    clock,
    log,
    retentionDays: 30,
    retryPolicy: { delaysMs: [] },
  });
  const used = meter.take();
  metered.destroy();
  const requests = [...used.requests.values()].reduce((sum, n) => sum + n, 0);
  const detail = [...used.requests].map(([name, n]) => `${name}×${n}`).join(', ');
  return { label, requests, detail, read: used.read, write: used.write, report };
}

async function measureWalk(stage: string, label: string): Promise<Measure> {
  const meter = new CapacityMeter(
    [{ tableName: tableName(stage, 'jobs'), label: 'jobs', keys: ['name'] }],
    admin,
  );
  const metered = createDocumentClient({ endpoint, region, clientConfig: { credentials } });
  meter.install(metered);
  let start: Record<string, unknown> | undefined;
  do {
    const page = await metered.send(
      new QueryCommand({
        TableName: tableName(stage, 'jobs'),
        IndexName: 'jobs-by-name',
        KeyConditionExpression: 'listKey = :k',
        ExpressionAttributeValues: { ':k': JOB_LIST_KEY },
        ExclusiveStartKey: start,
      }),
    );
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  const used = meter.take();
  metered.destroy();
  const requests = [...used.requests.values()].reduce((sum, n) => sum + n, 0);
  return { label, requests, detail: `Query×${requests}`, read: used.read, write: used.write };
}

const seedStarted = Date.now();
await seed('bench10k', 10_000);
await seed('bench100', 100);
console.log(`seeded 10,100 jobs in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s (BatchWriteItem)`);

const small = await measureSweep('bench100', `sweep, 100 jobs, ${DUE} due`);
const large = await measureSweep('bench10k', `sweep, 10,000 jobs, ${DUE} due`);
const walk = await measureWalk('bench10k', 'walk over every job (no index), 10,000 jobs');

console.log('\n| what | DynamoDB requests | read units | write units | requests by command |');
console.log('|---|---|---|---|---|');
for (const m of [small, large, walk]) {
  console.log(`| ${m.label} | ${m.requests} | ${m.read.toFixed(1)} | ${m.write.toFixed(1)} | ${m.detail} |`);
}
console.log(
  `\nsweep reports: 100 jobs ${JSON.stringify(small.report)}; 10,000 jobs ${JSON.stringify(large.report)}`,
);
const ratio = large.read / small.read;
const requestRatio = large.requests / small.requests;
console.log(
  `10,000 jobs vs 100 jobs: ${requestRatio.toFixed(2)} × the requests, ${ratio.toFixed(2)} × the read units (goal ≤ ${GOAL_RATIO}); the walk reads ${(walk.read / large.read).toFixed(0)} × what the sweep reads`,
);
admin.destroy();
doc.destroy();
await new Promise<void>((resolve) => server.close(() => resolve()));
if (STRICT && (ratio > GOAL_RATIO || requestRatio > GOAL_RATIO)) process.exit(1);
