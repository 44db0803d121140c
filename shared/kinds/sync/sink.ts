/**
 * Where a sync job's records go: one signed POST per page (signed as every Tickwork delivery is,
 * signature.ts), with an `Idempotency-Key` that names the page by what it was read from, so a page
 * sent again (a crash between the sink's acknowledgement and the checkpoint's commit, a retry) carries
 * the same key and the sink can drop the repeat.
 */
import { createHash } from 'node:crypto';
import { SIGNATURE_HEADER, type SinkSettings, signPayload } from '../signature.ts';
import { describeUrl } from './connector.ts';

/** The `log_type` of a page of connector records, so a shared ingest tells them apart. */
export const SYNC_LOG_TYPE = 'connector_records';

/** The sink answered, but not with a 2xx: the connector fails and its checkpoint stays. */
export class SinkRejectedError extends Error {
  constructor(url: string, status: number, excerpt: string) {
    super(`sink ${describeUrl(url)} answered HTTP ${status}${excerpt === '' ? '' : `: ${excerpt}`}`);
    this.name = 'SinkRejectedError';
  }
}

export interface PageIdentity {
  readonly job: string;
  /** The job's creation: a job created again under the name sends its pages anew. */
  readonly jobCreatedAt: string;
  readonly connector: string;
  /** The checkpoint's generation: a reset or a full resync sends the pages anew. */
  readonly generation: number;
  /** The cursor the page was read from; undefined for the first. */
  readonly cursor: string | undefined;
}

/** The page's key: the same page read from the same place is the same key, whichever run sends it. */
export function pageIdempotencyKey(page: PageIdentity): string {
  return createHash('sha256')
    .update(
      [page.job, page.jobCreatedAt, page.connector, String(page.generation), page.cursor ?? ''].join('\n'),
    )
    .digest('hex');
}

export interface PageDelivery extends PageIdentity {
  readonly runId: string;
  readonly nextCursor: string | undefined;
  readonly records: readonly unknown[];
}

/** POSTs one page; returns when the sink acknowledged it (2xx), throws otherwise. */
export async function sendPage(sink: SinkSettings, page: PageDelivery, signal: AbortSignal): Promise<void> {
  const body = JSON.stringify({
    log_type: SYNC_LOG_TYPE,
    job: page.job,
    connector: page.connector,
    runId: page.runId,
    cursor: page.cursor ?? null,
    nextCursor: page.nextCursor ?? null,
    records: page.records,
  });
  const answer = await sink.http.post(
    sink.url,
    body,
    {
      'Content-Type': 'application/json',
      'Idempotency-Key': pageIdempotencyKey(page),
      [SIGNATURE_HEADER]: signPayload(sink.secret, Math.floor(sink.now().getTime() / 1000), body),
    },
    { timeoutMs: sink.timeoutMs, signal },
  );
  if (answer.status < 200 || answer.status > 299) {
    throw new SinkRejectedError(sink.url, answer.status, answer.bodyExcerpt);
  }
}
