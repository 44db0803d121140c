/**
 * The `logs` capability on the CloudWatch Logs SDK client: StartQuery, GetQueryResults and StopQuery,
 * nothing else (the telemetry function's role allows only these). The endpoint is the SDK's own
 * resolution, which honours `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`.
 */
import {
  type CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type {
  LogsQueries,
  LogsQueryRequest,
  LogsQueryResults,
  LogsQueryStatus,
} from '../../kinds/capabilities.ts';
import { LogsQueryFailedError } from '../../kinds/telemetry/sources/errors.ts';

/** StopQuery is a best effort on the way out of a run; it must not hold the run past its deadline. */
const STOP_TIMEOUT_MS = 2_000;

const STATUSES: readonly LogsQueryStatus[] = [
  'Scheduled',
  'Running',
  'Complete',
  'Failed',
  'Cancelled',
  'Timeout',
  'Unknown',
];

export class CloudWatchLogsQueries implements LogsQueries {
  constructor(private readonly client: CloudWatchLogsClient) {}

  async start(request: LogsQueryRequest): Promise<string> {
    const output = await this.client.send(
      new StartQueryCommand({
        logGroupNames: [...request.logGroupNames],
        startTime: request.startTimeSeconds,
        endTime: request.endTimeSeconds,
        queryString: request.queryString,
        limit: request.limit,
      }),
      request.signal === undefined ? {} : { abortSignal: request.signal },
    );
    if (output.queryId === undefined || output.queryId === '') {
      throw new LogsQueryFailedError('StartQuery answered without a queryId');
    }
    return output.queryId;
  }

  async results(queryId: string, options: { readonly signal?: AbortSignal }): Promise<LogsQueryResults> {
    const output = await this.client.send(
      new GetQueryResultsCommand({ queryId }),
      options.signal === undefined ? {} : { abortSignal: options.signal },
    );
    const status = STATUSES.find((known) => known === output.status) ?? 'Unknown';
    return {
      status,
      rows: (output.results ?? []).map((fields) => {
        // An own-property map: a field named `__proto__` or `constructor` is data like any other.
        const row: Record<string, string> = Object.create(null);
        for (const { field, value } of fields) if (field !== undefined) row[field] = value ?? '';
        return { ...row };
      }),
    };
  }

  async stop(queryId: string): Promise<void> {
    await this.client.send(new StopQueryCommand({ queryId }), {
      abortSignal: AbortSignal.timeout(STOP_TIMEOUT_MS),
    });
  }
}
