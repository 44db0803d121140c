/**
 * `node bin/tickwork.js` against a small scripted API (a real HTTP server named in endpoints.json)
 * that answers what the API is gaining in parallel, so the CLI's side of those contracts is tested
 * before the API's lands:
 * - 400 bodies `{"error": {"type", "message", "details": [{"field", "message"}]}}` listing every problem;
 * - `"warnings": [{"field", "message"}]` on job create/replace/patch answers;
 * - the run status `retrying` (with `attempt`, `error`, `nextAttemptAt`) that `run --wait` waits through;
 * - `POST /jobs/{name}/runs` with `{"params": {...}}`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';

const RUN_ID = '01JCDT6Q7M3H8W4R5N9X2B1KZE';

interface Answer {
  readonly status: number;
  readonly body?: unknown;
}

interface Received {
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
}

/** Scripted answers by `METHOD /path`; a list is answered in turn, its last entry repeated. */
const script = new Map<string, Answer[]>();
const received: Received[] = [];
let server: Server;
let dataDir: string;

function answer(route: string, ...answers: Answer[]): void {
  script.set(route, answers);
}

const cli = (args: string[]) => runCli(args, { env: { TICKWORK_DATA_DIR: dataDir } });

const JOB = {
  name: 'nightly',
  kind: 'prompt',
  enabled: true,
  schedule: { input: 'daily', expression: 'cron(0 0 * * ? *)', timezone: 'UTC', description: 'every day' },
  tags: {},
  config: { prompt: 'hi' },
};

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        body: text === '' ? undefined : JSON.parse(text),
      });
      const route = `${request.method} ${new URL(request.url ?? '/', 'http://x').pathname}`;
      const answers = script.get(route) ?? [
        { status: 404, body: { error: { type: 'RouteNotFound', message: `no route for ${route}` } } },
      ];
      const next = answers.length > 1 ? (answers.shift() as Answer) : (answers[0] as Answer);
      response.writeHead(next.status, { 'content-type': 'application/json' });
      response.end(next.body === undefined ? '' : JSON.stringify(next.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-cli-answers-'));
  await writeFile(
    join(dataDir, 'endpoints.json'),
    JSON.stringify({ apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 't' }),
  );
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  script.clear();
  received.length = 0;
});

describe('a request the API refuses for several problems', () => {
  it('Given three problems, When a job is added, Then the first is the error line and each other is a line under it, exit 2', async () => {
    const details = [
      { field: 'timezone', message: 'timezone must be an IANA time zone name, got "Mars/Olympus"' },
      { field: 'flexibleWindowMinutes', message: 'flexibleWindowMinutes must be at most 1440, got 5000' },
      { field: 'config.target.url', message: 'config.target.url must be an https URL, got "ftp://x"' },
    ];
    answer('POST /jobs', {
      status: 400,
      body: { error: { type: 'ValidationError', message: details[0]?.message, details } },
    });

    const result = await cli([
      'jobs',
      'add',
      'nightly',
      '--kind',
      'prompt',
      '--schedule',
      'daily',
      '--tz',
      'Mars/Olympus',
      '--flexible-window',
      '1000',
    ]);

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: [
        'tickwork jobs add: timezone must be an IANA time zone name, got "Mars/Olympus" (--tz)',
        '  flexibleWindowMinutes must be at most 1440, got 5000 (--flexible-window)',
        '  config.target.url must be an https URL, got "ftp://x" (--config)',
        '',
      ].join('\n'),
    });
  });

  it('Given one problem in the details, When updated, Then one line', async () => {
    const details = [{ field: 'schedule', message: 'schedule "every tuesday" is not a schedule' }];
    answer('PATCH /jobs/nightly', {
      status: 400,
      body: { error: { type: 'ValidationError', message: details[0]?.message, details } },
    });

    const result = await cli(['jobs', 'update', 'nightly', '--schedule', 'every tuesday']);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'tickwork jobs update: schedule "every tuesday" is not a schedule (--schedule)\n',
    );
  });

  it('Given a taken name, When a job is added, Then it says to use --replace, exit 4', async () => {
    answer('POST /jobs', {
      status: 409,
      body: {
        error: {
          type: 'JobAlreadyExists',
          message: 'job "nightly" already exists; use PUT /jobs/nightly to replace it',
        },
      },
    });

    const result = await cli(['jobs', 'add', 'nightly', '--kind', 'prompt', '--schedule', 'daily']);

    expect(result).toEqual({
      code: 4,
      stdout: '',
      stderr: 'tickwork jobs add: job "nightly" already exists; use --replace\n',
    });
  });
});

describe('warnings on job answers', () => {
  const warnings = [
    {
      field: 'config.target.signingSecret',
      message: 'secret "nightly-hook" does not exist yet; deliveries fail until it does',
    },
    { field: 'schedule', message: 'the schedule fires every minute' },
  ];

  it.each<[string, string, number, string[]]>([
    ['created', 'POST /jobs', 201, ['jobs', 'add', 'nightly', '--kind', 'prompt', '--schedule', 'daily']],
    [
      'replaced',
      'PUT /jobs/nightly',
      200,
      ['jobs', 'add', 'nightly', '--kind', 'prompt', '--schedule', 'daily', '--replace'],
    ],
    ['updated', 'PATCH /jobs/nightly', 200, ['jobs', 'update', 'nightly', '--description', 'd']],
  ])(
    'Given an answer with warnings, When the job is %s, Then each is a warning line on stderr and it succeeds',
    async (verb, route, status, args) => {
      answer(route, { status, body: { ...JOB, warnings } });

      const result = await cli(args);

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^${verb} job nightly\\n`));
      expect(result.stdout).not.toContain('warning');
      expect(result.stderr).toBe(
        [
          'warning: secret "nightly-hook" does not exist yet; deliveries fail until it does',
          'warning: the schedule fires every minute',
          '',
        ].join('\n'),
      );
    },
  );

  it('Given --json, When warned, Then stdout is the answer as JSON and the warnings still go to stderr', async () => {
    answer('POST /jobs', { status: 201, body: { ...JOB, warnings } });

    const result = await cli(['jobs', 'add', 'nightly', '--kind', 'prompt', '--schedule', 'daily', '--json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'nightly', warnings });
    expect(result.stderr.split('\n')).toHaveLength(3);
  });
});

describe('run parameters', () => {
  it('Given --params, When run, Then the body is {"params": …} and the run is reported', async () => {
    answer('POST /jobs/nightly/runs', {
      status: 202,
      body: { runId: RUN_ID, job: 'nightly', status: 'pending' },
    });

    const result = await cli(['run', 'nightly', '--params', '{"topic": "evals", "days": 7}']);

    expect(result).toEqual({
      code: 0,
      stdout: `started run ${RUN_ID} of job nightly (pending)\n`,
      stderr: '',
    });
    expect(received).toEqual([
      { method: 'POST', url: '/jobs/nightly/runs', body: { params: { topic: 'evals', days: 7 } } },
    ]);
  });

  it('Given a parameter the kind does not know, When run, Then the API refusal names --params, exit 2', async () => {
    answer('POST /jobs/nightly/runs', {
      status: 400,
      body: {
        error: {
          type: 'ValidationError',
          message: 'params.colour is not a parameter of kind prompt',
          details: [{ field: 'params.colour', message: 'params.colour is not a parameter of kind prompt' }],
        },
      },
    });

    const result = await cli(['run', 'nightly', '--params', '{"colour": "red"}']);

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tickwork run: params.colour is not a parameter of kind prompt (--params)\n',
    });
  });

  it('Given --params that is not an object, When run, Then nothing is sent, exit 2', async () => {
    const result = await cli(['run', 'nightly', '--params', '[1, 2]']);

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tickwork run: --params must be a JSON object, got an array\n',
    });
    expect(received).toEqual([]);
  });
});

describe('run --wait through retries', () => {
  const error = { type: 'WebhookError', message: 'the webhook answered 500' };
  const later = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

  it('Given a run that fails, is retried and fails again, When waited for, Then each change is a line on stderr and the final failure exits 1', async () => {
    answer('POST /jobs/nightly/runs', {
      status: 202,
      body: { runId: RUN_ID, job: 'nightly', status: 'pending', attempt: 0 },
    });
    answer(
      `GET /runs/${RUN_ID}`,
      { status: 200, body: { runId: RUN_ID, job: 'nightly', status: 'running', attempt: 1 } },
      {
        status: 200,
        body: {
          runId: RUN_ID,
          job: 'nightly',
          status: 'retrying',
          attempt: 1,
          error,
          nextAttemptAt: later(60),
        },
      },
      { status: 200, body: { runId: RUN_ID, job: 'nightly', status: 'running', attempt: 2 } },
      {
        status: 200,
        body: { runId: RUN_ID, job: 'nightly', status: 'failed', attempt: 2, error, durationMs: 1500 },
      },
    );

    const result = await cli(['run', 'nightly', '--wait']);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^started run ${RUN_ID} of job nightly; waiting for its outcome\\nrun ${RUN_ID} failed in 1\\.5 s after 2 attempts\\n`,
      ),
    );
    expect(result.stdout).toContain('error:    WebhookError: the webhook answered 500');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^run ${RUN_ID} running \\(attempt 1\\), waited \\d+ s$`)),
      expect.stringMatching(
        new RegExp(
          `^run ${RUN_ID} retrying: attempt 1 failed \\(WebhookError: the webhook answered 500\\); next attempt around \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ \\(in \\d+ s\\), waited \\d+ s$`,
        ),
      ),
      expect.stringMatching(new RegExp(`^run ${RUN_ID} running \\(attempt 2\\), waited \\d+ s$`)),
      expect.stringMatching(new RegExp(`^run ${RUN_ID} failed \\(attempt 2\\), waited \\d+ s$`)),
    ]);
  });

  it('Given a run that succeeds on its retry, When waited for with --json, Then stdout is the final run and exit 0', async () => {
    answer('POST /jobs/nightly/runs', {
      status: 202,
      body: { runId: RUN_ID, job: 'nightly', status: 'pending' },
    });
    answer(
      `GET /runs/${RUN_ID}`,
      {
        status: 200,
        body: {
          runId: RUN_ID,
          job: 'nightly',
          status: 'retrying',
          attempt: 1,
          error,
          nextAttemptAt: later(1),
        },
      },
      { status: 200, body: { runId: RUN_ID, job: 'nightly', status: 'succeeded', attempt: 2 } },
    );

    const result = await cli(['run', 'nightly', '--wait', '--json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      runId: RUN_ID,
      job: 'nightly',
      status: 'succeeded',
      attempt: 2,
    });
  });

  it('Given a run still retrying at --timeout, When waited for, Then exit 5 and it says how to follow it', async () => {
    answer('POST /jobs/nightly/runs', {
      status: 202,
      body: { runId: RUN_ID, job: 'nightly', status: 'pending' },
    });
    answer(`GET /runs/${RUN_ID}`, {
      status: 200,
      body: {
        runId: RUN_ID,
        job: 'nightly',
        status: 'retrying',
        attempt: 1,
        error,
        nextAttemptAt: later(120),
      },
    });

    const result = await cli(['run', 'nightly', '--wait', '--timeout', '1']);

    expect(result.code).toBe(5);
    expect(result.stdout).toContain('status:       retrying');
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(
      `tickwork run: run ${RUN_ID} is still retrying after 1 s; follow it with \`tickwork runs ${RUN_ID}\``,
    );
  });
});
