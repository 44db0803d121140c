/**
 * Telemetry export throughput and memory (run: `npm run bench:telemetry`). Method and figures:
 * bench/README-telemetry.md.
 *
 * One demo platform (`tickwork demo-platform`, in a child process) serves both sides: 5,000 rows per
 * minute per table, so a 10-minute window of 2 tables holds 100,000 rows (about 19 MB of JSON).
 * - Tickwork: a telemetry job (http source → signed sink, default 1 MiB chunks) run through the real
 *   lifecycle (`executeRun`, the DynamoDB adapters on dynalite in this process, the outbound guard's
 *   HTTP client, local secrets, the DynamoDB checkpoint store; the CloudWatch adapters are wired but
 *   never called by the http source).
 * - Baseline: bench/telemetry/baseline.ts, a bare fetch-and-post of the same rows to the same ingest.
 * Throughput: median of ROUNDS rounds after a warm-up, each round running both, in alternating order.
 * Every export is a fresh window of a fresh job (fresh idempotency keys), so the ingest never answers
 * a duplicate; the bench checks it did not. Memory: in passes of their own (the sampler costs CPU), the
 * peak growth of this process during one export, for the window and for a window 4× smaller.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ensureTables } from '../local/dynamodb/tables.ts';
import { CloudWatchLogsQueries } from '../shared/adapters/cloudwatch/logs-queries.ts';
import { CloudWatchMetricData } from '../shared/adapters/cloudwatch/metric-data.ts';
import { DynamoCheckpointStore } from '../shared/adapters/dynamodb/checkpoints.ts';
import { createDocumentClient } from '../shared/adapters/dynamodb/client.ts';
import { DynamoJobStore } from '../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../shared/adapters/dynamodb/run-ledger.ts';
import { SafeHttpClient } from '../shared/adapters/http/client.ts';
import { LocalSecretSource } from '../shared/adapters/secrets/local.ts';
import { systemClock } from '../shared/clock.ts';
import type { Job } from '../shared/jobs/model.ts';
import { DEFAULT_MAX_CHUNK_BYTES } from '../shared/kinds/telemetry/config.ts';
import { telemetryKind } from '../shared/kinds/telemetry/definition.ts';
import { formatDuration } from '../shared/kinds/telemetry/duration.ts';
import { telemetryWork } from '../shared/kinds/telemetry/work.ts';
import { kindWork } from '../shared/kinds/work.ts';
import { silentLogger } from '../shared/logger.ts';
import { parseJobEvent } from '../shared/runs/event.ts';
import { executeRun, type RunDeps } from '../shared/runs/lifecycle.ts';
import { tableName } from '../shared/tables.ts';
import { schedulerPayload } from '../test/support/scheduled-event.ts';
import { UNUSED_AWS_CLIENT } from '../test/support/unused-aws-client.ts';
import { unusedJobInvoker } from '../test/support/unused-invoker.ts';
import { median } from './support/stats.ts';
import { baselineExport } from './telemetry/baseline.ts';
import {
  LIVE_INTERVAL_MS,
  type MemoryGrowth,
  measureMemory,
  SAMPLE_INTERVAL_MS,
} from './telemetry/memory.ts';
import { startPlatformProcess } from './telemetry/platform-process.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const TABLES = ['predictions', 'latency'] as const;
const ROWS_PER_MINUTE = 5_000;
const WINDOW_MS = 10 * 60_000;
const ROWS_PER_WINDOW = (ROWS_PER_MINUTE * WINDOW_MS * TABLES.length) / 60_000;
/** Above the 50,000 rows a table holds in the window: the kind asks for one more, and so does the baseline. */
const LIMIT_PER_TABLE = 60_000;
const SETTLE_LAG_MS = 2 * 60_000;
const ROUNDS = 5;
const MEMORY_ROUNDS = 3;
const TOKEN_SECRET = 'bench/telemetry-token';
const SIGNING_SECRET = 'bench/ingest';
const MODEL = { name: 'bench-model', version: '1.0.0', environment: 'bench', purpose: 'telemetry bench' };
const region = 'us-east-1';
// dynalite takes any signature; the clients still need credentials to sign with.
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

// --- setup -----------------------------------------------------------------------------------------
const dynamo = dynalite({ createTableMs: 0 });
await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
const admin = new DynamoDBClient({ endpoint, region, credentials });
await ensureTables(admin, { stage: 'bench' });
const doc = createDocumentClient({ endpoint, region, clientConfig: { credentials } });

const dataDir = await mkdtemp(join(tmpdir(), 'tickwork-telemetry-bench-'));
const secrets = {
  [TOKEN_SECRET]: 'bench-token-value-0123456789',
  [SIGNING_SECRET]: 'bench-ingest-secret-value-42',
};
await writeFile(join(dataDir, 'secrets.json'), JSON.stringify(secrets), { mode: 0o600 });
const platform = await startPlatformProcess({
  dataDir,
  rowsPerMinute: ROWS_PER_MINUTE,
  tokenSecret: TOKEN_SECRET,
  signingSecret: SIGNING_SECRET,
});

const clock = systemClock;
const deps: RunDeps = {
  jobs: new DynamoJobStore(doc, tableName('bench', 'jobs'), clock),
  runs: new DynamoRunLedger(doc, tableName('bench', 'runs'), clock),
  clock,
  log: silentLogger,
  retentionDays: 30,
  leaseSeconds: telemetryKind.function.timeoutSeconds,
  invoker: unusedJobInvoker(),
  retryPolicy: { delaysMs: [] },
};
const work = kindWork(telemetryKind, telemetryWork, {
  secrets: new LocalSecretSource({ file: join(dataDir, 'secrets.json'), env: {} }),
  http: new SafeHttpClient({ mode: 'local', allowedHosts: [] }, { userAgent: 'tickwork/bench' }),
  checkpoints: new DynamoCheckpointStore(doc, tableName('bench', 'jobs')),
  metrics: new CloudWatchMetricData(new CloudWatchClient(UNUSED_AWS_CLIENT)),
  logs: new CloudWatchLogsQueries(new CloudWatchLogsClient(UNUSED_AWS_CLIENT)),
});

/** Windows are handed out one after the other from a fixed instant: deterministic, never repeated. */
let cursor = Date.parse('2026-03-01T00:00:00.000Z');
function nextWindow(ms: number): { from: Date; to: Date } {
  const from = new Date(cursor);
  cursor += ms;
  return { from, to: new Date(cursor) };
}

interface Export {
  readonly rows: number;
  readonly chunks: number;
  readonly bytes: number;
}

let jobs = 0;
/** A fresh job whose first run exports exactly `window`: its slot is the window's end + the settle lag. */
async function tickworkExport(windowMs: number): Promise<Export> {
  const { to } = nextWindow(windowMs);
  const now = new Date().toISOString();
  const job: Job = {
    name: `telemetry-bench-${++jobs}`,
    kind: telemetryKind.id,
    schedule: {
      input: 'rate(10 minutes)',
      expression: 'rate(10 minutes)',
      timezone: 'UTC',
      description: '',
      type: 'rate',
    },
    enabled: true,
    config: {
      model: MODEL,
      source: { type: 'http', url: `${platform.url}/telemetry`, authSecret: TOKEN_SECRET },
      tables: [...TABLES],
      limitPerTable: LIMIT_PER_TABLE,
      window: { initial: formatDuration(windowMs), settleLag: formatDuration(SETTLE_LAG_MS) },
      sink: { url: `${platform.url}/ingest`, signingSecret: SIGNING_SECRET },
    },
    overlap: 'skip',
    tags: {},
    runImmediately: false,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await deps.jobs.create(job);
  const slot = new Date(to.getTime() + SETTLE_LAG_MS).toISOString();
  // The event as Scheduler sends it: the schedule's input, the job's copy included.
  const outcome = await executeRun(
    deps,
    parseJobEvent(schedulerPayload(job, slot, `bench-${job.name}`)),
    work,
  );
  if (outcome.outcome !== 'succeeded') {
    const detail = outcome.outcome === 'ignored' ? outcome.reason : JSON.stringify(outcome.run.error ?? {});
    throw new Error(`${job.name}: the run ended ${outcome.outcome}: ${detail}`);
  }
  const result = outcome.run.result as {
    rows: Record<string, number>;
    chunks: number;
    bytes: number;
    hasMore: boolean;
  };
  if (result.hasMore) throw new Error(`${job.name}: the window was narrowed (raise LIMIT_PER_TABLE)`);
  const rows = Object.values(result.rows).reduce((sum, n) => sum + n, 0);
  return { rows, chunks: result.chunks, bytes: result.bytes };
}

let baselines = 0;
function bareExport(windowMs: number): Promise<Export> {
  const { from, to } = nextWindow(windowMs);
  return baselineExport({
    platformUrl: platform.url,
    token: secrets[TOKEN_SECRET] as string,
    signingSecret: secrets[SIGNING_SECRET] as string,
    model: MODEL,
    tables: TABLES,
    from,
    to,
    limit: LIMIT_PER_TABLE + 1,
    maxChunkBytes: DEFAULT_MAX_CHUNK_BYTES,
    keyPrefix: `baseline-${++baselines}`,
  });
}

async function timed(run: () => Promise<Export>, expectedRows: number): Promise<Export & { ms: number }> {
  const started = performance.now();
  const done = await run();
  const ms = performance.now() - started;
  if (done.rows !== expectedRows) throw new Error(`exported ${done.rows} rows, expected ${expectedRows}`);
  return { ...done, ms };
}

// --- throughput --------------------------------------------------------------------------------------
const tickworkMs: number[] = [];
const baselineMs: number[] = [];
let sample: { tickwork: Export; baseline: Export } | undefined;
for (let round = 0; round <= ROUNDS; round++) {
  // Round 0 warms both paths up (JIT, sockets, dynalite's tables) and is not counted.
  const tickworkFirst = round % 2 === 0;
  const tickwork = tickworkFirst ? await timed(() => tickworkExport(WINDOW_MS), ROWS_PER_WINDOW) : undefined;
  const baseline = await timed(() => bareExport(WINDOW_MS), ROWS_PER_WINDOW);
  const second = tickwork ?? (await timed(() => tickworkExport(WINDOW_MS), ROWS_PER_WINDOW));
  if (round === 0) {
    sample = { tickwork: second, baseline };
    continue;
  }
  tickworkMs.push(second.ms);
  baselineMs.push(baseline.ms);
}

// --- memory ------------------------------------------------------------------------------------------
interface MemoryRow {
  readonly side: 'tickwork' | 'baseline';
  readonly windowMs: number;
  readonly rows: number;
  readonly payload: number;
  /** Median of MEMORY_ROUNDS sampled passes. */
  readonly sampled: MemoryGrowth;
  /** One pass with a full GC before each sample. */
  readonly live: MemoryGrowth;
}
const memory: MemoryRow[] = [];
for (const windowMs of [WINDOW_MS, WINDOW_MS / 4]) {
  const rows = (ROWS_PER_WINDOW * windowMs) / WINDOW_MS;
  for (const side of ['tickwork', 'baseline'] as const) {
    const run = side === 'tickwork' ? () => tickworkExport(windowMs) : () => bareExport(windowMs);
    const sampled: MemoryGrowth[] = [];
    for (let i = 0; i < MEMORY_ROUNDS; i++) {
      sampled.push((await measureMemory('sampled', () => timed(run, rows))).growth);
    }
    const live = await measureMemory('live', () => timed(run, rows));
    memory.push({
      side,
      windowMs,
      rows,
      payload: live.value.bytes,
      sampled: {
        heap: median(sampled.map((g) => g.heap)),
        rss: median(sampled.map((g) => g.rss)),
        samples: median(sampled.map((g) => g.samples)),
      },
      live: live.growth,
    });
  }
}

// --- checks and report ---------------------------------------------------------------------------------
const received = (await (
  await fetch(`${platform.url}/demo/received`, {
    headers: { authorization: `Bearer ${secrets[TOKEN_SECRET]}` },
  })
).json()) as { ingest: { duplicates: number; telemetry: { rows: Record<string, number> } } };
const exportsRun = 2 * (ROUNDS + 1) + 2 * (MEMORY_ROUNDS + 1) * 2;
const expectedTotal =
  2 * (ROUNDS + 1) * ROWS_PER_WINDOW + 2 * (MEMORY_ROUNDS + 1) * (ROWS_PER_WINDOW + ROWS_PER_WINDOW / 4);
const ingested = Object.values(received.ingest.telemetry.rows).reduce((sum, n) => sum + n, 0);

const MiB = 1024 * 1024;
const mib = (bytes: number) => (bytes / MiB).toFixed(1);
const throughput = (ms: number) => Math.round(ROWS_PER_WINDOW / (ms / 1000));
const ratios = tickworkMs.map((ms, i) => (baselineMs[i] as number) / ms);
const tickworkMedian = median(tickworkMs);
const baselineMedian = median(baselineMs);
const ratio = baselineMedian / tickworkMedian;

console.log(
  `\nTelemetry export: ${ROWS_PER_WINDOW.toLocaleString('en-US')} rows (${TABLES.length} tables × ${(ROWS_PER_WINDOW / TABLES.length).toLocaleString('en-US')}) per ${WINDOW_MS / 60_000}-minute window, ` +
    `${mib(sample?.tickwork.bytes ?? 0)} MiB sent in ${sample?.tickwork.chunks} chunks of ≤ 1 MiB (baseline: ${sample?.baseline.chunks} chunks)\n`,
);
console.log('| side | median ms | rows/s | rounds (ms) |');
console.log('|---|---:|---:|---|');
console.log(
  `| Tickwork (lifecycle + telemetry kind) | ${tickworkMedian.toFixed(0)} | ${throughput(tickworkMedian).toLocaleString('en-US')} | ${tickworkMs.map((ms) => ms.toFixed(0)).join(', ')} |`,
);
console.log(
  `| baseline (fetch + signed POSTs) | ${baselineMedian.toFixed(0)} | ${throughput(baselineMedian).toLocaleString('en-US')} | ${baselineMs.map((ms) => ms.toFixed(0)).join(', ')} |`,
);
console.log(
  `\nThroughput Tickwork / baseline: ${ratio.toFixed(2)} (median of each; goal ≥ 0.70); per round: ${ratios.map((r) => r.toFixed(2)).join(', ')}`,
);
console.log(
  `\nMemory growth of this process during one export, from its level after a full GC (sampled: median of ${MEMORY_ROUNDS}, every ${SAMPLE_INTERVAL_MS} ms; live: one pass, a full GC before each sample, every ${LIVE_INTERVAL_MS} ms)\n`,
);
console.log(
  '| side | window | rows | payload MiB | sampled peak MiB | RSS MiB | live peak MiB | live ÷ chunk | live ÷ payload |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const row of memory) {
  console.log(
    `| ${row.side} | ${formatDuration(row.windowMs)} | ${row.rows.toLocaleString('en-US')} | ${mib(row.payload)} | ${mib(row.sampled.heap)} | ${mib(row.sampled.rss)} | ${mib(row.live.heap)} | ${(row.live.heap / DEFAULT_MAX_CHUNK_BYTES).toFixed(1)} | ${(row.live.heap / row.payload).toFixed(2)} |`,
  );
}
for (const side of ['tickwork', 'baseline'] as const) {
  const [full, quarter] = memory.filter((row) => row.side === side);
  if (full !== undefined && quarter !== undefined) {
    console.log(
      `${side}: window ÷ window/4: live peak ${(full.live.heap / quarter.live.heap).toFixed(2)}, sampled peak ${(full.sampled.heap / quarter.sampled.heap).toFixed(2)} (1: bounded; 4: grows with the window)`,
    );
  }
}
console.log(
  `\n${exportsRun} exports, ${ingested.toLocaleString('en-US')} rows ingested (expected ${expectedTotal.toLocaleString('en-US')}), ` +
    `${received.ingest.duplicates} duplicate deliveries; node ${process.version}`,
);

await platform.close();
doc.destroy();
admin.destroy();
await new Promise<void>((resolve) => dynamo.close(() => resolve()));
await rm(dataDir, { recursive: true, force: true });

const problems = [
  ...(received.ingest.duplicates > 0 ? [`${received.ingest.duplicates} duplicate deliveries`] : []),
  ...(ingested !== expectedTotal ? [`${ingested} rows ingested, expected ${expectedTotal}`] : []),
  ...platform.anomalies,
];
if (problems.length > 0) {
  console.error(`\nTHE MEASURE IS NOT VALID: ${problems.join('; ')}`);
  process.exitCode = 1;
}
