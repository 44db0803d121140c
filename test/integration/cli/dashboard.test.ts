/**
 * `tickwork dashboard`: without --url it prints a fresh login line from the running local stack; with
 * --url its loopback listener logs the page in with its own one-time code and sends the page's API
 * requests to the deployed API signed with SigV4 for `execute-api` by the caller's credentials (the
 * default chain: here the environment's test credentials). The deployed API is a local HTTP server that
 * verifies each signature with the local stack's SigV4 verifier and answers like the API. Bad flags are
 * usage errors naming the flag.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTarget } from '../../../cli/api-client.ts';
import { type DashboardProxy, startDashboardProxy } from '../../../cli/dashboard-proxy.ts';
import { readBoundedBody } from '../../../local/http/guard.ts';
import { verifySignature } from '../../../local/http/sigv4.ts';
import { runCli } from '../../support/cli.ts';
import { type ApiHarness, startApiHarness } from '../api/support.ts';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const STATUS = {
  jobs: [],
  totals: { jobs: 0, enabled: 0, paused: 0, executing: 0, failing: 0, late: 0 },
  generatedAt: '2026-11-30T08:00:00.000Z',
  nextCursor: null,
};

let deployed: Server;
let deployedUrl: string;
const received: Received[] = [];
let proxy: DashboardProxy;

beforeAll(async () => {
  // Answers like API Gateway with IAM authorization: 403 unless the request is signed for execute-api.
  deployed = createServer((req, res) => {
    readBoundedBody(req, 1024 * 1024).then((body) => {
      try {
        verifySignature(
          { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headersDistinct, body },
          {
            credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
            region: 'us-east-1',
            service: 'execute-api',
            now: new Date(),
          },
        );
      } catch (error) {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: (error as Error).message }));
        return;
      }
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: body.toString(),
      });
      const answer = req.url === '/prod/status' ? STATUS : { echoed: req.url };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => deployed.listen(0, '127.0.0.1', resolve));
  deployedUrl = `http://127.0.0.1:${(deployed.address() as AddressInfo).port}/prod`;
  proxy = await startDashboardProxy({
    port: 0,
    target: await resolveTarget({ url: deployedUrl, region: 'us-east-1' }),
    newLink: 'restart tickwork dashboard',
  });
});

afterAll(async () => {
  await proxy?.close();
  await new Promise((resolve) => deployed?.close(resolve));
});

async function logIn(): Promise<string> {
  const answer = await fetch(proxy.loginUrl(), { redirect: 'manual' });
  expect(answer.status).toBe(303);
  return (answer.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

describe('tickwork dashboard --url', () => {
  it('Given a login, When the page calls the API, Then the deployed API gets the request signed for execute-api, without the cookie, and the page its answer', async () => {
    const cookie = await logIn();
    const before = received.length;
    const headers = { cookie, 'x-tickwork-dashboard': '1' };

    const status = await fetch(`${proxy.url}/dashboard/api/status`, { headers });
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual(STATUS);

    const paused = await fetch(`${proxy.url}/dashboard/api/jobs/nightly%20digest/pause`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'vendor outage' }),
    });
    expect(paused.status).toBe(200);
    const failed = await fetch(`${proxy.url}/dashboard/api/runs?status=failed&limit=5`, { headers });
    expect(failed.status).toBe(200);

    const sent = received.slice(before);
    expect(sent.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /prod/status',
      'POST /prod/jobs/nightly%20digest/pause',
      'GET /prod/runs?status=failed&limit=5',
    ]);
    for (const request of sent) {
      expect(request.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
      );
      expect(request.headers.cookie).toBeUndefined();
      expect(request.headers['x-tickwork-dashboard']).toBeUndefined();
    }
    expect(JSON.parse(sent[1]?.body ?? '')).toEqual({ note: 'vendor outage' });
  });

  it('Given no session, a path outside the route table, or a spent code, When asked, Then nothing is signed or sent', async () => {
    const before = received.length;
    expect(
      (await fetch(`${proxy.url}/dashboard/api/status`, { headers: { 'x-tickwork-dashboard': '1' } })).status,
    ).toBe(401);
    const cookie = await logIn();
    const outside = await fetch(`${proxy.url}/dashboard/api/admin/secrets`, {
      headers: { cookie, 'x-tickwork-dashboard': '1' },
    });
    expect(outside.status).toBe(404);
    expect(((await outside.json()) as { error: { message: string } }).error.message).toBe(
      'the API has no route GET /admin/secrets',
    );
    const link = proxy.loginUrl();
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(303);
    const spent = await fetch(link, { redirect: 'manual' });
    expect(spent.status).toBe(401);
    expect(await spent.text()).toContain('restart tickwork dashboard');
    expect(received.length).toBe(before);
  });

  it.each([
    [
      ['--url', 'https://abc.execute-api.us-east-1.amazonaws.com/prod', '--port', 'eighty'],
      '--port must be a whole number',
    ],
    [
      ['--url', 'https://abc.execute-api.us-east-1.amazonaws.com/prod', '--port', '70000'],
      '--port must be a whole number',
    ],
    [['--port', '8080'], '--port applies with --url only'],
    [['--url', 'not a url'], '--url must be an absolute http(s) URL'],
    [['--url', 'https://api.example.com'], 'pass --region'],
    [['--colour'], 'unknown option --colour'],
  ])(
    'Given %j, When tickwork dashboard starts, Then it is a usage error naming the flag',
    async (args, message) => {
      const result = await runCli(['dashboard', ...args], {
        env: { AWS_REGION: '', AWS_DEFAULT_REGION: '' },
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr.startsWith('tickwork dashboard: ')).toBe(true);
    },
  );
});

describe('tickwork dashboard without --url', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApiHarness();
  });

  afterAll(async () => {
    await api?.close();
  });

  it("Given a running local stack, When tickwork dashboard runs, Then it prints the stack's dashboard line with a new code that logs in once", async () => {
    const result = await runCli(['dashboard', '--data-dir', api.dataDir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const line = /^ {2}dashboard {3}(http:\/\/127\.0\.0\.1:\d+\/dashboard\?code=[\w-]+)$/m.exec(
      result.stdout,
    );
    expect(line, result.stdout).not.toBeNull();
    const url = line?.[1] ?? '';
    expect(new URL(url).origin).toBe(api.stack.endpoints.apiUrl);
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(303);
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(401);
  });

  it('Given no local stack, When tickwork dashboard runs, Then it says how to start one', async () => {
    const result = await runCli(['dashboard', '--data-dir', `${api.dataDir}/nothing-here`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('npm start');
  });
});
