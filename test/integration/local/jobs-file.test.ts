/**
 * `tickwork local` (npm start) applying a jobs file at start, as a user runs it: the project's
 * tickwork.jobs.yaml without a flag, its plan logged, and a bad file stopping the start before anything
 * listens.
 */

import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';
import { type Running, stopStarted, tickworkLocal } from './local-process.ts';

const EXAMPLE = fileURLToPath(new URL('../../../examples/jobs/tickwork.jobs.yaml', import.meta.url));
const ports = ['--api-port', '0', '--scheduler-port', '0', '--dynamodb-port', '0'];

async function untilOutput(running: Running, pattern: RegExp): Promise<string> {
  let exited = false;
  void running.exited.then(() => {
    exited = true;
  });
  for (;;) {
    const match = pattern.exec(running.stdout()) ?? pattern.exec(running.stderr());
    if (match !== null) return match[0];
    if (exited) throw new Error(`the stack exited before printing ${pattern}: ${running.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('tickwork local applies a jobs file at start', () => {
  let project: string;

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'tickwork-local-jobs-'));
    await writeFile(join(project, 'package.json'), '{"name": "a-project", "private": true}\n');
  });

  afterEach(async () => {
    await stopStarted('SIGINT');
  });

  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it("Given the project's tickwork.jobs.yaml, When the stack starts, Then its plan is logged and its jobs exist; a restart finds them unchanged", async () => {
    await copyFile(EXAMPLE, join(project, 'tickwork.jobs.yaml'));

    const first = tickworkLocal(ports, {}, project);
    await untilOutput(first, /jobs file applied .*\n/);

    expect(first.stdout() + first.stderr()).toContain(
      'jobs file plan step="+ create demo-prompt (prompt, cron(0 9 ? * MON-FRI *) Europe/Berlin)"',
    );
    const listed = await runCli(['jobs', 'list', '--json'], { cwd: project });
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { jobs: { name: string }[] }).jobs.map((job) => job.name)).toEqual([
      'demo-calibration',
      'demo-prompt',
      'demo-sync',
      'demo-telemetry',
      'reminders-bus',
      'reminders-http',
    ]);
    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(0);

    const second = tickworkLocal(ports, {}, project);
    const applied = await untilOutput(second, /jobs file applied .*\n/);

    expect(applied).toContain(
      'managedBy="tickwork local (tickwork.jobs.yaml)" applied=0 deleted=0 plan="Plan: 0 to create, 0 to change, 0 to delete, 6 unchanged."',
    );
  });

  it('Given jobs applied from the file, When the API is asked to change one, Then 409 names the file, pause works, and a job dropped from the file goes at the next start while an operator job stays', async () => {
    await copyFile(EXAMPLE, join(project, 'tickwork.jobs.yaml'));
    const first = tickworkLocal(ports, {}, project);
    await untilOutput(first, /jobs file applied .*\n/);

    const shown = await runCli(['jobs', 'get', 'demo-prompt', '--json'], { cwd: project });
    expect(JSON.parse(shown.stdout)).toMatchObject({ managedBy: 'tickwork local (tickwork.jobs.yaml)' });
    const changed = await runCli(['jobs', 'update', 'demo-prompt', '--description', 'by hand'], {
      cwd: project,
    });
    expect(changed.code).toBe(4);
    expect(changed.stderr).toContain('tickwork local (tickwork.jobs.yaml)');
    const paused = await runCli(['jobs', 'pause', 'demo-prompt'], { cwd: project });
    expect(paused.code, paused.stderr).toBe(0);
    const operator = await runCli(
      [
        'jobs',
        'add',
        'operator-job',
        '--kind',
        'prompt',
        '--schedule',
        'daily',
        '--config',
        '{"prompt": "mine", "target": {"type": "webhook", "url": "http://127.0.0.1:8787/hooks/prompt", "signingSecret": "demo-webhook"}}',
      ],
      { cwd: project },
    );
    expect(operator.code, operator.stderr).toBe(0);
    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(0);

    // The file without demo-calibration.
    const text = await readFile(EXAMPLE, 'utf8');
    const start = text.indexOf('  - name: demo-calibration');
    const end = text.indexOf('  - name:', start + 1);
    await writeFile(join(project, 'tickwork.jobs.yaml'), text.slice(0, start) + text.slice(end));
    const second = tickworkLocal(ports, {}, project);
    const applied = await untilOutput(second, /jobs file applied .*\n/);

    expect(applied).toContain('deleted=1');
    const listed = await runCli(['jobs', 'list', '--json'], { cwd: project });
    const names = (JSON.parse(listed.stdout) as { jobs: { name: string }[] }).jobs.map((job) => job.name);
    expect(names).toContain('operator-job');
    expect(names).not.toContain('demo-calibration');
    expect(names).toContain('demo-prompt');
  });

  it('Given --jobs-file naming a file that breaks a rule, When the stack starts, Then it exits 2 with file:line:col and starts nothing', async () => {
    const bad = join(project, 'bad.jobs.yaml');
    await writeFile(
      bad,
      [
        'jobs:',
        '  - name: nightly',
        '    kind: task',
        '    schedule: daily',
        '    config: {target: {type: ftp}}',
      ].join('\n'),
    );
    const dataDir = join(project, 'bad-data');

    const running = tickworkLocal(['--data-dir', dataDir, '--jobs-file', bad, ...ports], {}, project);
    const exit = await running.exited;

    expect(exit.code).toBe(2);
    expect(running.stderr()).toContain(
      `tickwork local: the jobs file ${bad} breaks 1 rule(s); nothing was started`,
    );
    expect(running.stderr()).toMatch(new RegExp(`${bad}:5:29: jobs\\[0\\]\\.config\\.target\\.type: `));
    expect(existsSync(join(dataDir, 'endpoints.json'))).toBe(false);
  });
});
