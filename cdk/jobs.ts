/**
 * Typed jobs for the Tickwork construct: one prop type per kind, derived from the registry (the kind's
 * own config type, its fields beside the job's), and a check at synth with the API's own rules
 * (jobDefinitionSchema, the schedule engine, the kind's config schema: shared/jobs/definition.ts), so a
 * bad job fails `cdk synth` with the job's name, the field and the rule.
 */
import { Token } from 'aws-cdk-lib';
import type * as z from 'zod/mini';
import { ValidationError } from '../shared/errors.ts';
import { definitionFields } from '../shared/jobs/definition.ts';
import { type JobDefinition, jobDefinitionSchema } from '../shared/jobs/validation.ts';
import type { AnyKind, JobKind } from '../shared/kinds/registry.ts';
import { builtSchema, isPlainObject } from '../shared/validation.ts';

/** The config a kind's jobs take, as its schema types it. */
export type KindConfig<K extends JobKind> = z.output<Extract<AnyKind, { readonly id: K }>['configSchema']>;

/** What every job has besides its kind and config: the API's own fields (schedule, timezone, tags, ...). */
export type JobOptions = Readonly<Omit<JobDefinition, 'name' | 'kind' | 'config'>>;

/**
 * A job in code: its kind, the job's fields and the kind's config fields side by side, e.g.
 * `{ kind: 'task', schedule: 'daily', timezone: 'Europe/Berlin', target: TaskTarget.lambda(fn) }`.
 * A discriminated union on `kind`: the compiler knows each kind's config.
 */
export type TickworkJobProps = {
  readonly [K in JobKind]: { readonly kind: K } & JobOptions & Readonly<KindConfig<K>>;
}[JobKind];

/** A job of the construct that breaks a rule; thrown by addJob (at synth). */
export class TickworkJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TickworkJobError';
  }
}

const DEFINITION_FIELDS: ReadonlySet<string> = new Set(Object.keys(builtSchema(jobDefinitionSchema).shape));

/** The API's body for a typed job: the job's fields at the top, the kind's fields under `config`. */
export function jobDefinition(name: string, props: TickworkJobProps): Record<string, unknown> {
  const definition: Record<string, unknown> = { name };
  const config: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(props)) {
    if (value === undefined) continue;
    if (DEFINITION_FIELDS.has(field)) definition[field] = value;
    else config[field] = value;
  }
  return { ...definition, config };
}

/**
 * Checks a definition as the API would in a deployed stack (mode `aws`, the clock at synth), and throws
 * TickworkJobError naming the job, every field and rule. A field holding a deploy-time value (a token,
 * such as a function's ARN) has no value to check yet: its problems are left to the custom resource,
 * which runs the same checks with the resolved value before it writes anything.
 */
export function checkJobDefinition(definition: Record<string, unknown>, label: string): void {
  const deployTime = tokenPaths(definition);
  try {
    definitionFields(definition, { now: new Date(), mode: 'aws' });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const problems = error.details.filter(
      (problem) => !deployTime.some((path) => problem.field === path || problem.field.startsWith(`${path}.`)),
    );
    if (problems.length === 0) return;
    throw new TickworkJobError(
      `${label} is not a valid job: ${problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}`,
    );
  }
}

/** Dotted paths (`config.target.functionArn`) of the strings holding a token. */
function tokenPaths(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return Token.isUnresolved(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => tokenPaths(item, `${path}[${index}]`));
  if (!isPlainObject(value)) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    tokenPaths(item, path === '' ? key : `${path}.${key}`),
  );
}
