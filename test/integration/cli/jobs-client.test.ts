/**
 * The `tickwork` client commands as a user runs them: `node bin/tickwork.js …` in a child process,
 * against a local HTTP server that stands in for the jobs API's HTTP contract (bearer token or SigV4,
 * `{"error": {"type", "message"}}` answers, cursors). The end-to-end test against the real local
 * stack is in jobs-local-stack.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/tickwork.js', import.meta.url));
const TOKEN = 'local-token-123';
const CREDENTIALS = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' };

interface Received {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body: unknown;
  readonly authorization: string | undefined;
}

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, TICKWORK_API_URL: '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

type Job = Record<string, unknown> & { name: string };
/** Every route ends in exactly one answer; the return type makes a missing one a type error. */
type Answered = 'answered';
type Run = Record<string, unknown> & { runId: string; job: string; status: string };

/**
 * Answers like the jobs API: jobs in memory, runs that move pending → running → final on each read,
 * and either bearer-token or SigV4 authorization (the signature is recomputed from what arrived).
 */
class StandInApi {
  readonly received: Received[] = [];
  readonly jobs = new Map<string, Job>();
  readonly runs = new Map<string, Run & { reads: number; outcome: string }>();
  #server: Server | undefined;
  #runSeq = 0;
  signatureFailures = 0;

  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      void this.#handle(request, response);
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  reset(): void {
    this.received.length = 0;
    this.jobs.clear();
    this.runs.clear();
    this.signatureFailures = 0;
    this.#runSeq = 0;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const query = Object.fromEntries(url.searchParams);
    const received: Received = {
      method: request.method ?? '',
      path: url.pathname,
      query,
      body: text === '' ? undefined : JSON.parse(text),
      authorization: request.headers.authorization,
    };
    this.received.push(received);
    const answer = (status: number, body?: unknown): Answered => {
      response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      response.end(body === undefined ? undefined : JSON.stringify(body));
      return 'answered';
    };
    const fail = (status: number, type: string, message: string): Answered =>
      answer(status, { error: { type, message } });

    const auth = request.headers.authorization ?? '';
    if (auth.startsWith('AWS4-HMAC-SHA256 ')) {
      if (!(await this.#verifySignature(request, url, text))) {
        this.signatureFailures++;
        answer(403, {
          message: 'The request signature we calculated does not match the signature you provided.',
        });
        return;
      }
    } else if (auth !== `Bearer ${TOKEN}`) {
      fail(401, 'Unauthorized', 'missing or invalid bearer token');
      return;
    }
    this.#route(received, answer, fail);
  }

  async #verifySignature(request: IncomingMessage, url: URL, body: string): Promise<boolean> {
    const auth = request.headers.authorization ?? '';
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
    if (scope?.[2] !== 'execute-api') return false;
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) headers[name] = String(request.headers[name] ?? '');
    const amzDate = headers['x-amz-date'] ?? '';
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const signer = new SignatureV4({
      service: 'execute-api',
      region: scope[1] ?? '',
      credentials: CREDENTIALS,
      sha256: Sha256,
    });
    const signed = await signer.sign(
      {
        method: request.method ?? 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body: body === '' ? undefined : body,
      },
      { signingDate },
    );
    return signed.headers.authorization === auth;
  }

  #route(
    received: Received,
    answer: (status: number, body?: unknown) => Answered,
    fail: (status: number, type: string, message: string) => Answered,
  ): Answered {
    const { method, body, query } = received;
    // A deployed API's URL carries its stage in front of every route.
    const path = received.path.replace(/^\/prod(?=\/)/, '');
    const segments = path.split('/').slice(1).map(decodeURIComponent);
    const [root, id, action] = segments;
    const job = id === undefined ? undefined : this.jobs.get(id);
    if (root === 'jobs' && id === 'explode') return fail(500, 'InternalError', 'internal error');
    if (root === 'jobs' && id === undefined && method === 'POST') {
      const definition = body as Job;
      if (typeof definition.schedule !== 'string')
        return fail(400, 'ValidationError', 'schedule is required (a string)');
      if (this.jobs.has(definition.name)) {
        return fail(
          409,
          'JobAlreadyExists',
          `job "${definition.name}" already exists; use PUT /jobs/${definition.name} to replace it`,
        );
      }
      const created = this.#store(definition);
      return answer(201, created);
    }
    if (root === 'jobs' && id === undefined && method === 'GET') {
      const all = [...this.jobs.values()].filter(
        (item) => query.name === undefined || item.name.startsWith(query.name),
      );
      const start =
        query.cursor === undefined ? 0 : Number(Buffer.from(query.cursor, 'base64url').toString());
      const limit = Number(query.limit ?? 50);
      const page = all.slice(start, start + limit);
      const next =
        start + limit < all.length ? Buffer.from(String(start + limit)).toString('base64url') : undefined;
      return answer(200, { jobs: page, ...(next === undefined ? {} : { nextCursor: next }) });
    }
    if (root === 'jobs' && id !== undefined && method === 'PUT') {
      const existed = this.jobs.has(id);
      return answer(existed ? 200 : 201, this.#store(body as Job));
    }
    if (root === 'jobs' && job === undefined) return fail(404, 'JobNotFound', `job "${id}" does not exist`);
    if (root === 'jobs' && job !== undefined) {
      if (action === undefined && method === 'GET') return answer(200, job);
      if (action === undefined && method === 'DELETE') {
        this.jobs.delete(job.name);
        return answer(204);
      }
      if (action === undefined && method === 'PATCH') {
        const patched: Job = { ...job };
        for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
          if (value === null) delete patched[key];
          else patched[key] = value;
        }
        this.jobs.set(job.name, patched);
        return answer(200, patched);
      }
      if ((action === 'pause' || action === 'resume') && method === 'POST') {
        const changed = { ...job, enabled: action === 'resume' };
        this.jobs.set(job.name, changed);
        return answer(200, changed);
      }
      if (action === 'runs' && method === 'POST') {
        this.#runSeq++;
        const run = {
          runId: `01RUN${String(this.#runSeq).padStart(21, '0')}`,
          job: job.name,
          status: 'pending',
          trigger: 'manual',
          scheduledFor: '2026-01-31T09:00:00.000Z',
          attempt: 1,
          duplicatesSuppressed: 0,
        };
        this.runs.set(run.runId, {
          ...run,
          reads: 0,
          outcome: job.name.startsWith('failing') ? 'failed' : 'succeeded',
        });
        return answer(202, run);
      }
    }
    if (root === 'runs' && id === undefined && method === 'GET') {
      const runs = [...this.runs.values()].filter(
        (run) =>
          (query.job === undefined || run.job === query.job) &&
          (query.status === undefined || run.status === query.status),
      );
      return answer(200, { runs: runs.map(({ reads, outcome, ...run }) => run) });
    }
    if (root === 'runs' && id !== undefined) {
      const stored = this.runs.get(id);
      if (stored === undefined) return fail(404, 'RunNotFound', `run "${id}" does not exist`);
      if (action === 'cancel' && method === 'POST') {
        if (['succeeded', 'failed', 'cancelled'].includes(stored.status)) {
          return fail(409, 'RunConflict', `run "${id}" already finished (${stored.status})`);
        }
        stored.status = 'cancelled';
        const { reads, outcome, ...run } = stored;
        return answer(200, run);
      }
      stored.reads++;
      // Each read moves the run on: pending, running, running, then its outcome.
      if (stored.reads === 1) stored.status = 'running';
      if (stored.reads >= 3 && stored.status === 'running') {
        stored.status = stored.outcome;
        stored.durationMs = 1234;
        if (stored.outcome === 'failed')
          stored.error = { type: 'WebhookError', message: 'the webhook answered 500' };
      }
      const { reads, outcome, ...run } = stored;
      return answer(200, run);
    }
    if (root === 'status' && method === 'GET') {
      const jobs = [...this.jobs.values()].map((item) => ({
        ...item,
        health: item.enabled === false ? 'paused' : 'ok',
        isExecuting: false,
      }));
      return answer(200, { jobs, totals: { jobs: jobs.length }, generatedAt: '2026-01-31T09:00:00.000Z' });
    }
    if (root === 'reconcile' && method === 'POST') {
      return answer(200, {
        dryRun: query.dryRun === 'true',
        missing: ['orphan-job'],
        stray: [],
        differing: [],
      });
    }
    return fail(404, 'NotFound', `no route ${method} ${path}`);
  }

  #store(definition: Job): Job {
    const job: Job = {
      ...definition,
      enabled: definition.enabled ?? true,
      schedule: {
        input: definition.schedule,
        expression: 'rate(5 minutes)',
        timezone: definition.timezone ?? 'UTC',
        description: 'every 5 minutes',
      },
      nextRun: '2026-01-31T09:05:00.000Z',
    };
    this.jobs.set(job.name, job);
    return job;
  }
}

describe('tickwork client commands against a stand-in API', () => {
  const api = new StandInApi();
  let dataDir: string;
  let apiUrl: string;
  let local: Record<string, string>;

  beforeAll(async () => {
    apiUrl = await api.start();
    dataDir = await mkdtemp(join(tmpdir(), 'tickwork-cli-'));
    await writeFile(
      join(dataDir, 'endpoints.json'),
      JSON.stringify({
        apiUrl,
        schedulerEndpoint: 'http://127.0.0.1:1',
        dynamodbEndpoint: 'http://127.0.0.1:1',
        token: TOKEN,
        scheduleGroup: 'tickwork-local',
      }),
    );
    local = { TICKWORK_DATA_DIR: dataDir };
  });

  afterAll(async () => {
    await api.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => api.reset());

  it('Given the local stack, When a job is added, Then it is POSTed with the bearer token and summarized', async () => {
    const result = await cli(
      [
        'jobs',
        'add',
        'nightly',
        '--kind',
        'prompt',
        '--schedule',
        'rate(5 minutes)',
        '--tag',
        'team=ops',
        '--config',
        '{"prompt":"hi"}',
      ],
      local,
    );

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('created job nightly');
    expect(result.stdout).toMatch(/\nexpression: +rate\(5 minutes\)\n/);
    expect(api.received).toEqual([
      {
        method: 'POST',
        path: '/jobs',
        query: {},
        body: {
          name: 'nightly',
          kind: 'prompt',
          schedule: 'rate(5 minutes)',
          tags: { team: 'ops' },
          config: { prompt: 'hi' },
        },
        authorization: `Bearer ${TOKEN}`,
      },
    ]);
  });

  it('Given a job that exists, When it is added again, Then the 409 message is one stderr line and exit 2', async () => {
    await cli(['jobs', 'add', 'nightly', '--kind', 'prompt', '--schedule', 'daily'], local);

    const result = await cli(['jobs', 'add', 'nightly', '--kind', 'prompt', '--schedule', 'daily'], local);

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tickwork jobs add: job "nightly" already exists; use PUT /jobs/nightly to replace it\n',
    });
  });

  it('Given three jobs, When listed with --all one per page, Then every page is followed and printed as one table', async () => {
    for (const name of ['a1', 'a2', 'a3']) api.jobs.set(name, { name, kind: 'prompt', enabled: true });

    const result = await cli(['jobs', 'list', '--all', '--limit', '1'], local);

    expect(result.code).toBe(0);
    expect(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(['NAME', 'a1', 'a2', 'a3']);
    expect(api.received.map((request) => request.query)).toEqual([
      { limit: '1' },
      { limit: '1', cursor: Buffer.from('1').toString('base64url') },
      { limit: '1', cursor: Buffer.from('2').toString('base64url') },
    ]);
  });

  it('Given more jobs than a page, When listed with --json, Then the raw answer is printed with its cursor', async () => {
    for (const name of ['b1', 'b2']) api.jobs.set(name, { name, kind: 'prompt' });

    const result = await cli(['jobs', 'list', '--limit', '1', '--json'], local);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      jobs: [{ name: 'b1', kind: 'prompt' }],
      nextCursor: Buffer.from('1').toString('base64url'),
    });
  });

  it('Given a job, When it is updated, cleared, paused, resumed, fetched and deleted, Then each request and summary fits', async () => {
    await cli(
      ['jobs', 'add', 'nightly', '--kind', 'prompt', '--schedule', 'daily', '--description', 'old'],
      local,
    );
    api.received.length = 0;

    const update = await cli(
      ['jobs', 'update', 'nightly', '--schedule', 'hourly', '--clear', 'description'],
      local,
    );
    const pause = await cli(['jobs', 'pause', 'nightly'], local);
    const get = await cli(['jobs', 'get', 'nightly', '--json'], local);
    const resume = await cli(['jobs', 'resume', 'nightly'], local);
    const remove = await cli(['jobs', 'delete', 'nightly'], local);

    expect([update.code, pause.code, get.code, resume.code, remove.code]).toEqual([0, 0, 0, 0, 0]);
    expect(update.stdout).toMatch(/^updated job nightly\n/);
    expect(pause.stdout).toMatch(/^paused job nightly\n[\s\S]*enabled: +no/);
    expect(JSON.parse(get.stdout)).toMatchObject({ name: 'nightly', enabled: false, schedule: 'hourly' });
    expect(JSON.parse(get.stdout)).not.toHaveProperty('description');
    expect(resume.stdout).toMatch(/enabled: +yes/);
    expect(remove.stdout).toBe('deleted job nightly\n');
    expect(api.received.map(({ method, path, body }) => ({ method, path, body }))).toEqual([
      { method: 'PATCH', path: '/jobs/nightly', body: { schedule: 'hourly', description: null } },
      { method: 'POST', path: '/jobs/nightly/pause', body: undefined },
      { method: 'GET', path: '/jobs/nightly', body: undefined },
      { method: 'POST', path: '/jobs/nightly/resume', body: undefined },
      { method: 'DELETE', path: '/jobs/nightly', body: undefined },
    ]);
  });

  it('Given a job definition file, When added with --replace, Then it is PUT by name', async () => {
    const file = join(dataDir, 'job.json');
    await writeFile(
      file,
      JSON.stringify({ name: 'filed', kind: 'prompt', schedule: 'daily', config: { prompt: 'p' } }),
    );

    const result = await cli(['jobs', 'add', '--file', file, '--replace'], local);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^created job filed\n/);
    expect(api.received[0]).toMatchObject({
      method: 'PUT',
      path: '/jobs/filed',
      body: { name: 'filed', config: { prompt: 'p' } },
    });
  });

  it('Given a missing job, When fetched, Then the 404 message is printed and exit is 2', async () => {
    const result = await cli(['jobs', 'get', 'ghost'], local);

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tickwork jobs get: job "ghost" does not exist\n',
    });
  });

  it('Given the API fails with 500, When called, Then exit is 1 with its message', async () => {
    const result = await cli(['jobs', 'get', 'explode'], local);

    expect(result).toEqual({ code: 1, stdout: '', stderr: 'tickwork jobs get: internal error\n' });
  });

  it.each<[string, string[], string]>([
    [
      'bad JSON in --config',
      ['jobs', 'add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--config', '{x'],
      'tickwork jobs add: --config is not valid JSON',
    ],
    ['an unknown flag', ['jobs', 'list', '--colour'], 'tickwork jobs list: unknown option --colour'],
    [
      'a bad number',
      ['runs', '--limit', 'lots'],
      'tickwork runs: --limit must be a whole number from 1 to 100, got "lots"',
    ],
    ['a bad tag', ['jobs', 'update', 'j', '--tag', 'nokey'], 'tickwork jobs update: --tag must be KEY=VALUE'],
  ])('Given %s, When run, Then exit 2 with one line and nothing is sent', async (_, args, message) => {
    const result = await cli(args, local);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(api.received).toEqual([]);
  });

  it('Given a job that succeeds, When run with --wait, Then it polls to the end and exits 0', async () => {
    api.jobs.set('nightly', { name: 'nightly', kind: 'prompt' });

    const result = await cli(['run', 'nightly', '--wait', '--timeout', '30'], local);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('run 01RUN000000000000000000001 succeeded in 1.2 s');
    expect(api.received.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'POST /jobs/nightly/runs',
      'GET /runs/01RUN000000000000000000001',
      'GET /runs/01RUN000000000000000000001',
      'GET /runs/01RUN000000000000000000001',
    ]);
  });

  it('Given a job that fails, When run with --wait --json, Then the final run is printed and exit is 1', async () => {
    api.jobs.set('failing-job', { name: 'failing-job', kind: 'prompt' });

    const result = await cli(['run', 'failing-job', '--wait', '--json'], local);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'failed',
      error: { message: 'the webhook answered 500' },
    });
  });

  it('Given a job, When run without --wait, Then the pending run is reported at once', async () => {
    api.jobs.set('nightly', { name: 'nightly', kind: 'prompt' });

    const result = await cli(['run', 'nightly'], local);

    expect(result).toEqual({
      code: 0,
      stdout: 'started run 01RUN000000000000000000001 of job nightly (pending)\n',
      stderr: '',
    });
  });

  it('Given runs, When listed by status, cancelled twice, and status and reconcile are asked, Then each answer is shown', async () => {
    api.jobs.set('nightly', { name: 'nightly', kind: 'prompt', enabled: true });
    const started = await cli(['run', 'nightly', '--json'], local);
    const runId = JSON.parse(started.stdout).runId as string;

    const pending = await cli(['runs', '--status', 'pending', '--job', 'nightly'], local);
    const cancel = await cli(['cancel', runId], local);
    const again = await cli(['cancel', runId], local);
    const status = await cli(['status'], local);
    const reconcile = await cli(['reconcile', '--dry-run'], local);

    expect(pending.stdout).toMatch(new RegExp(`^RUN .*\\n${runId}\\s+nightly\\s+pending\\s+manual`));
    expect(cancel.stdout).toMatch(new RegExp(`^run ${runId}: cancelled\\n`));
    expect(again).toEqual({
      code: 2,
      stdout: '',
      stderr: `tickwork cancel: run "${runId}" already finished (cancelled)\n`,
    });
    expect(status.stdout).toMatch(/^NAME\s+KIND\s+HEALTH.*\nnightly\s+prompt\s+ok/);
    expect(status.stdout).toContain('totals: jobs 1');
    expect(reconcile.stdout).toBe('dryRun: true\nmissing: 1\n  orphan-job\nstray: none\ndiffering: none\n');
    expect(api.received.slice(1).map(({ method, path, query }) => ({ method, path, query }))).toEqual([
      { method: 'GET', path: '/runs', query: { job: 'nightly', status: 'pending' } },
      { method: 'POST', path: `/runs/${runId}/cancel`, query: {} },
      { method: 'POST', path: `/runs/${runId}/cancel`, query: {} },
      { method: 'GET', path: '/status', query: {} },
      { method: 'POST', path: '/reconcile', query: { dryRun: 'true' } },
    ]);
  });

  it('Given a wrong token in endpoints.json, When called, Then the 401 is reported with exit 2', async () => {
    const other = await mkdtemp(join(tmpdir(), 'tickwork-cli-'));
    await writeFile(join(other, 'endpoints.json'), JSON.stringify({ apiUrl, token: 'wrong' }));

    const result = await cli(['status'], { TICKWORK_DATA_DIR: other });

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tickwork status: missing or invalid bearer token\n',
    });
    await rm(other, { recursive: true, force: true });
  });

  it('Given no endpoints.json, When called, Then it says how to start the stack, exits 1 and sends nothing', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'tickwork-cli-'));

    const result = await cli(['jobs', 'list', '--data-dir', empty], {});

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `tickwork jobs list: no local stack found at ${join(empty, 'endpoints.json')}; start it with \`npm start\` or pass --url\n`,
    });
    expect(api.received).toEqual([]);
    await rm(empty, { recursive: true, force: true });
  });

  it('Given endpoints.json of a stack that is down, When called, Then it cannot reach it and exits 1', async () => {
    const stale = await mkdtemp(join(tmpdir(), 'tickwork-cli-'));
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await writeFile(
      join(stale, 'endpoints.json'),
      JSON.stringify({ apiUrl: `http://127.0.0.1:${port}`, token: TOKEN }),
    );

    const result = await cli(['status'], { TICKWORK_DATA_DIR: stale });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `tickwork status: cannot reach the local stack at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}; is \`npm start\` running?\n`,
    );
    await rm(stale, { recursive: true, force: true });
  });

  it('Given --url, When called, Then each request is SigV4-signed for execute-api with the caller credentials', async () => {
    const aws = {
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: '',
    };

    const add = await cli(
      [
        'jobs',
        'add',
        'signed-job',
        '--kind',
        'prompt',
        '--schedule',
        'daily',
        '--url',
        `${apiUrl}/prod`,
        '--region',
        'eu-west-1',
      ],
      aws,
    );
    const list = await cli(['jobs', 'list', '--name', 'signed x+y'], {
      ...aws,
      TICKWORK_API_URL: apiUrl,
      AWS_REGION: 'us-east-2',
    });

    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(list.code).toBe(0);
    expect(api.signatureFailures).toBe(0);
    expect(api.received[1]?.query).toEqual({ name: 'signed x+y' });
    expect(api.received.map(({ method, path, authorization }) => ({ method, path, authorization }))).toEqual([
      {
        method: 'POST',
        path: '/prod/jobs',
        authorization: expect.stringMatching(
          /^AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, /,
        ),
      },
      {
        method: 'GET',
        path: '/jobs',
        authorization: expect.stringMatching(/\/us-east-2\/execute-api\/aws4_request, /),
      },
    ]);
  });

  it('Given --url without a region anywhere, When called, Then it asks for --region and sends nothing', async () => {
    const result = await cli(['status', '--url', apiUrl], { AWS_REGION: '', AWS_DEFAULT_REGION: '' });

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `tickwork status: cannot tell the AWS Region of ${new URL(apiUrl).host}; pass --region or set AWS_REGION\n`,
    });
    expect(api.received).toEqual([]);
  });
});
