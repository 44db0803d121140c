/**
 * The demo platform's connectors, for `sync` jobs: paged record sources that keep the connector
 * contract (shared/kinds/sync/connector.ts), each with a health route.
 *
 * - `crm`: healthy; `records` deterministic records (`crm-000001`, ...), paged by offset cursors.
 * - `billing`: disconnected: its health answers 503 (its records route works, but a job never gets there).
 * - `tickets`: healthy, 100 records, but every page from offset `failAt` on answers 500: a connector
 *   that fails on a page, after the pages before it were synced.
 *
 * The cursor is the offset as text (empty: the start). The last page answers `hasMore: false` with the
 * offset past the last record as `nextCursor`, where new records would appear.
 */
import { ValidationError } from '../../shared/errors.ts';
import type { Auth } from './routes.ts';
import { singleParam } from './telemetry.ts';

export const CONNECTOR_IDS = ['crm', 'billing', 'tickets'] as const;
export type DemoConnectorId = (typeof CONNECTOR_IDS)[number];
export const DEFAULT_CONNECTOR_RECORDS = 250;
export const DEFAULT_TICKETS_FAIL_AT = 40;
const TICKETS_RECORDS = 100;
const BILLING_RECORDS = 30;
const MAX_LIMIT = 1_000;

export interface ConnectorOptions {
  /** Records of `crm`. @default DEFAULT_CONNECTOR_RECORDS */
  readonly records?: number;
  /** The offset from which `tickets` fails. @default DEFAULT_TICKETS_FAIL_AT */
  readonly failAt?: number;
  /** Awaited before a page is answered: a slow source, for tests that need a run to be mid-sync. */
  readonly beforePage?: (connector: string, offset: number) => Promise<void>;
}

/** The connectors' routes, as the platform prints them. */
export const CONNECTOR_ROUTES: ReadonlyArray<{
  readonly method: 'GET';
  readonly path: string;
  readonly query?: string;
  readonly auth: Auth;
  readonly what: string;
}> = CONNECTOR_IDS.flatMap((id) => [
  {
    method: 'GET' as const,
    path: `/connectors/${id}/records`,
    query: '?cursor=<cursor>&limit=<n>',
    auth: 'bearer' as const,
    what: `connector ${id}: a page of records (a sync job's source.url)`,
  },
  {
    method: 'GET' as const,
    path: `/connectors/${id}/health`,
    auth: 'none' as const,
    what: `connector ${id}: ${id === 'billing' ? '503, disconnected' : '200, connected'} (healthUrl)`,
  },
]);

export interface ConnectorAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** What the connectors served, for tests: pages asked for, per connector. */
export interface ConnectorsReceived {
  readonly pageRequests: Readonly<Record<string, number>>;
}

/** The connectors' handlers, keyed `GET <path>` as the platform's route table is. */
export function connectorHandlers(
  options: ConnectorOptions,
  print: (line: string) => void,
): {
  readonly handlers: Record<string, (url: URL) => Promise<ConnectorAnswer>>;
  received(): ConnectorsReceived;
} {
  const totals: Record<DemoConnectorId, number> = {
    crm: options.records ?? DEFAULT_CONNECTOR_RECORDS,
    billing: BILLING_RECORDS,
    tickets: TICKETS_RECORDS,
  };
  const failAt = options.failAt ?? DEFAULT_TICKETS_FAIL_AT;
  const pageRequests = new Map<string, number>();
  const handlers: Record<string, (url: URL) => Promise<ConnectorAnswer>> = {};
  for (const id of CONNECTOR_IDS) {
    handlers[`GET /connectors/${id}/health`] = async () =>
      id === 'billing'
        ? { status: 503, body: { connected: false, error: 'billing is disconnected (demo)' } }
        : { status: 200, body: { connected: true } };
    handlers[`GET /connectors/${id}/records`] = async (url) => {
      const { offset, limit } = parsePageQuery(url.searchParams);
      pageRequests.set(id, (pageRequests.get(id) ?? 0) + 1);
      await options.beforePage?.(id, offset);
      if (id === 'tickets' && offset >= failAt) {
        print(`connector ${id} cursor=${offset}: 500 (fails from offset ${failAt})`);
        return { status: 500, body: { error: `tickets cannot read past offset ${failAt} (demo)` } };
      }
      const total = totals[id];
      const end = Math.min(total, offset + limit);
      const records = [];
      for (let index = offset; index < end; index++) records.push(demoRecord(id, index));
      print(`connector ${id} cursor=${offset} limit=${limit}: ${records.length} records`);
      return {
        status: 200,
        body: { records, nextCursor: String(Math.max(end, offset)), hasMore: end < total },
      };
    };
  }
  return { handlers, received: () => ({ pageRequests: Object.fromEntries(pageRequests) }) };
}

/** Record `index` of connector `id`: the same every time it is read. */
export function demoRecord(id: string, index: number): { id: string; seq: number; name: string } {
  return { id: `${id}-${String(index + 1).padStart(6, '0')}`, seq: index, name: `${id} record ${index + 1}` };
}

function parsePageQuery(params: URLSearchParams): { offset: number; limit: number } {
  const cursor = singleParam(params, 'cursor', false) ?? '';
  if (!/^\d{0,9}$/.test(cursor)) {
    throw new ValidationError(
      'cursor',
      `cursor must be empty or an offset this connector gave; got "${cursor}"`,
    );
  }
  const limitText = singleParam(params, 'limit', true);
  const limit = Number(limitText);
  if (!/^\d{1,4}$/.test(limitText) || limit < 1 || limit > MAX_LIMIT) {
    throw new ValidationError(
      'limit',
      `limit must be a whole number from 1 to ${MAX_LIMIT}; got "${limitText}"`,
    );
  }
  return { offset: cursor === '' ? 0 : Number(cursor), limit };
}
