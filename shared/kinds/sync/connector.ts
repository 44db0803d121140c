/**
 * The connector contract: what a `sync` job's connector source must answer. Every request goes
 * through the outbound guard (`OutboundHttp`) with the run's signal.
 *
 *   GET <source.url>?cursor=<cursor>&limit=<pageSize>
 *   Authorization: Bearer <value of source.authSecret>     (only when authSecret is configured)
 *   Accept: application/json
 *
 *   200 {"records": [...], "nextCursor": "<opaque>" | null, "hasMore": true | false}
 *
 * `cursor` is empty on the first page (and after a reset or a full resync), then the `nextCursor` of
 * the page before: opaque to Tickwork, which stores it as the connector's checkpoint once the sink
 * has acknowledged the page. `records` holds at most `limit` JSON values. `hasMore: false` says the
 * source has nothing more now; its `nextCursor` is where the next run asks for what came since (an
 * incremental sync); `nextCursor: null` keeps the cursor the page was asked from. `hasMore: true`
 * needs a `nextCursor`. Any other status, a body that is not JSON, or a body not of that shape fails
 * the connector (not the run), and so does a body over MAX_PAGE_RESPONSE_BYTES.
 *
 *   GET <healthUrl>         (no credentials are sent: it may be another host)
 *
 * A 2xx answer means connected. Any other answer, or no answer in HEALTH_TIMEOUT_MS, means
 * disconnected: the connector is skipped for this run and the result says why; that is not a failure.
 * A connector without `healthUrl` is taken as connected.
 */
import type { OutboundRequests } from '../capabilities.ts';

/** The most of one page's answer that is read: 8 MiB, far above 1,000 records of a few KB. */
export const MAX_PAGE_RESPONSE_BYTES = 8 * 1024 * 1024;
/** How long one page may take, within the run's own deadline (its signal). */
export const PAGE_TIMEOUT_MS = 60_000;
export const HEALTH_TIMEOUT_MS = 10_000;
const EXCERPT = 200;

/** The source answered, but not with what the contract says; the message says what it got. */
export class ConnectorSourceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConnectorSourceError';
  }
}

export interface ConnectorPage {
  readonly records: readonly unknown[];
  /** undefined: keep the cursor the page was asked from. */
  readonly nextCursor: string | undefined;
  readonly hasMore: boolean;
}

export interface PageRequest {
  readonly cursor: string | undefined;
  readonly limit: number;
  readonly bearer: string | undefined;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

/** Origin and path only: query strings may carry tokens. */
export function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

export async function readPage(
  http: OutboundRequests,
  sourceUrl: string,
  request: PageRequest,
): Promise<ConnectorPage> {
  const url = new URL(sourceUrl);
  url.searchParams.set('cursor', request.cursor ?? '');
  url.searchParams.set('limit', String(request.limit));
  const where = `connector source ${describeUrl(sourceUrl)} (cursor ${JSON.stringify(request.cursor ?? '')})`;
  let response: Awaited<ReturnType<OutboundRequests['request']>>;
  try {
    response = await http.request({
      method: 'GET',
      url: url.toString(),
      headers: {
        Accept: 'application/json',
        ...(request.bearer === undefined ? {} : { Authorization: `Bearer ${request.bearer}` }),
      },
      timeoutMs: request.timeoutMs,
      signal: request.signal,
      maxResponseBytes: MAX_PAGE_RESPONSE_BYTES,
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'ResponseTooLargeError') {
      throw new ConnectorSourceError(
        `${where} answered more than ${MAX_PAGE_RESPONSE_BYTES} bytes for ${request.limit} records: lower pageSize`,
        { cause: error },
      );
    }
    throw error;
  }
  const excerpt = response.body.slice(0, EXCERPT);
  if (response.status < 200 || response.status > 299) {
    throw new ConnectorSourceError(
      `${where} answered HTTP ${response.status}${excerpt === '' ? '' : `: ${excerpt}`}`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    throw new ConnectorSourceError(`${where} answered a body that is not JSON: ${JSON.stringify(excerpt)}`);
  }
  return pageOf(body, where, request.limit);
}

function pageOf(body: unknown, where: string, limit: number): ConnectorPage {
  const shape = 'expected {"records": [...], "nextCursor": string | null, "hasMore": boolean}';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ConnectorSourceError(`${where} answered JSON that is not an object; ${shape}`);
  }
  const { records, nextCursor, hasMore } = body as Record<string, unknown>;
  if (!Array.isArray(records))
    throw new ConnectorSourceError(`${where} answered no "records" array; ${shape}`);
  if (records.length > limit) {
    throw new ConnectorSourceError(`${where} answered ${records.length} records for limit ${limit}`);
  }
  if (typeof hasMore !== 'boolean') {
    throw new ConnectorSourceError(`${where} answered "hasMore" that is not true or false; ${shape}`);
  }
  if (nextCursor !== null && nextCursor !== undefined && typeof nextCursor !== 'string') {
    throw new ConnectorSourceError(`${where} answered "nextCursor" that is not a string or null; ${shape}`);
  }
  if (hasMore && (typeof nextCursor !== 'string' || nextCursor === '')) {
    throw new ConnectorSourceError(
      `${where} answered "hasMore": true without a "nextCursor" to continue from`,
    );
  }
  return {
    records,
    nextCursor: typeof nextCursor === 'string' && nextCursor !== '' ? nextCursor : undefined,
    hasMore,
  };
}

export type Health = { readonly connected: true } | { readonly connected: false; readonly reason: string };

/** The connector's health: a 2xx from `healthUrl`. The run's own stop (its signal) is rethrown. */
export async function checkHealth(
  http: OutboundRequests,
  healthUrl: string,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Health> {
  try {
    const response = await http.request({
      method: 'GET',
      url: healthUrl,
      headers: { Accept: 'application/json' },
      timeoutMs,
      signal,
      maxResponseBytes: 64 * 1024,
    });
    if (response.status >= 200 && response.status <= 299) return { connected: true };
    return {
      connected: false,
      reason: `health check ${describeUrl(healthUrl)} answered HTTP ${response.status}`,
    };
  } catch (error) {
    if (signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return { connected: false, reason: `health check ${describeUrl(healthUrl)} failed: ${message}` };
  }
}
