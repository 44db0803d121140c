/**
 * The SchedulePort contract on the Scheduler adapter, against the emulator started in this process.
 * Each test gets a schedule group of its own, so `list` sees only its schedules. Adapter-specific
 * checks (the wire body, retries, a missing group) stay in test/integration/scheduler-adapter/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe } from 'vitest';
import { type SchedulerEmulator, startSchedulerEmulator } from '../../../local/scheduler/index.ts';
import { createSchedulerSchedulePort } from '../../../shared/adapters/scheduler/schedule-port.ts';
import { systemClock } from '../../../shared/clock.ts';
import { schedulePortContract } from '../../contract/schedule-port.contract.ts';

let dataDir: string;
let emulator: SchedulerEmulator;
let client: SchedulerClient;
let groups = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tickwork-schedule-contract-'));
  emulator = await startSchedulerEmulator({
    dataDir,
    port: 0,
    invoker: { invoke: async () => {} },
    log: () => {},
  });
  client = new SchedulerClient({ endpoint: emulator.endpoint, region: 'us-east-1', maxAttempts: 1 });
});

afterAll(async () => {
  client?.destroy();
  await emulator?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('Scheduler adapter on the emulator', () => {
  schedulePortContract({
    open: async () => {
      groups++;
      const groupName = `contract-${groups}`;
      await client.send(new CreateScheduleGroupCommand({ Name: groupName }));
      return createSchedulerSchedulePort({ client, groupName, clock: systemClock });
    },
  });
});
