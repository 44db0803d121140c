/**
 * The cloudwatch-metrics source through the unmodified CloudWatch client, against a server that answers
 * GetMetricData's wire protocol: period-aligned requests, rows per (metric, model, bucket), pagination,
 * windows that tile exactly, the row limit, a failed query and cancellation.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchMetricData } from '../../../shared/adapters/cloudwatch/metric-data.ts';
import type { TelemetryWindow } from '../../../shared/kinds/telemetry/source.ts';
import {
  type CloudWatchMetricsSourceConfig,
  cloudWatchMetricsSource,
} from '../../../shared/kinds/telemetry/sources/cloudwatch-metrics.ts';
import { MetricDataError, UnknownTableError } from '../../../shared/kinds/telemetry/sources/errors.ts';
import type { AwsJsonServer } from '../../support/aws-json-server.ts';
import { TEST_REGION } from '../../support/aws-json-server.ts';
import {
  bucketValue,
  type CloudWatchServerOptions,
  startCloudWatchServer,
} from '../../support/cloudwatch-server.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';

const config: CloudWatchMetricsSourceConfig = {
  type: 'cloudwatch-metrics',
  modelIds: ['anthropic.claude-3-haiku', 'amazon.nova-lite'],
};

let server: AwsJsonServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function sourceOn(options: CloudWatchServerOptions = {}, sourceConfig = config) {
  server = await startCloudWatchServer(options);
  const client = new CloudWatchClient({
    endpoint: server.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  return { source: cloudWatchMetricsSource(sourceConfig, new CloudWatchMetricData(client)), server };
}

const window = (from: string, to: string): TelemetryWindow => ({ from: new Date(from), to: new Date(to) });
const read = (
  source: Awaited<ReturnType<typeof sourceOn>>['source'],
  w: TelemetryWindow,
  table = 'Invocations',
  limit = 100_000,
  signal = new AbortController().signal,
) => source.read({ window: w, table, limit, signal, remainingTimeMs: () => 60_000 });

describe('cloudwatch-metrics source', () => {
  it('Given an aligned window, When a metric is read, Then it returns one row per model and bucket, in time order', async () => {
    const { source, server } = await sourceOn();

    const page = await read(source, window('2026-03-01T10:00:00Z', '2026-03-01T10:03:00Z'));

    expect(page.hasMore).toBe(false);
    expect(page.rows).toEqual(
      ['10:00', '10:01', '10:02'].flatMap((minute) =>
        config.modelIds.map((modelId) => ({
          metric: 'Invocations',
          modelId,
          stat: 'Sum',
          periodSeconds: 60,
          timestamp: `2026-03-01T${minute}:00.000Z`,
          value: bucketValue('Invocations', modelId, new Date(`2026-03-01T${minute}:00Z`)),
        })),
      ),
    );
    const [call] = server.calls;
    expect(call?.input).toMatchObject({
      StartTime: Date.parse('2026-03-01T10:00:00Z') / 1000,
      EndTime: Date.parse('2026-03-01T10:03:00Z') / 1000,
      ScanBy: 'TimestampAscending',
      MetricDataQueries: config.modelIds.map((modelId, index) => ({
        Id: `m${index}`,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Bedrock',
            MetricName: 'Invocations',
            Dimensions: [{ Name: 'ModelId', Value: modelId }],
          },
          Period: 60,
          Stat: 'Sum',
        },
      })),
    });
  });

  it('Given latency, Then it is averaged unless the config names a statistic', async () => {
    const { source, server } = await sourceOn();
    await read(source, window('2026-03-01T10:00:00Z', '2026-03-01T10:01:00Z'), 'InvocationLatency');
    expect(server.calls[0]?.input).toMatchObject({
      MetricDataQueries: [{ MetricStat: { Stat: 'Average' } }, {}],
    });
  });

  it('Given a window not aligned to the period, Then the request is aligned down at both ends', async () => {
    const { source, server } = await sourceOn({}, { ...config, periodSeconds: 300 });

    const page = await read(source, window('2026-03-01T10:02:30Z', '2026-03-01T10:17:10Z'));

    expect(server.calls[0]?.input).toMatchObject({
      StartTime: Date.parse('2026-03-01T10:00:00Z') / 1000,
      EndTime: Date.parse('2026-03-01T10:15:00Z') / 1000,
    });
    // Buckets 10:00, 10:05, 10:10: each ends inside (from, to]; 10:15 ends after the window.
    expect([...new Set(page.rows.map((row) => row.timestamp))]).toEqual([
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T10:05:00.000Z',
      '2026-03-01T10:10:00.000Z',
    ]);
  });

  it('Given adjacent windows with unaligned ends, Then together they read every bucket exactly once', async () => {
    const { source } = await sourceOn({ pageSize: 7 });
    const cuts = [
      '10:00:00',
      '10:00:45',
      '10:01:10',
      '10:01:50',
      '10:04:59',
      '10:05:00',
      '10:07:30',
      '10:07:31',
      '10:12:00',
    ];
    const seen: string[] = [];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const page = await read(source, window(`2026-03-01T${cuts[i]}Z`, `2026-03-01T${cuts[i + 1]}Z`));
      seen.push(...page.rows.map((row) => `${row.modelId}@${row.timestamp}`));
    }

    const whole = await read(source, window('2026-03-01T10:00:00Z', '2026-03-01T10:12:00Z'));
    expect(seen.sort()).toEqual(whole.rows.map((row) => `${row.modelId}@${row.timestamp}`).sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(whole.rows).toHaveLength(12 * config.modelIds.length);
  });

  it('Given a window shorter than a period inside one bucket, Then nothing is requested and no row returned', async () => {
    const { source, server } = await sourceOn();
    const page = await read(source, window('2026-03-01T10:00:10Z', '2026-03-01T10:00:50Z'));
    expect(page).toEqual({ rows: [], hasMore: false });
    expect(server.calls).toHaveLength(0);
  });

  it('Given more datapoints than a page, Then it follows NextToken until the last page', async () => {
    const { source, server } = await sourceOn({ pageSize: 5 });

    const page = await read(source, window('2026-03-01T10:00:00Z', '2026-03-01T11:00:00Z'));

    expect(page.rows).toHaveLength(60 * 2);
    expect(server.calls).toHaveLength(24);
    expect(server.calls.slice(1).every((call) => typeof call.input.NextToken === 'string')).toBe(true);
    const stamps = page.rows.map((row) => String(row.timestamp));
    expect(stamps).toEqual([...stamps].sort());
  });

  it('Given more rows than the limit, Then it returns the earliest `limit` rows, hasMore, and stops paging', async () => {
    const { source, server } = await sourceOn({ pageSize: 10 });

    const page = await read(
      source,
      window('2026-03-01T10:00:00Z', '2026-03-01T11:00:00Z'),
      'Invocations',
      25,
    );

    expect(page.hasMore).toBe(true);
    expect(page.rows).toHaveLength(25);
    expect(page.rows.at(-1)?.timestamp).toBe('2026-03-01T10:12:00.000Z');
    expect(server.calls).toHaveLength(3);
  });

  it('Given exactly `limit` rows, Then hasMore is false', async () => {
    const { source } = await sourceOn();
    const page = await read(
      source,
      window('2026-03-01T10:00:00Z', '2026-03-01T10:05:00Z'),
      'Invocations',
      10,
    );
    expect(page).toMatchObject({ hasMore: false });
    expect(page.rows).toHaveLength(10);
  });

  it('Given a metric CloudWatch refuses, Then the read fails with MetricDataError naming it', async () => {
    const { source } = await sourceOn({ failingMetrics: { Invocations: 'Forbidden' } });
    await expect(read(source, window('2026-03-01T10:00:00Z', '2026-03-01T10:05:00Z'))).rejects.toThrow(
      new MetricDataError('AWS/Bedrock Invocations of anthropic.claude-3-haiku', 'Forbidden', [
        'Forbidden: not authorized to read Invocations',
      ]),
    );
  });

  it('Given a table that is not one of the metrics, Then the read fails with UnknownTableError', async () => {
    const { source } = await sourceOn({}, { ...config, metrics: ['Invocations'] });
    await expect(
      read(source, window('2026-03-01T10:00:00Z', '2026-03-01T10:05:00Z'), 'InputTokenCount'),
    ).rejects.toThrow(UnknownTableError);
  });

  it('Given a request in flight, When the run is cancelled, Then the read rejects with the run’s reason', async () => {
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const { source } = await sourceOn({
      beforeAnswer: () => {
        arrived();
        return new Promise(() => {});
      },
    });
    const controller = new AbortController();
    const reading = read(
      source,
      window('2026-03-01T10:00:00Z', '2026-03-01T10:05:00Z'),
      'Invocations',
      100,
      controller.signal,
    );
    await inFlight;
    const reason = new Error('cancelled by the user');
    controller.abort(reason);
    await expect(reading).rejects.toBe(reason);
  });
});
