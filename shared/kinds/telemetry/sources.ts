/**
 * The source a config names, built for one run. A new source type is a `case` here and its module
 * (the config's union in config.ts lists its fields).
 */
import type { Clock } from '../../clock.ts';
import type { SecretSource } from '../../jobs/ports.ts';
import type { LogsQueries, MetricData, OutboundHttp } from '../capabilities.ts';
import type { TelemetryConfig } from './config.ts';
import { httpSource } from './http-source.ts';
import { pagedRows, type RowSource } from './source.ts';
import { cloudWatchMetricsSource } from './sources/cloudwatch-metrics.ts';
import { logsInsightsSource } from './sources/logs-insights.ts';

export interface SourceDeps {
  readonly http: OutboundHttp;
  readonly secrets: SecretSource;
  readonly metrics: MetricData;
  readonly logs: LogsQueries;
  readonly clock: Clock;
}

export async function telemetrySource(
  config: TelemetryConfig['source'],
  deps: SourceDeps,
): Promise<RowSource> {
  switch (config.type) {
    case 'http':
      return httpSource(
        {
          url: config.url,
          ...(config.authSecret === undefined ? {} : { bearer: await deps.secrets.get(config.authSecret) }),
        },
        deps.http,
      );
    case 'cloudwatch-metrics':
      return pagedRows(cloudWatchMetricsSource(config, deps.metrics));
    case 'logs-insights':
      return pagedRows(logsInsightsSource(config, { logs: deps.logs, clock: deps.clock }));
  }
}
