/**
 * The baseline the sync kind is compared with: a minimal script doing the same reads and posts against
 * the same servers, with nothing of Tickwork around it (no lifecycle, no checkpoints, no outbound guard,
 * no check of the page's shape). A plain loop: GET the page at the cursor, POST it signed with the same
 * envelope the sink gets, go on from its `nextCursor` until `hasMore` is false.
 */
import { signPayload } from '../../shared/kinds/signature.ts';
import { SYNC_LOG_TYPE } from '../../shared/kinds/sync/sink.ts';

export interface BaselineSync {
  readonly sourceUrl: string;
  readonly ingestUrl: string;
  readonly token: string;
  readonly signingSecret: string;
  readonly pageSize: number;
  /** Unique per sync: the ingest answers a key it has seen as a duplicate without counting it. */
  readonly keyPrefix: string;
}

export interface SyncCount {
  readonly records: number;
  readonly pages: number;
}

interface Page {
  readonly records: unknown[];
  readonly nextCursor: string | null;
  readonly hasMore: boolean;
}

export async function baselineSync(settings: BaselineSync): Promise<SyncCount> {
  let cursor = '';
  let records = 0;
  let pages = 0;
  for (;;) {
    const query = new URLSearchParams({ cursor, limit: String(settings.pageSize) });
    const answer = await fetch(`${settings.sourceUrl}?${query}`, {
      headers: { accept: 'application/json', authorization: `Bearer ${settings.token}` },
    });
    if (!answer.ok) throw new Error(`GET ${settings.sourceUrl} answered ${answer.status}`);
    const page = (await answer.json()) as Page;
    if (page.records.length > 0) {
      const body = JSON.stringify({
        log_type: SYNC_LOG_TYPE,
        job: settings.keyPrefix,
        connector: 'crm',
        runId: settings.keyPrefix,
        cursor: cursor === '' ? null : cursor,
        nextCursor: page.nextCursor,
        records: page.records,
      });
      const posted = await fetch(settings.ingestUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': `${settings.keyPrefix}-${cursor}`,
          'tickwork-signature': signPayload(settings.signingSecret, Math.floor(Date.now() / 1000), body),
        },
        body,
      });
      const reply = await posted.text();
      if (!posted.ok || reply.includes('duplicate')) {
        throw new Error(`POST ${settings.ingestUrl} answered ${posted.status}: ${reply}`);
      }
    }
    records += page.records.length;
    pages++;
    if (!page.hasMore) return { records, pages };
    cursor = page.nextCursor ?? cursor;
  }
}
