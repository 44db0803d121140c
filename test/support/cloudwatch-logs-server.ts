/**
 * CloudWatch Logs Insights' query API over its wire protocol (awsJson1_1, as
 * `@aws-sdk/client-cloudwatch-logs` speaks it): StartQuery over named log groups with startTime and
 * endTime in whole epoch seconds, both inclusive (an event counts when its second is in the range), a
 * `limit` of 1 to 10,000 rows; GetQueryResults with the query's status (`Running` for as many polls as
 * its plan says, then its final status) and, once Complete, its rows as `[{field, value}]` lists with an
 * `@ptr`, newest first; StopQuery, which cancels a query still running and refuses one that ended.
 *
 * The query engine understands what the logs-insights source sends and nothing more: the source's
 * window filter (`filter toMillis(@timestamp) >= a and toMillis(@timestamp) < b`) followed by
 * `fields @timestamp, @message`; any other query is refused with MalformedQueryException, so a change
 * in what the source sends fails the tests instead of passing unexamined.
 */
import { randomUUID } from 'node:crypto';
import { type AwsJsonServer, AwsServiceError, startAwsJsonServer } from './aws-json-server.ts';

export interface LogEvent {
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly message: string;
}

export type FinalStatus = 'Complete' | 'Failed' | 'Timeout' | 'Cancelled';

export interface QueryPlan {
  /** GetQueryResults answers `Running` this many times before the final status. @default 1 */
  readonly runningPolls?: number;
  /** @default Complete */
  readonly finalStatus?: FinalStatus;
}

export interface LogsServerOptions {
  readonly logGroups: Readonly<Record<string, readonly LogEvent[]>>;
  /** The plan of the nth query started (0-based). */
  readonly plan?: (index: number) => QueryPlan;
}

export interface LogsServer extends AwsJsonServer {
  /** Query ids StopQuery cancelled. */
  readonly stopped: string[];
}

const WINDOWED = /^filter toMillis\(@timestamp\) >= (\d+) and toMillis\(@timestamp\) < (\d+)\n\| (.+)$/s;
const SUPPORTED_REST = 'fields @timestamp, @message';

interface QueryState {
  readonly rows: { field: string; value: string }[][];
  readonly runningPolls: number;
  readonly finalStatus: FinalStatus;
  polls: number;
  cancelled: boolean;
}

/** `2026-03-01 10:00:00.123`, the form Logs Insights gives `@timestamp`. */
export function insightsTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export async function startCloudWatchLogsServer(options: LogsServerOptions): Promise<LogsServer> {
  const queries = new Map<string, QueryState>();
  const stopped: string[] = [];
  const statusOf = (query: QueryState): string =>
    query.cancelled ? 'Cancelled' : query.polls <= query.runningPolls ? 'Running' : query.finalStatus;

  const server = await startAwsJsonServer({
    jsonVersion: '1.1',
    targetPrefix: 'Logs_20140328',
    signingName: 'logs',
    operations: {
      StartQuery: (input) => {
        const groups = input.logGroupNames;
        const { startTime, endTime, limit, queryString } = input;
        if (!Array.isArray(groups) || groups.length === 0 || groups.length > 50) {
          throw new AwsServiceError('InvalidParameterException', 'logGroupNames must hold 1 to 50 names');
        }
        for (const name of groups) {
          if (options.logGroups[String(name)] === undefined) {
            throw new AwsServiceError(
              'ResourceNotFoundException',
              `Log group '${String(name)}' does not exist`,
            );
          }
        }
        if (typeof startTime !== 'number' || typeof endTime !== 'number' || startTime > endTime) {
          throw new AwsServiceError(
            'InvalidParameterException',
            'startTime must be at most endTime (epoch seconds)',
          );
        }
        if (typeof limit !== 'number' || limit < 1 || limit > 10_000) {
          throw new AwsServiceError('InvalidParameterException', 'limit must be from 1 to 10000');
        }
        const match = typeof queryString === 'string' ? WINDOWED.exec(queryString) : null;
        if (match === null || match[3]?.trim() !== SUPPORTED_REST) {
          throw new AwsServiceError('MalformedQueryException', `unsupported query: ${String(queryString)}`);
        }
        const [from, to] = [Number(match[1]), Number(match[2])];
        const events = groups
          .flatMap((name) => options.logGroups[String(name)] ?? [])
          .filter((event) => {
            const second = Math.floor(event.timestamp / 1000);
            return (
              second >= startTime && second <= endTime && event.timestamp >= from && event.timestamp < to
            );
          })
          .sort((a, b) => b.timestamp - a.timestamp)
          .slice(0, limit);
        const plan = options.plan?.(queries.size) ?? {};
        const queryId = randomUUID();
        queries.set(queryId, {
          rows: events.map((event) => [
            { field: '@timestamp', value: insightsTimestamp(event.timestamp) },
            { field: '@message', value: event.message },
            { field: '@ptr', value: randomUUID() },
          ]),
          runningPolls: plan.runningPolls ?? 1,
          finalStatus: plan.finalStatus ?? 'Complete',
          polls: 0,
          cancelled: false,
        });
        return { queryId };
      },
      GetQueryResults: (input) => {
        const query = queries.get(String(input.queryId));
        if (query === undefined) throw new AwsServiceError('ResourceNotFoundException', 'unknown query id');
        query.polls += 1;
        const status = statusOf(query);
        return {
          status,
          results: status === 'Complete' ? query.rows : [],
          statistics: {
            recordsMatched: query.rows.length,
            recordsScanned: query.rows.length,
            bytesScanned: 0,
          },
        };
      },
      StopQuery: (input) => {
        const queryId = String(input.queryId);
        const query = queries.get(queryId);
        if (query === undefined) throw new AwsServiceError('ResourceNotFoundException', 'unknown query id');
        if (statusOf(query) !== 'Running') {
          throw new AwsServiceError('InvalidParameterException', 'Query is not running');
        }
        query.cancelled = true;
        stopped.push(queryId);
        return { success: true };
      },
    },
  });
  return Object.assign(server, { stopped });
}
