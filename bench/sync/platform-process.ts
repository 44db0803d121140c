/**
 * Starts bench/sync/platform-main.ts in a child process (through tsx) and reads what it prints: its URL,
 * then only refused or duplicate deliveries and errors, which make a measure invalid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./platform-main.ts', import.meta.url));
const LISTENING = /^sync bench platform listening on (http:\/\/\S+)/;

export interface SyncPlatform {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Refused or duplicate deliveries, errors: a valid run has none. */
  readonly anomalies: string[];
  close(): Promise<void>;
}

export async function startSyncPlatform(options: {
  readonly records: number;
  readonly token: string;
  readonly signingSecret: string;
}): Promise<SyncPlatform> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      SYNC_BENCH_RECORDS: String(options.records),
      SYNC_BENCH_TOKEN: options.token,
      SYNC_BENCH_SIGNING_SECRET: options.signingSecret,
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const anomalies: string[] = [];
  // Every line is read (a full pipe would stall the platform).
  const lines = createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const match = LISTENING.exec(line);
      if (match !== null) resolve(match[1] as string);
      else anomalies.push(line);
    });
    exited.then((code) =>
      reject(new Error(`the sync bench platform exited (code ${code}) before it listened`)),
    );
  });
  return {
    url,
    anomalies,
    close: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`the sync bench platform exited with code ${code}`);
    },
  };
}
