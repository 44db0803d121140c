/**
 * The demo platform for the telemetry bench, in a CHILD process: the real `tickwork demo-platform`
 * command (bin/tickwork.js), so its request handling, row generation and ingest parsing (and their
 * garbage) never land in the heap or the CPU time the bench measures in its own process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/tickwork.js', import.meta.url));
const LISTENING = /^demo platform listening on (http:\/\/\S+)/;

export interface PlatformProcess {
  readonly url: string;
  /** Lines the platform printed for refused or duplicate deliveries: a valid round has none. */
  readonly anomalies: string[];
  close(): Promise<void>;
}

/** Starts `tickwork demo-platform --port 0` on `dataDir` (its secrets.json already holds both secrets). */
export async function startPlatformProcess(options: {
  readonly dataDir: string;
  readonly rowsPerMinute: number;
  readonly tokenSecret: string;
  readonly signingSecret: string;
}): Promise<PlatformProcess> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'demo-platform',
      '--port',
      '0',
      '--rows-per-minute',
      String(options.rowsPerMinute),
      '--data-dir',
      options.dataDir,
      '--token-secret',
      options.tokenSecret,
      '--signing-secret',
      options.signingSecret,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const anomalies: string[] = [];
  // Every line is read (a full pipe would stall the platform); only the listening line and the
  // refusals and duplicates are kept.
  const lines = createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const match = LISTENING.exec(line);
      if (match !== null) resolve(match[1] as string);
      if (/^ingest (refused|duplicate)|^error:/.test(line)) anomalies.push(line);
    });
    exited.then((code) => reject(new Error(`the demo platform exited (code ${code}) before it listened`)));
  });
  return {
    url,
    anomalies,
    close: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`the demo platform exited with code ${code}`);
    },
  };
}
