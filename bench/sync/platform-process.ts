/**
 * Starts bench/sync/platform-main.ts in a child process and reads what it prints: its URL, then only
 * refused or duplicate deliveries and errors, which make a measure invalid.
 */
import { fileURLToPath } from 'node:url';
import { startChildServer } from './child.ts';

const MAIN = fileURLToPath(new URL('./platform-main.ts', import.meta.url));

export interface SyncPlatform {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Refused or duplicate deliveries, errors: a valid run has none. */
  readonly anomalies: string[];
  /** The platform process's CPU so far (ms). */
  cpuMs(): number;
  close(): Promise<void>;
}

export async function startSyncPlatform(options: {
  readonly records: number;
  readonly token: string;
  readonly signingSecret: string;
}): Promise<SyncPlatform> {
  const child = await startChildServer({
    name: 'sync bench platform',
    main: MAIN,
    env: {
      SYNC_BENCH_RECORDS: String(options.records),
      SYNC_BENCH_TOKEN: options.token,
      SYNC_BENCH_SIGNING_SECRET: options.signingSecret,
    },
  });
  return { url: child.url, anomalies: child.lines, cpuMs: () => child.cpuMs(), close: () => child.close() };
}
