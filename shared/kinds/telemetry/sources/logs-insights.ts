/**
 * The `logs-insights` telemetry source: one CloudWatch Logs Insights query over named log groups (Amazon
 * Bedrock's model-invocation logs, an application's own). The config names its one table (`table`,
 * default `logs`); a read returns the query's result rows, each the result's fields as an object (all
 * values text, as Logs Insights returns them), without `@ptr` (a per-query pointer that only GetLogRecord
 * reads, and that would make a re-export of the same window differ).
 *
 * The window is made half-open in the query itself: StartQuery's startTime and endTime are whole epoch
 * seconds, both inclusive, so the request covers a superset, `floor(from)` to `ceil(to)` seconds, and the
 * query starts with `filter toMillis(@timestamp) >= <from ms> and toMillis(@timestamp) < <to ms>`. Adjacent
 * windows then read every event once, however the service rounds its range.
 *
 * A query returns at most 10,000 rows. A part of the window whose query comes back with that many is
 * split in halves, and each half queried (earlier half first), recursively up to MAX_SPLIT_DEPTH halvings;
 * a part that still hits the cap fails the read (LogsResultCapError) rather than lose rows. A query that
 * aggregates (`stats ... by`) is then aggregated per part: split windows give one set of rows per part.
 */
import * as z from 'zod/mini';
import type { Clock } from '../../../clock.ts';
import { describeValue } from '../../../validation.ts';
import type { LogsQueries } from '../../capabilities.ts';
import type { SourcePage, SourceQuery, TelemetrySource, TelemetryWindow } from '../source.ts';
import {
  LogsQueryFailedError,
  LogsQueryTimeoutError,
  LogsResultCapError,
  UnknownTableError,
} from './errors.ts';

/** The most rows one Logs Insights query returns (StartQuery's `limit` allows 1 to 10,000). */
export const LOGS_INSIGHTS_RESULT_CAP = 10_000;
/** StartQuery takes at most 50 log group names. */
export const MAX_LOG_GROUPS = 50;
/** The API takes a query string of up to 10,000 characters; the window filter takes the rest. */
export const MAX_QUERY_LENGTH = 9_800;
export const DEFAULT_LOGS_TABLE = 'logs';
/** 2^8 = 256 parts at most: a window that needs more is far past what one run should export. */
export const MAX_SPLIT_DEPTH = 8;
/** The first wait before reading a query's results, doubled while it runs, up to MAX_POLL_MS. */
export const FIRST_POLL_MS = 500;
export const MAX_POLL_MS = 5_000;
/**
 * Time kept back from the run's deadline: a poll that would start with less left stops the query instead,
 * so StopQuery and the run's own record still fit.
 */
export const STOP_MARGIN_MS = 3_000;

/** CloudWatch Logs' log group name rule. */
const LOG_GROUP_NAME_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export const logsInsightsSourceSchema = z.lazy(() =>
  z.strictObject(
    {
      type: z.literal('logs-insights'),
      logGroupNames: z
        .array(
          z.string().check(
            z.regex(LOG_GROUP_NAME_PATTERN, {
              error: (issue) =>
                `must be a log group name (1–512 of A-Z a-z 0-9 . - _ / #); got ${describeValue(issue.input)}`,
            }),
          ),
          { error: (issue) => `must be a list of log group names; got ${describeValue(issue.input)}` },
        )
        .check(
          z.minLength(1, { error: 'must name at least one log group' }),
          z.maxLength(MAX_LOG_GROUPS, {
            error: `must name at most ${MAX_LOG_GROUPS} log groups (StartQuery's limit)`,
          }),
          z.refine<string[]>((names) => new Set(names).size === names.length, {
            error: (issue) => `must not repeat a log group; got ${describeValue(issue.input)}`,
          }),
        ),
      /** The Logs Insights query (its own language, CWLI); the window filter is put in front of it. */
      query: z
        .string({
          error: (issue) => `must be a Logs Insights query string; got ${describeValue(issue.input)}`,
        })
        .check(
          z.refine((text) => text.trim() !== '', { error: 'must not be empty' }),
          z.maxLength(MAX_QUERY_LENGTH, {
            error: (issue) =>
              `must be at most ${MAX_QUERY_LENGTH} characters (the API's 10,000 less the window filter); got ${String(issue.input).length}`,
          }),
        ),
      /** The name of the one table this source defines. @default logs */
      table: z.optional(
        z.string().check(
          z.regex(TABLE_NAME_PATTERN, {
            error: (issue) =>
              `must be a table name (1–64 of A-Z a-z 0-9 _ . -); got ${describeValue(issue.input)}`,
          }),
        ),
      ),
    },
    {
      error: (issue) =>
        `must be an object {type, logGroupNames, query, table?}; got ${describeValue(issue.input)}`,
    },
  ),
);

export type LogsInsightsSourceConfig = z.infer<typeof logsInsightsSourceSchema>;

/** The tables a config defines: its one table. */
export function logsInsightsTables(config: LogsInsightsSourceConfig): readonly string[] {
  return [config.table ?? DEFAULT_LOGS_TABLE];
}

/** The query as sent: the window filter first, so every later command sees only the window's events. */
export function windowedQuery(query: string, window: TelemetryWindow): string {
  const from = window.from.getTime();
  const to = window.to.getTime();
  return `filter toMillis(@timestamp) >= ${from} and toMillis(@timestamp) < ${to}\n| ${query.trim()}`;
}

type Row = Readonly<Record<string, string>>;

export interface LogsInsightsDeps {
  readonly logs: LogsQueries;
  /** Waits between polls. */
  readonly clock: Clock;
}

export function logsInsightsSource(
  config: LogsInsightsSourceConfig,
  deps: LogsInsightsDeps,
): TelemetrySource {
  const tables = logsInsightsTables(config);
  return {
    async read(query: SourceQuery): Promise<SourcePage> {
      if (!tables.includes(query.table)) throw new UnknownTableError(query.table, tables);
      // One row past the limit tells whether the window holds more; no more is ever asked for.
      const rows = await collect(config, deps, query, query.window, query.limit + 1, 0);
      return rows.length > query.limit
        ? { rows: rows.slice(0, query.limit), hasMore: true }
        : { rows, hasMore: false };
    },
  };
}

/** Up to `want` rows of `part`, splitting it while a query comes back at the cap. */
async function collect(
  config: LogsInsightsSourceConfig,
  deps: LogsInsightsDeps,
  query: SourceQuery,
  part: TelemetryWindow,
  want: number,
  depth: number,
): Promise<Row[]> {
  const ask = Math.min(want, LOGS_INSIGHTS_RESULT_CAP);
  const rows = await runQuery(config, deps, query, part, ask);
  // Fewer than asked: the part is complete. As many as wanted: enough, whether or not more exist.
  if (rows.length < ask || ask === want) return rows;
  const from = part.from.getTime();
  const to = part.to.getTime();
  if (depth >= MAX_SPLIT_DEPTH || to - from < 2) {
    throw new LogsResultCapError(part.from, part.to, LOGS_INSIGHTS_RESULT_CAP);
  }
  const middle = new Date(from + Math.floor((to - from) / 2));
  const first = await collect(config, deps, query, { from: part.from, to: middle }, want, depth + 1);
  if (first.length >= want) return first;
  const second = await collect(
    config,
    deps,
    query,
    { from: middle, to: part.to },
    want - first.length,
    depth + 1,
  );
  return first.concat(second);
}

/** One query over `part`, polled to a final status within the run's time; stopped if the run stops waiting. */
async function runQuery(
  config: LogsInsightsSourceConfig,
  { logs, clock }: LogsInsightsDeps,
  query: SourceQuery,
  part: TelemetryWindow,
  limit: number,
): Promise<Row[]> {
  const { signal } = query;
  throwIfAborted(signal);
  const queryId = await logs.start({
    logGroupNames: config.logGroupNames,
    startTimeSeconds: Math.floor(part.from.getTime() / 1000),
    endTimeSeconds: Math.ceil(part.to.getTime() / 1000),
    queryString: windowedQuery(config.query, part),
    limit,
    signal,
  });
  let running = true;
  try {
    let wait = FIRST_POLL_MS;
    for (;;) {
      const remaining = query.remainingTimeMs();
      if (remaining < wait + STOP_MARGIN_MS) throw new LogsQueryTimeoutError(queryId, remaining);
      await clock.sleep(wait, signal);
      throwIfAborted(signal);
      const results = await logs.results(queryId, { signal });
      if (results.status === 'Complete') {
        running = false;
        return results.rows.map(withoutPointer);
      }
      if (results.status !== 'Scheduled' && results.status !== 'Running') {
        running = false;
        throw new LogsQueryFailedError(
          `Logs Insights query ${queryId} over [${part.from.toISOString()}, ${part.to.toISOString()}) ended ${results.status}`,
        );
      }
      wait = Math.min(wait * 2, MAX_POLL_MS);
    }
  } catch (error) {
    // A query left running keeps counting against the account's concurrent queries (30) until it ends.
    if (running) await logs.stop(queryId).catch(() => undefined);
    throw signal.aborted ? abortReason(signal) : error;
  }
}

function withoutPointer(row: Row): Row {
  const { '@ptr': _pointer, ...fields } = row;
  return fields;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

/** The run's own reason (a cancel, the deadline), so its record says why it stopped. */
function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('the read was aborted');
}
