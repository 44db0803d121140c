/**
 * One connector's share of a sync run: health, the lease of its checkpoint, then page after page
 *
 *   read the page at the cursor → POST it to the sink → (acknowledged) commit the next cursor
 *
 * The commit is a conditional write on the checkpoint's version by the lease's holder, and it comes
 * only after the sink's 2xx: the checkpoint is never ahead of the data the sink has, and never behind
 * by more than the one page a crash between the ack and the commit leaves (sent again by the next run
 * with the same idempotency key). The lease (until the function's deadline) keeps a second run of the
 * job off the connector: it skips it and says so. The run's last commit of the connector gives the
 * lease back in the same write, so a page costs one write. The next page is read ahead, as soon as a
 * page's answer names the next cursor, while that page is sent and committed: a read changes nothing,
 * and the next page is still sent only once the commit succeeded, so the order above holds and a
 * page costs its send and its commit, not its read.
 *
 * The run stops reading before a page it may not finish: when the time left is under the last page's
 * time, the sink's timeout and the lifecycle's margin; the result says `hasMore`, the next run goes on.
 */
import type { Clock } from '../../clock.ts';
import type { JobIdentity } from '../../jobs/ports.ts';
import type { Logger } from '../../logger.ts';
import type { CheckpointStore, OutboundRequests } from '../capabilities.ts';
import type { SinkSettings } from '../signature.ts';
import type { ConnectorConfig } from './config.ts';
import {
  type ConnectorPage,
  checkHealth,
  HEALTH_TIMEOUT_MS,
  PAGE_TIMEOUT_MS,
  readPage,
} from './connector.ts';
import { sendPage } from './sink.ts';

export type ConnectorStatus = 'succeeded' | 'skipped' | 'failed';

/** One connector's entry in the run's result. */
export interface ConnectorResult {
  readonly status: ConnectorStatus;
  readonly records: number;
  readonly pages: number;
  /** The source has more than this run read (it stopped for the page bound or the deadline). */
  readonly hasMore: boolean;
  /** Why it was skipped, or why it stopped before the source's end. */
  readonly reason?: string;
  readonly error?: string;
}

/** Another run moved or reset the checkpoint while this one held the lease (it had expired). */
export class CheckpointMovedError extends Error {
  constructor(connector: string) {
    super(
      `the checkpoint of connector ${connector} moved while this run synced it (reset, or taken over after the lease expired); the next run continues from where it now is`,
    );
    this.name = 'CheckpointMovedError';
  }
}

export interface ConnectorSyncDeps {
  readonly job: JobIdentity;
  readonly runId: string;
  /** The run's session: its requests reuse their connections. */
  readonly http: OutboundRequests;
  readonly checkpoints: CheckpointStore;
  readonly sink: SinkSettings;
  readonly clock: Clock;
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly pageSize: number;
  readonly maxPagesPerRun: number;
  readonly fullResync: boolean;
  /** What must be left after a page for the outcome to be recorded (the lifecycle's margin). */
  readonly reserveMs: number;
  remainingTimeMs(): number;
  /** Throws when the run must stop (a cancel, the deadline). */
  checkpoint(): Promise<void>;
  /** The source's bearer token (the value of `authSecret`), resolved once. */
  bearerOf(connector: ConnectorConfig): Promise<string | undefined>;
}

const skipped = (reason: string): ConnectorResult => ({
  status: 'skipped',
  records: 0,
  pages: 0,
  hasMore: false,
  reason,
});

export async function syncConnector(
  deps: ConnectorSyncDeps,
  connector: ConnectorConfig,
): Promise<ConnectorResult> {
  const { job, runId, checkpoints, signal } = deps;
  if (connector.enabled === false) return skipped('disabled in the config');
  if (connector.healthUrl !== undefined) {
    const timeoutMs = Math.max(1, Math.min(HEALTH_TIMEOUT_MS, deps.remainingTimeMs() - deps.reserveMs));
    const health = await checkHealth(deps.http, connector.healthUrl, signal, timeoutMs);
    if (!health.connected) return skipped(`disconnected: ${health.reason}`);
  }
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.remainingTimeMs()).toISOString();
  const lease = await checkpoints.acquireKeyed(job, connector.id, { runId, expiresAt }, now);
  if (!lease.acquired) {
    return skipped(
      lease.reason === 'held'
        ? `run ${lease.holder.runId} is syncing it (its lease ends ${lease.holder.expiresAt})`
        : 'the job was deleted and created again since this run started',
    );
  }
  let { value: cursor, version, generation } = lease.checkpoint;
  const committedGeneration = generation;
  if (deps.fullResync) {
    cursor = undefined;
    generation += 1;
  }
  let pages = 0;
  let records = 0;
  let hasMore = true;
  let reason: string | undefined;
  let released = false;
  try {
    const bearer = await deps.bearerOf(connector);
    /** A page's whole cycle as the time left measured it (wait for its read, send, commit): what the next one is expected to take. */
    let lastPageMs = 0;
    /** Why no further page may be read now that `done` pages are; undefined: one may. */
    const stopReason = (done: number): string | undefined => {
      if (done >= deps.maxPagesPerRun) return `stopped after maxPagesPerRun (${deps.maxPagesPerRun}) pages`;
      const left = deps.remainingTimeMs();
      return left < lastPageMs + deps.sink.timeoutMs + deps.reserveMs
        ? `stopped before the function's deadline (${Math.round(left / 1000)} s left)`
        : undefined;
    };
    /**
     * Starts reading the page at `at`. A read changes nothing, so the next page's read starts as soon as
     * this page's answer names its cursor, while this page is sent and committed; a read the run then
     * does not use (it stopped, or the connector failed) is left to end on its own: its answer or error
     * is dropped, and the run's session closes its socket when the run ends.
     */
    const readAhead = (at: string | undefined): Promise<ConnectorPage> => {
      const page = (async () => {
        await deps.checkpoint();
        const timeoutMs = Math.max(1, Math.min(PAGE_TIMEOUT_MS, deps.remainingTimeMs() - deps.reserveMs));
        return readPage(deps.http, connector.source.url, {
          cursor: at,
          limit: deps.pageSize,
          bearer,
          signal,
          timeoutMs,
        });
      })();
      page.catch(() => undefined);
      return page;
    };
    reason = stopReason(0);
    let upcoming = reason === undefined ? readAhead(cursor) : undefined;
    while (upcoming !== undefined) {
      const cycleStartedAt = deps.remainingTimeMs();
      const page = await upcoming;
      const next = page.nextCursor ?? cursor;
      // Read ahead only when the next page may be read at all (the same test decides below, after the
      // send, with the time then left).
      upcoming = page.hasMore && stopReason(pages + 1) === undefined ? readAhead(next) : undefined;
      if (page.records.length > 0) {
        const identity = {
          job: job.name,
          jobCreatedAt: job.createdAt,
          connector: connector.id,
          generation,
          cursor,
        };
        await sendPage(
          deps.sink,
          { ...identity, runId, nextCursor: page.nextCursor, records: page.records },
          signal,
        );
      }
      const stop = page.hasMore ? stopReason(pages + 1) : undefined;
      const last = !page.hasMore || stop !== undefined;
      const moved = page.records.length > 0 || next !== cursor || generation !== committedGeneration;
      // The commit comes after the sink's ack, and the next page is sent only after the commit
      // succeeded: never ahead of the data, never behind by more than one page. The last page's
      // commit gives the lease back.
      if (moved) {
        const committed = await checkpoints.commitKeyed(job, connector.id, {
          runId,
          expectedVersion: version,
          value: next,
          generation,
          updatedAt: deps.clock.now(),
          release: last,
        });
        if (!committed) throw new CheckpointMovedError(connector.id);
        version += 1;
        released = last;
      }
      pages++;
      records += page.records.length;
      cursor = next;
      hasMore = page.hasMore;
      reason = stop;
      lastPageMs = Math.max(0, cycleStartedAt - deps.remainingTimeMs());
      if (last) upcoming = undefined;
    }
    return { status: 'succeeded', records, pages, hasMore, ...(reason === undefined ? {} : { reason }) };
  } catch (error) {
    // The run's own stop (cancel, deadline) ends the run, not just this connector.
    if (signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    deps.log.warn('connector failed', { connector: connector.id, error: message });
    return { status: 'failed', records, pages, hasMore: true, error: message };
  } finally {
    if (!released) {
      await checkpoints.releaseKeyed(job, connector.id, runId).catch((error: unknown) => {
        // The lease ends with the function's deadline anyway.
        deps.log.warn('lease release failed', { connector: connector.id, error: String(error) });
      });
    }
  }
}
