/**
 * Sync throughput and DynamoDB requests per page (run: `npm run bench:sync`). Method and figures:
 * bench/README-sync.md.
 *
 * One demo platform (bench/sync/platform-main.ts, `startDemoPlatform` in a child process) serves the
 * `crm` connector with RECORDS records and the signed ingest, for both sides:
 * - Tickwork: a sync job of that one connector run through the real lifecycle (`executeRun`, the
 *   DynamoDB job store, run ledger and checkpoint store on dynalite in another child process,
 *   bench/sync/dynamo-main.ts, as DynamoDB is another machine; the outbound guard's HTTP client, local
 *   secrets): every page read, POSTed signed, acknowledged, its cursor committed.
 * - Baseline: bench/sync/baseline.ts, a bare loop (GET page, POST signed page, next cursor), no
 *   checkpoints.
 * 1. Throughput: a warm-up pair, then PAIRS pairs in alternating order; the ratio of the medians.
 * 2. Requests per page: one connector synced for COUNTED_PAGES[0] and [1] pages (maxPagesPerRun), each
 *    request counted by the item it touches; per page = the difference ÷ the pages between, fixed = the
 *    rest. Exits 1 if a page costs more than MAX_WRITES_PER_PAGE writes (a regression guard), or if the
 *    measure is not valid (records lost, a duplicate or refused delivery, a checkpoint not at the end).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTables } from '../local/dynamodb/tables.ts';
import { DynamoCheckpointStore } from '../shared/adapters/dynamodb/checkpoints.ts';
import { createDocumentClient } from '../shared/adapters/dynamodb/client.ts';
import { DynamoJobStore } from '../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../shared/adapters/dynamodb/run-ledger.ts';
import { SafeHttpClient } from '../shared/adapters/http/client.ts';
import { LocalSecretSource } from '../shared/adapters/secrets/local.ts';
import { systemClock } from '../shared/clock.ts';
import type { Job } from '../shared/jobs/model.ts';
import { DEFAULT_PAGE_SIZE } from '../shared/kinds/sync/config.ts';
import type { ConnectorResult } from '../shared/kinds/sync/connector-sync.ts';
import { syncKind } from '../shared/kinds/sync/definition.ts';
import { syncWork } from '../shared/kinds/sync/work.ts';
import { kindWork } from '../shared/kinds/work.ts';
import { silentLogger } from '../shared/logger.ts';
import { MAX_CANCEL_CHECK_INTERVAL_MS } from '../shared/runs/control.ts';
import { parseJobEvent } from '../shared/runs/event.ts';
import { executeRun, type RunDeps } from '../shared/runs/lifecycle.ts';
import { tableName } from '../shared/tables.ts';
import { schedulerPayload } from '../test/support/scheduled-event.ts';
import { unusedJobInvoker } from '../test/support/unused-invoker.ts';
import { median, range } from './support/stats.ts';
import { baselineSync, type SyncCount } from './sync/baseline.ts';
import { startChildServer } from './sync/child.ts';
import { startSyncPlatform } from './sync/platform-process.ts';
import { type RequestRow, TargetCounter } from './sync/requests.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const RECORDS = 50_000;
/** The kind's default: what a job that does not set it syncs with. */
const PAGE_SIZE = DEFAULT_PAGE_SIZE;
const PAGES = Math.ceil(RECORDS / PAGE_SIZE);
const PAIRS = 5;
const COUNTED_PAGES = [10, 100] as const;
const MAX_WRITES_PER_PAGE = 1;
const TOKEN_SECRET = 'bench/sync-token';
const SIGNING_SECRET = 'bench/sync-ingest';
const region = 'us-east-1';
// dynalite takes any signature; the clients still need credentials to sign with.
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const loadBefore = loadavg();

// --- setup -----------------------------------------------------------------------------------------
const dynamo = await startChildServer({
  name: 'sync bench dynalite',
  main: fileURLToPath(new URL('./sync/dynamo-main.ts', import.meta.url)),
});
const endpoint = dynamo.url;
const admin = new DynamoDBClient({ endpoint, region, credentials });
await ensureTables(admin, { stage: 'bench' });
const tables = { jobs: tableName('bench', 'jobs'), runs: tableName('bench', 'runs') };
const doc = createDocumentClient({ endpoint, region, clientConfig: { credentials } });
const counter = new TargetCounter(tables);
counter.install(doc);

const dataDir = await mkdtemp(join(tmpdir(), 'tickwork-sync-bench-'));
const secrets = {
  [TOKEN_SECRET]: 'bench-sync-token-value-0123456789',
  [SIGNING_SECRET]: 'bench-sync-ingest-secret-value-42',
};
await writeFile(join(dataDir, 'secrets.json'), JSON.stringify(secrets), { mode: 0o600 });
const platform = await startSyncPlatform({
  records: RECORDS,
  token: secrets[TOKEN_SECRET],
  signingSecret: secrets[SIGNING_SECRET],
});
const sourceUrl = `${platform.url}/connectors/crm/records`;
const ingestUrl = `${platform.url}/ingest`;

const clock = systemClock;
const deps: RunDeps = {
  jobs: new DynamoJobStore(doc, tables.jobs, clock),
  runs: new DynamoRunLedger(doc, tables.runs, clock),
  clock,
  log: silentLogger,
  retentionDays: 30,
  leaseSeconds: syncKind.function.timeoutSeconds,
  invoker: unusedJobInvoker(),
  retryPolicy: { delaysMs: [] },
};
const checkpoints = new DynamoCheckpointStore(doc, tables.jobs);
const work = kindWork(syncKind, syncWork, {
  secrets: new LocalSecretSource({ file: join(dataDir, 'secrets.json'), env: {} }),
  http: new SafeHttpClient({ mode: 'local', allowedHosts: [] }, { userAgent: 'tickwork/bench' }),
  checkpoints,
});

let jobs = 0;
/** A fresh job (fresh checkpoint, fresh idempotency keys) that syncs `crm` from the start, stored. */
async function givenJob(maxPagesPerRun: number): Promise<Job> {
  const now = new Date().toISOString();
  const job: Job = {
    name: `sync-bench-${++jobs}`,
    kind: syncKind.id,
    schedule: {
      input: 'rate(1 hour)',
      expression: 'rate(1 hour)',
      timezone: 'UTC',
      description: '',
      type: 'rate',
    },
    enabled: true,
    config: {
      connectors: [{ id: 'crm', source: { type: 'http', url: sourceUrl, authSecret: TOKEN_SECRET } }],
      sink: { url: ingestUrl, signingSecret: SIGNING_SECRET },
      pageSize: PAGE_SIZE,
      maxPagesPerRun,
    },
    overlap: 'skip',
    tags: {},
    runImmediately: false,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await deps.jobs.create(job);
  return job;
}

/** Runs the job's slot as Scheduler delivers it (the schedule's input, the job's copy included). */
async function runSlot(job: Job): Promise<ConnectorResult> {
  const outcome = await executeRun(
    deps,
    parseJobEvent(schedulerPayload(job, new Date().toISOString(), `bench-${job.name}`)),
    work,
  );
  if (outcome.outcome !== 'succeeded') {
    const detail = outcome.outcome === 'ignored' ? outcome.reason : JSON.stringify(outcome.run.error ?? {});
    throw new Error(`${job.name}: the run ended ${outcome.outcome}: ${detail}`);
  }
  const crm = (outcome.run.result as { connectors: Record<string, ConnectorResult> }).connectors.crm;
  if (crm?.status !== 'succeeded') throw new Error(`${job.name}: crm ${JSON.stringify(crm)}`);
  return crm;
}

async function tickworkSync(): Promise<SyncCount> {
  const job = await givenJob(PAGES + 1);
  const result = await runSlot(job);
  if (result.hasMore) throw new Error(`${job.name}: stopped before the end: ${result.reason}`);
  // Inside the timed span: one GetItem against seconds of sync, and it proves the commits happened.
  const stored = (await checkpoints.readKeyed(job, ['crm'])).get('crm');
  if (stored?.value !== String(RECORDS) || stored.lease !== undefined) {
    throw new Error(`${job.name}: checkpoint ${JSON.stringify(stored)}, expected ${RECORDS} and no lease`);
  }
  return { records: result.records, pages: result.pages };
}

let baselines = 0;
const bareSync = () =>
  baselineSync({
    sourceUrl,
    ingestUrl,
    token: secrets[TOKEN_SECRET],
    signingSecret: secrets[SIGNING_SECRET],
    pageSize: PAGE_SIZE,
    keyPrefix: `baseline-${++baselines}`,
  });

/**
 * The CPU this process spent on each timed sync (user + system, ms). On a loaded machine the wall
 * time swings with the other processes; the CPU a side needs does not, and it is what the ratio tends
 * to when the cores are short.
 */
const cpuMs = new Map<() => Promise<SyncCount>, number[]>();
/** The same for the servers' processes (platform, dynalite), read from /proc: 10 ms ticks. */
const serverCpuMs = new Map<() => Promise<SyncCount>, { platform: number; dynamo: number }[]>();

async function timed(sync: () => Promise<SyncCount>): Promise<number> {
  const cpuBefore = process.cpuUsage();
  const platformBefore = platform.cpuMs();
  const dynamoBefore = dynamo.cpuMs();
  const started = performance.now();
  const done = await sync();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  cpuMs.set(sync, [...(cpuMs.get(sync) ?? []), (cpu.user + cpu.system) / 1000]);
  serverCpuMs.set(sync, [
    ...(serverCpuMs.get(sync) ?? []),
    { platform: platform.cpuMs() - platformBefore, dynamo: dynamo.cpuMs() - dynamoBefore },
  ]);
  if (done.records !== RECORDS || done.pages !== PAGES) {
    throw new Error(`synced ${done.records} records in ${done.pages} pages, expected ${RECORDS} in ${PAGES}`);
  }
  return ms;
}

// --- 1. throughput -------------------------------------------------------------------------------------
const tickworkMs: number[] = [];
const baselineMs: number[] = [];
for (let pair = 0; pair <= PAIRS; pair++) {
  // Pair 0 warms both paths up (JIT, dynalite's tables, the platform) and is not counted.
  const tickworkFirst = pair % 2 === 0;
  const first = tickworkFirst ? await timed(tickworkSync) : await timed(bareSync);
  const second = tickworkFirst ? await timed(bareSync) : await timed(tickworkSync);
  if (pair === 0) continue;
  tickworkMs.push(tickworkFirst ? first : second);
  baselineMs.push(tickworkFirst ? second : first);
}

// Pair 0's CPU is the warm-up's: dropped, as its times are.
const tickworkCpuMs = (cpuMs.get(tickworkSync) ?? []).slice(1);
const baselineCpuMs = (cpuMs.get(bareSync) ?? []).slice(1);

// --- 2. requests per page --------------------------------------------------------------------------------
const counted: RequestRow[][] = [];
for (const pages of COUNTED_PAGES) {
  const job = await givenJob(pages);
  counter.reset();
  const result = await runSlot(job);
  counted.push(counter.rows());
  if (result.pages !== pages) throw new Error(`${job.name}: ${result.pages} pages, expected ${pages}`);
}
const [few = [], many = []] = counted;
const [fewPages, manyPages] = COUNTED_PAGES;
const countOf = (rows: readonly RequestRow[], what: string) =>
  rows.find((row) => row.what === what)?.count ?? 0;
/**
 * The lifecycle's cancel watch reads the run record after 1, 3, 7, 15 s … of run time (its interval
 * doubles up to MAX_CANCEL_CHECK_INTERVAL_MS): time, not pages, decides how many, so it is neither.
 */
const CANCEL_WATCH = 'GetItem run record (runs table)';
const requestRows = [...new Set([...few, ...many].map((row) => row.what))].sort().map((what) => {
  const access = ([...few, ...many].find((row) => row.what === what) as RequestRow).access;
  const timed = what === CANCEL_WATCH;
  const perPage = timed ? 0 : (countOf(many, what) - countOf(few, what)) / (manyPages - fewPages);
  return {
    what: timed
      ? `${what}: the cancel watch, by run time (${MAX_CANCEL_CHECK_INTERVAL_MS / 1000} s apart at most)`
      : what,
    access,
    timed,
    few: countOf(few, what),
    many: countOf(many, what),
    perPage,
    fixed: timed ? 0 : countOf(few, what) - perPage * fewPages,
  };
});
const sum = (access: string, field: 'few' | 'many' | 'perPage' | 'fixed') =>
  requestRows.filter((row) => row.access === access).reduce((total, row) => total + row[field], 0);

// --- checks and report ---------------------------------------------------------------------------------
const received = (await (
  await fetch(`${platform.url}/demo/received`, {
    headers: { authorization: `Bearer ${secrets[TOKEN_SECRET]}` },
  })
).json()) as { ingest: { duplicates: number; connectors: { records: Record<string, number> } } };
const expectedRecords = 2 * (PAIRS + 1) * RECORDS + (fewPages + manyPages) * PAGE_SIZE;
const ingested = received.ingest.connectors.records.crm ?? 0;
const loadAfter = loadavg();

const rate = (ms: number) => Math.round(RECORDS / (ms / 1000)).toLocaleString('en-US');
const perPair = tickworkMs.map((ms, i) => (baselineMs[i] as number) / ms);
const ratio = median(baselineMs) / median(tickworkMs);
console.log(
  `\nSync throughput: ${RECORDS.toLocaleString('en-US')} records of one connector in ${PAGES} pages of ${PAGE_SIZE}, ${PAIRS} pairs after a warm-up\n`,
);
console.log('| side | median ms | records/s | pages/s | pairs (ms) |');
console.log('|---|---:|---:|---:|---|');
for (const [side, list] of [
  ['Tickwork (lifecycle + sync kind, checkpoints committed)', tickworkMs],
  ['baseline (GET page, signed POST, next cursor)', baselineMs],
] as const) {
  const ms = median(list);
  console.log(
    `| ${side} | ${ms.toFixed(0)} | ${rate(ms)} | ${Math.round(PAGES / (ms / 1000))} | ${list.map((value) => value.toFixed(0)).join(', ')} |`,
  );
}
console.log(
  `\nThroughput Tickwork / baseline: ${ratio.toFixed(2)} (ratio of the medians; goal ≥ 0.70); median of the pairs ${median(perPair).toFixed(2)}, pairs ${range(perPair)}`,
);
console.log(
  `CPU of this process per sync (median): Tickwork ${median(tickworkCpuMs).toFixed(0)} ms, baseline ${median(baselineCpuMs).toFixed(0)} ms; ` +
    `ratio baseline / Tickwork ${(median(baselineCpuMs) / median(tickworkCpuMs)).toFixed(2)} (the servers' CPU, in their own processes, not included)`,
);
const serverCpu = (sync: () => Promise<SyncCount>, server: 'platform' | 'dynamo') =>
  median((serverCpuMs.get(sync) ?? []).slice(1).map((entry) => entry[server])).toFixed(0);
console.log(
  `CPU of the servers per sync (median): platform ${serverCpu(tickworkSync, 'platform')} ms beside Tickwork, ${serverCpu(bareSync, 'platform')} ms beside the baseline; ` +
    `dynalite ${serverCpu(tickworkSync, 'dynamo')} ms beside Tickwork, ${serverCpu(bareSync, 'dynamo')} ms beside the baseline`,
);
console.log(
  `\nDynamoDB requests of one run syncing ${fewPages} and ${manyPages} pages of one connector; per page = difference ÷ ${manyPages - fewPages}, fixed = the rest\n`,
);
console.log(`| request | access | ${fewPages} pages | ${manyPages} pages | per page | fixed per run |`);
console.log('|---|---|---:|---:|---:|---:|');
const figure = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
for (const row of requestRows) {
  console.log(
    `| ${row.what} | ${row.access} | ${row.few} | ${row.many} | ${row.timed ? '—' : figure(row.perPage)} | ${row.timed ? '—' : figure(row.fixed)} |`,
  );
}
for (const access of ['read', 'write'] as const) {
  console.log(
    `| **${access}s** | | ${sum(access, 'few')} | ${sum(access, 'many')} | **${figure(sum(access, 'perPage'))}** | **${figure(sum(access, 'fixed'))}** |`,
  );
}
console.log(
  `\nWrites per page ${figure(sum('write', 'perPage'))} (goal 1), reads per page ${figure(sum('read', 'perPage'))}; ` +
    `${ingested.toLocaleString('en-US')} records ingested (expected ${expectedRecords.toLocaleString('en-US')}), ` +
    `${received.ingest.duplicates} duplicate deliveries; load average ${loadBefore.map((n) => n.toFixed(2)).join(' ')} before, ` +
    `${loadAfter.map((n) => n.toFixed(2)).join(' ')} after; node ${process.version}`,
);

await platform.close();
doc.destroy();
admin.destroy();
await dynamo.close();
await rm(dataDir, { recursive: true, force: true });

const problems = [
  ...(received.ingest.duplicates > 0 ? [`${received.ingest.duplicates} duplicate deliveries`] : []),
  ...(ingested !== expectedRecords ? [`${ingested} records ingested, expected ${expectedRecords}`] : []),
  ...platform.anomalies,
  ...dynamo.lines.map((line) => `dynalite: ${line}`),
];
if (problems.length > 0) {
  console.error(`\nTHE MEASURE IS NOT VALID: ${problems.join('; ')}`);
  process.exitCode = 1;
}
if (sum('write', 'perPage') > MAX_WRITES_PER_PAGE) {
  console.error(
    `\nREGRESSION: ${figure(sum('write', 'perPage'))} writes per page, at most ${MAX_WRITES_PER_PAGE} expected`,
  );
  process.exitCode = 1;
}
