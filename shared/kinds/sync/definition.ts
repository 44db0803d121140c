/** The `sync` kind: what the API needs to know of it, without its connector and sink code. */
import { defineKind } from '../kind.ts';
import {
  checkSyncConfig,
  checkSyncParams,
  SYNC_FUNCTION_TIMEOUT_SECONDS,
  syncCheckpointKeys,
  syncConfigSchema,
  syncParamsSchema,
  syncSecrets,
} from './config.ts';

export const syncKind = defineKind({
  id: 'sync',
  summary: "syncs connectors' paged records to a signed sink, from a checkpoint per connector",
  configSchema: syncConfigSchema,
  paramsSchema: syncParamsSchema,
  patchableConfigFields: ['connectors', 'sink', 'pageSize', 'maxPagesPerRun', 'concurrency'],
  checkConfig: checkSyncConfig,
  checkParams: checkSyncParams,
  secretsOf: syncSecrets,
  keyedCheckpoints: { keyName: 'connector', keysOf: syncCheckpointKeys },
  // A page is read whole (at most MAX_PAGE_RESPONSE_BYTES) while `concurrency` connectors run.
  function: { timeoutSeconds: SYNC_FUNCTION_TIMEOUT_SECONDS, memorySize: 512 },
  capabilities: ['secrets', 'http', 'checkpoints'],
});
