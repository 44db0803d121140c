/**
 * End to end: `node bin/tickwork.js` against the real local stack (dynalite, the Scheduler emulator,
 * the in-process Lambda runtime behind the Lambda Invoke endpoint, the API front and the API
 * function). A manual run travels API → Lambda Invoke (Event) → prompt function → a webhook here.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_SCHEDULER_DLQ_ARN } from '../../../local/lambda/environment.ts';
import { type LocalStack, startLocalStack } from '../../../local/runtime.ts';
import { DEFAULT_TARGET_RETRY_POLICY } from '../../../shared/jobs/schedule-spec.ts';
import { runCli } from '../../support/cli.ts';

describe('tickwork client commands against the local stack', () => {
  let dataDir: string;
  let stack: LocalStack;
  let receiver: Server;
  let hookUrl: string;
  const deliveries: Array<{ headers: Record<string, unknown>; body: Record<string, unknown> }> = [];

  const cli = (args: string[]) => runCli(args, { env: { TICKWORK_DATA_DIR: dataDir } });

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        deliveries.push({
          headers: request.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/tickwork`;
    dataDir = await mkdtemp(join(tmpdir(), 'tickwork-cli-e2e-'));
    await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ 'hook-key': 'sekret' }), { mode: 0o600 });
    stack = await startLocalStack({
      dataDir,
      apiPort: 0,
      schedulerPort: 0,
      dynamodbPort: 0,
      lambdaPort: 0,
      shutdownGraceMs: 2_000,
      asyncRetryDelaysMs: [],
    });
  });

  afterAll(async () => {
    await stack?.close();
    receiver?.closeAllConnections();
    await new Promise<void>((resolve) =>
      receiver === undefined ? resolve() : receiver.close(() => resolve()),
    );
    await rm(dataDir, { recursive: true, force: true });
  });

  it('Given a running stack, When a job is added, listed, fetched, paused, resumed, run, reported and deleted, Then each step works', async () => {
    const config = JSON.stringify({
      prompt: 'Summarize the overnight alerts',
      metadata: { channel: 'ops' },
      target: { type: 'webhook', url: hookUrl, signingSecret: 'hook-key' },
    });

    const add = await cli([
      'jobs',
      'add',
      'cli-e2e',
      '--kind',
      'prompt',
      '--schedule',
      'cron(0 9 ? * MON-FRI *)',
      '--tz',
      'Europe/Berlin',
      '--description',
      'from the CLI',
      '--tag',
      'team=ops',
      '--config',
      config,
    ]);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/^created job cli-e2e\n/);
    expect(add.stdout).toMatch(/\nexpression: +cron\(0 9 \? \* MON-FRI \*\)\n/);

    const list = await cli(['jobs', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /^NAME\s+KIND\s+ENABLED.*\ncli-e2e\s+prompt\s+yes\s+cron\(0 9 \? \* MON-FRI \*\) \(Europe\/Berlin\)/,
    );

    const get = await cli(['jobs', 'get', 'cli-e2e', '--json']);
    expect(get.code).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({
      name: 'cli-e2e',
      kind: 'prompt',
      enabled: true,
      description: 'from the CLI',
      tags: { team: 'ops' },
      schedule: { expression: 'cron(0 9 ? * MON-FRI *)', timezone: 'Europe/Berlin' },
    });

    const pause = await cli(['jobs', 'pause', 'cli-e2e']);
    expect(pause.code).toBe(0);
    expect(pause.stdout).toMatch(/^paused job cli-e2e\n[\s\S]*\nenabled: +no\n/);

    const resume = await cli(['jobs', 'resume', 'cli-e2e']);
    expect(resume.code).toBe(0);
    expect(resume.stdout).toMatch(/\nenabled: +yes\n/);

    const update = await cli(['jobs', 'update', 'cli-e2e', '--clear', 'description', '--overlap', 'allow']);
    expect(update.stderr).toBe('');
    expect(update.stdout).toMatch(/\noverlap: +allow\n/);
    expect(update.stdout).not.toContain('from the CLI');

    const run = await cli(['run', 'cli-e2e', '--wait', '--timeout', '30']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nrun \S+ succeeded/);
    // While it waits, stderr (not a terminal here) gets one progress line per change of the run.
    for (const line of run.stderr.trimEnd().split('\n')) {
      expect(line).toMatch(/^run \S+ (pending|running|succeeded) \(attempt 1\), waited \d+ s$/);
    }
    expect(run.stderr).toMatch(/succeeded \(attempt 1\), waited \d+ s\n$/);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.body).toMatchObject({
      job: 'cli-e2e',
      prompt: 'Summarize the overnight alerts',
      metadata: { channel: 'ops' },
    });

    const runs = await cli(['runs', '--job', 'cli-e2e']);
    expect(runs.stdout).toMatch(/\n\S+\s+cli-e2e\s+succeeded\s+manual/);

    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/\ncli-e2e\s+prompt\s+ok\s+/);
    expect(status.stdout).toContain('succeeded');

    const missing = await cli(['jobs', 'get', 'no-such-job']);
    expect(missing).toEqual({
      code: 3,
      stdout: '',
      stderr: 'tickwork jobs get: job "no-such-job" does not exist\n',
    });

    const remove = await cli(['jobs', 'delete', 'cli-e2e']);
    expect(remove).toEqual({ code: 0, stdout: 'deleted job cli-e2e\n', stderr: '' });
    const after = await cli(['jobs', 'list', '--json']);
    expect(JSON.parse(after.stdout)).toEqual({ jobs: [], nextCursor: null });
    // Eleven CLI processes and a run through the Lambda path: generous for a loaded machine.
  }, 180_000);

  it('Given a job added through the API, When its schedule is read from the emulator, Then undeliverable events have a dead-letter queue', async () => {
    // Given a job created through the CLI and the local API
    const add = await cli([
      'jobs',
      'add',
      'dlq-check',
      '--kind',
      'prompt',
      '--schedule',
      'rate(1 hour)',
      '--config',
      JSON.stringify({
        prompt: 'p',
        target: { type: 'webhook', url: hookUrl, signingSecret: 'hook-key' },
      }),
    ]);
    expect(add.stderr).toBe('');
    // When its schedule is read with the real SDK
    const scheduler = new SchedulerClient({
      endpoint: stack.endpoints.schedulerEndpoint,
      region: 'us-east-1',
      credentials: stack.endpoints.credentials,
    });
    const schedule = await scheduler.send(
      new GetScheduleCommand({ Name: 'dlq-check', GroupName: stack.endpoints.scheduleGroups.prompt }),
    );
    scheduler.destroy();
    // Then it names the local dead-letter queue (the emulator then keeps what it cannot deliver, for
    // `tickwork dead-letters`) and the deployment's retry policy
    expect(schedule.Target?.DeadLetterConfig).toEqual({ Arn: LOCAL_SCHEDULER_DLQ_ARN });
    expect(schedule.Target?.RetryPolicy).toEqual({
      MaximumRetryAttempts: DEFAULT_TARGET_RETRY_POLICY.maximumRetryAttempts,
      MaximumEventAgeInSeconds: DEFAULT_TARGET_RETRY_POLICY.maximumEventAgeInSeconds,
    });
    expect((await cli(['jobs', 'delete', 'dlq-check'])).code).toBe(0);
  });

  it('Given a job with one invalid field, When added, Then the API message comes back as one line with exit 2', async () => {
    const result = await cli([
      'jobs',
      'add',
      'bad-tz',
      '--kind',
      'prompt',
      '--schedule',
      'daily',
      '--tz',
      'Mars/Olympus',
      '--config',
      JSON.stringify({
        prompt: 'x',
        target: { type: 'webhook', url: 'http://127.0.0.1:9/hook', signingSecret: 'k' },
      }),
    ]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^tickwork jobs add: .*Mars\/Olympus.*\n$/);
  });

  it('Given a job with several problems, When added, Then each comes back on its own line with exit 2', async () => {
    const result = await cli([
      'jobs',
      'add',
      'bad-everything',
      '--kind',
      'prompt',
      '--schedule',
      'daily',
      '--tz',
      'Mars/Olympus',
    ]);

    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^tickwork jobs add: /);
    expect(result.stderr).toContain('Mars/Olympus');
    expect(result.stderr).toContain('config.prompt');
    expect(result.stderr).toContain('config.target');
    expect(lines.length).toBeGreaterThan(2);
  });

  it('Given no drift, When reconcile --dry-run is asked, Then it reports without repairing, exit 0', async () => {
    const result = await cli(['reconcile', '--dry-run']);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^dryRun: true\n/);
    expect(result.stdout).not.toContain('drift found');
  });

  it('Given a job, When two past hours are backfilled, Then both slots run, and a range in the future is refused with exit 2', async () => {
    const config = JSON.stringify({
      prompt: 'Backfilled summary',
      target: { type: 'webhook', url: hookUrl, signingSecret: 'hook-key' },
    });
    const add = await cli([
      'jobs',
      'add',
      'cli-backfill',
      '--kind',
      'prompt',
      '--schedule',
      'cron(0 * * * ? *)',
      '--config',
      config,
    ]);
    expect(add.code, add.stderr).toBe(0);

    const backfill = await cli([
      'backfill',
      'cli-backfill',
      '--from',
      '2026-01-01T00:00:00Z',
      '--to',
      '2026-01-01T02:00:00Z',
    ]);

    expect(backfill.stderr).toBe('');
    expect(backfill.code).toBe(0);
    expect(backfill.stdout).toMatch(
      /^backfill \w+ of job cli-backfill: 2 slot\(s\) from 2026-01-01T00:00:00.000Z to 2026-01-01T01:00:00.000Z, 1 at a time\n/,
    );
    expect(backfill.stdout).toContain('follow: tickwork runs --job cli-backfill');
    const delivered = () =>
      deliveries
        .filter((delivery) => delivery.body.job === 'cli-backfill')
        .map((delivery) => delivery.body.scheduledFor);
    for (let round = 0; round < 300 && delivered().length < 2; round++)
      await new Promise((r) => setTimeout(r, 50));
    expect(delivered().sort()).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z']);

    const future = await cli([
      'backfill',
      'cli-backfill',
      '--from',
      '2026-01-01T00:00:00Z',
      '--to',
      '2099-01-01T00:00:00Z',
    ]);
    expect(future.code).toBe(2);
    expect(future.stderr).toContain('to must not be after now');
  });
});
