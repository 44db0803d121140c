import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobStore } from '../../../shared/jobs/ports.ts';
import { verifySignature } from '../../../shared/kinds/signature.ts';
import type { RunOutcome } from '../../../shared/runs/lifecycle.ts';
import { schedulerPayload } from '../../support/scheduled-event.ts';
import { type Engine, ManualClock, promptJob, startEngine, stores } from '../ledger/support.ts';
import { type Receiver, startReceiver } from './receiver.ts';

/** A slot delivered on time (this minute): a slot months old would be past its starting deadline, and recorded missed. */
const SLOT = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();

const SECRET_VALUE = 'whsec-handler-0b1d-never-logged';

let engine: Engine;
let receiver: Receiver;
let dataDir: string;
const savedEnv = { ...process.env };

type Handler = (event: unknown) => Promise<RunOutcome>;

/** Sets the environment the stack (or the local runtime) gives the function, then loads it fresh. */
async function loadHandler(env: Record<string, string>): Promise<Handler> {
  Object.assign(process.env, env);
  vi.resetModules();
  const module = (await import('../../../functions/prompt/handler.ts')) as { handler: Handler };
  return module.handler;
}

beforeAll(async () => {
  engine = await startEngine();
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-handler-'));
  await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ 'demo/webhook': SECRET_VALUE }));
});
afterAll(async () => {
  await engine.close();
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  process.env = { ...savedEnv };
  vi.restoreAllMocks();
});

function functionEnv(): Record<string, string> {
  return {
    TICKWORK_STAGE: 'test',
    TICKWORK_MODE: 'local',
    TICKWORK_JOBS_TABLE: engine.tables.jobs,
    TICKWORK_RUNS_TABLE: engine.tables.runs,
    // No run here starts another (no chain, no fan-out): the prompt function is named, never invoked.
    TICKWORK_JOB_FUNCTION_ARNS: JSON.stringify({
      prompt: 'arn:aws:lambda:us-east-1:000000000000:function:unused',
    }),
    TICKWORK_SECRETS_FILE: join(dataDir, 'secrets.json'),
    AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
  };
}

/** What Scheduler invokes the function with: the schedule's Target.Input, attributes substituted. */
async function schedulerEvent(
  jobs: JobStore,
  name: string,
  scheduledTime: string,
  executionId: string,
): Promise<unknown> {
  const job = await jobs.get(name);
  if (job === undefined) throw new Error(`no job ${name}`);
  return schedulerPayload(job, scheduledTime, executionId);
}

describe('functions/prompt/handler', () => {
  it('runs a scheduled slot end to end: one signed delivery, one run, a repeat is suppressed', async () => {
    // Given a job in the table and a receiver
    const clock = new ManualClock(new Date());
    const { jobs, runs } = stores(engine, clock);
    await jobs.create(
      promptJob('handler-daily', {
        config: {
          prompt: 'Good morning: what changed overnight?',
          target: { type: 'webhook', url: receiver.url, signingSecret: 'demo/webhook' },
        },
      }),
    );
    const logs: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((line: string | Uint8Array) => {
      logs.push(String(line));
      return true;
    });
    const handler = await loadHandler(functionEnv());
    // When Scheduler delivers the slot twice (two execution ids)
    const first = await handler(await schedulerEvent(jobs, 'handler-daily', SLOT, 'exec-a'));
    const second = await handler(await schedulerEvent(jobs, 'handler-daily', SLOT, 'exec-b'));
    // Then
    expect([first.outcome, second.outcome]).toEqual(['succeeded', 'duplicate']);
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    expect(delivery?.headers['user-agent']).toMatch(/^tickwork\/\d+\.\d+\.\d+/);
    expect(
      verifySignature(String(delivery?.headers['tickwork-signature']), delivery?.rawBody ?? '', SECRET_VALUE)
        .valid,
    ).toBe(true);
    const run = await runs.get('handler-daily', SLOT);
    expect(run).toMatchObject({ status: 'succeeded', executionId: 'exec-a', duplicatesSuppressed: 1 });
    expect(logs.length).toBeGreaterThan(0);
    for (const text of [...logs, JSON.stringify(run)]) expect(text).not.toContain(SECRET_VALUE);
  });

  it('refuses a malformed event with a ValidationError naming the field', async () => {
    const handler = await loadHandler(functionEnv());
    // The handler module was loaded fresh, so its error classes are not this file's: compare by name.
    await expect(handler({ job: 'x', scheduledTime: 'yesterday' })).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'event.scheduledTime',
    });
  });

  it('fails to load with a message naming the missing variable', async () => {
    const env = functionEnv();
    delete process.env.TICKWORK_JOBS_TABLE;
    const { TICKWORK_JOBS_TABLE: _omitted, ...rest } = env;
    await expect(loadHandler(rest)).rejects.toThrow('environment variable TICKWORK_JOBS_TABLE is required');
  });
});
