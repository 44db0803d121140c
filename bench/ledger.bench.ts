/**
 * Benchmark of the run ledger (run: `npx tsx bench/ledger.bench.ts`).
 *
 * 1. DynamoDB requests per scheduled run, counted by an SDK middleware on the document client, for
 *    each path of the lifecycle: success (overlap skip and allow), duplicate delivery, overlap skip,
 *    the contended lease path, a one-time job, and the prompt kind end to end (real signed delivery to
 *    a local receiver). Target for the success path: 1 read and 3 writes; with overlap `skip`, one
 *    more read of the previous lease holder once a job has run before (see shared/runs/lifecycle.ts);
 *    a work that reaches a point of no return (the prompt's POST) adds one projected read of the run.
 *    Exits 1 if a path needs more requests than the ceiling listed for it below (a regression).
 * 2. Time per scheduled run (success path, no-op work) against a single bare PutItem on the same
 *    engine in the same run (dynalite, in process, over HTTP), reported as a ratio.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { ensureTables } from '../local/dynamodb/tables.ts';
import { createDocumentClient } from '../shared/adapters/dynamodb/client.ts';
import { DynamoJobStore } from '../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../shared/adapters/dynamodb/run-ledger.ts';
import { SafeHttpClient } from '../shared/adapters/http/client.ts';
import { LocalSecretSource } from '../shared/adapters/secrets/local.ts';
import type { Job } from '../shared/jobs/model.ts';
import type { JobEvent } from '../shared/jobs/ports.ts';
import { promptKind } from '../shared/kinds/prompt/definition.ts';
import { promptWork as promptKindWork } from '../shared/kinds/prompt/work.ts';
import { kindWork } from '../shared/kinds/work.ts';
import { silentLogger } from '../shared/logger.ts';
import { executeRun, type RunDeps, type RunWork } from '../shared/runs/lifecycle.ts';
import { tableName } from '../shared/tables.ts';
import { scheduledEvent } from '../test/support/scheduled-event.ts';
import { unusedJobInvoker } from '../test/support/unused-invoker.ts';
import { BenchClock } from './support/bench-clock.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const region = 'us-east-1';
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

const READS = new Set(['GetCommand', 'QueryCommand', 'GetItemCommand', 'BatchGetCommand', 'ScanCommand']);
const WRITES = new Set([
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
]);

const server = dynalite({ createTableMs: 0 });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const admin = new DynamoDBClient({ endpoint, region, credentials });
const tables = { jobs: tableName('bench', 'jobs'), runs: tableName('bench', 'runs') };
await ensureTables(admin, { stage: 'bench' });

const doc = createDocumentClient({ endpoint, region, clientConfig: { credentials } });
let reads = 0;
let writes = 0;
const byCommand = new Map<string, number>();
doc.middlewareStack.add(
  (next, context) => async (args) => {
    const name = context.commandName ?? 'unknown';
    byCommand.set(name, (byCommand.get(name) ?? 0) + 1);
    if (READS.has(name)) reads++;
    else if (WRITES.has(name)) writes++;
    return next(args);
  },
  { step: 'initialize', name: 'countRequests' },
);
const resetCounts = () => {
  reads = 0;
  writes = 0;
  byCommand.clear();
};

const clock = new BenchClock(Date.parse('2026-03-01T00:00:00.000Z'));
const deps: RunDeps = {
  jobs: new DynamoJobStore(doc, tables.jobs, clock),
  runs: new DynamoRunLedger(doc, tables.runs, clock),
  clock,
  log: silentLogger,
  retentionDays: 30,
  leaseSeconds: 60,
  invoker: unusedJobInvoker(),
  retryPolicy: { delaysMs: [] },
};
const noop: RunWork = async () => ({ ok: true });

function job(name: string, overrides: Partial<Job> = {}): Job {
  return {
    name,
    kind: 'prompt',
    schedule: {
      input: 'rate(5 minutes)',
      expression: 'rate(5 minutes)',
      timezone: 'UTC',
      description: '',
      type: 'rate',
    },
    enabled: true,
    config: {},
    overlap: 'skip',
    tags: {},
    runImmediately: false,
    createdAt: clock.now().toISOString(),
    updatedAt: clock.now().toISOString(),
    version: 1,
    ...overrides,
  };
}

interface PathResult {
  readonly path: string;
  readonly runs: number;
  readonly reads: number;
  readonly writes: number;
  readonly commands: string;
}
const results: PathResult[] = [];

/** Runs `count` iterations of a path and records requests per iteration (setup excluded). */
async function measure(path: string, count: number, iteration: (i: number) => Promise<void>): Promise<void> {
  let totalReads = 0;
  let totalWrites = 0;
  const commands = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    resetCounts();
    await iteration(i);
    totalReads += reads;
    totalWrites += writes;
    for (const [name, n] of byCommand) commands.set(name, (commands.get(name) ?? 0) + n);
  }
  results.push({
    path,
    runs: count,
    reads: totalReads / count,
    writes: totalWrites / count,
    commands: [...commands].map(([name, n]) => `${name.replace('Command', '')}×${n / count}`).join(', '),
  });
}

/** Each job as created: the copy its schedule's Target.Input carries. */
const created = new Map<string, Job>();
async function create(stored: Job): Promise<void> {
  await deps.jobs.create(stored);
  created.set(stored.name, stored);
}

/** The event Scheduler sends for a slot of job `name`: its Target.Input with the attributes substituted. */
function slotEvent(name: string, scheduledTime: string): JobEvent {
  const stored = created.get(name);
  if (stored === undefined) throw new Error(`no job ${name}`);
  return scheduledEvent(stored, scheduledTime, `bench-${scheduledTime}`);
}

const nextSlot = (stepMs: number) => {
  clock.advance(stepMs);
  return clock.now().toISOString();
};

// --- 1. requests per run -----------------------------------------------------------------------
const RUNS = 50;
await create(job('bench-skip'));
await create(job('bench-allow', { overlap: 'allow' }));
await create(job('bench-dense'));

await measure('success, overlap skip, first run of a job (no lease yet)', RUNS, async (i) => {
  await create(job(`bench-first-${i}`));
  resetCounts();
  await executeRun(deps, slotEvent(`bench-first-${i}`, nextSlot(1_000)), noop);
});
await measure('success, overlap skip (5-min slots: previous lease expired)', RUNS, async () => {
  await executeRun(deps, slotEvent('bench-skip', nextSlot(300_000)), noop);
});
await measure('success, overlap allow', RUNS, async () => {
  await executeRun(deps, slotEvent('bench-allow', nextSlot(300_000)), noop);
});
await measure(
  'success, overlap skip, lease still unexpired but its run final (30-s slots)',
  RUNS,
  async () => {
    await executeRun(deps, slotEvent('bench-dense', nextSlot(30_000)), noop);
  },
);
const delivered: string[] = [];
await measure('duplicate delivery of a finished slot', RUNS, async (i) => {
  if (i === 0) {
    for (let n = 0; n < RUNS; n++) {
      const slot = nextSlot(300_000);
      delivered.push(slot);
      await executeRun(deps, slotEvent('bench-skip', slot), noop);
    }
    resetCounts();
  }
  await executeRun(deps, slotEvent('bench-skip', delivered[i] ?? ''), noop);
});
{
  // A run that stays in progress while the next slots arrive.
  await create(job('bench-busy'));
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let working: () => void = () => undefined;
  const holdsLease = new Promise<void>((resolve) => {
    working = resolve;
  });
  // Its cancel watcher reads the run once a (real) second: on a slow machine that read would land in the
  // deliveries measured here, so it watches at an interval longer than the measure takes.
  const busyDeps: RunDeps = { ...deps, cancelCheckIntervalMs: 3_600_000 };
  const busy = executeRun(busyDeps, slotEvent('bench-busy', nextSlot(1_000)), async () => {
    working();
    await gate;
    return {};
  });
  // Measured once the busy run holds the lease: a delivery racing its lease write instead would be
  // refused by the write and pay one read to learn why (the contended path), not the path measured here.
  await holdsLease;
  await measure('skipped: a run of the job is in progress', RUNS, async () => {
    await executeRun(deps, slotEvent('bench-busy', nextSlot(100)), noop);
  });
  release();
  await busy;
}
await measure('success, one-time job (adds the executed mark)', RUNS, async (i) => {
  const slot = nextSlot(1_000);
  const at = `at(${slot.slice(0, 19)})`;
  await create(
    job(`bench-once-${i}`, {
      schedule: { input: at, expression: at, timezone: 'UTC', description: '', type: 'at' },
      oneTimeState: 'scheduled',
    }),
  );
  resetCounts();
  await executeRun(deps, slotEvent(`bench-once-${i}`, slot), noop);
});
await measure('paused job (skipped run recorded)', RUNS, async (i) => {
  if (i === 0) await create(job('bench-paused', { enabled: false }));
  resetCounts();
  await executeRun(deps, slotEvent('bench-paused', nextSlot(300_000)), noop);
});

// The prompt kind end to end: secret from secrets.json, signed POST to a local receiver.
const receiver = createServer((request, response) => {
  request.resume();
  request.on('end', () => response.end('ok'));
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const dataDir = await mkdtemp(join(tmpdir(), 'tickwork-bench-ledger-'));
await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ bench: 'bench-secret' }));
const promptWork = kindWork(promptKind, promptKindWork, {
  secrets: new LocalSecretSource({ file: join(dataDir, 'secrets.json'), env: {} }),
  http: new SafeHttpClient({ mode: 'local', allowedHosts: [] }, { userAgent: 'tickwork/bench' }),
});
await create(
  job('bench-prompt', {
    config: {
      prompt: 'Summarize the overnight alerts.',
      target: {
        type: 'webhook',
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
        signingSecret: 'bench',
      },
    },
  }),
);
await measure('prompt kind end to end (signed delivery), overlap skip', RUNS, async () => {
  await executeRun(deps, slotEvent('bench-prompt', nextSlot(300_000)), promptWork);
});

// --- 2. time per run vs a bare PutItem ------------------------------------------------------------
// Interleaved in rounds, so a change in machine load hits both measures alike.
const ROUNDS = 10;
const PER_ROUND = 30;
let bare = 0;
const barePut = async () => {
  bare++;
  await doc.send(
    new PutCommand({
      TableName: tables.runs,
      Item: {
        job: 'bench-bare',
        slot: `slot-${bare}`,
        runId: `bare-${bare}`,
        listKey: 'run',
        status: 'succeeded',
      },
    }),
  );
};
await create(job('bench-timed'));
const timedRun = async () => {
  await executeRun(deps, slotEvent('bench-timed', nextSlot(300_000)), noop);
};
async function timeBlock(op: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) await op();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
for (let i = 0; i < PER_ROUND; i++) {
  await barePut();
  await timedRun();
}
let putTotal = 0;
let runTotal = 0;
const ratios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const putBlock = await timeBlock(barePut);
  const runBlock = await timeBlock(timedRun);
  putTotal += putBlock;
  runTotal += runBlock;
  ratios.push(runBlock / putBlock);
}
const TIMED = ROUNDS * PER_ROUND;
const putMs = putTotal / TIMED;
const runMs = runTotal / TIMED;
ratios.sort((a, b) => a - b);

// --- report ---------------------------------------------------------------------------------------
console.log('\nDynamoDB requests per delivery (dynalite, in process)\n');
console.log('| path | deliveries | reads | writes | requests per delivery |');
console.log('|---|---:|---:|---:|---|');
for (const r of results) console.log(`| ${r.path} | ${r.runs} | ${r.reads} | ${r.writes} | ${r.commands} |`);
console.log('\nTime per scheduled run (success path, overlap skip, no-op work) vs one bare PutItem\n');
console.log('| measure | ms per op | ratio |');
console.log('|---|---:|---:|');
console.log(`| bare PutItem | ${putMs.toFixed(3)} | 1.00 |`);
console.log(
  `| scheduled run, steady state (PutItem + 2 UpdateItem) | ${runMs.toFixed(3)} | ${(runMs / putMs).toFixed(2)} |`,
);
console.log(
  `\n(${TIMED} sequential operations of each kind in ${ROUNDS} interleaved rounds after ${PER_ROUND} warm-up ones; ` +
    `ratio per round: min ${ratios[0]?.toFixed(2)}, median ${ratios[Math.floor(ROUNDS / 2)]?.toFixed(2)}, max ${ratios[ROUNDS - 1]?.toFixed(2)}; node ${process.version})`,
);

/** Ceilings per path (reads, writes): the figures documented in bench/README-ledger.md. */
const CEILINGS: Record<string, readonly [number, number]> = {
  'success, overlap skip, first run of a job (no lease yet)': [1, 3],
  'success, overlap skip (5-min slots: previous lease expired)': [1, 3],
  // Every run records itself on the job's run state (a shared lease), which /status reads.
  'success, overlap allow': [1, 3],
  // The refused lease write (1), the run state with it (dynalite does not return it: 1 read), the holder.
  'success, overlap skip, lease still unexpired but its run final (30-s slots)': [3, 4],
  'duplicate delivery of a finished slot': [2, 2],
  'skipped: a run of the job is in progress': [3, 3],
  'success, one-time job (adds the executed mark)': [1, 4],
  'paused job (skipped run recorded)': [1, 1],
  // + the projected read of the run's state at the prompt's point of no return (shared/runs/control.ts).
  'prompt kind end to end (signed delivery), overlap skip': [2, 3],
};
const regressions = results.filter((r) => {
  const [maxReads, maxWrites] = CEILINGS[r.path] ?? [0, 0];
  return r.reads > maxReads || r.writes > maxWrites;
});
if (regressions.length > 0) {
  console.error(`\nMORE REQUESTS THAN DOCUMENTED: ${regressions.map((r) => r.path).join('; ')}`);
  process.exitCode = 1;
} else {
  console.log('\nEvery path is within its documented request ceiling.');
}

receiver.close();
await rm(dataDir, { recursive: true, force: true });
doc.destroy();
admin.destroy();
await new Promise<void>((resolve) => server.close(() => resolve()));
