/**
 * Budget counters live in the jobs table (`<job>#budget#…`) beside the jobs, yet no listing, status
 * page or reconcile may ever see one: they carry neither `listKey` nor `kind`, so no index holds them.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBudgets } from '../../../shared/adapters/dynamodb/budgets.ts';
import { DynamoJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { type Engine, freshTable, ManualClock, promptJob, startEngine } from '../ledger/support.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => {
  await engine.close();
});

describe('budget counters in the jobs table', () => {
  it('are stored under their own keys with an expiry, and no jobs listing returns them', async () => {
    // Given a job, and its day and run counters written in the same table
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    const table = await freshTable(engine, 'jobs');
    const jobs = new DynamoJobStore(engine.doc, table, clock);
    const budgets = new DynamoBudgets(engine.doc, table, clock);
    const job = promptJob('weekly-calibration');
    await jobs.create(job);
    await budgets.reserve({ job: job.name, period: { day: '2026-03-02' } }, { microUsd: 10, tokens: 5 }, {});
    await budgets.add(
      { job: job.name, period: { slot: '2026-03-02T09:00:00.000Z' } },
      { microUsd: 1, tokens: 1 },
    );

    // Then the table holds them under `<job>#budget#…`, without listKey or kind, expiring in 3 days
    for (const name of [
      'weekly-calibration#budget#2026-03-02',
      'weekly-calibration#budget#run#2026-03-02T09:00:00.000Z',
    ]) {
      const { Item: item } = await engine.doc.send(new GetCommand({ TableName: table, Key: { name } }));
      expect(item).toBeDefined();
      expect(item).not.toHaveProperty('listKey');
      expect(item).not.toHaveProperty('kind');
      expect(item?.expiresAt).toBe(Date.parse('2026-03-05T09:00:00.000Z') / 1000);
    }
    // And every listing (all jobs, by kind, by name prefix) returns the job alone
    for (const query of [{ limit: 100 }, { limit: 100, kind: job.kind }, { limit: 100, name: 'weekly' }]) {
      const page = await jobs.list(query);
      expect(page.items.map((item) => item.name)).toEqual([job.name]);
    }
  });
});
