/** The `telemetry` kind: what the API needs to know of it, without its source and sink code. */
import { defineKind } from '../kind.ts';
import {
  checkTelemetryConfig,
  TELEMETRY_FUNCTION_TIMEOUT_SECONDS,
  telemetryConfigSchema,
  telemetryParamsSchema,
  telemetrySecrets,
} from './config.ts';

export const telemetryKind = defineKind({
  id: 'telemetry',
  summary: 'exports telemetry rows in gap-free windows to a signed sink',
  configSchema: telemetryConfigSchema,
  paramsSchema: telemetryParamsSchema,
  patchableConfigFields: ['model', 'source', 'tables', 'limitPerTable', 'window', 'sink', 'onResult'],
  checkConfig: checkTelemetryConfig,
  secretsOf: telemetrySecrets,
  // A source page of a table is read whole (at most MAX_SOURCE_RESPONSE_BYTES), besides the chunk being sent.
  function: { timeoutSeconds: TELEMETRY_FUNCTION_TIMEOUT_SECONDS, memorySize: 512 },
  capabilities: ['secrets', 'http', 'checkpoints', 'metrics', 'logs'],
});
