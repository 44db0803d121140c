/**
 * The telemetry kind run end to end: the real lifecycle on dynalite, the real checkpoint store, the
 * outbound guard's HTTP client, local secrets, and the test platform (test/support/telemetry-platform.ts).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchLogsQueries } from '../../../shared/adapters/cloudwatch/logs-queries.ts';
import { CloudWatchMetricData } from '../../../shared/adapters/cloudwatch/metric-data.ts';
import { DynamoCheckpointStore } from '../../../shared/adapters/dynamodb/checkpoints.ts';
import { SafeHttpClient } from '../../../shared/adapters/http/client.ts';
import type { Job, Run } from '../../../shared/jobs/model.ts';
import type { JobEvent } from '../../../shared/jobs/ports.ts';
import { telemetryKind } from '../../../shared/kinds/telemetry/definition.ts';
import { telemetryWork } from '../../../shared/kinds/telemetry/work.ts';
import { kindWork } from '../../../shared/kinds/work.ts';
import { executeRun, type RunOutcome } from '../../../shared/runs/lifecycle.ts';
import { storeHourlyJob } from '../../support/jobs.ts';
import { writeLocalSecrets } from '../../support/local-secrets.ts';
import { startTelemetryPlatform, type TelemetryPlatform } from '../../support/telemetry-platform.ts';
import { UNUSED_AWS_CLIENT } from '../../support/unused-aws-client.ts';
import { unusedJobInvoker } from '../../support/unused-invoker.ts';
import {
  captureLog,
  type Engine,
  type LedgerDeps,
  ManualClock,
  runDeps,
  startEngine,
} from '../ledger/support.ts';

export const INGEST_SECRET = 'ingest-secret-value-Qx81';
export const TOKEN = 'telemetry-token-value-7Hs2';

export interface World {
  readonly engine: Engine;
  readonly platform: TelemetryPlatform;
  readonly clock: ManualClock;
  readonly deps: LedgerDeps;
  readonly checkpoints: DynamoCheckpointStore;
  /** Runs the slot as Scheduler (or Lambda's retry of it) would deliver it, with the clock at `now`. */
  run(job: Job, slot: string, now?: string): Promise<RunOutcome>;
  /** Runs an event as is (a manual run's, with its run id). */
  runEvent(event: JobEvent): Promise<RunOutcome>;
  /** The run recorded for a slot. */
  runOf(job: Job, slot: string): Promise<Run>;
  close(): Promise<void>;
}

export async function startWorld(options: { retries?: number } = {}): Promise<World> {
  const engine = await startEngine();
  const secrets = await writeLocalSecrets('telemetry', {
    'demo/ingest': INGEST_SECRET,
    'demo/telemetry-token': TOKEN,
  });
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
  const platform = await startTelemetryPlatform({ secret: INGEST_SECRET, now: () => clock.now() });
  const deps = runDeps(engine, clock, captureLog().logger, {
    retryPolicy: { delaysMs: Array.from({ length: options.retries ?? 0 }, () => 60_000) },
    leaseSeconds: 300,
    invoker: unusedJobInvoker(),
  });
  const checkpoints = new DynamoCheckpointStore(engine.doc, engine.tables.jobs);
  const work = kindWork(telemetryKind, telemetryWork, {
    secrets: secrets.source,
    http: new SafeHttpClient({ mode: 'local', allowedHosts: [] }, { userAgent: 'tickwork/test' }),
    checkpoints,
    // The http source's tests: the AWS sources have their own (test/integration/telemetry-sources/).
    metrics: new CloudWatchMetricData(new CloudWatchClient(UNUSED_AWS_CLIENT)),
    logs: new CloudWatchLogsQueries(new CloudWatchLogsClient(UNUSED_AWS_CLIENT)),
  });
  return {
    engine,
    platform,
    clock,
    deps,
    checkpoints,
    run: async (job, slot, now) => {
      clock.set(now ?? slot);
      return executeRun(deps, { job: job.name, scheduledTime: slot, executionId: `e-${slot}` }, work);
    },
    runEvent: (event) => executeRun(deps, event, work),
    runOf: async (job, slot) => {
      const run = await deps.runs.get(job.name, new Date(slot).toISOString());
      if (run === undefined) throw new Error(`no run of ${job.name} at ${slot}`);
      return run;
    },
    close: async () => {
      await platform.close();
      await engine.close();
      await secrets.remove();
    },
  };
}

/** A telemetry job on an hourly rate, stored; `config` overrides top-level config fields. */
export async function givenTelemetryJob(
  world: World,
  config: Record<string, unknown> = {},
  overrides: Partial<Job> = {},
): Promise<Job> {
  const defaults = {
    model: { name: 'claims-triage', version: '3.1.0', environment: 'prod', purpose: 'route claims' },
    source: { type: 'http', url: world.platform.telemetryUrl, authSecret: 'demo/telemetry-token' },
    tables: ['predictions', 'latency'],
    sink: { url: world.platform.ingestUrl, signingSecret: 'demo/ingest' },
  };
  return storeHourlyJob(world.deps.jobs, 'telemetry', { ...defaults, ...config }, overrides);
}

/** Every (table, ts, n) the sink stored, in order; a repeat would show twice. */
export function exported(platform: TelemetryPlatform): string[] {
  return platform.deliveries.flatMap((delivery) =>
    Object.entries(delivery.body.data).flatMap(([table, rows]) =>
      rows.map((row) => `${table} ${row.ts} ${row.n}`),
    ),
  );
}

/** What the rows of `tables` in `[from, to)` look like, in `exported` form, one per minute. */
export function expectedRows(tables: readonly string[], from: string, to: string, perStep = 1): string[] {
  const rows: string[] = [];
  for (const table of tables) {
    for (let t = Date.parse(from); t < Date.parse(to); t += 60_000) {
      for (let n = 0; n < perStep; n++) rows.push(`${table} ${new Date(t).toISOString()} ${n}`);
    }
  }
  return rows;
}
