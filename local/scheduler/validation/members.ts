/**
 * The members several operations share: a schedule or group name in the URL path, an optional
 * group name, and a ClientToken.
 */
import { CLIENT_TOKEN_PATTERN, NAME_PATTERN, readString, Violations } from './rules.ts';

/** A schedule or group name from a URL path or query (`path` is the member name to report). */
export function validateName(value: string | undefined, path: string): string {
  const v = new Violations();
  const name = readString(v, { value }, 'value', path, { required: true, max: 64, pattern: NAME_PATTERN });
  v.throwIfAny();
  return name ?? '';
}

/** An optional group name (query `groupName` or body `GroupName`); absent means `default`. */
export function validateOptionalGroupName(value: unknown, path: string): string | undefined {
  const v = new Violations();
  const name = readString(v, { value }, 'value', path, { max: 64, pattern: NAME_PATTERN });
  v.throwIfAny();
  return name;
}

export function validateClientToken(value: unknown, path: string): string | undefined {
  const v = new Violations();
  const token = readString(v, { value }, 'value', path, { max: 64, pattern: CLIENT_TOKEN_PATTERN });
  v.throwIfAny();
  return token;
}
