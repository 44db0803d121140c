/**
 * The kind registry: for each job kind, its config schema (strict: unknown fields are rejected), the
 * config fields a PATCH may change, and the validation the API runs before anything is stored.
 * Schemas only, no I/O: the API imports this without pulling in delivery code.
 */
import type { z } from 'zod';
import { ValidationError } from '../errors.ts';
import { JOB_KINDS, type JobKind } from '../jobs/model.ts';
import { parsePromptConfig, promptConfigSchema } from './prompt/config.ts';
import { type ConfigCheckOptions, describeValue } from './validation.ts';

export interface KindDefinition {
  readonly kind: JobKind;
  readonly summary: string;
  /** The strict zod schema of the kind's config (for docs and type inference). */
  readonly configSchema: z.ZodType;
  /** Top-level config fields a PATCH may set or remove. */
  readonly patchableConfigFields: readonly string[];
  /** Validates a whole config (schema plus the kind's extra rules); throws ValidationError. */
  parseConfig(config: unknown, options?: ConfigCheckOptions): Record<string, unknown>;
}

export const kindRegistry: Readonly<Record<JobKind, KindDefinition>> = {
  prompt: {
    kind: 'prompt',
    summary: 'delivers a prompt to a signed webhook',
    configSchema: promptConfigSchema,
    patchableConfigFields: ['prompt', 'metadata', 'target'],
    parseConfig: (config, options) => parsePromptConfig(config, options),
  },
};

/** The definition of a kind; ValidationError (field `kind`) for an unknown kind. */
export function kindDefinition(kind: unknown): KindDefinition {
  if (typeof kind !== 'string' || !(JOB_KINDS as readonly string[]).includes(kind)) {
    throw new ValidationError(
      'kind',
      `kind must be one of ${JOB_KINDS.join(', ')}; got ${describeValue(kind)}`,
    );
  }
  return kindRegistry[kind as JobKind];
}

/** Validates the config of a job of `kind` (a whole config, as on create or replace). */
export function parseJobConfig(
  kind: unknown,
  config: unknown,
  options: ConfigCheckOptions = {},
): Record<string, unknown> {
  return kindDefinition(kind).parseConfig(config, options);
}

/**
 * Applies a PATCH to a stored config with JSON Merge Patch semantics (RFC 7396: objects merge, `null`
 * removes, anything else replaces), limited to the kind's patchable fields, then validates the result.
 */
export function patchJobConfig(
  kind: JobKind,
  current: Readonly<Record<string, unknown>>,
  patch: unknown,
  options: ConfigCheckOptions = {},
): Record<string, unknown> {
  const definition = kindDefinition(kind);
  if (!isPlainObject(patch)) {
    throw new ValidationError('config', `config in a PATCH must be an object; got ${describeValue(patch)}`);
  }
  for (const field of Object.keys(patch)) {
    if (!definition.patchableConfigFields.includes(field)) {
      throw new ValidationError(
        `config.${field}`,
        `config.${field} cannot be changed by PATCH for kind ${kind}; patchable: ${definition.patchableConfigFields.join(', ')}`,
      );
    }
  }
  return definition.parseConfig(mergePatch(current, patch), options);
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export { type PromptConfig, parsePromptConfig, SECRET_NAME_PATTERN } from './prompt/config.ts';
export { SECRETS_BY_REFERENCE_RULE } from './secrets-by-reference.ts';
export type { ConfigCheckOptions } from './validation.ts';
