/**
 * Which DynamoDB engine `tickwork local` uses, read from `TICKWORK_DYNAMODB` (or `--dynamodb`):
 * the embedded dynalite by default, the official DynamoDB Local (Java) on request, or an engine that
 * is already running at a URL.
 */
export type EngineSpec =
  | { readonly kind: 'dynalite' }
  | { readonly kind: 'dynamodb-local' }
  | { readonly kind: 'external'; readonly endpoint: string };

export type EngineKind = EngineSpec['kind'];

/** A `TICKWORK_DYNAMODB` value that is none of the accepted forms. */
export class EngineSpecError extends Error {
  constructor(
    readonly field: string,
    readonly value: string,
    reason: string,
  ) {
    super(
      `${field} must be "dynalite", "dynamodb-local" or an http(s)://host:port URL; got "${value}" (${reason})`,
    );
    this.name = 'EngineSpecError';
  }
}

/**
 * Parses an engine choice. Undefined or blank means the default (dynalite).
 * @param field the option's name, used in the error message (e.g. `TICKWORK_DYNAMODB`).
 */
export function parseEngineSpec(value: string | undefined, field = 'TICKWORK_DYNAMODB'): EngineSpec {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'dynalite') return { kind: 'dynalite' };
  if (text === 'dynamodb-local') return { kind: 'dynamodb-local' };
  if (!/^https?:\/\//i.test(text)) throw new EngineSpecError(field, text, 'unknown engine');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EngineSpecError(field, text, 'not a valid URL');
  }
  if (url.hostname === '') throw new EngineSpecError(field, text, 'the URL has no host');
  if (url.username !== '' || url.password !== '') {
    throw new EngineSpecError(field, text, 'credentials in the URL are not used by DynamoDB');
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new EngineSpecError(field, text, 'a DynamoDB endpoint has no path, query or fragment');
  }
  return { kind: 'external', endpoint: `${url.protocol}//${url.host}` };
}
