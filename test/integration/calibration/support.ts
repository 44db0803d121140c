/**
 * The calibration kind run end to end on dynalite with the real lifecycle: a job of the kind, the
 * kind's work with real capabilities (outbound HTTP through the guard, local secrets, budget counters
 * in the jobs table), and a clock whose short waits (retry backoffs) pass in virtual time.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { BedrockConverse } from '../../../shared/adapters/bedrock/converse.ts';
import { DynamoBudgets } from '../../../shared/adapters/dynamodb/budgets.ts';
import { SafeHttpClient } from '../../../shared/adapters/http/client.ts';
import { LambdaModelFunctions } from '../../../shared/adapters/lambda/model-function.ts';
import { LocalSecretSource } from '../../../shared/adapters/secrets/local.ts';
import type { Job } from '../../../shared/jobs/model.ts';
import { calibrationKind } from '../../../shared/kinds/calibration/definition.ts';
import { calibrationWork } from '../../../shared/kinds/calibration/work.ts';
import type { Budgets } from '../../../shared/kinds/capabilities.ts';
import { kindWork } from '../../../shared/kinds/work.ts';
import type { RunDeps } from '../../../shared/runs/lifecycle.ts';
import { type CalibrationPlatform, startCalibrationPlatform } from '../../support/calibration-platform.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';
import { unusedJobInvoker } from '../../support/unused-invoker.ts';
import {
  captureLog,
  type Engine,
  type LedgerDeps,
  promptJob,
  runDeps,
  startEngine,
} from '../ledger/support.ts';

export const START = '2026-03-02T09:00:00.000Z';
export const SECRETS = {
  'platform/token': 'platform-token-value',
  'registry/ingest': 'ingest-secret',
  'llm/key': 'sk-local',
};

/**
 * A ManualClock whose waits of at most `autoAdvanceMs` happen at once, moving the clock: a retry's
 * backoff passes without real time, and the test reads which waits the work asked for. Longer waits (the
 * lifecycle's deadline timer) stay manual.
 */
export class VirtualClock extends ManualClock {
  readonly waits: number[] = [];

  constructor(
    start: string,
    private readonly autoAdvanceMs = 60_000,
  ) {
    super(start);
  }

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const waiting = super.sleep(ms, signal);
    if (ms <= this.autoAdvanceMs && signal?.aborted !== true) {
      this.waits.push(ms);
      this.advance(ms);
    }
    return waiting;
  }
}

export async function secretsDir(): Promise<{ dir: string; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tickwork-calibration-'));
  await writeFile(join(dir, 'secrets.json'), JSON.stringify(SECRETS));
  return { dir, close: () => rm(dir, { recursive: true, force: true }) };
}

let counter = 0;

export interface Setup {
  readonly clock: VirtualClock;
  readonly deps: LedgerDeps;
  readonly work: ReturnType<typeof kindWork>;
  readonly budgets: Budgets;
  readonly log: ReturnType<typeof captureLog>;
}

/**
 * `cancels`: the lifecycle's own cancel checks (every second, as deployed) on a clock that moves only
 * when the test moves it. Otherwise short waits pass at once and the cancel watch is left out (a watch
 * every 10 minutes never comes), so the watch's own waits do not move the clock.
 */
export function setup(
  engine: Engine,
  dir: string,
  options: { cancels?: boolean; bedrockUrl?: string; lambdaUrl?: string } = {},
): Setup {
  const clock = new VirtualClock(START, options.cancels === true ? 0 : 60_000);
  const log = captureLog();
  // The function's real timeout, so the run's deadline is the one it has in Lambda.
  const deps = runDeps(engine, clock, log.logger, {
    leaseSeconds: 900,
    invoker: unusedJobInvoker(),
    cancelCheckIntervalMs: options.cancels === true ? 1_000 : 600_000,
  });
  const budgets = new DynamoBudgets(engine.doc, engine.tables.jobs, clock);
  const work = kindWork(calibrationKind, calibrationWork, {
    secrets: new LocalSecretSource({ file: join(dir, 'secrets.json'), env: {} }),
    http: new SafeHttpClient({ mode: 'local', allowedHosts: [] }, { userAgent: 'tickwork/0.1.0' }),
    budgets,
    bedrock: new BedrockConverse(
      new BedrockRuntimeClient({
        // Nothing listens on port 9: a test that uses Bedrock passes its stand-in.
        endpoint: options.bedrockUrl ?? 'http://127.0.0.1:9',
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
        maxAttempts: 1,
      }),
    ),
    modelFunctions: new LambdaModelFunctions(
      new LambdaClient({
        endpoint: options.lambdaUrl ?? 'http://127.0.0.1:9',
        region: 'us-east-1',
        credentials: TEST_CREDENTIALS,
        maxAttempts: 1,
      }),
    ),
  });
  return { clock, deps, work, budgets, log };
}

/** A calibration job against `platform`, both flows unless `config` says otherwise. */
export async function givenCalibrationJob(
  deps: RunDeps,
  platform: CalibrationPlatform,
  config: Record<string, unknown> = {},
): Promise<Job> {
  counter++;
  const job = promptJob(`calibration-${counter}`, {
    kind: 'calibration' as Job['kind'],
    config: {
      model: { name: 'support-bot', version: '7', environment: 'staging', purpose: 'triage' },
      provider: {
        type: 'openai-compatible',
        baseUrl: `${platform.url}/v1`,
        model: 'demo-model',
        apiKeySecret: 'llm/key',
        maxTokens: 20,
      },
      flows: {
        responses: {
          promptsUrl: `${platform.url}/calibration/prompts`,
          submitUrl: `${platform.url}/calibration/responses`,
          authSecret: 'platform/token',
        },
      },
      ...config,
    },
  });
  await deps.jobs.create(job);
  return job;
}

export function prompts(count: number, prefix = 'p'): { promptId: string; text: string }[] {
  return Array.from({ length: count }, (_, index) => ({
    promptId: `${prefix}-${index + 1}`,
    text: `question number ${index + 1}`,
  }));
}

export const scheduled = (job: Job, at = START) => ({
  job: job.name,
  scheduledTime: at,
  executionId: `e-${at}`,
});

/** What every calibration test file shares: a dynalite engine and a secrets directory, a fresh platform per test. */
export interface CalibrationWorld {
  readonly engine: Engine;
  /** The directory whose secrets.json holds SECRETS. */
  readonly secretsDir: string;
  readonly platform: CalibrationPlatform;
}

/** Registers the hooks that start and stop a CalibrationWorld; read its members inside tests only. */
export function useCalibrationWorld(): CalibrationWorld {
  let engine: Engine | undefined;
  let secrets: Awaited<ReturnType<typeof secretsDir>> | undefined;
  let platform: CalibrationPlatform | undefined;
  beforeAll(async () => {
    engine = await startEngine();
    secrets = await secretsDir();
  });
  afterAll(async () => {
    await engine?.close();
    await secrets?.close();
  });
  beforeEach(async () => {
    platform = await startCalibrationPlatform();
  });
  afterEach(async () => {
    await platform?.close();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the calibration world's ${what} is read outside a test`);
    return value;
  };
  return {
    get engine() {
      return started(engine, 'engine');
    },
    get secretsDir() {
      return started(secrets, 'secrets directory').dir;
    },
    get platform() {
      return started(platform, 'platform');
    },
  };
}
