/**
 * The `sync` kind's work: sync each selected connector (connector-sync.ts), `concurrency` at a time,
 * each isolated from the others: a connector's failure is its result entry's, and the run fails only
 * when every connector it tried failed (skipped ones, disabled, disconnected or leased by another run,
 * are not failures).
 *
 * Which connectors: all of the config's, narrowed by a fan-out child's context (its `connectors`
 * list, or else its `key` as one connector id) and by a manual run's `params.connectors`. An id the
 * config does not have (a context naming a connector removed since) fails its entry.
 */
import type { FanOutContext } from '../../jobs/model.ts';
import { deadlineMarginMs } from '../../runs/deadline.ts';
import type { KindWork } from '../kind.ts';
import {
  type ConnectorConfig,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_PAGES_PER_RUN,
  DEFAULT_PAGE_SIZE,
  DEFAULT_SINK_TIMEOUT_SECONDS,
  SYNC_FUNCTION_TIMEOUT_SECONDS,
} from './config.ts';
import { type ConnectorResult, type ConnectorSyncDeps, syncConnector } from './connector-sync.ts';
import type { syncKind } from './definition.ts';

/** Every connector the run tried failed: the run fails (and Lambda retries it). */
export class SyncFailedError extends Error {
  constructor(results: Readonly<Record<string, ConnectorResult>>) {
    const failures = Object.entries(results)
      .filter(([, result]) => result.status === 'failed')
      .map(([id, result]) => `${id}: ${result.error ?? 'failed'}`);
    super(`every connector the run synced failed (${failures.join('; ')})`);
    this.name = 'SyncFailedError';
  }
}

export const syncWork: KindWork<typeof syncKind> = async (context) => {
  const { job, run, config, params, capabilities, clock, signal, log } = context;
  const { secrets, http, checkpoints } = capabilities;
  const wanted = selection(config.connectors, run.context, params.connectors);
  const sinkSecret = await secrets.get(config.sink.signingSecret);
  const bearers = new Map<string, Promise<string>>();
  // One session for the run: its pages' reads and posts reuse their connections instead of opening
  // one per request (the largest cost of a page after the commit). Closed in the finally below, so no
  // socket outlives the invocation.
  const session = http.session();
  const deps: ConnectorSyncDeps = {
    job,
    runId: run.runId,
    http: session,
    checkpoints,
    sink: {
      url: config.sink.url,
      secret: sinkSecret,
      timeoutMs: (config.sink.timeoutSeconds ?? DEFAULT_SINK_TIMEOUT_SECONDS) * 1000,
      http: session,
      now: () => clock.now(),
    },
    clock,
    log,
    signal,
    pageSize: config.pageSize ?? DEFAULT_PAGE_SIZE,
    maxPagesPerRun: config.maxPagesPerRun ?? DEFAULT_MAX_PAGES_PER_RUN,
    fullResync: params.fullResync === true,
    reserveMs: deadlineMarginMs(SYNC_FUNCTION_TIMEOUT_SECONDS),
    remainingTimeMs: () => context.remainingTimeMs(),
    checkpoint: () => context.checkpoint(),
    bearerOf: (connector) => {
      const name = connector.source.authSecret;
      if (name === undefined) return Promise.resolve(undefined);
      const known = bearers.get(name) ?? secrets.get(name);
      bearers.set(name, known);
      return known;
    },
  };
  const results: Record<string, ConnectorResult> = {};
  for (const id of wanted.unknown) {
    results[id] = {
      status: 'failed',
      records: 0,
      pages: 0,
      hasMore: false,
      error: `the job has no connector ${JSON.stringify(id)} (its connectors: ${config.connectors.map((entry) => entry.id).join(', ')})`,
    };
  }
  try {
    await eachAtOnce(wanted.connectors, config.concurrency ?? DEFAULT_CONCURRENCY, async (connector) => {
      results[connector.id] = await syncConnector(deps, connector);
    });
  } finally {
    session.close();
  }
  const entries = Object.values(results);
  const tried = entries.filter((result) => result.status !== 'skipped');
  if (tried.length > 0 && tried.every((result) => result.status === 'failed')) {
    throw new SyncFailedError(results);
  }
  return {
    connectors: results,
    records: entries.reduce((sum, result) => sum + result.records, 0),
    pages: entries.reduce((sum, result) => sum + result.pages, 0),
    hasMore: entries.some((result) => result.hasMore),
    ...(params.fullResync === true ? { fullResync: true } : {}),
  };
};

/** The connectors to sync (in config order) and the ids asked for that the config does not have. */
function selection(
  connectors: readonly ConnectorConfig[],
  context: FanOutContext | undefined,
  params: readonly string[] | undefined,
): { connectors: ConnectorConfig[]; unknown: string[] } {
  const lists = [contextConnectors(context), params].filter((list) => list !== undefined);
  const asked = lists.reduce<string[] | undefined>(
    (narrowed, list) => (narrowed === undefined ? [...list] : narrowed.filter((id) => list.includes(id))),
    undefined,
  );
  if (asked === undefined) return { connectors: [...connectors], unknown: [] };
  const known = new Set(connectors.map((entry) => entry.id));
  return {
    connectors: connectors.filter((entry) => asked.includes(entry.id)),
    unknown: [...new Set(asked.filter((id) => !known.has(id)))],
  };
}

/** A fan-out context's connectors: its `connectors` list of ids, else its `key` as one id. */
function contextConnectors(context: FanOutContext | undefined): readonly string[] | undefined {
  if (context === undefined) return undefined;
  const listed = context.connectors;
  if (Array.isArray(listed)) return listed.map(String);
  return [context.key];
}

/** Runs `task` over `items`, at most `limit` at once. */
async function eachAtOnce<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
