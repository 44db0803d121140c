/**
 * A scheduled run works from the copy of the job its schedule carries (scheduleTargetInput), on both
 * engines: it reads no job item while the run state confirms the copy's version, and reads the job
 * (working from it, or skipping for the reason it gives) whenever the copy is not the stored job.
 */
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { DynamoJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { DynamoRunLedger } from '../../../shared/adapters/dynamodb/run-ledger.ts';
import { executeRun, type RunDeps, type RunWork } from '../../../shared/runs/lifecycle.ts';
import { scheduledEvent } from '../../support/scheduled-event.ts';
import { unusedJobInvoker } from '../../support/unused-invoker.ts';
import { captureLog, engineKinds, freshTable, ManualClock, promptJob, useEngine } from './support.ts';

const START = '2026-03-01T12:00:00.000Z';

describe.each(engineKinds)('on %s', (kind) => {
  const engine = useEngine(kind);

  async function setup() {
    const clock = new ManualClock(START);
    const doc = createDocumentClient({ endpoint: engine().endpoint, region: 'us-east-1' });
    const tables = { jobs: await freshTable(engine(), 'jobs'), runs: await freshTable(engine(), 'runs') };
    /** Every read of a job item (not of a run state): `GetItem <name>`. */
    const jobReads: string[] = [];
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { TableName?: string; Key?: { name?: unknown } };
        // The document client's middleware sees the marshalled request: `{name: {S: ...}}`.
        const name = input.Key?.name;
        const key = typeof name === 'object' && name !== null ? (name as { S?: unknown }).S : name;
        if (
          context.commandName === 'GetItemCommand' &&
          input.TableName === tables.jobs &&
          typeof key === 'string' &&
          !key.endsWith('#run')
        ) {
          jobReads.push(key);
        }
        return next(args);
      },
      { step: 'initialize', name: 'countJobReads' },
    );
    const deps: RunDeps = {
      jobs: new DynamoJobStore(doc, tables.jobs, clock),
      runs: new DynamoRunLedger(doc, tables.runs, clock),
      clock,
      log: captureLog().logger,
      retentionDays: 30,
      leaseSeconds: 60,
      invoker: unusedJobInvoker(),
      retryPolicy: { delaysMs: [] },
    };
    return { deps, clock, jobReads };
  }

  /** Work that records the config it was given. */
  function recording() {
    const prompts: unknown[] = [];
    const work: RunWork = async ({ job }) => {
      prompts.push(job.config.prompt);
      return { ok: true };
    };
    return { prompts, work };
  }

  it('Given a job and its schedule, When its slots run, Then no job item is read', async () => {
    const { deps, clock, jobReads } = await setup();
    const job = promptJob('carried');
    await deps.jobs.create(job);
    const { prompts, work } = recording();
    for (const slot of ['2026-03-01T12:00:00.000Z', '2026-03-01T12:05:00.000Z']) {
      clock.set(slot);
      expect((await executeRun(deps, scheduledEvent(job, slot), work)).outcome).toBe('succeeded');
    }
    expect(prompts).toEqual([job.config.prompt, job.config.prompt]);
    expect(jobReads).toEqual([]);
  });

  it('Given a job edited after its schedule was written, When a slot carries the old copy, Then the run reads the job and works from the edit', async () => {
    const { deps, jobReads } = await setup();
    const job = promptJob('edited-after');
    await deps.jobs.create(job);
    const edited = promptJob('edited-after', {
      version: 2,
      config: { ...job.config, prompt: 'the edited prompt' },
    });
    await deps.jobs.put(edited, 1);
    const { prompts, work } = recording();
    const outcome = await executeRun(deps, scheduledEvent(job, START), work);
    expect(outcome.outcome).toBe('succeeded');
    expect(prompts).toEqual(['the edited prompt']);
    expect(jobReads).toEqual(['edited-after']);
  });

  it('Given a job paused after its schedule was written, When a slot carries the enabled copy, Then the run is skipped as paused', async () => {
    const { deps } = await setup();
    const job = promptJob('paused-after');
    await deps.jobs.create(job);
    await deps.jobs.put(promptJob('paused-after', { version: 2, enabled: false }), 1);
    const { prompts, work } = recording();
    const outcome = await executeRun(deps, scheduledEvent(job, START), work);
    expect(outcome).toMatchObject({ outcome: 'skipped', run: { status: 'skipped', reason: 'job paused' } });
    expect(prompts).toEqual([]);
  });

  it('Given a copy that says the job is paused, When the job was resumed since, Then the run reads the job and runs', async () => {
    const { deps, jobReads } = await setup();
    const paused = promptJob('resumed-since', { enabled: false });
    await deps.jobs.create(paused);
    await deps.jobs.put(promptJob('resumed-since', { version: 2, enabled: true }), 1);
    const { prompts, work } = recording();
    expect((await executeRun(deps, scheduledEvent(paused, START), work)).outcome).toBe('succeeded');
    expect(prompts).toHaveLength(1);
    expect(jobReads).toEqual(['resumed-since']);
  });

  it('Given a job deleted after its schedule fired, When the slot carries its copy, Then nothing runs and the run says the job was deleted', async () => {
    const { deps } = await setup();
    const job = promptJob('deleted-after');
    await deps.jobs.create(job);
    await deps.jobs.delete('deleted-after', 1);
    const { prompts, work } = recording();
    const outcome = await executeRun(deps, scheduledEvent(job, START), work);
    expect(outcome).toMatchObject({
      outcome: 'skipped',
      run: { status: 'skipped', reason: 'the job was deleted after this slot fired' },
    });
    expect(prompts).toEqual([]);
  });

  it('Given a job deleted and created again, When a slot carries the old copy, Then the old definition never runs', async () => {
    const { deps } = await setup();
    const old = promptJob('recreated-after', { createdAt: '2026-03-01T11:00:00.000Z' });
    await deps.jobs.create(old);
    await deps.jobs.delete('recreated-after', 1);
    await deps.jobs.create(
      promptJob('recreated-after', {
        createdAt: '2026-03-01T11:30:00.000Z',
        config: { ...old.config, prompt: 'the new job' },
      }),
    );
    const { prompts, work } = recording();
    const outcome = await executeRun(deps, scheduledEvent(old, START), work);
    expect(outcome).toMatchObject({ outcome: 'skipped' });
    expect(prompts).toEqual([]);
  });
});
