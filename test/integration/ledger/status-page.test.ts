/**
 * The status page on the DynamoDB adapters (both engines): each job's latest run found through its run
 * state, in three requests per page whatever the number of jobs and runs (the Query of the jobs, one
 * BatchGetItem of run states, one of runs), and jobs stored before run states existed still shown with
 * their latest run.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { DynamoHealthStore } from '../../../shared/adapters/dynamodb/health-store.ts';
import { DynamoJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../../../shared/adapters/dynamodb/run-ledger.ts';
import { LoggedHealthAlerts } from '../../../shared/health/log-alerts.ts';
import { getStatus, type StatusDeps } from '../../../shared/jobs/status.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { executeRun, type RunDeps } from '../../../shared/runs/lifecycle.ts';
import { unusedJobInvoker } from '../../support/unused-invoker.ts';
import { captureLog, engineKinds, freshTable, ManualClock, promptJob, useEngine } from './support.ts';

const START = '2026-03-01T12:00:00.000Z';

describe.each(engineKinds)('on %s', (kind) => {
  const engine = useEngine(kind);

  async function setup() {
    const clock = new ManualClock(START);
    const doc = createDocumentClient({ endpoint: engine().endpoint, region: 'us-east-1' });
    const commands: string[] = [];
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName ?? 'unknown');
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    const tables = { jobs: await freshTable(engine(), 'jobs'), runs: await freshTable(engine(), 'runs') };
    const deps: RunDeps & StatusDeps = {
      jobs: new DynamoJobStore(doc, tables.jobs, clock),
      runs: new DynamoRunLedger(doc, tables.runs, clock),
      clock,
      log: captureLog().logger,
      retentionDays: 30,
      runRetentionDays: 30,
      leaseSeconds: 60,
      invoker: unusedJobInvoker(),
      retryPolicy: { delaysMs: [] },
      // The status shows the health the tracker recorded as the runs ended.
      health: {
        store: new DynamoHealthStore(doc, tables.jobs),
        alerts: new LoggedHealthAlerts(silentLogger),
        clock,
        log: silentLogger,
      },
    };
    return { deps, doc, clock, tables, commands };
  }

  it('Given 30 jobs with 3 runs each (some failed, one still running), When a page of status is read, Then it takes three requests and shows each latest run', async () => {
    // Given
    const { deps, clock, commands } = await setup();
    const names = Array.from({ length: 30 }, (_, i) => `job-${String(i).padStart(2, '0')}`);
    for (const name of names) await deps.jobs.create(promptJob(name, { createdAt: START, updatedAt: START }));
    const slots = ['2026-03-01T12:00:00.000Z', '2026-03-01T12:05:00.000Z', '2026-03-01T12:10:00.000Z'];
    for (const [n, slot] of slots.entries()) {
      clock.set(new Date(Date.parse(slot) + 1_000));
      for (const name of names) {
        const lastSlotFails = n === 2 && name.endsWith('7');
        await executeRun(deps, { job: name, scheduledTime: slot }, async () => {
          if (lastSlotFails) throw new Error('receiver is down');
          return {};
        }).catch(() => undefined);
      }
    }
    // And one more run of job-00 that is still going
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    clock.set(new Date('2026-03-01T12:15:01.000Z'));
    const running = executeRun(
      deps,
      { job: 'job-00', scheduledTime: '2026-03-01T12:15:00.000Z' },
      async () => {
        await held;
        return {};
      },
    );
    while ((await deps.runs.get('job-00', '2026-03-01T12:15:00.000Z'))?.status !== 'running') {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (;;) {
      const state = (await deps.jobs.runStates(['job-00'])).get('job-00');
      if (state?.lease?.slot === '2026-03-01T12:15:00.000Z') break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // When
    commands.length = 0;
    const page = await getStatus(deps, { limit: 100 });
    // Then
    expect(commands).toStrictEqual(['QueryCommand', 'BatchGetItemCommand', 'BatchGetItemCommand']);
    expect(page.jobs.map((job) => job.name)).toStrictEqual(names);
    const byName = new Map(page.jobs.map((job) => [job.name, job]));
    expect(byName.get('job-00')).toMatchObject({ isExecuting: true, lastRun: { status: 'running' } });
    expect(byName.get('job-07')).toMatchObject({
      isExecuting: false,
      health: 'failing',
      lastRun: { status: 'failed', error: { message: 'receiver is down' } },
    });
    expect(byName.get('job-01')).toMatchObject({
      isExecuting: false,
      health: 'ok',
      lastRun: { status: 'succeeded' },
    });
    const lastOfJob01 = await deps.runs.get('job-01', '2026-03-01T12:10:00.000Z');
    expect(byName.get('job-01')?.lastRun?.runId).toBe(lastOfJob01?.runId);
    expect(page.totals).toMatchObject({ jobs: 30, executing: 1, failing: 3 });
    release();
    await running;
  });

  it('Given a job stored by an earlier version (lease on its item, no run state), When status is read, Then its latest run is found by a Query of its own', async () => {
    // Given: a job item and a run as the previous version wrote them
    const { deps, doc, tables, commands } = await setup();
    const job = promptJob('legacy', { createdAt: START, updatedAt: START });
    const slot = '2026-03-01T11:55:00.000Z';
    const lease = { runId: '01KJMM0000LEGACY0000000000', slot, expiresAt: '2026-03-01T11:56:00.000Z' };
    await doc.send(new PutCommand({ TableName: tables.jobs, Item: { ...job, listKey: 'job', lease } }));
    await doc.send(
      new PutCommand({
        TableName: tables.runs,
        Item: {
          runId: lease.runId,
          job: 'legacy',
          slot,
          trigger: 'schedule',
          status: 'succeeded',
          scheduledFor: slot,
          startedAt: '2026-03-01T11:55:01.000Z',
          finishedAt: '2026-03-01T11:55:02.000Z',
          attempt: 1,
          duplicatesSuppressed: 0,
          expiresAt: Date.parse(START) / 1000 + 86_400,
          listKey: 'run',
        },
      }),
    );
    // When
    commands.length = 0;
    const page = await getStatus(deps, { limit: 100 });
    // Then
    expect(page.jobs).toMatchObject([
      { name: 'legacy', lastRun: { runId: lease.runId, status: 'succeeded' } },
    ]);
    // (no runs to batch: the only run state missing, its Query stands in)
    expect(commands).toStrictEqual(['QueryCommand', 'BatchGetItemCommand', 'QueryCommand']);
  });
});
