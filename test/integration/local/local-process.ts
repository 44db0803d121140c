/**
 * `tickwork local` as a child process, the way a user runs it: spawned with `bin/tickwork.js`, its
 * output collected, its endpoints read from endpoints.json once it is ready.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalEndpoints } from '../../../local/runtime.ts';

export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(repositoryRoot, 'bin', 'tickwork.js');

export interface Running {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every process a test started and that has not exited; a test's afterEach stops what is left. */
export const started = new Set<ChildProcess>();

/** Sends `signal` to every started process still running and resolves once each has exited. */
export async function stopStarted(signal: NodeJS.Signals): Promise<void> {
  await Promise.all(
    [...started].map(
      (child) =>
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill(signal);
        }),
    ),
  );
}

export function tickworkLocal(
  args: string[],
  env: Record<string, string> = {},
  cwd = repositoryRoot,
): Running {
  const child = spawn(process.execPath, [BIN, 'local', ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  started.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves with endpoints.json once the process wrote it; rejects if the process exits first. */
export async function endpointsOf(running: Running, dataDir: string): Promise<LocalEndpoints> {
  let exited = false;
  void running.exited.then(() => {
    exited = true;
  });
  for (;;) {
    try {
      return JSON.parse(await readFile(join(dataDir, 'endpoints.json'), 'utf8')) as LocalEndpoints;
    } catch {
      if (exited) throw new Error(`tickwork local exited before it was ready: ${running.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
