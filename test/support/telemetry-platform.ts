/**
 * A small platform for the telemetry tests, speaking the contract `tickwork demo-platform` serves:
 *
 * - `GET /telemetry?from&to&table&limit`: `{"rows": [...]}`, deterministic from the window: one row per
 *   `stepMs` instant in `[from, to)` (aligned to the epoch), at most `limit`, each naming its table and
 *   time, so a test can tell exactly which instants were exported, and that none was twice.
 * - `POST /ingest`: verifies the Tickwork signature, and keeps one delivery per `Idempotency-Key` (a
 *   repeat is answered 200 and counted, not stored again), as an idempotent ingest endpoint does.
 *
 * `failIngest` and `telemetryAnswer` script the bad days: a sink that refuses, a source answering garbage.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../shared/kinds/signature.ts';

export interface IngestDelivery {
  readonly key: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  readonly body: {
    readonly model: Record<string, unknown>;
    readonly log_type: string;
    readonly window: { readonly from: string; readonly to: string };
    readonly chunk: { readonly index: number; readonly count: number };
    readonly data: Record<string, { readonly ts: string; readonly table: string; readonly n: number }[]>;
  };
}

export interface TelemetryRequest {
  readonly from: string;
  readonly to: string;
  readonly table: string;
  readonly limit: number;
  readonly authorization: string | undefined;
}

export interface TelemetryPlatform {
  readonly url: string;
  readonly telemetryUrl: string;
  readonly ingestUrl: string;
  /** Distinct deliveries, in arrival order. */
  readonly deliveries: IngestDelivery[];
  /** Every POST the ingest endpoint answered (repeats included), by key. */
  readonly posts: string[];
  readonly telemetryRequests: TelemetryRequest[];
  /** Signature failures the ingest endpoint saw (it answers 401 to them). */
  readonly signatureFailures: string[];
  /** One row per this many ms. @default 60_000 */
  stepMs: number;
  /** Padding added to each row (bytes of `pad`), to make rows large. @default 0 */
  padBytes: number;
  /** Answer POST /ingest with this status while it returns one (called with the chunk's index). */
  failIngest: ((chunkIndex: number) => number | undefined) | undefined;
  /** Awaited before POST /ingest answers (called with the chunk's index): a sink that is slow, for now. */
  holdIngest: ((chunkIndex: number) => Promise<void>) | undefined;
  /** Replace the body of GET /telemetry (the status stays 200 unless given). */
  telemetryAnswer: { readonly status?: number; readonly body: string } | undefined;
  /** Rows per window instant for a table (default 1): a table busier than the limit. */
  rowsPerStep: Record<string, number>;
  close(): Promise<void>;
}

/** The rows the platform holds for `table` in `[from, to)`, all of them (the tests' expectation). */
export function rowsIn(
  platform: Pick<TelemetryPlatform, 'stepMs' | 'padBytes' | 'rowsPerStep'>,
  table: string,
  from: Date,
  to: Date,
): { ts: string; table: string; n: number; pad?: string }[] {
  const rows: { ts: string; table: string; n: number; pad?: string }[] = [];
  const step = platform.stepMs;
  const perStep = platform.rowsPerStep[table] ?? 1;
  for (let t = Math.ceil(from.getTime() / step) * step; t < to.getTime(); t += step) {
    for (let n = 0; n < perStep; n++) {
      rows.push({
        ts: new Date(t).toISOString(),
        table,
        n,
        ...(platform.padBytes > 0 ? { pad: 'x'.repeat(platform.padBytes) } : {}),
      });
    }
  }
  return rows;
}

export async function startTelemetryPlatform(options: {
  readonly secret: string;
  /** The time signatures are checked against (the test's clock). */
  readonly now: () => Date;
}): Promise<TelemetryPlatform> {
  let server: Server;
  const platform: TelemetryPlatform = {
    url: '',
    telemetryUrl: '',
    ingestUrl: '',
    deliveries: [],
    posts: [],
    telemetryRequests: [],
    signatureFailures: [],
    stepMs: 60_000,
    padBytes: 0,
    failIngest: undefined,
    holdIngest: undefined,
    telemetryAnswer: undefined,
    rowsPerStep: {},
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const answer = (status: number, body: string) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(body);
      };
      if (request.method === 'GET' && url.pathname === '/telemetry') {
        const query = {
          from: url.searchParams.get('from') ?? '',
          to: url.searchParams.get('to') ?? '',
          table: url.searchParams.get('table') ?? '',
          limit: Number(url.searchParams.get('limit')),
          authorization: request.headers.authorization,
        };
        platform.telemetryRequests.push(query);
        if (platform.telemetryAnswer !== undefined) {
          return answer(platform.telemetryAnswer.status ?? 200, platform.telemetryAnswer.body);
        }
        const rows = rowsIn(platform, query.table, new Date(query.from), new Date(query.to));
        return answer(200, JSON.stringify({ rows: rows.slice(0, query.limit) }));
      }
      if (request.method === 'POST' && url.pathname === '/ingest') {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const check = verifySignature(
          request.headers['tickwork-signature'] as string | undefined,
          rawBody,
          options.secret,
          {
            now: options.now(),
          },
        );
        if (!check.valid) {
          platform.signatureFailures.push(check.reason);
          return answer(401, JSON.stringify({ error: check.reason }));
        }
        const key = String(request.headers['idempotency-key'] ?? '');
        const body = JSON.parse(rawBody) as IngestDelivery['body'];
        await platform.holdIngest?.(body.chunk?.index ?? -1);
        const failure = platform.failIngest?.(body.chunk?.index ?? -1);
        if (failure !== undefined) return answer(failure, JSON.stringify({ error: 'ingest is down' }));
        platform.posts.push(key);
        if (!platform.deliveries.some((delivery) => delivery.key === key)) {
          platform.deliveries.push({ key, headers: request.headers, rawBody, body });
        }
        return answer(200, JSON.stringify({ accepted: true }));
      }
      answer(404, JSON.stringify({ error: 'not found' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return Object.assign(platform, { url, telemetryUrl: `${url}/telemetry`, ingestUrl: `${url}/ingest` });
}
