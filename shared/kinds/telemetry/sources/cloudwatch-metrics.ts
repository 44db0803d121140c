/**
 * The `cloudwatch-metrics` telemetry source: CloudWatch metrics of a namespace (Amazon Bedrock's by
 * default) by the `ModelId` dimension, read with GetMetricData.
 *
 * Tables: a table is a metric name from `metrics`; a read of table `Invocations` returns one row per
 * (model id, bucket) of that metric: `{metric, modelId, stat, periodSeconds, timestamp, value}`.
 *
 * Windows tile exactly: a bucket of `periodSeconds` starting at `s` belongs to the window that contains
 * its END, `from < s + period <= to`. Equivalently the request covers `[alignDown(from), alignDown(to))`,
 * both ends aligned down to the period (CloudWatch's StartTime is inclusive, EndTime exclusive). Adjacent
 * windows `[a, b)` and `[b, c)` therefore read `[A(a), A(b))` and `[A(b), A(c))`: every bucket once, and
 * only buckets that had ended by the window's end (a window shorter than a period may read none; its
 * bucket goes to the window its end falls in).
 */
import * as z from 'zod/mini';
import { describeValue } from '../../../validation.ts';
import type { MetricData, MetricQuery } from '../../capabilities.ts';
import type { SourcePage, SourceQuery, TelemetrySource } from '../source.ts';
import { MetricDataError, UnknownTableError } from './errors.ts';

export const DEFAULT_METRICS_NAMESPACE = 'AWS/Bedrock';
/** Amazon Bedrock's runtime metrics, published per `ModelId`. */
export const DEFAULT_BEDROCK_METRICS = [
  'Invocations',
  'InputTokenCount',
  'OutputTokenCount',
  'InvocationLatency',
  'InvocationThrottles',
  'InvocationClientErrors',
  'InvocationServerErrors',
] as const;
export const DEFAULT_PERIOD_SECONDS = 60;
/** One day: CloudWatch keeps 1-minute data 15 days, and a longer bucket is not telemetry any more. */
export const MAX_PERIOD_SECONDS = 86_400;
export const MODEL_ID_DIMENSION = 'ModelId';
/**
 * One request holds one query per model id, and GetMetricData takes at most 500 queries; 100 models keeps
 * a table to one request and its rows per bucket bounded.
 */
export const MAX_MODEL_IDS = 100;
export const MAX_METRICS = 20;
/** The statistic of a metric when `stat` is not set: latency is averaged, everything else is a count. */
export function defaultStat(metric: string): string {
  return metric === 'InvocationLatency' ? 'Average' : 'Sum';
}

/** CloudWatch's statistics: the five simple ones, IQM, percentiles and the trimmed/windsorized families. */
const STAT_PATTERN =
  /^(SampleCount|Average|Sum|Minimum|Maximum|IQM|p(100|\d{1,2})(\.\d{1,2})?|(tm|wm|tc|ts)(100|\d{1,2})(\.\d{1,2})?|(TM|WM|TC|TS|PR)\([^()]{1,40}\))$/;
/** Printable ASCII; a namespace must not start with `:` (CloudWatch's rule). */
const NAMESPACE_PATTERN = /^[\x20-\x39\x3b-\x7e][\x20-\x7e]{0,254}$/;
const METRIC_NAME_PATTERN = /^[\x20-\x7e]{1,255}$/;

const uniqueStrings = (what: string) =>
  z.refine<string[]>((values) => new Set(values).size === values.length, {
    error: (issue) => `must not repeat a ${what}; got ${describeValue(issue.input)}`,
  });

export const cloudWatchMetricsSourceSchema = z.lazy(() =>
  z.strictObject(
    {
      type: z.literal('cloudwatch-metrics'),
      /** @default AWS/Bedrock */
      namespace: z.optional(
        z
          .string({
            error: (issue) => `must be a CloudWatch namespace string; got ${describeValue(issue.input)}`,
          })
          .check(
            z.regex(NAMESPACE_PATTERN, {
              error: (issue) =>
                `must be a CloudWatch namespace (1–255 printable ASCII characters, not starting with ":"); got ${describeValue(issue.input)}`,
            }),
          ),
      ),
      /** The metrics read, each a table. @default Bedrock's runtime metrics */
      metrics: z.optional(
        z
          .array(
            z.string().check(
              z.regex(METRIC_NAME_PATTERN, {
                error: (issue) =>
                  `must be a metric name (1–255 printable ASCII characters); got ${describeValue(issue.input)}`,
              }),
            ),
            { error: (issue) => `must be a list of metric names; got ${describeValue(issue.input)}` },
          )
          .check(
            z.minLength(1, { error: 'must name at least one metric' }),
            z.maxLength(MAX_METRICS, { error: `must name at most ${MAX_METRICS} metrics` }),
            uniqueStrings('metric'),
          ),
      ),
      /** The `ModelId` dimension values read (a model id, an inference profile id or ARN). */
      modelIds: z
        .array(
          z
            .string()
            .check(
              z.minLength(1, { error: 'must not be empty' }),
              z.maxLength(1024, { error: 'must be at most 1024 characters (a CloudWatch dimension value)' }),
            ),
          { error: (issue) => `must be a list of model ids; got ${describeValue(issue.input)}` },
        )
        .check(
          z.minLength(1, { error: 'must name at least one model id' }),
          z.maxLength(MAX_MODEL_IDS, { error: `must name at most ${MAX_MODEL_IDS} model ids` }),
          uniqueStrings('model id'),
        ),
      /** The bucket length. @default 60 */
      periodSeconds: z.optional(
        z
          .int({ error: (issue) => `must be a whole number of seconds; got ${describeValue(issue.input)}` })
          .check(
            z.refine((seconds) => seconds >= 60 && seconds <= MAX_PERIOD_SECONDS && seconds % 60 === 0, {
              error: (issue) =>
                `must be a multiple of 60 from 60 to ${MAX_PERIOD_SECONDS} seconds; got ${describeValue(issue.input)}`,
            }),
          ),
      ),
      /** One statistic for every metric. @default Average for InvocationLatency, Sum for the others */
      stat: z.optional(
        z.string({ error: (issue) => `must be a statistic name; got ${describeValue(issue.input)}` }).check(
          z.regex(STAT_PATTERN, {
            error: (issue) =>
              `must be a CloudWatch statistic (SampleCount, Average, Sum, Minimum, Maximum, IQM, p99, tm90, ...); got ${describeValue(issue.input)}`,
          }),
        ),
      ),
    },
    {
      error: (issue) =>
        `must be an object {type, namespace?, metrics?, modelIds, periodSeconds?, stat?}; got ${describeValue(issue.input)}`,
    },
  ),
);

export type CloudWatchMetricsSourceConfig = z.infer<typeof cloudWatchMetricsSourceSchema>;

/** The tables a config defines: its metric names. */
export function cloudWatchMetricsTables(config: CloudWatchMetricsSourceConfig): readonly string[] {
  return config.metrics ?? DEFAULT_BEDROCK_METRICS;
}

/** The instant `at` aligned down to a multiple of `periodSeconds` since the epoch. */
export function alignDown(at: Date, periodSeconds: number): Date {
  const periodMs = periodSeconds * 1000;
  return new Date(Math.floor(at.getTime() / periodMs) * periodMs);
}

type MetricRow = {
  readonly metric: string;
  readonly modelId: string;
  readonly stat: string;
  readonly periodSeconds: number;
  /** The bucket's start, ISO-8601. */
  readonly timestamp: string;
  readonly value: number | null;
};

/**
 * Buckets in time, then in the config's model order (a stable sort keeps the page order within a bucket):
 * CloudWatch groups a page by query, and a read cut at its limit keeps the earliest buckets.
 */
function inTimeOrder(rows: MetricRow[]): MetricRow[] {
  return rows.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
}

export function cloudWatchMetricsSource(
  config: CloudWatchMetricsSourceConfig,
  metrics: MetricData,
): TelemetrySource {
  const namespace = config.namespace ?? DEFAULT_METRICS_NAMESPACE;
  const tables = cloudWatchMetricsTables(config);
  const periodSeconds = config.periodSeconds ?? DEFAULT_PERIOD_SECONDS;
  return {
    async read(query: SourceQuery): Promise<SourcePage> {
      const metric = query.table;
      if (!tables.includes(metric)) throw new UnknownTableError(metric, tables);
      const stat = config.stat ?? defaultStat(metric);
      const startTime = alignDown(query.window.from, periodSeconds);
      const endTime = alignDown(query.window.to, periodSeconds);
      if (endTime <= startTime) return { rows: [], hasMore: false };
      // Query ids must start with a lower-case letter; the model id is found again by its position.
      const queries: MetricQuery[] = config.modelIds.map((modelId, index) => ({
        id: `m${index}`,
        namespace,
        metricName: metric,
        dimensions: [{ name: MODEL_ID_DIMENSION, value: modelId }],
        periodSeconds,
        stat,
      }));
      const modelIdOf = new Map(
        queries.map((metricQuery, index) => [metricQuery.id, config.modelIds[index]]),
      );
      const rows: MetricRow[] = [];
      let nextToken: string | undefined;
      do {
        const page = await metrics
          .getMetricData({
            queries,
            startTime,
            endTime,
            signal: query.signal,
            ...(nextToken === undefined ? {} : { nextToken }),
          })
          .catch((error: unknown) => {
            // The SDK's AbortError says only that a request was aborted; the run's reason says why.
            throw query.signal.aborted && query.signal.reason instanceof Error ? query.signal.reason : error;
          });
        for (const result of page.results) {
          const modelId = modelIdOf.get(result.id);
          if (result.status !== 'Complete' && result.status !== 'PartialData') {
            throw new MetricDataError(
              `${namespace} ${metric} of ${modelId ?? result.id}`,
              result.status,
              result.messages,
            );
          }
          if (modelId === undefined) continue;
          result.timestamps.forEach((timestamp, index) => {
            rows.push({
              metric,
              modelId,
              stat,
              periodSeconds,
              timestamp: timestamp.toISOString(),
              value: result.values[index] ?? null,
            });
          });
        }
        // One row past the limit is enough to know the window holds more; memory stays bounded by it.
        if (rows.length > query.limit)
          return { rows: inTimeOrder(rows).slice(0, query.limit), hasMore: true };
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      return { rows: inTimeOrder(rows), hasMore: false };
    },
  };
}
