/**
 * The dashboard's routes on a loopback listener (the local API front, `tickwork dashboard`):
 *
 * - `GET /dashboard?code=…` exchanges a one-time login code for a session cookie and redirects to the
 *   page without the code; a used, expired or wrong code gets a 401 page saying how to get a new link.
 * - `GET /dashboard` and `GET /dashboard/assets/<file>`: the page and its files, to a session only.
 * - `/dashboard/api/<route>`: an API request of the page, authorized by the session; the listener sends
 *   it on to the API (the front to the API function, `tickwork dashboard` to the deployed API, signed).
 *
 * A cookie is sent by the browser whoever asks for the request, so accepting one needs a CSRF defence.
 * Every dashboard request must name this listener in `Host` (a DNS-rebinding page names its own host),
 * carry no `Origin` but this listener's own (browsers send one with every cross-origin request and every
 * POST), and no `Sec-Fetch-Site` but `same-origin` or `none`; an API request must also carry the header
 * `x-tickwork-dashboard: 1`, which a page of another origin can only send after a CORS preflight, and
 * no listener here ever answers one with `Access-Control-*`. The cookie is per port (cookies ignore
 * ports, and the front and `tickwork dashboard` may run side by side), HttpOnly and SameSite=Strict.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LogLevel } from '../../shared/logger.ts';
import { sendJson } from '../http/server.ts';
import { dashboardAsset, dashboardPage } from './dashboard-assets.ts';
import type { DashboardGate } from './dashboard-gate.ts';

export const DASHBOARD_PATH = '/dashboard';
export const DASHBOARD_API_PREFIX = '/dashboard/api';
/** The header every API request of the page carries (any other page needs a preflight to send it). */
export const DASHBOARD_HEADER = 'x-tickwork-dashboard';
const ASSETS_PREFIX = '/dashboard/assets/';
/**
 * The local front's `POST` with the bearer token: a new login URL (`{"url"}`), which is how
 * `tickwork dashboard` gets one from a running stack. A program's route, answered by the front under its
 * usual rules: a page cannot reach it (its POST carries Origin).
 */
export const LOGIN_CODES_PATH = '/dashboard/login-codes';

/** Headers of every page and asset: nothing but this origin, never framed, never cached. */
const PAGE_HEADERS: ReadonlyArray<readonly [string, string]> = [
  [
    'content-security-policy',
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  ],
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'no-referrer'],
  ['x-frame-options', 'DENY'],
  ['cache-control', 'no-store'],
];

export interface DashboardRouteOptions {
  readonly gate: DashboardGate;
  /** The listener's port: its origin and the cookie's name. */
  readonly port: number;
  /** How to get a new login link, for the 401 page, e.g. "run `tickwork dashboard`". */
  readonly newLink: string;
}

/** What the listener does with a request after the dashboard's routes saw it. */
export type DashboardRoute =
  /** Not a dashboard path: the listener's own rules apply. */
  | { readonly kind: 'elsewhere' }
  /** Answered here (page, asset, login, refusal). */
  | { readonly kind: 'answered'; readonly status: number; readonly level: LogLevel; readonly error?: string }
  /** An API request of a logged-in page: send `url` (path and query of the API route) on to the API. */
  | { readonly kind: 'api'; readonly url: string };

/** The URL a listener prints: its page with a fresh one-time code. */
export function dashboardLoginUrl(listenerUrl: string, code: string): string {
  return `${listenerUrl}${DASHBOARD_PATH}?code=${encodeURIComponent(code)}`;
}

/** The session cookie's name for the listener on `port`. */
export function sessionCookieName(port: number): string {
  return `tickwork_dashboard_${port}`;
}

export function isDashboardPath(url: string | undefined): boolean {
  const path = pathOf(url);
  return path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`);
}

/** Routes a request whose path is under /dashboard; `elsewhere` for any other. */
export async function routeDashboard(
  req: IncomingMessage,
  res: ServerResponse,
  options: DashboardRouteOptions,
): Promise<DashboardRoute> {
  const url = req.url ?? '/';
  if (!isDashboardPath(url)) return { kind: 'elsewhere' };
  const origins = [`http://127.0.0.1:${options.port}`, `http://localhost:${options.port}`];
  const crossSite = crossSiteReason(req, origins);
  if (crossSite !== undefined) return json(res, 403, 'Forbidden', crossSite, 'warn');

  const path = pathOf(url);
  const query = new URL(url, origins[0]).searchParams;
  const sessionId = cookie(req, sessionCookieName(options.port));
  const loggedIn = options.gate.hasSession(sessionId);

  if (path === DASHBOARD_API_PREFIX || path.startsWith(`${DASHBOARD_API_PREFIX}/`)) {
    if (!loggedIn) {
      return json(
        res,
        401,
        'Unauthorized',
        `the dashboard session has ended or was never opened; for a new login link, ${options.newLink}`,
        'info',
      );
    }
    if (req.headers[DASHBOARD_HEADER] !== '1') {
      return json(
        res,
        403,
        'Forbidden',
        `dashboard API requests must carry the header ${DASHBOARD_HEADER}: 1`,
      );
    }
    return { kind: 'api', url: url.slice(DASHBOARD_API_PREFIX.length) || '/' };
  }

  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return json(res, 405, 'MethodNotAllowed', `${path} answers GET only`);
  }
  if (path === DASHBOARD_PATH && query.has('code')) {
    const session = options.gate.redeem(query.get('code') ?? '');
    if (session === undefined)
      return loginRefused(
        res,
        options.newLink,
        'this login link was already used, has expired, or is not one',
      );
    res.statusCode = 303;
    for (const [name, value] of PAGE_HEADERS) res.setHeader(name, value);
    res.setHeader(
      'set-cookie',
      `${sessionCookieName(options.port)}=${session.id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${session.maxAgeSeconds}`,
    );
    // The code is spent; the page's own URL holds none, so neither history nor a bookmark keeps it.
    res.setHeader('location', DASHBOARD_PATH);
    res.end();
    return { kind: 'answered', status: 303, level: 'info' };
  }
  if (!loggedIn) return loginRefused(res, options.newLink, 'you are not logged in to this dashboard');
  const file =
    path === DASHBOARD_PATH || path === `${DASHBOARD_PATH}/`
      ? await dashboardPage()
      : path.startsWith(ASSETS_PREFIX)
        ? await dashboardAsset(path.slice(ASSETS_PREFIX.length))
        : undefined;
  if (file === undefined) return json(res, 404, 'NotFound', `the dashboard has no ${path}`, 'info');
  res.statusCode = 200;
  for (const [name, value] of PAGE_HEADERS) res.setHeader(name, value);
  res.setHeader('content-type', file.contentType);
  res.setHeader('content-length', file.body.length);
  res.end(req.method === 'HEAD' ? undefined : file.body);
  return { kind: 'answered', status: 200, level: 'debug' };
}

/**
 * Why a request is not one of this listener's own pages, or undefined: a foreign Host (DNS rebinding),
 * a foreign Origin, or a cross-site fetch.
 */
function crossSiteReason(req: IncomingMessage, origins: readonly string[]): string | undefined {
  const host = req.headers.host ?? '';
  if (!origins.includes(`http://${host}`)) {
    return `the dashboard answers requests for ${origins.map((origin) => new URL(origin).host).join(' or ')} only (this one names Host: ${host || 'none'})`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !origins.includes(origin)) {
    return `the dashboard answers its own pages only (this request carries Origin: ${origin})`;
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `the dashboard answers its own pages only (this request is ${site})`;
  }
  return undefined;
}

function loginRefused(res: ServerResponse, newLink: string, why: string): DashboardRoute {
  const body = Buffer.from(
    [
      '<!doctype html>',
      '<html lang="en"><head><meta charset="utf-8"><title>Tickwork dashboard: log in again</title></head>',
      '<body><main><h1>Log in again</h1>',
      `<p>${escapeHtml(why)}.</p>`,
      `<p>Login links work once and for a few minutes. For a new one, ${escapeHtml(newLink)}.</p>`,
      '</main></body></html>',
      '',
    ].join('\n'),
    'utf8',
  );
  res.statusCode = 401;
  for (const [name, value] of PAGE_HEADERS) res.setHeader(name, value);
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('content-length', body.length);
  res.end(body);
  return { kind: 'answered', status: 401, level: 'info', error: why };
}

function json(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  level: LogLevel = 'warn',
): DashboardRoute {
  sendJson(res, status, { error: { type, message } });
  return { kind: 'answered', status, level, error: message };
}

function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?')[0] ?? '/';
}

/** One cookie's value from the Cookie header(s). */
function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const line of req.headersDistinct.cookie ?? []) {
    for (const pair of line.split(';')) {
      const at = pair.indexOf('=');
      if (at !== -1 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
    }
  }
  return undefined;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
