/** The `tickwork` CLI as a user runs it: `node bin/tickwork.js` in a child process. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI's entry, as `npx tickwork` runs it. */
export const TICKWORK_BIN = fileURLToPath(new URL('../../bin/tickwork.js', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Variables laid over the test process's environment (an empty string unsets one for the CLI). */
  readonly env?: Record<string, string | undefined>;
  /** The directory the CLI runs in; it looks for a project's `.tickwork` from there. */
  readonly cwd?: string;
  /** @default 60_000 — a CLI process on a loaded two-core machine, not a bound on the command. */
  readonly timeoutMs?: number;
}

/**
 * Runs `tickwork <args>` and resolves with its exit code and output; a non-zero exit resolves too, so a
 * test asserts on it. TICKWORK_API_URL and TICKWORK_DATA_DIR are emptied unless `env` names them: a
 * developer's shell or a stack they run must never decide which API a test talks to.
 */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const env = { ...process.env, TICKWORK_API_URL: '', TICKWORK_DATA_DIR: '', ...options.env };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TICKWORK_BIN, ...args],
      { env, cwd: options.cwd, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        // A signal (the timeout's kill) leaves `code` null; -1 keeps that apart from any exit code.
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
