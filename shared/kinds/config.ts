/**
 * A job's config and a manual run's parameters, checked against the job's kind: the strict schema, the
 * secrets-by-reference rule and the kind's own rules, every problem reported at once. These take the
 * kind's definition, not its id, so a kind's function does not load the registry (every other kind).
 */
import { ValidationError } from '../errors.ts';
import { describeValue, jsonDepth, Problems, problemsFromZod } from '../validation.ts';
import type { ConfigCheckOptions, KindDefinition } from './kind.ts';
import { inlineSecretProblems } from './secrets-by-reference.ts';

/** Deeper than any config a kind accepts; a merge patch deeper than this is refused before it is walked. */
const MAX_PATCH_DEPTH = 32;

/** Validates a whole config of a kind (as on create or replace); throws ValidationError with every problem. */
export function parseConfigOf<Config>(
  definition: KindDefinition<string, Config>,
  config: unknown,
  options: ConfigCheckOptions = {},
): Config {
  if (!isPlainObject(config)) {
    throw new ValidationError('config', `config must be an object; got ${describeValue(config)}`);
  }
  const problems = new Problems();
  for (const problem of inlineSecretProblems(config)) problems.add(problem);
  const parsed = definition.configSchema.safeParse(config, { reportInput: true });
  if (!parsed.success) {
    for (const problem of problemsFromZod(parsed.error, { root: 'config' })) problems.add(problem);
  } else {
    for (const problem of definition.checkConfig?.(parsed.data, options) ?? []) problems.add(problem);
  }
  problems.throwIfAny();
  return (parsed as { data: Config }).data;
}

/** A manual run's parameters (`{}` when none were given); ValidationError names each bad one under `params`. */
export function parseRunParams<Params>(
  definition: KindDefinition<string, unknown, Params>,
  params: unknown,
): Params {
  const value = params ?? {};
  if (!isPlainObject(value)) {
    throw new ValidationError('params', `params must be an object; got ${describeValue(value)}`);
  }
  const problems = new Problems();
  for (const problem of inlineSecretProblems(value, 'params')) problems.add(problem);
  const parsed = definition.paramsSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    for (const problem of problemsFromZod(parsed.error, { root: 'params' })) problems.add(problem);
  }
  problems.throwIfAny();
  return (parsed as { data: Params }).data;
}

/**
 * Applies a PATCH to a stored config with JSON Merge Patch semantics (RFC 7396: objects merge, `null`
 * removes, anything else replaces), limited to the kind's patchable fields, then validates the result.
 */
export function patchConfigOf<Config>(
  definition: KindDefinition<string, Config>,
  current: Readonly<Record<string, unknown>>,
  patch: unknown,
  options: ConfigCheckOptions = {},
): Config {
  if (!isPlainObject(patch)) {
    throw new ValidationError('config', `config in a PATCH must be an object; got ${describeValue(patch)}`);
  }
  const problems = new Problems();
  for (const field of Object.keys(patch)) {
    if (!definition.patchableConfigFields.includes(field)) {
      problems.add({
        field: `config.${field}`,
        message: `config.${field} cannot be changed by PATCH for kind ${definition.id}; patchable: ${definition.patchableConfigFields.join(', ')}`,
      });
    }
  }
  if (jsonDepth(patch, MAX_PATCH_DEPTH) > MAX_PATCH_DEPTH) {
    problems.add({
      field: 'config',
      message: `config must be nested at most ${MAX_PATCH_DEPTH} levels deep`,
    });
  }
  problems.throwIfAny();
  return parseConfigOf(definition, mergePatch(current, patch), options);
}

/** RFC 7396 over plain JSON values; the caller bounds the depth of `patch` first. */
export function mergePatch(target: unknown, patch: unknown): unknown {
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
