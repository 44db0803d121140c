/**
 * The one-time fill of the due index for jobs an earlier version stored (shared/health/fill.ts), on the
 * real DynamoDB engine and through a real restart of the local stack: a job stored before the index
 * existed has a run state without an entry, one stored before run states has no state at all. Each gets
 * its next slot once, a paused job none, an entry a job write placed is never overwritten, and the fill
 * is recorded so a later sweeper reads one item instead of every job.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock as StackClock } from '../../../local/clock.ts';
import { startLocalStack } from '../../../local/runtime.ts';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { DynamoHealthStore } from '../../../shared/adapters/dynamodb/health-store.ts';
import { DynamoJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { DueIndexFill, fillDueIndex, MAX_FILL_PAGES } from '../../../shared/health/fill.ts';
import { tableName } from '../../../shared/tables.ts';
import { promptJob } from '../api/support.ts';
import { captureLog, freshTable, ManualClock, promptJob as storedJob, useEngine } from '../ledger/support.ts';
import { dueIndex, EVERY_5 } from './support.ts';

const engine = useEngine('dynalite');
const NOW = '2026-03-01T12:02:00.000Z';
/** (EVERY_5: the next slot after NOW is 12:05.) */

async function world() {
  const table = await freshTable(engine(), 'jobs');
  const clock = new ManualClock(NOW);
  const jobs = new DynamoJobStore(engine().doc, table, clock);
  const store = new DynamoHealthStore(engine().doc, table);
  const { logger, lines } = captureLog();
  return { table, clock, jobs, store, lines, deps: { jobs, store, clock, log: logger } };
}

/** What an earlier version left: a run state with no due entry, or no run state at all. */
async function asStoredBefore(table: string, name: string, what: 'the due index' | 'run states') {
  const Key = { name: `${name}#run` };
  await engine().doc.send(
    what === 'run states'
      ? new DeleteCommand({ TableName: table, Key })
      : new UpdateCommand({
          TableName: table,
          Key,
          UpdateExpression: 'REMOVE dueShard, dueAt, dueSlot, dueStage',
        }),
  );
}

async function entries(store: DynamoHealthStore) {
  const due = await store.due(new Date('2030-01-01T00:00:00.000Z'), 500);
  return new Map(due.map((entry) => [entry.job, { slot: entry.slot, stage: entry.stage }]));
}

describe('the due index fill', () => {
  it('Given jobs stored before the due index and before run states, a paused job and an indexed one, When the fill runs, Then each runnable job without an entry gets its next slot and nothing else changes', async () => {
    const { table, jobs, store, deps, lines } = await world();
    // Given five jobs every 5 minutes, as an earlier version left them
    for (const name of ['before-index', 'also-before-index', 'before-states', 'paused', 'indexed'])
      await jobs.create(storedJob(name, { ...EVERY_5, enabled: name !== 'paused' }));
    await asStoredBefore(table, 'before-index', 'the due index');
    await asStoredBefore(table, 'also-before-index', 'the due index');
    await asStoredBefore(table, 'before-states', 'run states');
    await asStoredBefore(table, 'paused', 'the due index');
    // (the indexed job's entry, placed by its write, is moved by hand to tell it apart)
    await store.moveDue((await store.due(new Date('2030-01-01T00:00:00.000Z'), 100))[0] ?? expect.fail(), {
      slot: '2026-03-01T12:30:00.000Z',
      stage: 'late',
      dueAt: '2026-03-01T12:31:00.000Z',
    });
    expect([...(await entries(store)).keys()]).toEqual(['indexed']);

    // When the fill runs
    const report = await fillDueIndex(deps);

    // Then the three runnable jobs without an entry are watched from their next slot (12:05, grace 60 s)
    expect(report).toEqual({ jobs: 5, placed: 3, done: true });
    expect(await entries(store)).toEqual(
      new Map([
        ['before-index', { slot: '2026-03-01T12:05:00.000Z', stage: 'late' }],
        ['also-before-index', { slot: '2026-03-01T12:05:00.000Z', stage: 'late' }],
        ['before-states', { slot: '2026-03-01T12:05:00.000Z', stage: 'late' }],
        ['indexed', { slot: '2026-03-01T12:30:00.000Z', stage: 'late' }],
      ]),
    );
    // And the state made for the oldest job confirms no version: a run holding the schedule's copy reads
    // the job first (stale), one that read it takes the lease, as with any state a write left unconfirmed
    const oldest = (await jobs.get('before-states')) ?? expect.fail();
    const lease = {
      runId: '01J00000000000000000000001',
      slot: '2026-03-01T12:05:00.000Z',
      expiresAt: '2026-03-01T12:10:00.000Z',
    };
    expect(await jobs.acquireLease(oldest, lease, new Date(NOW), { version: oldest.version })).toEqual({
      acquired: false,
      reason: 'stale',
    });
    expect(await jobs.acquireLease(oldest, lease, new Date(NOW))).toEqual({ acquired: true });
    expect(lines.filter((line) => line.includes('due index filled'))).toHaveLength(1);
  });

  it('Given a table with no job (a new stack), When the fill runs, Then it writes nothing', async () => {
    const { store, deps } = await world();

    expect(await fillDueIndex(deps)).toEqual({ jobs: 0, placed: 0, done: true });
    expect(await store.dueIndexFill()).toBeUndefined();
  });

  it('Given a fill that completed, When the fill runs again, Then it reads its record and places nothing', async () => {
    const { table, jobs, store, deps } = await world();
    await jobs.create(storedJob('later', EVERY_5));
    await fillDueIndex(deps);
    // An entry gone after the fill (as a sweep moves one out) is not the fill's to put back
    await asStoredBefore(table, 'later', 'the due index');

    expect(await fillDueIndex(deps)).toBeUndefined();
    expect(await new DueIndexFill(deps).ensure()).toBeUndefined();
    expect(await entries(store)).toEqual(new Map());
  });

  it('Given more jobs than one call walks, When the fill runs, Then it records where it stopped and the next call goes on from there', async () => {
    const { table, jobs, store, deps } = await world();
    // Given 120 jobs stored before the index (a page is 100 jobs)
    const names = Array.from({ length: 120 }, (_, i) => `many-${String(i).padStart(3, '0')}`);
    for (const name of names) {
      await jobs.create(storedJob(name, EVERY_5));
      await asStoredBefore(table, name, 'the due index');
    }

    // When a call may walk one page, Then it places that page's jobs and records its cursor
    expect(await fillDueIndex(deps, 1)).toEqual({ jobs: 100, placed: 100, done: false });
    expect(await store.dueIndexFill()).toEqual({ cursor: expect.any(String) });
    expect((await entries(store)).size).toBe(100);
    // And the next call goes on after that page and completes
    expect(await fillDueIndex(deps, 1)).toEqual({ jobs: 20, placed: 20, done: true });
    expect([...(await entries(store)).keys()].sort()).toEqual(names);
    expect(await store.dueIndexFill()).toEqual({ filledAt: NOW });
    expect(MAX_FILL_PAGES).toBeGreaterThan(1);
  });

  it('Given two fills at once, When both run, Then every job has one entry and the fill is recorded', async () => {
    const { table, jobs, store, deps } = await world();
    for (const name of ['raced-1', 'raced-2', 'raced-3']) {
      await jobs.create(storedJob(name, EVERY_5));
      await asStoredBefore(table, name, name === 'raced-2' ? 'run states' : 'the due index');
    }

    const reports = await Promise.all([fillDueIndex(deps), fillDueIndex(deps)]);

    expect(reports.reduce((placed, report) => placed + (report?.placed ?? 0), 0)).toBe(3);
    expect([...(await entries(store)).keys()].sort()).toEqual(['raced-1', 'raced-2', 'raced-3']);
    expect(await store.dueIndexFill()).toEqual({ filledAt: NOW });
  });
});

describe('a local data directory of an earlier version', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tickwork-health-fill-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('Given a job whose run state has no due entry and no fill recorded, When the stack starts, Then its sweeper fills the index before its first sweep', async () => {
    // Given a stack with a job, then its data made to look as an earlier version left it
    const first = await startLocalStack({
      dataDir,
      clock: new StackClock(new Date()),
      asyncRetryDelaysMs: [],
    });
    const created = await fetch(`${first.endpoints.apiUrl}/jobs/from-before`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${first.endpoints.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(promptJob('from-before', { schedule: 'cron(0/5 * * * ? *)' })),
    });
    expect(created.status).toBe(201);
    const { dynamodbEndpoint, credentials } = first.endpoints;
    const doc = createDocumentClient({
      endpoint: dynamodbEndpoint,
      region: credentials.region,
      clientConfig: { credentials },
    });
    const jobsTable = tableName('local', 'jobs');
    try {
      await doc.send(
        new UpdateCommand({
          TableName: jobsTable,
          Key: { name: 'from-before#run' },
          UpdateExpression: 'REMOVE dueShard, dueAt, dueSlot, dueStage',
        }),
      );
      await doc.send(new DeleteCommand({ TableName: jobsTable, Key: { name: '#fill#jobs-by-due' } }));
    } finally {
      doc.destroy();
    }
    await first.close();

    // When the stack starts again on that directory
    const second = await startLocalStack({
      dataDir,
      clock: new StackClock(new Date()),
      asyncRetryDelaysMs: [],
    });
    try {
      // Then the job is in the due index again, at its next slot, and the fill is recorded
      const api = { stack: second };
      const deadline = Date.now() + 30_000;
      while (!(await dueIndex(api)).has('from-before') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await dueIndex(api)).get('from-before')).toMatchObject({ stage: 'late' });
      const marker = createDocumentClient({
        endpoint: second.endpoints.dynamodbEndpoint,
        region: second.endpoints.credentials.region,
        clientConfig: { credentials: second.endpoints.credentials },
      });
      try {
        const recorded = await marker.send(
          new GetCommand({ TableName: jobsTable, Key: { name: '#fill#jobs-by-due' } }),
        );
        expect(recorded.Item).toMatchObject({ filledAt: expect.any(String) });
      } finally {
        marker.destroy();
      }
    } finally {
      await second.close();
    }
  });
});
