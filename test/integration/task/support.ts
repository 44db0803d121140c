/**
 * The task kind run on dynalite with the real lifecycle and real capabilities: the unmodified Lambda and
 * EventBridge clients against the local Invoke and EventBridge endpoints, outbound HTTP through the
 * guard, local secrets.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll } from 'vitest';
import { EventBridgeBuses } from '../../../shared/adapters/eventbridge/put-events.ts';
import { SafeHttpClient } from '../../../shared/adapters/http/client.ts';
import { LambdaUserFunctions } from '../../../shared/adapters/lambda/user-functions.ts';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import { taskKind } from '../../../shared/kinds/task/definition.ts';
import { taskWork } from '../../../shared/kinds/task/work.ts';
import { kindWork } from '../../../shared/kinds/work.ts';
import type { RunDeps } from '../../../shared/runs/lifecycle.ts';
import { type LocalSecrets, writeLocalSecrets } from '../../support/local-secrets.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';
import { captureLog, type Engine, ManualClock, promptJob, runDeps, startEngine } from '../ledger/support.ts';

export const START = '2026-04-01T10:00:00.000Z';
export const SIGNING_SECRET = 'task-signing-secret-value';

/** Nothing listens on port 9: a test that does not use a target leaves its endpoint there. */
const NOWHERE = 'http://127.0.0.1:9';

export interface TaskWorld {
  readonly engine: Engine;
  readonly secrets: LocalSecrets;
}

/** A dynalite engine and a directory with secrets.json, for the whole file; read inside tests only. */
export function useTaskWorld(): TaskWorld {
  let engine: Engine | undefined;
  let secrets: LocalSecrets | undefined;
  beforeAll(async () => {
    engine = await startEngine();
    secrets = await writeLocalSecrets('task', { 'task/signing': SIGNING_SECRET });
  });
  afterAll(async () => {
    await engine?.close();
    await secrets?.remove();
  });
  return {
    get engine() {
      if (engine === undefined) throw new Error('read inside a test');
      return engine;
    },
    get secrets() {
      if (secrets === undefined) throw new Error('read inside a test');
      return secrets;
    },
  };
}

export function setup(world: TaskWorld, endpoints: { lambda?: string; eventbridge?: string } = {}) {
  const clock = new ManualClock(START);
  const log = captureLog();
  const deps = runDeps(world.engine, clock, log.logger, { leaseSeconds: 900 });
  const aws = { region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 };
  const work = kindWork(taskKind, taskWork, {
    secrets: world.secrets.source,
    http: new SafeHttpClient({ mode: 'local', allowedHosts: [] }, { userAgent: 'tickwork/0.1.0' }),
    taskFunctions: new LambdaUserFunctions(
      new LambdaClient({ ...aws, endpoint: endpoints.lambda ?? NOWHERE }),
    ),
    eventBuses: new EventBridgeBuses(
      new EventBridgeClient({ ...aws, endpoint: endpoints.eventbridge ?? NOWHERE }),
    ),
  });
  return { clock, log, deps, work };
}

let counter = 0;

/** A task job with `config`, stored. */
export async function givenTaskJob(deps: RunDeps, config: Record<string, unknown>): Promise<Job> {
  counter++;
  const job = promptJob(`task-${counter}`, { kind: 'task' as Job['kind'], config });
  await deps.jobs.create(job);
  return job;
}

/** The TaskEvent a target receives for the first attempt of the START slot. */
export function taskEvent(job: Job, run: Run, payload: unknown) {
  return {
    job: job.name,
    runId: run.runId,
    scheduledFor: START,
    attempt: 1,
    trigger: 'schedule',
    params: {},
    payload,
  };
}

export const scheduled = (job: Job) => ({ job: job.name, scheduledTime: START, executionId: 'e-1' });

export async function runOf(deps: RunDeps, job: Job): Promise<Run> {
  const run = await deps.runs.get(job.name, START);
  if (run === undefined) throw new Error(`no run recorded for ${job.name}`);
  return run;
}
