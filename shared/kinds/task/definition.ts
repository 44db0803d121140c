/** The `task` kind: what the API needs to know of it, without the code that calls the targets. */
import { defineKind } from '../kind.ts';
import {
  checkTaskConfig,
  TASK_FUNCTION_TIMEOUT_SECONDS,
  taskConfigSchema,
  taskParamsSchema,
  taskResources,
  taskSecrets,
} from './config.ts';

export const taskKind = defineKind({
  id: 'task',
  summary: "hands each run to the user's code: a Lambda function, an HTTP endpoint or an event bus",
  configSchema: taskConfigSchema,
  paramsSchema: taskParamsSchema,
  patchableConfigFields: ['target', 'payload'],
  checkConfig: checkTaskConfig,
  secretsOf: taskSecrets,
  resourcesOf: taskResources,
  function: { timeoutSeconds: TASK_FUNCTION_TIMEOUT_SECONDS, memorySize: 256 },
  capabilities: ['secrets', 'http', 'taskFunctions', 'eventBuses'],
});
