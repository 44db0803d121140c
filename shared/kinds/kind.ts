/**
 * A job kind, as one folder (`shared/kinds/<kind>/`): a light definition the API can import (this type:
 * the id, a one-line summary, the strict config schema, the run parameters a manual trigger may pass,
 * the config fields a PATCH may change, the function settings and the capabilities it needs) and the
 * work, which only the kind's own function imports. The registry (`registry.ts`) lists the definitions;
 * every list of kinds, function catalog entry, grant and doc table is derived from it.
 */
import type * as z from 'zod/mini';
import type { RuntimeMode } from '../config.ts';
import type { Problem } from '../errors.ts';
import type { Run } from '../jobs/model.ts';
import type { Metrics } from '../metrics.ts';
import type { RunContext, RunResult } from '../runs/context.ts';
import type { Schedule } from '../schedule/index.ts';
import type { Capabilities, CapabilityId } from './capabilities.ts';

/** The Lambda settings of a kind's function (the stack and the local runtime both read them). */
export interface KindFunctionSettings {
  /** Also bounds a run: its deadline and its lease. */
  readonly timeoutSeconds: number;
  readonly memorySize: number;
}

export interface ConfigCheckOptions {
  /** The deployment's mode; `aws` adds the deployed-only rules (e.g. https targets). */
  readonly mode?: RuntimeMode;
  /**
   * The job's schedule, when the config is checked as part of a whole job (create, replace, patch), for
   * rules that tie the config to the timing (e.g. a telemetry window's `max` covering the period).
   */
  readonly schedule?: Schedule;
  /** The request's time, with `schedule`: when the schedule's next fires are looked at from. */
  readonly now?: Date;
}

/**
 * A resource a config names that the kind's function must be allowed to reach, by the capability that
 * reaches it: a stack that deploys the job as code grants exactly these (cdk/jobs.ts), so a job declared
 * next to its function needs no allow-list entry.
 */
export interface KindResource {
  readonly capability: Extract<CapabilityId, 'taskFunctions' | 'eventBuses' | 'modelFunctions' | 'bedrock'>;
  /** A function ARN, an event bus name or ARN, or a Bedrock foundation-model id. */
  readonly id: string;
}

/** A secret a config names, and the field that names it. */
export interface SecretReference {
  readonly field: string;
  readonly name: string;
}

export interface KindDefinition<
  Id extends string = string,
  Config = unknown,
  Params = unknown,
  Caps extends CapabilityId = CapabilityId,
> {
  readonly id: Id;
  /** One line, shown in the docs table, the CLI's help and the function's description. */
  readonly summary: string;
  /** Strict: unknown fields are refused. */
  readonly configSchema: z.ZodMiniType<Config>;
  /** The parameters a manual run may pass (`POST /jobs/{name}/runs {"params"}`); strict. */
  readonly paramsSchema: z.ZodMiniType<Params>;
  /** Top-level config fields a PATCH may set or remove. */
  readonly patchableConfigFields: readonly string[];
  // Method syntax on purpose: the registry holds kinds of different configs in one list, which
  // needs these two to be checked bivariantly in `Config`.
  /** Rules a schema cannot state, e.g. deployed-only ones; an empty list when the config is fine. */
  checkConfig?(config: Config, options: ConfigCheckOptions): readonly Problem[];
  /** The secrets a config names, checked for existence when a job is written (a warning, not a refusal). */
  secretsOf?(config: Config): readonly SecretReference[];
  /** The resources a config names that the kind's function must be granted (see KindResource). */
  resourcesOf?(config: Config): readonly KindResource[];
  /**
   * Rules tying a manual run's parameters to the job's config (e.g. ids that must be in it); checked
   * when the run is requested, with the stored config.
   */
  checkParams?(params: Params, config: Config): readonly Problem[];
  /** The kind keeps keyed checkpoints (CheckpointStore's `*Keyed`), readable and resettable through the API. */
  readonly keyedCheckpoints?: KeyedCheckpointsOf<Config>;
  /**
   * Metrics the kind derives from a successful run's result (calibration: tokens and cost), emitted by
   * its function through the metrics port (shared/metrics.ts) beside the lifecycle's run metrics.
   */
  readonly resultMetrics?: ResultMetrics;
  readonly function: KindFunctionSettings;
  readonly capabilities: readonly Caps[];
}

export type ResultMetrics = (metrics: Metrics, run: Pick<Run, 'runId'>, result: RunResult) => void;

/** How a kind's keyed checkpoints are named: what a key is (`connector`), and the keys a config has. */
export interface KeyedCheckpointsOf<Config> {
  /** The name of a key in the API's answers and paths, e.g. `connector`. */
  readonly keyName: string;
  /** Every key the config has: the API's listing, and what a job's delete removes. */
  keysOf(config: Config): readonly string[];
}

/** The context a kind's work receives: its own config, parameters and capabilities. */
export type KindRunContext<K> =
  K extends KindDefinition<string, infer Config, infer Params, infer Caps>
    ? RunContext<Config, Params, Pick<Capabilities, Caps>>
    : never;

/** A kind's work: does one run and returns a short summary (the run's `result`). */
export type KindWork<K> = (context: KindRunContext<K>) => Promise<RunResult>;

/** Declares a kind with its types inferred from the schemas (a typed identity). */
export function defineKind<Id extends string, Config, Params, Caps extends CapabilityId>(
  definition: KindDefinition<Id, Config, Params, Caps>,
): KindDefinition<Id, Config, Params, Caps> {
  return definition;
}
