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
 * MAX_SOURCE_RESPONSE_BYTES (read bounded: the function's memory is never at the platform's mercy).
 * Extra query parameters in `url` are kept.
 */
import { isPlainObject } from '../../validation.ts';
import type { OutboundHttp } from '../capabilities.ts';
import type { SourcePage, SourceQuery, TelemetrySource } from './source.ts';

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

export function httpSource(settings: HttpSourceSettings, http: OutboundHttp): TelemetrySource {
  return {
    async read(query: SourceQuery): Promise<SourcePage> {
      const url = new URL(settings.url);
      url.searchParams.set('from', query.window.from.toISOString());
      url.searchParams.set('to', query.window.to.toISOString());
      url.searchParams.set('table', query.table);
      url.searchParams.set('limit', String(query.limit + 1));
      const where = `telemetry source ${url.origin}${url.pathname} (table ${query.table})`;
      let response: Awaited<ReturnType<OutboundHttp['request']>>;
      try {
        response = await http.request({
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
        if (error instanceof Error && error.name === 'ResponseTooLargeError') {
          throw new TelemetrySourceError(
            `${where} answered more than ${MAX_SOURCE_RESPONSE_BYTES} bytes for ${query.limit + 1} rows: lower limitPerTable`,
            { cause: error },
          );
        }
        throw error;
      }
      if (response.status < 200 || response.status > 299) {
        throw new TelemetrySourceError(
          `${where} answered HTTP ${response.status}${response.body === '' ? '' : `: ${response.body.slice(0, EXCERPT)}`}`,
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(response.body);
      } catch (error) {
        throw new TelemetrySourceError(
          `${where} answered a body that is not JSON: ${JSON.stringify(response.body.slice(0, EXCERPT))}`,
          { cause: error },
        );
      }
      const rows = isPlainObject(body) ? body.rows : undefined;
      if (!Array.isArray(rows)) {
        throw new TelemetrySourceError(
          `${where} answered JSON without a "rows" array; expected {"rows": [{...}]}`,
        );
      }
      const bad = rows.findIndex((row) => !isPlainObject(row));
      if (bad !== -1) {
        throw new TelemetrySourceError(
          `${where} answered rows[${bad}] that is not an object; every row must be`,
        );
      }
      const hasMore = rows.length > query.limit;
      return { rows: hasMore ? rows.slice(0, query.limit) : rows, hasMore };
    },
  };
}
