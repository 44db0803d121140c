/**
 * Test support for the ledger, prompt and adapter suites: a DynamoDB engine with Tickwork's tables
 * (in-process dynalite, or the official DynamoDB Local in a Java child process), a clock the test
 * moves by hand, and a logger whose lines the test can read.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll } from 'vitest';
import { startDynamoDbEngine } from '../../../local/dynamodb/engine.ts';
import { ensureTables } from '../../../local/dynamodb/tables.ts';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { DynamoJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../../../shared/adapters/dynamodb/run-ledger.ts';
import type { Clock } from '../../../shared/clock.ts';
import { createLogger, type Logger } from '../../../shared/logger.ts';
import type { RunDeps } from '../../../shared/runs/lifecycle.ts';
import { type TableDefinition, type TableId, tableDefinitions, tableName } from '../../../shared/tables.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';
import { unusedJobInvoker } from '../../support/unused-invoker.ts';

// The clock and the job fixture live in test/support, where the store-agnostic contract suites use them too.
export { promptJob } from '../../support/jobs.ts';
export { ManualClock } from '../../support/manual-clock.ts';

/**
 * The engines the data-access suites run on. Tickwork promises both: dynalite is what `tickwork local`
 * embeds, DynamoDB Local is the closest thing to AWS (strict expression validation, real TTL API).
 */
export const engineKinds = ['dynalite', 'dynamodb-local'] as const;
export type TestEngineKind = (typeof engineKinds)[number];

/**
 * For `beforeAll(..., ENGINE_START_TIMEOUT_MS)`: DynamoDB Local is a JVM start, 5-20 s on a loaded
 * machine, plus table creation.
 */
export const ENGINE_START_TIMEOUT_MS = 120_000;

export interface Engine {
  readonly kind: TestEngineKind;
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly tables: { readonly jobs: string; readonly runs: string };
  close(): Promise<void>;
}

let tableCounter = 0;

/**
 * Starts an engine on a free loopback port and creates the jobs and runs tables.
 * dynalite runs in memory in this process; DynamoDB Local is started by the local runtime's own
 * launcher, keeps its file in a temporary directory, and is stopped (and the directory removed) by
 * `close()`.
 */
export async function startEngine(kind: TestEngineKind = 'dynalite'): Promise<Engine> {
  const server = kind === 'dynalite' ? await startInMemoryDynalite() : await startDynamoDbLocal();
  const client = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1' });
  const doc = createDocumentClient({ endpoint: server.endpoint, region: 'us-east-1' });
  const close = async () => {
    client.destroy();
    doc.destroy();
    await server.close();
  };
  try {
    const tables = await createTables(client, ['jobs', 'runs']);
    return { kind, endpoint: server.endpoint, client, doc, tables, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Starts an engine before the tests of the enclosing `describe` and closes it after them; the getter
 * returns it once started.
 */
export function useEngine(kind: TestEngineKind): () => Engine {
  let engine: Engine | undefined;
  beforeAll(async () => {
    engine = await startEngine(kind);
  }, ENGINE_START_TIMEOUT_MS);
  afterAll(async () => {
    await engine?.close();
  });
  return () => {
    if (engine === undefined) throw new Error(`the ${kind} engine has not started`);
    return engine;
  };
}

/**
 * A new, empty table on a running engine (tens of milliseconds): a contract test that lists every job
 * or run sees only its own.
 */
export async function freshTable(engine: Engine, id: TableId): Promise<string> {
  return (await createTables(engine.client, [id]))[id];
}

/** The tables `ids` under a stage of their own; the names of that stage's tables. */
async function createTables(client: DynamoDBClient, ids: readonly TableId[]): Promise<Engine['tables']> {
  tableCounter++;
  const stage = `test${tableCounter}`;
  const definitions = withoutTimeToLive.filter((definition) => ids.includes(definition.id));
  await ensureTables(client, { stage, definitions });
  return { jobs: tableName(stage, 'jobs'), runs: tableName(stage, 'runs') };
}

/**
 * The tables as deployed, minus TTL deletion. DynamoDB Local really deletes expired items, within a
 * second, by the machine's wall clock, while these suites move time with a ManualClock set to fixed
 * dates: with TTL on, the engine would delete items the test's clock still considers live, depending
 * on when the suite runs. What Tickwork relies on is that readers filter expired items themselves
 * (deletion lags up to days on AWS and never happens on dynalite); that is what the suites check.
 */
const withoutTimeToLive: TableDefinition[] = Object.values(tableDefinitions).map(
  ({ timeToLiveAttribute: _ttl, ...definition }) => definition,
);

interface RunningServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

async function startInMemoryDynalite(): Promise<RunningServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function startDynamoDbLocal(): Promise<RunningServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tickwork-ddb-local-'));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  try {
    const engine = await startDynamoDbEngine({
      spec: { kind: 'dynamodb-local' },
      dataDir,
      port: 0,
      // DynamoDB Local is not guarded (-sharedDb: any key reaches the same tables); the readiness check signs anyway.
      credentials: TEST_CREDENTIALS,
      readyTimeoutMs: ENGINE_START_TIMEOUT_MS - 15_000,
    });
    return {
      endpoint: engine.endpoint,
      async close() {
        await engine.close();
        await removeDir();
      },
    };
  } catch (error) {
    await removeDir();
    throw error;
  }
}

export interface CapturedLog {
  readonly logger: Logger;
  readonly lines: string[];
}

/** The production JSON logger writing into an array. */
export function captureLog(): CapturedLog {
  const lines: string[] = [];
  return { logger: createLogger({ write: (line) => lines.push(line) }), lines };
}

export function stores(engine: Engine, clock: Clock) {
  return {
    jobs: new DynamoJobStore(engine.doc, engine.tables.jobs, clock),
    runs: new DynamoRunLedger(engine.doc, engine.tables.runs, clock),
  };
}

/** The lifecycle's dependencies that also serve the API's readers (settle.ts names retention as the API does). */
export type LedgerDeps = RunDeps & { readonly runRetentionDays: number };

/**
 * The run lifecycle's dependencies on the engine's stores: a 60 s function timeout, 30 days of history
 * and no Lambda retries (a failed attempt is final) unless the test says otherwise.
 */
export function runDeps(
  engine: Engine,
  clock: Clock,
  log: Logger,
  overrides: Partial<LedgerDeps> = {},
): LedgerDeps {
  return {
    ...stores(engine, clock),
    clock,
    log,
    retentionDays: 30,
    runRetentionDays: 30,
    leaseSeconds: 60,
    invoker: unusedJobInvoker(),
    retryPolicy: { delaysMs: [] },
    ...overrides,
  };
}
