/** The `prompt` kind: what the API needs to know of it, without its delivery code. */
import { defineKind } from '../kind.ts';
import {
  checkPromptConfig,
  PROMPT_FUNCTION_TIMEOUT_SECONDS,
  promptConfigSchema,
  promptParamsSchema,
  promptSecrets,
} from './config.ts';

export const promptKind = defineKind({
  id: 'prompt',
  summary: 'delivers a prompt to a signed webhook',
  configSchema: promptConfigSchema,
  paramsSchema: promptParamsSchema,
  patchableConfigFields: ['prompt', 'metadata', 'target'],
  checkConfig: checkPromptConfig,
  secretsOf: promptSecrets,
  function: { timeoutSeconds: PROMPT_FUNCTION_TIMEOUT_SECONDS, memorySize: 256 },
  capabilities: ['secrets', 'http'],
});
