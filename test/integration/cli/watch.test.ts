/**
 * The watching CLI end to end: `node bin/tickwork.js` in child processes against the real local stack
 * (dynalite, the Scheduler emulator, the Lambda runtime, the API front). `runs --follow` sees a manual
 * run's transitions and stops cleanly on SIGINT; `status --watch` appends tables when not on a terminal;
 * bulk pause by tag with a note shows in status, resume clears it; bad flags exit 2 with nothing changed.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, TICKWORK_BIN } from '../../support/cli.ts';
import { type ApiHarness, promptJob, startApiHarness } from '../api/support.ts';

let api: ApiHarness;
let receiver: Server;
let hookUrl: string;

const cli = (args: string[]) => runCli(args, { env: { TICKWORK_DATA_DIR: api.dataDir, NO_COLOR: '' } });

/** A CLI process that runs until told to stop, its output gathered as it comes. */
interface Watcher {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<number | null>;
}

function watchCli(args: string[]): Watcher {
  const child = spawn(process.execPath, [TICKWORK_BIN, ...args], {
    env: { ...process.env, TICKWORK_API_URL: '', TICKWORK_DATA_DIR: api.dataDir, NO_COLOR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls `done` until it holds; the limit only bounds a broken run of the test (a loaded machine is slow). */
async function eventually(done: () => boolean, what: () => string, limitMs = 90_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting; ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function hookedJob(name: string, tags: Record<string, string> = {}) {
  return promptJob(name, {
    tags,
    config: {
      prompt: 'Summarize the overnight alerts',
      target: { type: 'webhook', url: hookUrl, signingSecret: 'hook-key' },
    },
  });
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/tickwork`;
  api = await startApiHarness();
  await api.writeSecrets({ 'hook-key': 'sekret' });
});

afterAll(async () => {
  await api?.close();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) =>
    receiver === undefined ? resolve() : receiver.close(() => resolve()),
  );
});

describe('tickwork runs --follow', () => {
  it('Given a follower of a job, When the job is run by hand, Then it prints the transitions it saw and SIGINT ends it with 0', async () => {
    // Given
    expect((await api.call('POST', '/jobs', { body: hookedJob('followed') })).status).toBe(201);
    expect((await api.call('POST', '/jobs', { body: hookedJob('bystander') })).status).toBe(201);
    const follower = watchCli([
      'runs',
      '--follow',
      '--job',
      'followed',
      '--interval',
      '0.1',
      '--output',
      'jsonl',
    ]);
    await eventually(
      () => follower.stderr().includes('following runs of followed'),
      () => follower.stderr(),
    );
    // When
    const started = await api.call('POST', '/jobs/followed/runs');
    expect(started.status).toBe(202);
    expect((await api.call('POST', '/jobs/bystander/runs')).status).toBe(202);
    const runId: string = started.json.runId;
    const lines = () =>
      follower
        .stdout()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line));
    await eventually(
      () => lines().some((line) => line.to === 'succeeded'),
      () => `stdout: ${follower.stdout()} stderr: ${follower.stderr()}`,
    );
    follower.child.kill('SIGINT');
    // Then
    expect(await follower.exited).toBe(0);
    const seen = lines();
    expect(seen.every((line) => line.runId === runId && line.job === 'followed')).toBe(true);
    expect(seen[0]).toMatchObject({ from: null, trigger: 'manual' });
    // Each line starts where the one before ended: the transitions seen, none made up.
    for (let index = 1; index < seen.length; index++) expect(seen[index].from).toBe(seen[index - 1].to);
    expect(seen.at(-1)).toMatchObject({ to: 'succeeded' });
    expect(typeof seen.at(-1).durationMs).toBe('number');
  });

  it('Given a follower in the readable format, When a run ends, Then one line says job, run and old → new status', async () => {
    const follower = watchCli(['runs', '--follow', '--job', 'followed', '--interval', '0.1']);
    await eventually(
      () => follower.stderr().includes('following runs'),
      () => follower.stderr(),
    );
    const runId: string = (await api.call('POST', '/jobs/followed/runs')).json.runId;
    await eventually(
      () => follower.stdout().includes('→ succeeded'),
      () => follower.stdout(),
    );
    follower.child.kill('SIGINT');
    expect(await follower.exited).toBe(0);
    expect(follower.stdout()).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ  followed  ${runId}  \\w+ → `),
    );
  });
});

describe('tickwork status --watch', () => {
  it('Given stdout is not a terminal, When watching, Then each look is appended under a timestamp header', async () => {
    const watcher = watchCli(['status', '--watch', '--interval', '0.1']);
    await eventually(
      () => (watcher.stdout().match(/^--- /gm) ?? []).length >= 2,
      () => watcher.stdout() + watcher.stderr(),
    );
    watcher.child.kill('SIGINT');
    expect(await watcher.exited).toBe(0);
    expect(watcher.stdout()).not.toContain('\u001b[');
    expect(watcher.stdout()).toMatch(
      /^--- \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}every 0\.1 s; Ctrl-C to stop\nNAME +KIND +HEALTH/m,
    );
  });
});

describe('bulk pause and resume', () => {
  it('Given jobs tagged team=ops and one not, When paused by tag with a note, Then status shows the note, and resume by tag clears it', async () => {
    // Given
    for (const [name, team] of [
      ['ops-a', 'ops'],
      ['ops-b', 'ops'],
      ['data-c', 'data'],
    ] as const) {
      expect((await api.call('POST', '/jobs', { body: hookedJob(name, { team }) })).status).toBe(201);
    }
    const already = await api.call('POST', '/jobs/ops-b/pause', { body: { note: 'vendor outage' } });
    expect(already.status).toBe(200);

    // When
    const pause = await cli(['jobs', 'pause', '--tag', 'team=ops', '--note', 'vendor outage']);

    // Then
    expect(pause.stderr).toBe('');
    expect(pause.code).toBe(0);
    expect(pause.stdout).toBe('paused ops-a\nalready paused ops-b\n1 paused, 1 already paused\n');
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/PAUSE NOTE/);
    expect(status.stdout).toMatch(/^ops-a .* paused .*vendor outage$/m);
    const lines = await cli(['status', '--output', 'jsonl']);
    const byName = new Map(
      lines.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
        .map((job) => [job.name, job]),
    );
    expect(byName.get('ops-a')).toMatchObject({ health: 'paused', pauseNote: 'vendor outage' });
    expect(byName.get('data-c')).toMatchObject({ health: 'ok' });
    expect(byName.get('data-c')).not.toHaveProperty('pauseNote');

    const resume = await cli(['jobs', 'resume', '--tag', 'team=ops']);
    expect(resume.code).toBe(0);
    expect(resume.stdout).toBe('resumed ops-a\nresumed ops-b\n2 resumed, 0 already enabled\n');
    const job = await cli(['jobs', 'get', 'ops-a', '--output', 'json']);
    expect(JSON.parse(job.stdout)).toMatchObject({ enabled: true });
    expect(JSON.parse(job.stdout)).not.toHaveProperty('pauseNote');
    expect((await cli(['status'])).stdout).not.toContain('vendor outage');
  });

  it.each([
    ['a bulk pause with neither a name nor a selector', ['jobs', 'pause']],
    ['a bulk pause with a note too long', ['jobs', 'pause', '--tag', 'team=ops', '--note', 'x'.repeat(281)]],
    ['a pause with a name and a selector', ['jobs', 'pause', 'ops-a', '--kind', 'prompt']],
    ['a resume with a note', ['jobs', 'resume', '--tag', 'team=ops', '--note', 'why']],
    ['a follow with no interval', ['runs', '--follow', '--interval', '0']],
    ['an unknown output format', ['status', '--output', 'xml']],
    ['--json against --output', ['jobs', 'list', '--json', '--output', 'table']],
  ])('Given %s, When run, Then it exits 2 and nothing changed', async (_, args) => {
    const before = await api.snapshot();
    const jobsBefore = (await api.call('GET', '/jobs')).json;
    const answer = await cli(args);
    expect(answer.code, answer.stderr).toBe(2);
    expect(answer.stdout).toBe('');
    expect(answer.stderr).toMatch(/^tickwork [a-z ]+: /);
    expect(await api.snapshot()).toEqual(before);
    expect((await api.call('GET', '/jobs')).json).toEqual(jobsBefore);
  });
});

describe('tickwork completion bash with job names', () => {
  it('Given jobs on the stack and tickwork on PATH, When a job name is completed, Then bash offers the names the CLI lists', async () => {
    // Given
    for (const name of ['comp-one', 'comp-two']) {
      expect((await api.call('POST', '/jobs', { body: hookedJob(name) })).status).toBe(201);
    }
    const dir = await mkdtemp(join(tmpdir(), 'tickwork-completion-'));
    try {
      const bin = join(dir, 'bin');
      await writeFile(join(dir, 'script.bash'), (await cli(['completion', 'bash'])).stdout);
      await mkdir(bin);
      await writeFile(
        join(bin, 'tickwork'),
        `#!/bin/sh\nexec '${process.execPath}' '${TICKWORK_BIN}' "$@"\n`,
      );
      await chmod(join(bin, 'tickwork'), 0o755);
      // When
      const { stdout } = await promisify(execFile)(
        'bash',
        [
          '-c',
          `source '${join(dir, 'script.bash')}'; COMP_WORDS=(tickwork jobs pause comp-); COMP_CWORD=3; _tickwork; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        {
          env: {
            ...process.env,
            PATH: `${bin}:${process.env.PATH}`,
            TICKWORK_API_URL: '',
            TICKWORK_DATA_DIR: api.dataDir,
          },
        },
      );
      // Then
      expect(
        stdout
          .split('\n')
          .filter((line) => line !== '')
          .sort(),
      ).toEqual(['comp-one', 'comp-two']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
