/**
 * The Scheduler emulator started in this process for adapter tests: a temporary data directory,
 * targets that accept every delivery, no log lines, and a client of it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { type SchedulerEmulator, startSchedulerEmulator } from '../../../local/scheduler/index.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { TEST_CREDENTIALS } from '../../support/sigv4.ts';

export interface QuietEmulator {
  readonly emulator: SchedulerEmulator;
  readonly client: SchedulerClient;
  /** Stops the emulator and removes its directory. */
  close(): Promise<void>;
}

/** A client that makes one attempt per call, so the adapter's retries (on its clock) are the only ones. */
export function schedulerClient(endpoint: string): SchedulerClient {
  return new SchedulerClient({
    endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
}

export async function startQuietEmulator(): Promise<QuietEmulator> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tickwork-scheduler-adapter-'));
  const emulator = await startSchedulerEmulator({
    dataDir,
    port: 0,
    credentials: TEST_CREDENTIALS,
    invoker: { invoke: async () => {} },
    log: silentLogger,
  });
  const client = schedulerClient(emulator.endpoint);
  return {
    emulator,
    client,
    async close() {
      client.destroy();
      await emulator.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
