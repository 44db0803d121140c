/**
 * The source a config names, built for one run. A new source type is a `case` here and its module
 * (the config's union in config.ts lists its fields).
 */
import type { SecretSource } from '../../jobs/ports.ts';
import type { OutboundHttp } from '../capabilities.ts';
import type { TelemetryConfig } from './config.ts';
import { httpSource } from './http-source.ts';
import type { TelemetrySource } from './source.ts';

export interface SourceDeps {
  readonly http: OutboundHttp;
  readonly secrets: SecretSource;
}

export async function telemetrySource(
  config: TelemetryConfig['source'],
  deps: SourceDeps,
): Promise<TelemetrySource> {
  switch (config.type) {
    case 'http':
      return httpSource(
        {
          url: config.url,
          ...(config.authSecret === undefined ? {} : { bearer: await deps.secrets.get(config.authSecret) }),
        },
        deps.http,
      );
  }
}
