/**
 * Test support for the ledger, prompt and adapter suites: an in-process dynalite with Tickwork's
 * tables, a clock the test moves by hand, and a logger whose lines the test can read.
 */
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { ensureTables } from '../../../local/dynamodb/tables.ts';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { DynamoJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../../../shared/adapters/dynamodb/run-ledger.ts';
import type { Clock } from '../../../shared/clock.ts';
import type { Job } from '../../../shared/jobs/model.ts';
import { createJsonLogger, type Logger } from '../../../shared/runs/logger.ts';
import { tableName } from '../../../shared/tables.ts';

export interface Engine {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly tables: { readonly jobs: string; readonly runs: string };
  close(): Promise<void>;
}

let tableCounter = 0;

/** Starts dynalite on a free loopback port and creates the jobs and runs tables. */
export async function startEngine(): Promise<Engine> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1' });
  const doc = createDocumentClient({ endpoint, region: 'us-east-1' });
  tableCounter++;
  const stage = `test${tableCounter}`;
  const tables = { jobs: tableName(stage, 'jobs'), runs: tableName(stage, 'runs') };
  await ensureTables(client, { stage });
  return {
    endpoint,
    client,
    doc,
    tables,
    async close() {
      client.destroy();
      doc.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** A clock that only moves when the test says so; `sleep` resolves once the clock has passed its end. */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: { until: number; resolve: () => void }[] = [];

  constructor(start: string | Date) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepers.push({ until: this.current + ms, resolve });
      this.wake();
    });
  }

  advance(ms: number): void {
    this.current += ms;
    this.wake();
  }

  set(instant: string | Date): void {
    this.current = new Date(instant).getTime();
    this.wake();
  }

  private wake(): void {
    const due = this.sleepers.filter((sleeper) => sleeper.until <= this.current);
    this.sleepers = this.sleepers.filter((sleeper) => sleeper.until > this.current);
    for (const sleeper of due) sleeper.resolve();
  }
}

export interface CapturedLog {
  readonly logger: Logger;
  readonly lines: string[];
}

/** The production JSON logger writing into an array. */
export function captureLog(): CapturedLog {
  const lines: string[] = [];
  return { logger: createJsonLogger((line) => lines.push(line)), lines };
}

export function stores(engine: Engine, clock: Clock) {
  return {
    jobs: new DynamoJobStore(engine.doc, engine.tables.jobs, clock),
    runs: new DynamoRunLedger(engine.doc, engine.tables.runs, clock),
  };
}

/** A valid prompt job; override what the test is about. */
export function promptJob(name: string, overrides: Partial<Job> = {}): Job {
  return {
    name,
    kind: 'prompt',
    schedule: {
      input: 'rate(5 minutes)',
      expression: 'rate(5 minutes)',
      timezone: 'UTC',
      description: 'every 5 minutes',
      type: 'rate',
    },
    enabled: true,
    config: {
      prompt: 'Summarize the overnight alerts.',
      target: { type: 'webhook', url: 'http://127.0.0.1:9/hook', signingSecret: 'demo/webhook' },
    },
    overlap: 'skip',
    tags: {},
    runImmediately: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  };
}
