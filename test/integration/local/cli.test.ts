import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';
import { endpointsOf, type Running, stopStarted, tickworkLocal } from './local-process.ts';

const PROMPT_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:tickwork-local-prompt';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/tickwork-local-scheduler';

async function untilOutput(running: Running, pattern: RegExp): Promise<string> {
  for (;;) {
    const match = pattern.exec(running.stdout());
    if (match !== null) return match[0];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ports = ['--api-port', '0', '--scheduler-port', '0', '--dynamodb-port', '0'];

/** Pids of the Java processes whose parent is `pid`, read from /proc (CI and this machine run Linux). */
async function javaChildrenOf(pid: number): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // After the command name (in parentheses, may contain spaces) come the state and the parent pid.
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && command === 'java') children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The banner's `dashboard` line: the front's page with a one-time code. */
function dashboardLink(stdout: string, apiUrl: string): string {
  const link = /^ {2}dashboard {3}(\S+)$/m.exec(stdout)?.[1] ?? '';
  expect(link).toMatch(new RegExp(`^${apiUrl}/dashboard\\?code=[\\w-]{43}$`));
  return link;
}

describe('tickwork local', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tickwork-cli-'));
  });

  afterEach(async () => {
    // SIGTERM lets a stack that is still up stop its Java child too.
    await stopStarted('SIGTERM');
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('Given a fresh data directory and --log-level debug, When a schedule fires and SIGTERM follows a new schedule, Then a fire line is logged, it exits 0, and after a restart the schedule is there', async () => {
    const first = tickworkLocal(['--data-dir', dataDir, ...ports, '--log-level', 'debug']);
    const endpoints = await endpointsOf(first, dataDir);
    expect(first.stdout()).toContain(`token       ${endpoints.token}`);
    expect(first.stdout()).toContain(`API         ${endpoints.apiUrl}`);
    const firstLink = dashboardLink(first.stdout(), endpoints.apiUrl);
    let scheduler = new SchedulerClient({
      endpoint: endpoints.schedulerEndpoint,
      region: 'us-east-1',
      credentials: endpoints.credentials,
    });

    // A one-time schedule two seconds ahead: the emulator fires it on the wall clock of the process.
    const soon = new Date(Date.now() + 2_000).toISOString().slice(0, 19);
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'soon',
        GroupName: endpoints.scheduleGroups.prompt,
        ScheduleExpression: `at(${soon})`,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: PROMPT_ARN,
          RoleArn: ROLE_ARN,
          Input: '{"job":"soon","scheduledTime":"<aws.scheduler.scheduled-time>"}',
        },
      }),
    );
    expect(
      await untilOutput(
        first,
        /^\d{2}:\d{2}:\d{2}\.\d{3} debug scheduler fire schedule=tickwork-local-prompt\/soon .*/m,
      ),
    ).toMatch(/outcome=succeeded/);
    // The function logs for itself, with the level and format the stack was given (no job "soon" exists)
    expect(await untilOutput(first, /^\S+ warn {2}job not found; slot ignored .*\bjob=soon\b.*/m)).toContain(
      'slot=',
    );

    // In a group of its own: a schedule of Tickwork's group that no job wants is stray, and the
    // reconcile at the next start deletes it.
    await scheduler.send(new CreateScheduleGroupCommand({ Name: 'scratch' }));
    await scheduler.send(
      new CreateScheduleCommand({
        Name: 'just-before-stop',
        GroupName: 'scratch',
        ScheduleExpression: 'rate(1 day)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: PROMPT_ARN, RoleArn: ROLE_ARN, Input: '{"job":"just-before-stop"}' },
      }),
    );
    scheduler.destroy();
    first.child.kill('SIGTERM');

    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.stdout()).toMatch(
      /^\S+ info {2}local stopping; running invocations may finish, each until its timeout \(signal again to exit now\) signal=SIGTERM$/m,
    );
    expect(first.stdout()).toMatch(/^\S+ info {2}local stopped$/m);
    expect(first.stderr()).toBe('');

    const second = tickworkLocal(['--data-dir', dataDir, ...ports]);
    const again = await endpointsOf(second, dataDir);
    scheduler = new SchedulerClient({
      endpoint: again.schedulerEndpoint,
      region: 'us-east-1',
      credentials: again.credentials,
    });
    const schedule = await scheduler.send(
      new GetScheduleCommand({ Name: 'just-before-stop', GroupName: 'scratch' }),
    );
    expect(schedule.ScheduleExpression).toBe('rate(1 day)');
    expect(again.token).toBe(endpoints.token);
    // A restart prints a new one-time dashboard code; the old one means nothing to the new process.
    const secondLink = dashboardLink(second.stdout(), again.apiUrl);
    expect(new URL(secondLink).searchParams.get('code')).not.toBe(
      new URL(firstLink).searchParams.get('code'),
    );
    const stale = new URL(firstLink);
    stale.port = new URL(again.apiUrl).port;
    expect((await fetch(stale, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(secondLink, { redirect: 'manual' })).status).toBe(303);
    scheduler.destroy();
    second.child.kill('SIGINT');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    // At the default level, info: no debug lines
    expect(second.stdout()).toMatch(/^\S+ info {2}local stopped$/m);
    expect(second.stdout()).not.toMatch(/^\S+ debug /m);
  });

  it('Given TICKWORK_DYNAMODB=dynamodb-local, When stopped with SIGTERM, Then it exits 0 and leaves no Java process behind', async () => {
    const running = tickworkLocal(['--data-dir', join(dataDir, 'java'), ...ports], {
      TICKWORK_DYNAMODB: 'dynamodb-local',
    });
    await endpointsOf(running, join(dataDir, 'java'));
    const pid = running.child.pid ?? 0;
    const java = await javaChildrenOf(pid);
    expect(java).toHaveLength(1);
    expect(running.stdout()).toContain('(dynamodb-local)');

    running.child.kill('SIGTERM');

    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(java.filter(isRunning)).toEqual([]);
  }, 180_000);

  it('Given the API and DynamoDB ports are taken, When started, Then one line names both ports and their options, exit 2', async () => {
    const held = async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const address = blocker.address();
      return { blocker, port: address !== null && typeof address !== 'string' ? address.port : 0 };
    };
    const api = await held();
    const dynamodb = await held();

    const running = tickworkLocal([
      '--data-dir',
      join(dataDir, 'taken'),
      ...ports,
      '--api-port',
      String(api.port),
      '--dynamodb-port',
      String(dynamodb.port),
    ]);

    expect(await running.exited).toEqual({ code: 2, signal: null });
    expect(running.stderr()).toBe(
      `tickwork local: ports in use: ${api.port} (api), ${dynamodb.port} (dynamodb); stop what holds them or pass other ports (--api-port or TICKWORK_API_PORT; --dynamodb-port or TICKWORK_DYNAMODB_PORT; 0 = any free port)\n`,
    );
    await new Promise((resolve) => api.blocker.close(resolve));
    await new Promise((resolve) => dynamodb.blocker.close(resolve));
  });

  it.each([
    [
      ['--api-port', '70000'],
      {},
      'tickwork local: --api-port must be a whole number from 0 to 65535 (0 = any free port); got "70000"',
    ],
    [
      ['--verbose'],
      {},
      'tickwork local: unknown option --verbose; the options are --data-dir, --api-port, --scheduler-port, --dynamodb-port, --dynamodb, --log-level, --log-format, --jobs-file, --function, --event-bus, --help',
    ],
    [['--api-prot', '0'], {}, 'tickwork local: unknown option --api-prot; did you mean --api-port?'],
    [
      [],
      { TICKWORK_DYNAMODB: 'mongo' },
      'tickwork local: TICKWORK_DYNAMODB must be "dynalite", "dynamodb-local" or an http(s)://host:port URL; got "mongo" (unknown engine)',
    ],
  ])('Given %j with %j, When started, Then one line and exit 2', async (args, env, line) => {
    const running = tickworkLocal(args, env);

    expect(await running.exited).toEqual({ code: 2, signal: null });
    expect(running.stderr()).toBe(`${line}\n`);
  });

  it('Given no --data-dir, When started in a subdirectory of a project and a client runs in another, Then both use the project .tickwork', async () => {
    // Given a project (a package.json at its root) with two subdirectories
    const project = join(dataDir, 'project');
    await mkdir(join(project, 'src', 'deep'), { recursive: true });
    await mkdir(join(project, 'docs'), { recursive: true });
    await writeFile(join(project, 'package.json'), '{"name": "demo", "private": true}');

    // When the stack starts in one subdirectory, with no data directory named anywhere
    const running = tickworkLocal(ports, { TICKWORK_DATA_DIR: '' }, join(project, 'src', 'deep'));
    const endpoints = await endpointsOf(running, join(project, '.tickwork'));
    const client = await runCli(['status', '--json'], { cwd: join(project, 'docs') });

    // Then the data is in the project's .tickwork and the client in another subdirectory finds it
    expect(running.stdout()).toContain(`data in ${join(project, '.tickwork')}`);
    expect(endpoints.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(client.stderr).toBe('');
    expect(client.code).toBe(0);
    expect(JSON.parse(client.stdout)).toMatchObject({ jobs: [] });
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
  });

  it('Given a data directory that is a file, When started, Then one line and exit 2', async () => {
    const file = join(dataDir, 'plain-file');
    await writeFile(file, 'x');

    const running = tickworkLocal(['--data-dir', file, ...ports]);

    expect(await running.exited).toEqual({ code: 2, signal: null });
    expect(running.stderr()).toBe(
      `tickwork local: data directory ${file} is a file, not a directory; pass --data-dir with a usable directory\n`,
    );
  });
});
