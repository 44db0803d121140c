/**
 * The checkpoint item in the jobs table, as only the engine can show it: a job's `#checkpoint` item is
 * in no index, so job listings (all jobs, by kind: what the API, the status page and reconcile read)
 * never see it, and deleting the job deletes it.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointKey, DynamoCheckpointStore } from '../../../shared/adapters/dynamodb/checkpoints.ts';
import { DynamoJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { type Engine, ManualClock, promptJob, startEngine } from './support.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => {
  await engine.close();
});

function stores() {
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  return {
    jobs: new DynamoJobStore(engine.doc, engine.tables.jobs, clock),
    checkpoints: new DynamoCheckpointStore(engine.doc, engine.tables.jobs),
  };
}

async function rawItem(name: string) {
  const output = await engine.doc.send(
    new GetCommand({ TableName: engine.tables.jobs, Key: checkpointKey(name), ConsistentRead: true }),
  );
  return output.Item;
}

describe('the checkpoint item', () => {
  it('Given a job with a checkpoint, When jobs are listed (all, and by kind), Then only the job is listed', async () => {
    // Given
    const { jobs, checkpoints } = stores();
    const job = promptJob('listed-with-checkpoint');
    await jobs.create(job);
    expect(await checkpoints.advance(job, undefined, '2026-03-01T11:58:00.000Z')).toBe(true);
    expect(await rawItem(job.name)).toBeDefined();
    // When
    const all = await jobs.list({ limit: 100 });
    const byKind = await jobs.list({ limit: 100, kind: job.kind });
    const states = await jobs.runStates([job.name]);
    // Then
    for (const page of [all, byKind]) {
      expect(page.items.map((item) => item.name).filter((name) => name.startsWith(job.name))).toEqual([
        job.name,
      ]);
    }
    expect([...states.keys()]).toEqual([job.name]);
  });

  it('Given a job with a checkpoint, When the job is deleted, Then its checkpoint item is gone', async () => {
    // Given
    const { jobs, checkpoints } = stores();
    const job = promptJob('deleted-with-checkpoint');
    await jobs.create(job);
    await checkpoints.advance(job, undefined, '2026-03-01T11:58:00.000Z');
    // When
    await jobs.delete(job.name, job.version);
    // Then
    expect(await rawItem(job.name)).toBeUndefined();
    expect(await checkpoints.read(job)).toBeUndefined();
  });
});
