/**
 * Job configs hold secret NAMES only. A field that looks like an inline secret value is refused with
 * the rule spelled out, wherever it appears in the config (metadata included: it is sent to the
 * receiver and shown by the API, so a secret there would leak).
 */
import type { Problem } from '../errors.ts';

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

/** Deeper than any config the kinds' schemas accept (their own depth limits refuse the rest). */
const MAX_DEPTH = 20;

/** Every key that looks like an inline secret, as a problem; never echoes a value. */
export function inlineSecretProblems(value: unknown, path = 'config', depth = 0): Problem[] {
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => inlineSecretProblems(item, `${path}.${index}`, depth + 1));
  }
  const problems: Problem[] = [];
  for (const [key, child] of Object.entries(value)) {
    const field = `${path}.${key}`;
    if (INLINE_SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''))) {
      problems.push({ field, message: `${field} is not allowed: ${SECRETS_BY_REFERENCE_RULE}` });
    } else {
      problems.push(...inlineSecretProblems(child, field, depth + 1));
    }
  }
  return problems;
}
