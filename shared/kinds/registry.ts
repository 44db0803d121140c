/**
 * The kind registry: the one list of job kinds. The kind union, the function catalog, the function
 * ARNs the API targets, the API's and the CLI's choices and the docs table are all derived from it.
 * Adding a kind is a folder under `shared/kinds/`, one line here, a handler file and tests
 * (docs/ARCHITECTURE.md has the recipe).
 */
import { ValidationError } from '../errors.ts';
import { describeValue } from '../validation.ts';
import { calibrationKind } from './calibration/definition.ts';
import type { KindDefinition } from './kind.ts';
import { promptKind } from './prompt/definition.ts';
import { syncKind } from './sync/definition.ts';
import { taskKind } from './task/definition.ts';
import { telemetryKind } from './telemetry/definition.ts';

export const kinds = [promptKind, telemetryKind, calibrationKind, taskKind, syncKind] as const;

export type JobKind = (typeof kinds)[number]['id'];
export type AnyKind = (typeof kinds)[number];

/** Every kind id, in registry order (never empty: a tuple, as `z.enum` wants it). */
export const JOB_KINDS = kinds.map((kind) => kind.id) as unknown as readonly [JobKind, ...JobKind[]];

const byId: ReadonlyMap<string, KindDefinition> = new Map(kinds.map((kind) => [kind.id, kind]));

export function isJobKind(value: unknown): value is JobKind {
  return typeof value === 'string' && byId.has(value);
}

/** The definition of a kind; ValidationError (field `kind`) for an unknown kind. */
export function kindDefinition(kind: unknown): KindDefinition {
  const definition = typeof kind === 'string' ? byId.get(kind) : undefined;
  if (definition === undefined) {
    throw new ValidationError(
      'kind',
      `kind must be one of ${JOB_KINDS.join(', ')}; got ${describeValue(kind)}`,
    );
  }
  return definition;
}
