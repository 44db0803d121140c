/**
 * The `tickwork` client commands as a user runs them (`node bin/tickwork.js …` in a child process)
 * against the real local stack: conflicts, paging, failing and slow webhooks, cancel, reconcile and
 * authorization are the API's own answers. Two things the local stack cannot produce are made here:
 * a gateway that verifies SigV4 the way a deployed API's IAM authorizer does (then passes the request
 * on to the local API), and a stack that is not running. The full job lifecycle is in
 * jobs-local-stack.test.ts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/runtime.ts';
import { runCli } from '../../support/cli.ts';
import { captureLogs } from '../../support/logs.ts';

const CREDENTIALS = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' };
const FINAL = new Set(['succeeded', 'failed', 'cancelled', 'skipped', 'timed_out']);

const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { env });
/** The CLI run from `cwd`, with no data directory named in the environment. */
const cliIn = (cwd: string, args: string[]) => runCli(args, { cwd });

async function closeServer(server: Server | undefined): Promise<void> {
  if (server === undefined) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Webhook receiver for the prompt jobs: `/ok` answers 204, `/fail` answers 500, and `/slow` holds
 * its answer until the test releases it (so the run stays `running` meanwhile).
 */
class WebhookReceiver {
  #server: Server | undefined;
  #held: ServerResponse[] = [];
  #onSlow: Array<() => void> = [];

  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      void readBody(request).then(() => {
        if (request.url === '/fail') {
          response.writeHead(500, { 'content-type': 'text/plain' }).end('model backend unavailable');
        } else if (request.url === '/slow') {
          this.#held.push(response);
          for (const notify of this.#onSlow.splice(0)) notify();
        } else {
          response.writeHead(204).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Resolves once a delivery to `/slow` is being held. */
  slowArrived(): Promise<void> {
    if (this.#held.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.#onSlow.push(resolve));
  }

  releaseSlow(): void {
    for (const response of this.#held.splice(0)) response.writeHead(204).end();
  }

  async stop(): Promise<void> {
    this.releaseSlow();
    await closeServer(this.#server);
  }
}

interface GatewayRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly authorization: string | undefined;
}

/**
 * What API Gateway's IAM authorizer does in front of the deployed API: recompute the SigV4 signature
 * from what arrived (execute-api, the caller's Region) and answer 403 on a mismatch; otherwise strip
 * the stage from the path and pass the request on to the local API with its bearer token.
 */
class SigV4Gateway {
  readonly received: GatewayRequest[] = [];
  signatureFailures = 0;
  #server: Server | undefined;

  constructor(
    private readonly upstream: () => { apiUrl: string; token: string },
    private readonly stagePrefix: string,
  ) {}

  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      void this.#handle(request, response);
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return closeServer(this.#server);
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://gateway');
    this.received.push({
      method: request.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.authorization,
    });
    if (!(await this.#verify(request, url, body))) {
      this.signatureFailures++;
      response.writeHead(403, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          message: 'The request signature we calculated does not match the signature you provided.',
        }),
      );
      return;
    }
    const { apiUrl, token } = this.upstream();
    const path = url.pathname.startsWith(`${this.stagePrefix}/`)
      ? url.pathname.slice(this.stagePrefix.length)
      : url.pathname;
    const forwarded = await fetch(`${apiUrl}${path}${url.search}`, {
      method: request.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === '' ? {} : { 'content-type': String(request.headers['content-type'] ?? '') }),
      },
      ...(body === '' ? {} : { body }),
    });
    const answer = await forwarded.text();
    response
      .writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'text/plain' })
      .end(answer === '' ? undefined : answer);
  }

  async #verify(request: IncomingMessage, url: URL, body: string): Promise<boolean> {
    const auth = request.headers.authorization ?? '';
    if (!auth.startsWith('AWS4-HMAC-SHA256 ')) return false;
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
}

describe('tickwork client commands against the local stack', () => {
  const receiver = new WebhookReceiver();
  // The stack's lines at debug: each request reaches the front, which answers it by itself (and logs
  // it) or invokes the API function (an `invoke` line of the Lambda runtime).
  const { log: stackLog, entries: stackLines } = captureLogs('debug');
  let hooks: string;
  let dataDir: string;
  let stack: LocalStack;
  let local: Record<string, string>;

  /** A valid prompt config whose webhook is `hooks + path`. */
  const promptConfig = (path: string) =>
    JSON.stringify({
      prompt: `deliver to ${path}`,
      target: { type: 'webhook', url: `${hooks}${path}`, signingSecret: 'hook-key' },
    });

  /** Adds a prompt job; fails the test if the API refuses it. */
  async function addJob(name: string, path: string): Promise<void> {
    const result = await cli(
      [
        'jobs',
        'add',
        name,
        '--kind',
        'prompt',
        '--schedule',
        'cron(0 9 ? * MON-FRI *)',
        '--config',
        promptConfig(path),
      ],
      local,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }

  /** Reads a run from the API until it is final. */
  async function finalRun(runId: string): Promise<Record<string, unknown>> {
    for (let read = 0; read < 600; read++) {
      const response = await fetch(`${stack.endpoints.apiUrl}/runs/${runId}`, {
        headers: { authorization: `Bearer ${stack.endpoints.token}` },
      });
      const run = (await response.json()) as Record<string, unknown>;
      if (FINAL.has(String(run.status))) return run;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`run ${runId} did not finish`);
  }

  const apiRequests = () =>
    stackLines.filter(
      (entry) =>
        (entry.component === 'api' && entry.message === 'request') ||
        (entry.component === 'lambda' &&
          entry.message === 'invoke' &&
          entry.function === 'tickwork-local-api'),
    );

  beforeAll(async () => {
    hooks = await receiver.start();
    dataDir = await mkdtemp(join(tmpdir(), 'tickwork-cli-client-'));
    await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ 'hook-key': 'sekret' }), { mode: 0o600 });
    stack = await startLocalStack({
      dataDir,
      log: stackLog,
      shutdownGraceMs: 2_000,
      asyncRetryDelaysMs: [],
    });
    local = { TICKWORK_DATA_DIR: dataDir };
  });

  afterAll(async () => {
    await receiver.stop();
    await stack?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('Given a job that exists, When it is added again, Then one stderr line says to use --replace, exit 4', async () => {
    await addJob('dup', '/ok');

    const again = await cli(
      ['jobs', 'add', 'dup', '--kind', 'prompt', '--schedule', 'daily', '--config', promptConfig('/ok')],
      local,
    );

    expect(again).toEqual({
      code: 4,
      stdout: '',
      stderr: 'tickwork jobs add: job "dup" already exists; use --replace\n',
    });
  });

  it('Given a job definition file, When added with --replace twice, Then it is created, then replaced', async () => {
    const file = join(dataDir, 'job.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'filed',
        kind: 'prompt',
        schedule: 'daily',
        config: { prompt: 'p', target: { type: 'webhook', url: `${hooks}/ok`, signingSecret: 'hook-key' } },
      }),
    );

    const first = await cli(['jobs', 'add', '--file', file, '--replace'], local);
    const second = await cli(['jobs', 'add', '--file', file, '--replace', '--json'], local);

    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/^created job filed\n/);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ name: 'filed', config: { prompt: 'p' } });
  });

  it('Given three jobs, When listed with --all one per page, Then every page is followed and printed as one table', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await addJob(name, '/ok');

    const all = await cli(['jobs', 'list', '--all', '--limit', '1', '--name', 'page-'], local);
    const readable = await cli(['jobs', 'list', '--limit', '1', '--name', 'page-'], local);
    const first = await cli(['jobs', 'list', '--limit', '1', '--name', 'page-', '--json'], local);
    const cursor = JSON.parse(first.stdout).nextCursor as string;
    const second = await cli(
      ['jobs', 'list', '--limit', '1', '--name', 'page-', '--cursor', cursor, '--json'],
      local,
    );

    expect(all.code).toBe(0);
    expect(
      all.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(['NAME', 'page-a', 'page-b', 'page-c']);
    expect(JSON.parse(first.stdout).jobs.map((job: { name: string }) => job.name)).toEqual(['page-a']);
    expect(typeof cursor).toBe('string');
    expect(JSON.parse(second.stdout).jobs.map((job: { name: string }) => job.name)).toEqual(['page-b']);
    // The hint under a page repeats the filters, so running it continues the same listing.
    expect(readable.stdout).toMatch(/\nmore: tickwork jobs list --name page- --limit 1 --cursor [\w-]+\n$/);
    const hinted = /\nmore: tickwork (.*)\n$/.exec(readable.stdout)?.[1]?.split(' ') ?? [];
    const next = await cli(hinted, local);
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/^NAME .*\npage-b\s/);
  });

  it('Given a job, When run without --wait, Then the pending run is reported at once', async () => {
    await addJob('quick', '/ok');

    const result = await cli(['run', 'quick'], local);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const runId = /^started run (\S+) of job quick \(pending\)\n$/.exec(result.stdout)?.[1];
    expect(runId).toBeDefined();
    expect(await finalRun(runId ?? '')).toMatchObject({
      job: 'quick',
      status: 'succeeded',
      trigger: 'manual',
    });
  });

  it('Given a job whose webhook answers 500, When run with --wait, Then the failed run is printed and exit is 1; runs --status failed lists it', async () => {
    await addJob('failing', '/fail');

    const run = await cli(['run', 'failing', '--wait', '--timeout', '30'], local);
    const failed = await cli(['runs', '--job', 'failing', '--status', 'failed'], local);
    const succeeded = await cli(['runs', '--job', 'failing', '--status', 'succeeded', '--json'], local);

    expect(run.code).toBe(1);
    const runId = /\nrun (\S+) failed/.exec(run.stdout)?.[1];
    expect(runId, run.stdout).toBeDefined();
    expect(run.stdout).toContain('500');
    // Progress while waiting goes to stderr, one line per change (not a terminal here).
    expect(run.stderr.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(`^run ${runId} failed \\(attempt 1\\), waited \\d+ s$`),
    );
    expect(failed.code).toBe(0);
    expect(failed.stdout).toMatch(new RegExp(`^RUN .*\\n${runId}\\s+failing\\s+failed\\s+manual`));
    expect(JSON.parse(succeeded.stdout).runs).toEqual([]);
  });

  it('Given a run held by a slow webhook, When it is listed as running and cancelled, Then the cancel is requested; once finished, a second cancel is a 409', async () => {
    await addJob('slow', '/slow');
    const started = await cli(['run', 'slow', '--json'], local);
    const runId = JSON.parse(started.stdout).runId as string;
    await receiver.slowArrived();

    const running = await cli(['runs', '--job', 'slow', '--status', 'running'], local);
    const cancel = await cli(['cancel', runId], local);
    receiver.releaseSlow();
    const final = await finalRun(runId);
    const again = await cli(['cancel', runId], local);

    expect(running.stdout).toMatch(new RegExp(`^RUN .*\\n${runId}\\s+slow\\s+running\\s+manual`));
    expect(cancel.stderr).toBe('');
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(
      new RegExp(`^run ${runId}: running \\(cancel requested; it stops at its next step\\)\\n`),
    );
    expect(again).toEqual({
      code: 4,
      stdout: '',
      stderr: `tickwork cancel: run ${runId} is already ${String(final.status)}; only a pending, running, retrying or waiting run can be cancelled\n`,
    });
  });

  it('Given a run held by a slow webhook, When waited for with a 1 s --timeout, Then exit 5 and it says how to follow the run', async () => {
    await addJob('slow-wait', '/slow');

    const waited = await cli(['run', 'slow-wait', '--wait', '--timeout', '1'], local);
    await receiver.slowArrived();
    receiver.releaseSlow();

    expect(waited.code).toBe(5);
    const runId = /^started run (\S+) of job slow-wait/.exec(waited.stdout)?.[1] ?? '';
    expect(waited.stderr.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(
        `^tickwork run: run ${runId} is still (pending|running) after 1 s; follow it with \`tickwork runs ${runId}\`$`,
      ),
    );
    expect(await finalRun(runId)).toMatchObject({ status: 'succeeded' });
  });

  it('Given a job that does not exist, When its runs are listed, Then it says so, exit 3; a deleted job still lists its runs', async () => {
    await addJob('short-lived', '/ok');
    const started = await cli(['run', 'short-lived', '--json'], local);
    const runId = JSON.parse(started.stdout).runId as string;
    await finalRun(runId);
    const removed = await cli(['jobs', 'delete', 'short-lived'], local);

    const nope = await cli(['runs', '--job', 'nope'], local);
    const nopeJson = await cli(['runs', '--job', 'nope', '--status', 'failed', '--json'], local);
    const deleted = await cli(['runs', '--job', 'short-lived'], local);
    const oneRun = await cli(['runs', runId.toLowerCase()], local);
    const noRun = await cli(['runs', '01JCDT6Q7M3H8W4R5N9X2B1KZE'], local);

    expect(removed.code).toBe(0);
    expect(nope).toEqual({ code: 3, stdout: '', stderr: 'tickwork runs: job "nope" does not exist\n' });
    expect(nopeJson).toEqual(nope);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(new RegExp(`\\n${runId}\\s+short-lived\\s+succeeded\\s+manual`));
    expect(oneRun.stdout).toMatch(new RegExp(`^run: +${runId}\\n`));
    expect(noRun).toEqual({
      code: 3,
      stdout: '',
      stderr: 'tickwork runs: run "01JCDT6Q7M3H8W4R5N9X2B1KZE" does not exist\n',
    });
  });

  it('Given a job whose schedule was deleted behind its back, When reconcile --dry-run and status are asked, Then the drift is reported and nothing repaired', async () => {
    await addJob('drifted', '/ok');
    const scheduler = new SchedulerClient({
      endpoint: stack.endpoints.schedulerEndpoint,
      region: 'us-east-1',
      credentials: stack.endpoints.credentials,
    });
    await scheduler.send(
      new DeleteScheduleCommand({ Name: 'drifted', GroupName: stack.endpoints.scheduleGroups.prompt }),
    );
    scheduler.destroy();

    const dryRun = await cli(['reconcile', '--dry-run'], local);
    const again = await cli(['reconcile', '--dry-run', '--json'], local);
    const status = await cli(['status'], local);

    expect(dryRun.stderr).toBe('');
    expect(dryRun.code).toBe(1);
    expect(dryRun.stdout).toMatch(/^dryRun: true\n/);
    expect(dryRun.stdout).toMatch(/\nmissing: 1\n {2}drifted\n/);
    expect(dryRun.stdout).toMatch(/\ndrift found; run `tickwork reconcile` to repair it\n$/);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ dryRun: true, missing: ['drifted'] });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^NAME\s+KIND\s+HEALTH.*\n/);
    expect(status.stdout).toMatch(/\ndrifted\s+prompt\s+ok\s+/);
    expect(status.stdout).toMatch(/\nfailing\s+prompt\s+failing\s+/);
  });

  it('Given drift, When reconcile repairs it, Then exit 0 and a dry run afterwards finds none, exit 0', async () => {
    const repair = await cli(['reconcile'], local);
    const check = await cli(['reconcile', '--dry-run', '--json'], local);

    expect(repair.stderr).toBe('');
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(/\nrepaired: \d+\n(?: {2}.*\n)*/);
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ missing: [], stray: [], differing: [] });
  });

  it('Given a wrong token in endpoints.json, When called, Then the API answers 401 and the CLI exits 2', async () => {
    const other = await mkdtemp(join(tmpdir(), 'tickwork-cli-'));
    await writeFile(
      join(other, 'endpoints.json'),
      JSON.stringify({ ...stack.endpoints, token: 'not-the-token' }),
    );

    const result = await cli(['status'], { TICKWORK_DATA_DIR: other });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^tickwork status: send the header "Authorization: Bearer <token>".*\n$/);
    await rm(other, { recursive: true, force: true });
  });

  it('Given a valid command, When run, Then its one request shows in the stack lines the refusals below are checked against', async () => {
    const before = apiRequests().length;

    const result = await cli(['jobs', 'list', '--limit', '1'], local);

    expect(result.code).toBe(0);
    expect(apiRequests().length).toBe(before + 1);
  });

  it.each<[string, string[], string]>([
    [
      'bad JSON in --config',
      ['jobs', 'add', 'j', '--kind', 'prompt', '--schedule', 'daily', '--config', '{x'],
      'tickwork jobs add: --config is not valid JSON',
    ],
    [
      'an unknown flag',
      ['jobs', 'list', '--colour'],
      'tickwork jobs list: unknown option --colour; the options are --kind, --name,',
    ],
    [
      'a misspelled flag',
      ['runs', '--stauts', 'failed'],
      'tickwork runs: unknown option --stauts; did you mean --status?',
    ],
    [
      'a run id that is not one',
      ['cancel', 'abc'],
      'tickwork cancel: run id must be a ULID (26 characters, e.g. 01JCDT6Q7M3H8W4R5N9X2B1KZE); got "abc"',
    ],
    [
      'run parameters that are not an object',
      ['run', 'quick', '--params', '"x"'],
      'tickwork run: --params must be a JSON object, got string',
    ],
    [
      'a bad number',
      ['runs', '--limit', 'lots'],
      'tickwork runs: --limit must be a whole number from 1 to 100, got "lots"',
    ],
    ['a bad tag', ['jobs', 'update', 'j', '--tag', 'nokey'], 'tickwork jobs update: --tag must be KEY=VALUE'],
  ])(
    'Given %s, When run, Then exit 2 with one line and nothing reaches the API',
    async (_, args, message) => {
      const before = apiRequests().length;

      const result = await cli(args, local);

      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.startsWith(message)).toBe(true);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(apiRequests().length).toBe(before);
    },
  );

  describe('--url (a deployed API, SigV4)', () => {
    const gateway = new SigV4Gateway(() => stack.endpoints, '/prod');
    let gatewayUrl: string;
    const aws = {
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: '',
    };

    beforeAll(async () => {
      gatewayUrl = await gateway.start();
    });

    afterAll(() => gateway.stop());

    it('Given --url, When called, Then each request is SigV4-signed for execute-api with the caller credentials and reaches the API', async () => {
      gateway.received.length = 0;

      const add = await cli(
        [
          'jobs',
          'add',
          'signed-job',
          '--kind',
          'prompt',
          '--schedule',
          'daily',
          '--config',
          promptConfig('/ok'),
          '--url',
          `${gatewayUrl}/prod`,
          '--region',
          'eu-west-1',
        ],
        aws,
      );
      const list = await cli(['jobs', 'list', '--name', 'signed-', '--json'], {
        ...aws,
        TICKWORK_API_URL: gatewayUrl,
        AWS_REGION: 'us-east-2',
      });
      // A query needing percent-encoding: the signature must cover it as sent; the API then refuses the cursor.
      const encoded = await cli(['jobs', 'list', '--cursor', 'x+y/z= w'], {
        ...aws,
        TICKWORK_API_URL: gatewayUrl,
        AWS_REGION: 'us-east-2',
      });

      expect(add.stderr).toBe('');
      expect(add.code).toBe(0);
      expect(add.stdout).toMatch(/^created job signed-job\n/);
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout).jobs.map((job: { name: string }) => job.name)).toEqual(['signed-job']);
      expect(encoded.code).toBe(2);
      expect(encoded.stderr).toMatch(/^tickwork jobs list: cursor must be .*\n$/);
      expect(gateway.signatureFailures).toBe(0);
      expect(gateway.received[2]?.query).toEqual({ cursor: 'x+y/z= w' });
      expect(
        gateway.received.map(({ method, path, authorization }) => ({ method, path, authorization })),
      ).toEqual([
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
        {
          method: 'GET',
          path: '/jobs',
          authorization: expect.stringMatching(/\/us-east-2\/execute-api\/aws4_request, /),
        },
      ]);
    });

    it('Given other credentials than the gateway trusts, When called, Then the 403 is reported with exit 2', async () => {
      const result = await cli(['status', '--url', gatewayUrl, '--region', 'eu-west-1'], {
        ...aws,
        AWS_SECRET_ACCESS_KEY: 'someone-else',
      });

      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'tickwork status: The request signature we calculated does not match the signature you provided.\n',
      });
    });

    it('Given --url without a region anywhere, When called, Then it asks for --region and sends nothing', async () => {
      gateway.received.length = 0;

      const result = await cli(['status', '--url', gatewayUrl], { AWS_REGION: '', AWS_DEFAULT_REGION: '' });

      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: `tickwork status: cannot tell the AWS Region of ${new URL(gatewayUrl).host}; pass --region or set AWS_REGION\n`,
      });
      expect(gateway.received).toEqual([]);
    });
  });
});

describe('tickwork client commands without a running stack', () => {
  it('Given no endpoints.json, When called, Then it says how to start the stack and exits 1', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'tickwork-cli-'));

    const result = await cli(['jobs', 'list', '--data-dir', empty]);

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `tickwork jobs list: no local stack found at ${join(empty, 'endpoints.json')}; start it with \`npm start\` or pass --url\n`,
    });
    await rm(empty, { recursive: true, force: true });
  });

  it('Given no data directory named and no stack above the current directory, When called, Then it says where it looked, exit 1', async () => {
    const project = await mkdtemp(join(tmpdir(), 'tickwork-cli-'));
    const nested = join(project, 'a', 'b');
    await mkdir(nested, { recursive: true });

    const result = await cliIn(nested, ['status']);

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `tickwork status: no local stack found: no .tickwork/endpoints.json in ${nested} or any directory above it; start one with \`npm start\` in the project, or pass --url (or --data-dir)\n`,
    });
    await rm(project, { recursive: true, force: true });
  });

  it('Given endpoints.json of a stack that is down, When called, Then it cannot reach it and exits 1', async () => {
    const stale = await mkdtemp(join(tmpdir(), 'tickwork-cli-'));
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await writeFile(
      join(stale, 'endpoints.json'),
      JSON.stringify({ apiUrl: `http://127.0.0.1:${port}`, token: 'any' }),
    );

    const result = await cli(['status'], { TICKWORK_DATA_DIR: stale });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `tickwork status: cannot reach the local stack at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}; is \`npm start\` running?\n`,
    );
    await rm(stale, { recursive: true, force: true });
  });
});
