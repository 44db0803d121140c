/**
 * The page's one way to the API: its own origin's /dashboard/api/…, with the session cookie (sent by
 * the browser, HttpOnly: this code never sees it) and the header that tells the listener the request
 * comes from this page. The listener sends the request on to the API (locally the API function; with
 * `tickwork dashboard --url`, the deployed API, signed with the caller's AWS credentials).
 */

const BASE = '/dashboard/api';

/** An answer other than 2xx, with the API's error type and message. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} type
   * @param {string} message
   */
  constructor(status, type, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
  }
}

/**
 * @param {string} method
 * @param {string} path an API route's path, labels already encoded (see `path`)
 * @param {unknown} [body] sent as JSON when given
 * @returns {Promise<any>}
 */
export async function api(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { 'x-tickwork-dashboard': '1', accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const error = json?.error;
    const details = Array.isArray(error?.details)
      ? `: ${error.details.map((/** @type {any} */ d) => `${d.field} ${d.message}`).join('; ')}`
      : '';
    throw new ApiError(
      response.status,
      typeof error?.type === 'string' ? error.type : `HTTP ${response.status}`,
      `${typeof error?.message === 'string' ? error.message : response.statusText}${details}`,
    );
  }
  return json;
}

/**
 * A route path with its labels percent-encoded: path`/jobs/${name}/runs`.
 * @param {TemplateStringsArray} strings
 * @param {...string} labels
 */
export function path(strings, ...labels) {
  return strings.reduce(
    (out, part, i) => out + part + (i < labels.length ? encodeURIComponent(labels[i] ?? '') : ''),
    '',
  );
}
