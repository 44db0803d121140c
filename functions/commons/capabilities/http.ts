/** The `http` capability: outbound requests through the guard, https-only and public-only in AWS. */
import packageJson from '../../../package.json' with { type: 'json' };
import { SafeHttpClient } from '../../../shared/adapters/http/client.ts';
import { loadHttpConfig } from '../../../shared/config.ts';
import type { CapabilityProvider } from './provider.ts';

export const http: CapabilityProvider<'http'> = ({ env, config }) =>
  new SafeHttpClient(
    { mode: config.mode, allowedHosts: loadHttpConfig(env).allowedHosts },
    { userAgent: `tickwork/${packageJson.version}` },
  );
