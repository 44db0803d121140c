/**
 * The dashboard's login and its CSRF defences on a live local stack's API front: a one-time code sets
 * an HttpOnly, SameSite=Strict session cookie and redirects to the page without the code; the page's
 * API requests (/dashboard/api/…) are authorized by the session only with the page's header, from this
 * listener's own origin and host; the API's own routes still take the bearer token only; the bearer
 * route for new codes is closed to pages; a spent, wrong or missing code gets a 401 page naming
 * `tickwork dashboard`, never the token.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieName } from '../../../../local/api-front/dashboard.ts';
import { type ApiHarness, promptJob, startApiHarness } from '../../api/support.ts';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

let api: ApiHarness;
let host: string;

beforeAll(async () => {
  api = await startApiHarness();
  host = new URL(api.stack.endpoints.apiUrl).host;
  expect((await api.call('POST', '/jobs', { body: promptJob('digest') })).status).toBe(201);
});

afterAll(async () => {
  await api?.close();
});

/** A raw request, so the test sets Host, Origin and Cookie exactly as a browser (or an attacker) would. */
function send(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${api.stack.endpoints.apiUrl}${path}`,
      { method, headers: { host, ...headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Logs in with a fresh code; the Cookie header value of the session. */
async function logIn(): Promise<string> {
  const code = new URL(api.stack.dashboardLoginUrl()).searchParams.get('code') ?? '';
  const answer = await send('GET', `/dashboard?code=${encodeURIComponent(code)}`, {
    'sec-fetch-site': 'none',
  });
  expect(answer.status).toBe(303);
  const setCookie = String(answer.headers['set-cookie']);
  return setCookie.split(';')[0] ?? '';
}

const PAGE = { 'x-tickwork-dashboard': '1' };

describe('the dashboard on the local API front', () => {
  it('Given a login URL, When its code is exchanged, Then a session cookie is set and the page answers without the code; a second use is a 401 page', async () => {
    const url = new URL(api.stack.dashboardLoginUrl());
    expect(url.origin).toBe(api.stack.endpoints.apiUrl);
    const exchange = await send('GET', `${url.pathname}${url.search}`);
    expect(exchange.status).toBe(303);
    expect(exchange.headers.location).toBe('/dashboard');
    const cookie = String(exchange.headers['set-cookie']);
    expect(cookie).toMatch(
      new RegExp(
        `^${sessionCookieName(url.port === '' ? 80 : Number(url.port))}=[\\w-]{43}; HttpOnly; SameSite=Strict; Path=/; Max-Age=\\d+$`,
      ),
    );

    const page = await send('GET', '/dashboard', { cookie: cookie.split(';')[0] ?? '' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).toContain('/dashboard/assets/app.js');
    const script = await send('GET', '/dashboard/assets/app.js', { cookie: cookie.split(';')[0] ?? '' });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');

    const again = await send('GET', `${url.pathname}${url.search}`);
    expect(again.status).toBe(401);
    expect(again.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(again.text).toContain('tickwork dashboard');
    expect(again.text).toContain('npm start');
    expect(again.text).not.toContain(api.stack.endpoints.token);
  });

  it.each([
    ['a wrong code', '/dashboard?code=not-a-code'],
    ['no code and no session', '/dashboard'],
    ['an asset without a session', '/dashboard/assets/app.js'],
  ])('Given %s, When the page is asked for, Then a 401 page says how to get a link', async (_, path) => {
    const answer = await send('GET', path);
    expect(answer.status).toBe(401);
    expect(answer.text).toContain('tickwork dashboard');
    expect(answer.text).not.toContain(api.stack.endpoints.token);
  });

  it('Given a session, When the page calls the API with its header, Then the API answers; a pause with a note takes effect', async () => {
    const cookie = await logIn();
    const status = await send('GET', '/dashboard/api/status', {
      cookie,
      ...PAGE,
      'sec-fetch-site': 'same-origin',
    });
    expect(status.status, status.text).toBe(200);
    expect(JSON.parse(status.text).jobs.map((job: { name: string }) => job.name)).toContain('digest');

    const paused = await send(
      'POST',
      '/dashboard/api/jobs/digest/pause',
      { cookie, ...PAGE, origin: api.stack.endpoints.apiUrl, 'content-type': 'application/json' },
      JSON.stringify({ note: 'from the page' }),
    );
    expect(paused.status, paused.text).toBe(200);
    expect((await api.call('GET', '/jobs/digest')).json).toMatchObject({
      enabled: false,
      pauseNote: 'from the page',
    });
    expect((await api.call('POST', '/jobs/digest/resume')).status).toBe(200);
  });

  it.each([
    ['no session cookie', {}, PAGE, 401],
    ['a session without the page header', undefined, {}, 403],
    ['another origin', undefined, { ...PAGE, origin: 'http://evil.example' }, 403],
    ['a cross-site fetch', undefined, { ...PAGE, 'sec-fetch-site': 'cross-site' }, 403],
    ['another Host (DNS rebinding)', undefined, { ...PAGE, host: 'evil.example:80' }, 403],
  ] as const)(
    'Given %s, When a page POSTs to the dashboard API, Then it is refused (%s) and nothing changes',
    async (_, cookieGiven, headers, status) => {
      const cookie = cookieGiven === undefined ? await logIn() : undefined;
      const answer = await send(
        'POST',
        '/dashboard/api/jobs/digest/pause',
        { ...(cookie === undefined ? {} : { cookie }), 'content-type': 'application/json', ...headers },
        JSON.stringify({ note: 'forged' }),
      );
      expect(answer.status, answer.text).toBe(status);
      expect(JSON.parse(answer.text).error.type).toBe(status === 401 ? 'Unauthorized' : 'Forbidden');
      expect((await api.call('GET', '/jobs/digest')).json.enabled).toBe(true);
    },
  );

  it("Given a session cookie, When the API's own routes are called with it and no token, Then they still want the bearer token", async () => {
    const cookie = await logIn();
    const answer = await send('POST', '/jobs/digest/pause', { cookie, ...PAGE });
    expect(answer.status).toBe(401);
    expect((await api.call('GET', '/jobs/digest')).json.enabled).toBe(true);
  });

  it('Given the bearer token, When a program asks for a login code, Then it gets a working URL; without the token or from a page it does not', async () => {
    const token = api.stack.endpoints.token;
    const issued = await send('POST', '/dashboard/login-codes', { authorization: `Bearer ${token}` });
    expect(issued.status, issued.text).toBe(201);
    const url = new URL(JSON.parse(issued.text).url);
    expect((await send('GET', `${url.pathname}${url.search}`)).status).toBe(303);

    expect((await send('POST', '/dashboard/login-codes')).status).toBe(401);
    const fromPage = await send('POST', '/dashboard/login-codes', {
      authorization: `Bearer ${token}`,
      origin: api.stack.endpoints.apiUrl,
    });
    expect(fromPage.status).toBe(403);
  });
});
