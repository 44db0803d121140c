/**
 * Job configs hold secret NAMES only. A field that looks like an inline secret value is refused with
 * the rule spelled out, wherever it appears in the config (metadata included: it is sent to the
 * receiver and shown by the API, so a secret there would leak).
 */
import { ValidationError } from '../errors.ts';

/** Keys compared lower-case with `-` and `_` removed. */
const INLINE_SECRET_KEYS: ReadonlySet<string> = new Set([
  'secret',
  'secretvalue',
  'signingsecretvalue',
  'clientsecret',
  'token',
  'accesstoken',
  'authtoken',
  'bearertoken',
  'password',
  'passwd',
  'apikey',
  'authorization',
  'privatekey',
  'credentials',
]);

export const SECRETS_BY_REFERENCE_RULE =
  'secrets are passed by reference: put the value in Secrets Manager / secrets.json and give its name';

const MAX_DEPTH = 20;

/** Throws ValidationError for the first key that looks like an inline secret; never echoes its value. */
export function rejectInlineSecrets(value: unknown, path = 'config', depth = 0): void {
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) rejectInlineSecrets(item, `${path}.${index}`, depth + 1);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const field = `${path}.${key}`;
    if (INLINE_SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''))) {
      throw new ValidationError(field, `${field} is not allowed: ${SECRETS_BY_REFERENCE_RULE}`);
    }
    rejectInlineSecrets(child, field, depth + 1);
  }
}
