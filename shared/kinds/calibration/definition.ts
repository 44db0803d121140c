/** The `calibration` kind: what the API needs to know of it, without its model and platform code. */
import { defineKind } from '../kind.ts';
import {
  CALIBRATION_FUNCTION_TIMEOUT_SECONDS,
  calibrationConfigSchema,
  calibrationParamsSchema,
  calibrationResources,
  calibrationSecrets,
  checkCalibrationConfig,
} from './config.ts';
import { reportCalibrationUsage } from './usage-metrics.ts';

export const calibrationKind = defineKind({
  id: 'calibration',
  summary: 'answers calibration prompts with a model and submits the answers, within a budget',
  configSchema: calibrationConfigSchema,
  paramsSchema: calibrationParamsSchema,
  patchableConfigFields: [
    'model',
    'provider',
    'flows',
    'concurrency',
    'promptTimeoutSeconds',
    'maxFailureRatio',
    'pricing',
    'budget',
  ],
  checkConfig: checkCalibrationConfig,
  secretsOf: calibrationSecrets,
  resourcesOf: calibrationResources,
  resultMetrics: reportCalibrationUsage,
  function: { timeoutSeconds: CALIBRATION_FUNCTION_TIMEOUT_SECONDS, memorySize: 512 },
  capabilities: ['secrets', 'http', 'budgets', 'bedrock', 'modelFunctions'],
});
