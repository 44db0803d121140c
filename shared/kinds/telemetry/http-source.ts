/**
 * The `http` telemetry source: a team's own telemetry API, or a platform's. The contract:
 *
 *   GET <url>?from=<ISO-8601>&to=<ISO-8601>&table=<name>&limit=<n>
 *   Authorization: Bearer <value of authSecret>        (only when authSecret is configured)
 *   Accept: application/json
 *
 *   200 {"rows": [{...}, {...}]}
 *
 * `from` is inclusive and `to` exclusive (millisecond ISO instants, UTC). The source answers at most
 * `limit` rows of the table in that window; it is asked for one more row than the run's limit, so an
 * answer of limit + 1 rows says the window holds more than the limit (the extra row is dropped), and
 * the run narrows its window instead of losing rows. Any other status, a body that is not JSON, or a
 * body that is not `{"rows": [object, ...]}` fails the run; so does a body over
 * MAX_SOURCE_RESPONSE_BYTES (a bound on the time and the spool a page may take).
 *
 * The answer is read as it arrives (rows-parser.ts) and each row handed on at once, so a page is never
 * held whole; reading stops at the row past the limit.
 * Extra query parameters in `url` are kept.
 */
import type { HttpStreamResponse, OutboundHttp } from '../capabilities.ts';
import { RowsDecoder, RowsParseError, type RowsParseProblem } from './rows-parser.ts';
import type { RowSink, RowSource, SourceQuery } from './source.ts';

/** The most of one table's page that is read: 32 MiB, a few hundred bytes a row at the highest limit. */
export const MAX_SOURCE_RESPONSE_BYTES = 32 * 1024 * 1024;
/** How long one page may take, within the run's own deadline (its signal). */
export const SOURCE_TIMEOUT_MS = 60_000;
const EXCERPT = 200;

/** The source answered, but not with what the contract says; the message says what it got. */
export class TelemetrySourceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TelemetrySourceError';
  }
}

export interface HttpSourceSettings {
  readonly url: string;
  /** The bearer token's value, resolved from the secret named by `authSecret`. */
  readonly bearer?: string;
}

export function httpSource(settings: HttpSourceSettings, http: OutboundHttp): RowSource {
  return {
    async eachRow(query: SourceQuery, onRow: RowSink): Promise<{ hasMore: boolean }> {
      const url = new URL(settings.url);
      url.searchParams.set('from', query.window.from.toISOString());
      url.searchParams.set('to', query.window.to.toISOString());
      url.searchParams.set('table', query.table);
      url.searchParams.set('limit', String(query.limit + 1));
      const where = `telemetry source ${url.origin}${url.pathname} (table ${query.table})`;
      const tooLarge = (error: unknown): unknown =>
        error instanceof Error && error.name === 'ResponseTooLargeError'
          ? new TelemetrySourceError(
              `${where} answered more than ${MAX_SOURCE_RESPONSE_BYTES} bytes for ${query.limit + 1} rows: lower limitPerTable`,
              { cause: error },
            )
          : error;
      let response: HttpStreamResponse;
      try {
        response = await http.stream({
          method: 'GET',
          url: url.toString(),
          headers: {
            Accept: 'application/json',
            ...(settings.bearer === undefined ? {} : { Authorization: `Bearer ${settings.bearer}` }),
          },
          timeoutMs: Math.max(1, Math.min(SOURCE_TIMEOUT_MS, query.remainingTimeMs())),
          signal: query.signal,
          maxResponseBytes: MAX_SOURCE_RESPONSE_BYTES,
        });
      } catch (error) {
        throw tooLarge(error);
      }
      if (response.status < 200 || response.status > 299) {
        const excerpt = await startOf(response.body);
        throw new TelemetrySourceError(
          `${where} answered HTTP ${response.status}${excerpt === '' ? '' : `: ${excerpt}`}`,
        );
      }
      // The body's start, for the message when it turns out not to be JSON.
      let head = '';
      const decoder = new RowsDecoder();
      try {
        for await (const piece of response.body) {
          if (head.length < EXCERPT) head += Buffer.from(piece.subarray(0, EXCERPT * 4)).toString('utf8');
          for (const row of decoder.push(piece)) {
            // One more row than the limit says the window holds more: nothing past it is needed.
            if (decoder.rows > query.limit) return { hasMore: true };
            const pending = onRow(row);
            if (pending !== undefined) await pending;
          }
        }
        decoder.end();
      } catch (error) {
        if (!(error instanceof RowsParseError)) throw tooLarge(error);
        throw new TelemetrySourceError(describeProblem(where, error.problem, head.slice(0, EXCERPT)), {
          cause: error,
        });
      }
      return { hasMore: false };
    },
  };
}

function describeProblem(where: string, problem: RowsParseProblem, head: string): string {
  switch (problem.kind) {
    case 'not-json':
      return `${where} answered a body that is not JSON: ${JSON.stringify(head)}`;
    case 'no-rows':
      return `${where} answered JSON without a "rows" array; expected {"rows": [{...}]}`;
    case 'rows-repeated':
      return `${where} answered JSON with "rows" twice; expected {"rows": [{...}]}`;
    case 'row-not-object':
      return `${where} answered rows[${problem.index}] that is not an object; every row must be`;
  }
}

/** The first EXCERPT characters of an error answer (the rest is not read). */
async function startOf(body: AsyncIterable<Uint8Array>): Promise<string> {
  const pieces: Buffer[] = [];
  let size = 0;
  for await (const piece of body) {
    pieces.push(Buffer.from(piece));
    size += piece.length;
    if (size >= EXCERPT * 4) break;
  }
  return Buffer.concat(pieces).toString('utf8').slice(0, EXCERPT);
}
