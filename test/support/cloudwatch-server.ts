/**
 * CloudWatch's GetMetricData over its wire protocol (awsJson1_0, awsQuery-compatible errors, as
 * `@aws-sdk/client-cloudwatch` speaks it in this version): buckets of each query's period aligned to the
 * epoch with StartTime inclusive and EndTime exclusive, one datapoint per bucket that has a value,
 * `ScanBy: TimestampAscending` order, pages of `pageSize` datapoints joined by NextToken (results
 * `PartialData` until the last page), and a per-metric status for failures (`Forbidden`).
 */
import { type AwsJsonServer, AwsServiceError, startAwsJsonServer } from './aws-json-server.ts';

export interface CloudWatchServerOptions {
  /** Datapoints per page. @default 100,800 (the service's most per call) */
  readonly pageSize?: number;
  /** A bucket's value, or undefined when the bucket has no data. @default {@link bucketValue} */
  readonly value?: (metric: string, modelId: string, bucketStart: Date) => number | undefined;
  /** A metric whose queries fail with this status (`Forbidden`, `InternalError`). */
  readonly failingMetrics?: Readonly<Record<string, string>>;
  /** Awaited before each answer (to hold a request in flight). */
  readonly beforeAnswer?: () => Promise<void>;
}

/** A deterministic value per metric, model and bucket. */
export function bucketValue(metric: string, modelId: string, bucketStart: Date): number {
  return ((bucketStart.getTime() / 60_000) % 1000) + metric.length * 1000 + modelId.length;
}

interface Query {
  readonly Id: string;
  readonly MetricStat: {
    readonly Metric: {
      readonly Namespace: string;
      readonly MetricName: string;
      readonly Dimensions?: { Name: string; Value: string }[];
    };
    readonly Period: number;
    readonly Stat: string;
  };
}

export async function startCloudWatchServer(options: CloudWatchServerOptions = {}): Promise<AwsJsonServer> {
  const pageSize = options.pageSize ?? 100_800;
  const bucketValueOf = options.value ?? bucketValue;
  return startAwsJsonServer({
    jsonVersion: '1.0',
    targetPrefix: 'GraniteServiceVersion20100801',
    signingName: 'monitoring',
    queryCompatible: true,
    operations: {
      GetMetricData: async (input) => {
        await options.beforeAnswer?.();
        const queries = input.MetricDataQueries as Query[] | undefined;
        const start = input.StartTime;
        const end = input.EndTime;
        if (!Array.isArray(queries) || queries.length === 0 || queries.length > 500) {
          throw new AwsServiceError('InvalidParameterValue', 'MetricDataQueries must hold 1 to 500 queries');
        }
        if (typeof start !== 'number' || typeof end !== 'number' || start >= end) {
          throw new AwsServiceError(
            'InvalidParameterValue',
            'The parameter StartTime must be less than EndTime',
          );
        }
        if (
          input.ScanBy !== undefined &&
          input.ScanBy !== 'TimestampAscending' &&
          input.ScanBy !== 'TimestampDescending'
        ) {
          throw new AwsServiceError('InvalidParameterValue', `ScanBy ${String(input.ScanBy)}`);
        }
        const points: { id: string; at: number; value: number }[] = [];
        for (const query of queries) {
          if (!/^[a-z][a-zA-Z0-9_]*$/.test(query.Id)) {
            throw new AwsServiceError(
              'InvalidParameterValue',
              `The value ${query.Id} for parameter Id is invalid`,
            );
          }
          const period = query.MetricStat.Period;
          if (period % 60 !== 0)
            throw new AwsServiceError('InvalidParameterValue', 'Period must be a multiple of 60');
          if (options.failingMetrics?.[query.MetricStat.Metric.MetricName] !== undefined) continue;
          const modelId = query.MetricStat.Metric.Dimensions?.find((d) => d.Name === 'ModelId')?.Value ?? '';
          for (let at = Math.ceil(start / period) * period; at < end; at += period) {
            const value = bucketValueOf(query.MetricStat.Metric.MetricName, modelId, new Date(at * 1000));
            if (value !== undefined) points.push({ id: query.Id, at, value });
          }
        }
        const order = new Map(queries.map((query, index) => [query.Id, index]));
        points.sort((a, b) => a.at - b.at || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
        const offset = typeof input.NextToken === 'string' ? Number(input.NextToken) : 0;
        const page = points.slice(offset, offset + pageSize);
        const more = offset + pageSize < points.length;
        return {
          MetricDataResults: queries.map((query) => {
            const failed = options.failingMetrics?.[query.MetricStat.Metric.MetricName];
            if (failed !== undefined) {
              return {
                Id: query.Id,
                Label: query.MetricStat.Metric.MetricName,
                Timestamps: [],
                Values: [],
                StatusCode: failed,
                Messages: [
                  { Code: failed, Value: `not authorized to read ${query.MetricStat.Metric.MetricName}` },
                ],
              };
            }
            const own = page.filter((point) => point.id === query.Id);
            return {
              Id: query.Id,
              Label: query.MetricStat.Metric.MetricName,
              Timestamps: own.map((point) => point.at),
              Values: own.map((point) => point.value),
              StatusCode: more ? 'PartialData' : 'Complete',
            };
          }),
          ...(more ? { NextToken: String(offset + pageSize) } : {}),
          Messages: [],
        };
      },
    },
  });
}
