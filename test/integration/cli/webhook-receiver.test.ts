/**
 * `tickwork webhook-receiver --secret-name NAME` as a user runs it: it reads the secret the way the
 * local stack does (`<data-dir>/secrets.json`, then `TICKWORK_SECRET_<NAME>`) and, when there is none
 * yet, warns once at start and still listens.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { secretWarning } from '../../../cli/commands/webhook-receiver.ts';
import { LocalSecretSource } from '../../../shared/adapters/secrets/local.ts';
import { TICKWORK_BIN } from '../../support/cli.ts';

const started = new Set<ChildProcess>();
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-receiver-cli-'));
  await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ 'demo-webhook': 's3cr3t' }));
});

afterEach(async () => {
  await Promise.all(
    [...started].map(
      (child) =>
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  started.clear();
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Starts the receiver; resolves once it listens, with what it printed so far. */
async function receiver(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ port: number; stdout: () => string; stderr: () => string; child: ChildProcess }> {
  const child = spawn(process.execPath, [TICKWORK_BIN, 'webhook-receiver', '--port', '0', ...args], {
    env: { ...process.env, TICKWORK_DATA_DIR: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  for (let waited = 0; waited < 300; waited++) {
    const port = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout)?.[1];
    if (port !== undefined) return { port: Number(port), stdout: () => stdout, stderr: () => stderr, child };
    if (child.exitCode !== null) throw new Error(`the receiver exited: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the receiver did not start: ${stderr}`);
}

describe('tickwork webhook-receiver --secret-name', () => {
  it('Given a secret that does not exist, When started, Then one warning line says where it looked, and it still listens', async () => {
    const running = await receiver(['--secret-name', 'not-yet', '--data-dir', dataDir]);

    const answer = await fetch(`http://127.0.0.1:${running.port}/hooks`, { method: 'POST', body: '{}' });

    expect(running.stderr()).toBe(
      `warning: secret "not-yet" was not found (looked in ${join(dataDir, 'secrets.json')} and the environment variable TICKWORK_SECRET_NOT_YET); signatures cannot be verified until it exists\n`,
    );
    expect(answer.status).toBe(401);
  });

  it.each<[string, string, 'flag' | 'environment', Record<string, string>]>([
    ['in secrets.json', 'demo-webhook', 'flag', {}],
    ['in the environment', 'from-env', 'flag', { TICKWORK_SECRET_FROM_ENV: 'v' }],
    ['in the data directory named by TICKWORK_DATA_DIR', 'demo-webhook', 'environment', {}],
  ])('Given the secret %s, When started, Then no warning', async (_, name, named, env) => {
    // The data directory is made in beforeAll, after the table is built: named here.
    const running = await receiver(
      ['--secret-name', name, ...(named === 'flag' ? ['--data-dir', dataDir] : [])],
      { ...env, ...(named === 'environment' ? { TICKWORK_DATA_DIR: dataDir } : {}) },
    );

    expect(running.stdout()).toContain(
      `checking signatures with secret "${name}" from ${join(dataDir, 'secrets.json')}`,
    );
    expect(running.stderr()).toBe('');
  });

  it('Given a secrets file that is not JSON, When checked at start, Then the warning says so without quoting it', async () => {
    const broken = join(dataDir, 'broken.json');
    await writeFile(broken, '{"demo-webhook": s3cr3t');

    const warning = await secretWarning(new LocalSecretSource({ file: broken, env: {} }), 'demo-webhook');

    expect(warning).toBe(
      `${broken} is not valid JSON; expected {"secret-name": "value", ...}; signatures cannot be verified until it exists`,
    );
    expect(warning).not.toContain('s3cr3t');
  });
});
