/**
 * A job's config and a manual run's parameters, checked against the job's kind: the strict schema, the
 * secrets-by-reference rule and the kind's own rules, every problem reported at once. These take the
 * kind's definition, not its id, so a kind's function does not load the registry (every other kind).
 */
import type * as z from 'zod/mini';
import { type Problem, ValidationError } from '../errors.ts';
import {
  describeValue,
  isPlainObject,
  jsonDepth,
  mergePatch,
  Problems,
  problemsFromZod,
} from '../validation.ts';
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
  return parseAgainst(definition.configSchema, config, 'config', (parsed) =>
    definition.checkConfig?.(parsed, options),
  );
}

/**
 * A manual run's parameters (`{}` when none were given); ValidationError names each bad one under
 * `params`. With the job's stored `config`, the kind's rules tying the two are checked too (a config
 * that no longer parses is not this request's problem: its run reports it).
 */
export function parseRunParams<Params>(
  definition: KindDefinition<string, unknown, Params>,
  params: unknown,
  config?: unknown,
): Params {
  const parsedConfig = config === undefined ? undefined : definition.configSchema.safeParse(config);
  return parseAgainst(definition.paramsSchema, params ?? {}, 'params', (parsed) =>
    parsedConfig?.success === true ? definition.checkParams?.(parsed, parsedConfig.data) : undefined,
  );
}

/**
 * An object checked against a kind's schema, every problem at once: the secrets-by-reference rule, the
 * schema, then (when the schema holds) the kind's own rules. `root` names the fields (`config.target.url`).
 */
function parseAgainst<T>(
  schema: z.ZodMiniType<T>,
  value: unknown,
  root: string,
  rules?: (parsed: T) => readonly Problem[] | undefined,
): T {
  if (!isPlainObject(value)) {
    throw new ValidationError(root, `${root} must be an object; got ${describeValue(value)}`);
  }
  const problems = new Problems();
  for (const problem of inlineSecretProblems(value, root)) problems.add(problem);
  const parsed = schema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    for (const problem of problemsFromZod(parsed.error, { root })) problems.add(problem);
  } else {
    for (const problem of rules?.(parsed.data) ?? []) problems.add(problem);
  }
  problems.throwIfAny();
  return (parsed as { data: T }).data;
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
