/**
 * The building blocks of the emulator's request validation: readers that check one member against
 * the service's constraints and collect what is wrong, so one ValidationException names every
 * violation in the service's wording ("Value 'x' at 'Field' failed to satisfy constraint: Member must ...").
 */
import { SchedulerValidationError } from '../errors.ts';

export type JsonObject = Readonly<Record<string, unknown>>;

export const NAME_PATTERN = /^[0-9a-zA-Z\-_.]+$/;
export const CLIENT_TOKEN_PATTERN = /^[a-zA-Z0-9\-_]+$/;

/** Collects constraint violations so one response names all of them, as the service does. */
export class Violations {
  readonly #messages: string[] = [];

  get empty(): boolean {
    return this.#messages.length === 0;
  }

  constraint(path: string, value: unknown, rule: string): void {
    this.#messages.push(
      `Value ${show(value)} at '${path}' failed to satisfy constraint: Member must ${rule}`,
    );
  }

  missing(path: string): void {
    this.#messages.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
  }

  rule(message: string): void {
    this.#messages.push(message);
  }

  throwIfAny(): void {
    const count = this.#messages.length;
    if (count === 0) return;
    throw new SchedulerValidationError(
      `${count} validation error${count === 1 ? '' : 's'} detected: ${this.#messages.join('; ')}`,
    );
  }
}

export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 200 ? `${value.slice(0, 200)}...` : value}'`;
  const text = JSON.stringify(value) ?? String(value);
  return `'${text.length > 200 ? `${text.slice(0, 200)}...` : text}'`;
}

export interface StringRule {
  readonly required?: boolean;
  readonly min?: number;
  readonly max: number;
  readonly pattern?: RegExp;
}

export function readString(
  v: Violations,
  source: JsonObject,
  key: string,
  path: string,
  rule: StringRule,
): string | undefined {
  const value = source[key];
  if (value === undefined || value === null) {
    if (rule.required === true) v.missing(path);
    return undefined;
  }
  if (typeof value !== 'string') {
    v.constraint(path, value, 'be a string');
    return undefined;
  }
  const min = rule.min ?? 1;
  if (value.length < min || value.length > rule.max) {
    v.constraint(path, value, `have length between ${min} and ${rule.max}`);
    return undefined;
  }
  if (rule.pattern !== undefined && !rule.pattern.test(value)) {
    v.constraint(path, value, `satisfy regular expression pattern: ${rule.pattern.source}`);
    return undefined;
  }
  return value;
}

export function readInteger(
  v: Violations,
  source: JsonObject,
  key: string,
  path: string,
  range: { readonly min: number; readonly max: number },
): number | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    v.constraint(path, value, 'be a whole number');
    return undefined;
  }
  if (value < range.min) {
    v.constraint(path, value, `have value greater than or equal to ${range.min}`);
    return undefined;
  }
  if (value > range.max) {
    v.constraint(path, value, `have value less than or equal to ${range.max}`);
    return undefined;
  }
  return value;
}

export function readEnum<T extends string>(
  v: Violations,
  source: JsonObject,
  key: string,
  path: string,
  values: readonly T[],
  required = false,
): T | undefined {
  const value = source[key];
  if (value === undefined || value === null) {
    if (required) v.missing(path);
    return undefined;
  }
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    v.constraint(path, value, `satisfy enum value set: [${values.join(', ')}]`);
    return undefined;
  }
  return value as T;
}

export function readObject(
  v: Violations,
  source: JsonObject,
  key: string,
  path: string,
  required = false,
): JsonObject | undefined {
  const value = source[key];
  if (value === undefined || value === null) {
    if (required) v.missing(path);
    return undefined;
  }
  if (!isObject(value)) {
    v.constraint(path, value, 'be an object');
    return undefined;
  }
  return value;
}

/** Wire timestamps are epoch seconds, fractions allowed; returns epoch milliseconds. */
export function readTimestamp(
  v: Violations,
  source: JsonObject,
  key: string,
  path: string,
): number | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    v.constraint(path, value, 'be a timestamp in epoch seconds');
    return undefined;
  }
  return Math.round(value * 1000);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
