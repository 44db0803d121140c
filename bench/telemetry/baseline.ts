/**
 * The baseline the telemetry kind is compared with: a minimal script doing the same work on the same
 * servers, with nothing of Tickwork around it (no lifecycle, no outbound guard, no validation of the
 * answer, no layout before the send). Per table: one `fetch` GET of the window's rows, then signed
 * POSTs of the rows in chunks of at most `maxChunkBytes`, each with an Idempotency-Key of its own.
 */
import { signPayload } from '../../shared/kinds/signature.ts';

export interface BaselineExport {
  readonly platformUrl: string;
  readonly token: string;
  readonly signingSecret: string;
  readonly model: Readonly<Record<string, unknown>>;
  readonly tables: readonly string[];
  readonly from: Date;
  readonly to: Date;
  /** Asked of the source, as the kind asks it (its limit + 1). */
  readonly limit: number;
  readonly maxChunkBytes: number;
  /** Unique per export: the ingest answers a key it has seen as a duplicate without counting it. */
  readonly keyPrefix: string;
}

export interface BaselineOutcome {
  readonly rows: number;
  readonly chunks: number;
  readonly bytes: number;
}

export async function baselineExport(settings: BaselineExport): Promise<BaselineOutcome> {
  const window = { from: settings.from.toISOString(), to: settings.to.toISOString() };
  let rows = 0;
  let chunks = 0;
  let bytes = 0;
  for (const table of settings.tables) {
    const query = new URLSearchParams({ ...window, table, limit: String(settings.limit) });
    const answer = await fetch(`${settings.platformUrl}/telemetry?${query}`, {
      headers: { authorization: `Bearer ${settings.token}` },
    });
    if (!answer.ok) throw new Error(`GET /telemetry answered ${answer.status}`);
    const page = (await answer.json()) as { rows: unknown[] };
    rows += page.rows.length;
    // The table's chunks are known before the first is sent, so each carries the count, as the kind's do.
    const groups: string[][] = [];
    const head = (index: number, count: number) =>
      `{"model":${JSON.stringify(settings.model)},"log_type":"telemetry","window":${JSON.stringify(window)},"chunk":{"index":${index},"count":${count}},"data":{${JSON.stringify(table)}:[`;
    // Room for the envelope with any index and count of up to 12 digits, and the closing `]}}`.
    const room = settings.maxChunkBytes - Buffer.byteLength(head(999_999_999_999, 999_999_999_999)) - 3;
    let group: string[] = [];
    let size = 0;
    for (const row of page.rows) {
      const text = JSON.stringify(row);
      const cost = Buffer.byteLength(text) + 1;
      if (size + cost > room && group.length > 0) {
        groups.push(group);
        group = [];
        size = 0;
      }
      group.push(text);
      size += cost;
    }
    if (group.length > 0) groups.push(group);
    for (const [index, members] of groups.entries()) {
      const body = `${head(index, groups.length)}${members.join(',')}]}}`;
      const posted = await fetch(`${settings.platformUrl}/ingest`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': `${settings.keyPrefix}-${table}-${index}`,
          'tickwork-signature': signPayload(settings.signingSecret, Math.floor(Date.now() / 1000), body),
        },
        body,
      });
      const reply = await posted.text();
      if (!posted.ok || reply.includes('duplicate'))
        throw new Error(`POST /ingest answered ${posted.status}: ${reply}`);
      chunks++;
      bytes += Buffer.byteLength(body);
    }
  }
  return { rows, chunks, bytes };
}
