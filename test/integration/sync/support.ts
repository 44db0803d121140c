/**
 * The sync kind run end to end: the real lifecycle on dynalite, the real checkpoint store, the outbound
 * guard's HTTP client, local secrets, and the demo platform's connectors and signed ingest over HTTP.
 */
import { type RunningDemoPlatform, startDemoPlatform } from '../../../local/demo-platform/server.ts';
import { DynamoCheckpointStore } from '../../../shared/adapters/dynamodb/checkpoints.ts';
import { SafeHttpClient } from '../../../shared/adapters/http/client.ts';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import type { JobEvent } from '../../../shared/jobs/ports.ts';
import type { CheckpointStore, OutboundHttp } from '../../../shared/kinds/capabilities.ts';
import { syncKind } from '../../../shared/kinds/sync/definition.ts';
import { syncWork } from '../../../shared/kinds/sync/work.ts';
import { kindWork } from '../../../shared/kinds/work.ts';
import {
  type ExecuteOptions,
  executeRun,
  type RunDeps,
  type RunOutcome,
} from '../../../shared/runs/lifecycle.ts';
import { newManualRun } from '../../../shared/runs/manual.ts';
import { storeHourlyJob } from '../../support/jobs.ts';
import { writeLocalSecrets } from '../../support/local-secrets.ts';
import { unusedJobInvoker } from '../../support/unused-invoker.ts';
import { captureLog, type Engine, ManualClock, runDeps, startEngine } from '../ledger/support.ts';

export const TOKEN = 'sync-token-value-Hq27';
export const SIGNING = 'sync-ingest-value-Lm40';

export interface SyncWorld {
  readonly engine: Engine;
  readonly platform: RunningDemoPlatform;
  readonly clock: ManualClock;
  readonly deps: RunDeps;
  readonly checkpoints: DynamoCheckpointStore;
  /** Runs the slot as Scheduler (or Lambda's retry of it) delivers it; `store` replaces the checkpoint store. */
  run(job: Job, slot: string, options?: RunOptions): Promise<RunOutcome>;
  /** A manual run with `params`, recorded pending and then run, as the API and the function would. */
  runManual(job: Job, params: Record<string, unknown>, options?: RunOptions): Promise<RunOutcome>;
  /** Runs a pending run's event. */
  runEvent(event: JobEvent, options?: RunOptions): Promise<RunOutcome>;
  close(): Promise<void>;
}

export interface RunOptions extends ExecuteOptions {
  readonly checkpoints?: CheckpointStore;
  /** Replaces the outbound HTTP client (a test that watches the requests the run makes). */
  readonly http?: OutboundHttp;
}

export interface WorldOptions {
  readonly retries?: number;
  readonly connectorRecords?: number;
  readonly beforeConnectorPage?: (connector: string, offset: number) => Promise<void>;
}

export async function startSyncWorld(options: WorldOptions = {}): Promise<SyncWorld> {
  const engine = await startEngine();
  const secrets = await writeLocalSecrets('sync', { 'demo-ingest': SIGNING, 'demo-platform-token': TOKEN });
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
  const platform = await startDemoPlatform({
    port: 0,
    token: TOKEN,
    signingSecret: SIGNING,
    now: () => clock.now(),
    ...(options.connectorRecords === undefined ? {} : { connectorRecords: options.connectorRecords }),
    ...(options.beforeConnectorPage === undefined
      ? {}
      : { beforeConnectorPage: options.beforeConnectorPage }),
  });
  const deps = runDeps(engine, clock, captureLog().logger, {
    retryPolicy: { delaysMs: Array.from({ length: options.retries ?? 0 }, () => 60_000) },
    leaseSeconds: syncKind.function.timeoutSeconds,
    invoker: unusedJobInvoker(),
  });
  const checkpoints = new DynamoCheckpointStore(engine.doc, engine.tables.jobs);
  const http = new SafeHttpClient({ mode: 'local', allowedHosts: [] }, { userAgent: 'tickwork/test' });
  const workWith = (store: CheckpointStore = checkpoints, client: OutboundHttp = http) =>
    kindWork(syncKind, syncWork, { secrets: secrets.source, http: client, checkpoints: store });
  const runEvent = (event: JobEvent, runOptions: RunOptions = {}) => {
    const { checkpoints: store, http: client, ...execute } = runOptions;
    return executeRun(deps, event, workWith(store, client), execute);
  };
  return {
    engine,
    platform,
    clock,
    deps,
    checkpoints,
    run: (job, slot, runOptions) => {
      clock.set(slot);
      return runEvent({ job: job.name, scheduledTime: slot, executionId: `e-${slot}` }, runOptions);
    },
    runManual: async (job, params, runOptions) => {
      const { run, event } = newManualRun(job, clock.now(), { retentionDays: 30, params });
      await deps.runs.claim(run);
      return runEvent(event, runOptions);
    },
    runEvent,
    close: async () => {
      await platform.close();
      await engine.close();
      await secrets.remove();
    },
  };
}

/** A sync job on an hourly rate, stored, with the demo connectors; `config` overrides top-level fields. */
export async function givenSyncJob(
  world: SyncWorld,
  config: Record<string, unknown> = {},
  overrides: Partial<Job> = {},
): Promise<Job> {
  const defaults = {
    connectors: [demoConnector(world.platform, 'crm')],
    sink: { url: `${world.platform.url}/ingest`, signingSecret: 'demo-ingest' },
    pageSize: 50,
  };
  return storeHourlyJob(world.deps.jobs, 'sync', { ...defaults, ...config }, overrides);
}

/** A demo connector's entry of a sync config. */
export function demoConnector(
  platform: { readonly url: string },
  id: string,
  extra: Record<string, unknown> = {},
) {
  return {
    id,
    source: {
      type: 'http',
      url: `${platform.url}/connectors/${id}/records`,
      authSecret: 'demo-platform-token',
    },
    healthUrl: `${platform.url}/connectors/${id}/health`,
    ...extra,
  };
}

/** The record ids the sink accepted for a job's connector, in the order they arrived (a repeat shows twice). */
export function syncedIds(world: SyncWorld, job: string, connector: string): string[] {
  return world.platform
    .received()
    .ingest.items.flatMap(({ body }) => {
      const page = body as { job?: string; connector?: string; records?: { id: string }[] };
      return page.job === job && page.connector === connector ? (page.records ?? []) : [];
    })
    .map((record) => record.id);
}

/** `crm-000001` … for records [from, to) of a demo connector. */
export function expectedIds(connector: string, from: number, to: number): string[] {
  return Array.from(
    { length: to - from },
    (_, index) => `${connector}-${String(from + index + 1).padStart(6, '0')}`,
  );
}

/** The run an outcome recorded (every outcome but `ignored` has one). */
export function runOf(outcome: RunOutcome): Run {
  if (!('run' in outcome)) throw new Error(`no run recorded: ${outcome.reason}`);
  return outcome.run;
}
