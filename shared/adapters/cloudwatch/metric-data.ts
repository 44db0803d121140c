/**
 * The `metrics` capability on the CloudWatch SDK client: one GetMetricData call per page, buckets in
 * ascending time. The composition root creates the client once (functions/commons/capabilities/metrics.ts);
 * its endpoint is the SDK's own resolution, which honours `AWS_ENDPOINT_URL_CLOUDWATCH`.
 */
import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { MetricData, MetricDataPage, MetricDataRequest } from '../../kinds/capabilities.ts';

export class CloudWatchMetricData implements MetricData {
  constructor(private readonly client: CloudWatchClient) {}

  async getMetricData(request: MetricDataRequest): Promise<MetricDataPage> {
    const output = await this.client.send(
      new GetMetricDataCommand({
        MetricDataQueries: request.queries.map((query) => ({
          Id: query.id,
          MetricStat: {
            Metric: {
              Namespace: query.namespace,
              MetricName: query.metricName,
              Dimensions: query.dimensions.map((dimension) => ({
                Name: dimension.name,
                Value: dimension.value,
              })),
            },
            Period: query.periodSeconds,
            Stat: query.stat,
          },
          ReturnData: true,
        })),
        StartTime: request.startTime,
        EndTime: request.endTime,
        // Pages then follow time, so a read that stops at its row limit keeps the earliest buckets.
        ScanBy: 'TimestampAscending',
        ...(request.nextToken === undefined ? {} : { NextToken: request.nextToken }),
      }),
      request.signal === undefined ? {} : { abortSignal: request.signal },
    );
    return {
      results: (output.MetricDataResults ?? []).map((result) => ({
        id: result.Id ?? '',
        timestamps: result.Timestamps ?? [],
        values: result.Values ?? [],
        status: result.StatusCode ?? 'Complete',
        messages: (result.Messages ?? []).map((message) => `${message.Code ?? ''}: ${message.Value ?? ''}`),
      })),
      ...(output.NextToken === undefined ? {} : { nextToken: output.NextToken }),
    };
  }
}
