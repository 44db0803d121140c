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
 * lease back in the same write, so a page costs one write. The next page is read while the cursor is
 * committed, and sent only once the commit succeeded: the order above holds, the commit's time is hidden.
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
import { checkHealth, HEALTH_TIMEOUT_MS, PAGE_TIMEOUT_MS, readPage } from './connector.ts';
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
    /** A page's read and send, as the time left measured it: what the next page is expected to take. */
    let lastPageMs = 0;
    /** Why no further page may be read now that `done` pages are; undefined: one may. */
    const stopReason = (done: number): string | undefined => {
      if (done >= deps.maxPagesPerRun) return `stopped after maxPagesPerRun (${deps.maxPagesPerRun}) pages`;
      const left = deps.remainingTimeMs();
      return left < lastPageMs + deps.sink.timeoutMs + deps.reserveMs
        ? `stopped before the function's deadline (${Math.round(left / 1000)} s left)`
        : undefined;
    };
    let readStartedAt = 0;
    const read = async (at: string | undefined) => {
      await deps.checkpoint();
      readStartedAt = deps.remainingTimeMs();
      return readPage(deps.http, connector.source.url, {
        cursor: at,
        limit: deps.pageSize,
        bearer,
        signal,
        timeoutMs: Math.max(1, Math.min(PAGE_TIMEOUT_MS, readStartedAt - deps.reserveMs)),
      });
    };
    reason = stopReason(0);
    let page = reason === undefined ? await read(cursor) : undefined;
    while (page !== undefined) {
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
      lastPageMs = Math.max(0, readStartedAt - deps.remainingTimeMs());
      const next = page.nextCursor ?? cursor;
      const stop = page.hasMore ? stopReason(pages + 1) : undefined;
      const last = !page.hasMore || stop !== undefined;
      const moved = page.records.length > 0 || next !== cursor || generation !== committedGeneration;
      // The next page is read while this one's cursor is committed (a read changes nothing; the commit
      // comes after the sink's ack as before), and it is sent only once that commit succeeded: a page
      // costs the longer of the two, not both. The last page's commit gives the lease back.
      const [committed, upcoming] = await Promise.allSettled([
        moved
          ? checkpoints.commitKeyed(job, connector.id, {
              runId,
              expectedVersion: version,
              value: next,
              generation,
              updatedAt: deps.clock.now(),
              release: last,
            })
          : Promise.resolve(true),
        last ? Promise.resolve(undefined) : read(next),
      ]);
      if (committed.status === 'rejected') throw committed.reason;
      if (!committed.value) throw new CheckpointMovedError(connector.id);
      if (moved) {
        version += 1;
        released = last;
      }
      pages++;
      records += page.records.length;
      cursor = next;
      hasMore = page.hasMore;
      reason = stop;
      if (upcoming.status === 'rejected') throw upcoming.reason;
      page = upcoming.value;
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
