/**
 * Turns a config schema's complaints into the domain's ValidationError: the field as a dotted path
 * under `config`, what was expected, and what was received.
 */
import type { z } from 'zod';
import type { RuntimeMode } from '../config.ts';
import { ValidationError } from '../errors.ts';

export interface ConfigCheckOptions {
  /** The deployment's mode; `aws` adds the deployed-only rules (e.g. https webhooks). */
  readonly mode?: RuntimeMode;
}

export function toValidationError(error: z.ZodError, root = 'config'): ValidationError {
  const issue = error.issues[0];
  if (issue === undefined) return new ValidationError(root, `${root} is invalid`);
  const path = [root, ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') {
    const field = `${path}.${issue.keys[0] ?? ''}`;
    return new ValidationError(field, `${field} is not a known field (unknown fields are rejected)`);
  }
  return new ValidationError(path, `${path} ${issue.message}`);
}

/** A short, printable rendering of a received value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
