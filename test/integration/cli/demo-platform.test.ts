/**
 * `tickwork demo-platform` as a user runs it: it generates its missing secrets into the data
 * directory's secrets.json (keeping the other entries), prints its URL, routes and the secret names to
 * put in job configs, serves with the generated token, and a second start reuses the same secrets.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TICKWORK_BIN } from '../../support/cli.ts';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-demo-cli-'));
  await writeFile(join(dataDir, 'secrets.json'), JSON.stringify({ 'demo-webhook': 's3cr3t' }));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Starts the command; resolves once it printed its last start-up line. */
async function start(args: string[]): Promise<{ child: ChildProcess; stdout: () => string; url: string }> {
  const child = spawn(
    process.execPath,
    [TICKWORK_BIN, 'demo-platform', '--port', '0', '--data-dir', dataDir, ...args],
    {
      env: { ...process.env, TICKWORK_DATA_DIR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  for (let waited = 0; waited < 300; waited++) {
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    if (url !== undefined && stdout.includes('telemetry rows per minute'))
      return { child, stdout: () => stdout, url };
    if (child.exitCode !== null) throw new Error(`demo-platform exited: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGTERM');
  throw new Error(`demo-platform did not start: ${stderr}`);
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('tickwork demo-platform', () => {
  it('Given a data directory without its secrets, When started twice, Then the first start generates them (merged, said so), both serve with them, and SIGTERM exits 0', async () => {
    const first = await start(['--model-latency-ms', '5']);
    const secrets = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as Record<
      string,
      string
    >;
    let code: number | null;
    try {
      expect(Object.keys(secrets)).toEqual(['demo-webhook', 'demo-platform-token', 'demo-ingest']);
      expect(secrets['demo-webhook']).toBe('s3cr3t');
      const out = first.stdout();
      expect(out).toContain(`generated secret "demo-platform-token" into ${join(dataDir, 'secrets.json')}`);
      expect(out).toContain(`generated secret "demo-ingest" into ${join(dataDir, 'secrets.json')}`);
      expect(out).toContain('authSecret / apiKeySecret "demo-platform-token", signingSecret "demo-ingest"');
      for (const route of [
        'GET /telemetry?from=<ISO>',
        'POST /v1/chat/completions',
        'POST /ingest',
        'GET /health',
      ]) {
        expect(out).toContain(route);
      }
      expect(out).not.toContain(secrets['demo-platform-token'] as string);
      const response = await fetch(`${first.url}/calibration/prompts`, {
        headers: { authorization: `Bearer ${secrets['demo-platform-token']}` },
      });
      expect(response.status).toBe(200);
    } finally {
      code = await stop(first.child);
    }
    expect(code).toBe(0);

    const second = await start([]);
    try {
      expect(second.stdout()).not.toContain('generated secret');
      const again = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as Record<
        string,
        string
      >;
      expect(again).toEqual(secrets);
      const response = await fetch(`${second.url}/demo/received`, {
        headers: { authorization: `Bearer ${secrets['demo-platform-token']}` },
      });
      expect(response.status).toBe(200);
    } finally {
      await stop(second.child);
    }
  });
});
