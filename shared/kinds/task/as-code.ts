/**
 * Typed targets for task jobs declared in code (`tickwork.addJob(name, {kind, target: TaskTarget.lambda(fn)})`).
 * They build the kind's own config values, so the compiler checks them against the config's type and synth
 * checks them with its schema; a stack that deploys the job grants what they name (taskResources). Types
 * only, structurally: a CDK `IFunction` or `IEventBus` fits, and nothing here imports the CDK.
 */
import type { TaskTarget as TaskTargetConfig } from './config.ts';

type LambdaTarget = Extract<TaskTargetConfig, { type: 'lambda' }>;
type HttpTarget = Extract<TaskTargetConfig, { type: 'http' }>;
type EventBridgeTarget = Extract<TaskTargetConfig, { type: 'eventbridge' }>;

export const TaskTarget = {
  /** Invokes `fn` synchronously with each run's event; its answer is the run's result. */
  lambda(
    fn: { readonly functionArn: string },
    options: Omit<LambdaTarget, 'type' | 'functionArn'> = {},
  ): LambdaTarget {
    return { type: 'lambda', functionArn: fn.functionArn, ...options };
  },
  /** Calls an HTTP endpoint, signed with the secret named (its name, never its value). */
  http(url: string, options: Omit<HttpTarget, 'type' | 'url'>): HttpTarget {
    return { type: 'http', url, ...options };
  },
  /** Puts one event on `bus` per run. */
  eventBus(
    bus: { readonly eventBusArn: string },
    options: Omit<EventBridgeTarget, 'type' | 'eventBusName'>,
  ): EventBridgeTarget {
    return { type: 'eventbridge', eventBusName: bus.eventBusArn, ...options };
  },
} as const;
